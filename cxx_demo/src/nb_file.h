// A Paddle Lite `.nb` is checked before Paddle Lite sees it: the upstream ARM library (built with
// LITE_WITH_EXCEPTION=OFF, as released) aborts the whole process on a truncated or foreign file
// before any C++ catch runs. The layout is the one lite/convert/nb_format.py reads (keep them alike).
#pragma once
#include <cstdint>
#include <string>

namespace mnv1 {

struct NbFacts {
  uint16_t meta_version = 0;
  std::string opt_version;  // e.g. "v2.13-rc"
  uint64_t file_bytes = 0;
  uint64_t param_count = 0;
};

// The facts of a well-formed `.nb`, or an empty `problem` naming what is wrong (pure: works on bytes).
NbFacts check_nb_bytes(const std::string& bytes, std::string* problem);

// Reads `path` and checks it: AppError kExitModel if unreadable, kExitRuntime if no usable `.nb`.
NbFacts check_nb_file(const std::string& path);

}  // namespace mnv1
