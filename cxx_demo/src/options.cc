#include "options.h"

#include <cerrno>
#include <cstdlib>
#include <sstream>

#include "app_error.h"

namespace mnv1 {

Options::Options(int argc, char** argv, const std::set<std::string>& known, const std::set<std::string>& flags) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--", 0) != 0) throw AppError(kExitUsage, "unexpected argument '" + arg + "' (options start with --)");
    arg = arg.substr(2);
    std::string value;
    auto eq = arg.find('=');
    bool has_value = eq != std::string::npos;
    if (has_value) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    }
    if (!known.count(arg)) throw AppError(kExitUsage, "unknown option --" + arg + " (see --help)");
    if (flags.count(arg)) {
      value = "1";
    } else if (!has_value) {
      if (i + 1 >= argc) throw AppError(kExitUsage, "option --" + arg + " needs a value");
      value = argv[++i];
    }
    values_[arg] = value;
  }
}

std::string Options::text(const std::string& name, const std::string& fallback) const {
  auto it = values_.find(name);
  return it == values_.end() ? fallback : it->second;
}

std::string Options::required(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end() || it->second.empty()) throw AppError(kExitUsage, "option --" + name + " is required");
  return it->second;
}

long parse_integer(const std::string& name, const std::string& text, long min, long max) {
  errno = 0;
  char* end = nullptr;
  long value = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno == ERANGE)
    throw AppError(kExitUsage, "option --" + name + " takes a whole number, not '" + text + "'");
  if (value < min || value > max) {
    std::ostringstream msg;
    msg << "option --" << name << " must be from " << min << " to " << max << ", not " << value;
    throw AppError(kExitUsage, msg.str());
  }
  return value;
}

long Options::integer(const std::string& name, long fallback, long min, long max) const {
  return has(name) ? parse_integer(name, text(name, ""), min, max) : fallback;
}

std::vector<long> Options::integer_list(const std::string& name, const std::vector<long>& fallback, long min,
                                        long max) const {
  if (!has(name)) return fallback;
  std::vector<long> values;
  std::stringstream parts(text(name, ""));
  std::string part;
  while (std::getline(parts, part, ',')) values.push_back(parse_integer(name, part, min, max));
  if (values.empty()) throw AppError(kExitUsage, "option --" + name + " needs comma-separated numbers");
  return values;
}

std::string Options::choice(const std::string& name, const std::string& fallback,
                            const std::set<std::string>& allowed) const {
  std::string value = text(name, fallback);
  if (!allowed.count(value)) {
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "" : "|") + a;
    throw AppError(kExitUsage, "option --" + name + " must be one of " + list + ", not '" + value + "'");
  }
  return value;
}

}  // namespace mnv1
