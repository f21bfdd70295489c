// Exit codes of the cxx_demo programs (documented in README.md) and the error that carries one.
#pragma once
#include <cstdio>
#include <stdexcept>
#include <string>

namespace mnv1 {

enum ExitCode {
  kExitOk = 0,
  kExitUsage = 2,      // unknown option, missing value, non-numeric or out-of-range number
  kExitModel = 3,      // model file missing or unreadable
  kExitImage = 4,      // image missing, unreadable, or not binary PPM/PGM
  kExitLabels = 5,     // labels file missing or unreadable
  kExitRuntime = 6,    // Paddle Lite failed to create the predictor or to run
};

class AppError : public std::runtime_error {
 public:
  AppError(ExitCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ExitCode code() const { return code_; }

 private:
  ExitCode code_;
};

// Runs a program's body; an AppError becomes "<program>: error: <message>" and its exit code.
template <typename Body>
int run_program(const char* program, Body body) {
  try {
    return body();
  } catch (const AppError& e) {
    std::fprintf(stderr, "%s: error: %s\n", program, e.what());
    return e.code();
  }
}

}  // namespace mnv1
