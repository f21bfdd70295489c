// Command-line options: `--name=value` or `--name value`, each validated with a one-line error.
#pragma once
#include <map>
#include <set>
#include <string>
#include <vector>

namespace mnv1 {

class Options {
 public:
  // `known` lists accepted names (without dashes); `flags` those that take no value.
  Options(int argc, char** argv, const std::set<std::string>& known, const std::set<std::string>& flags = {});
  bool has(const std::string& name) const { return values_.count(name) > 0; }
  std::string text(const std::string& name, const std::string& fallback) const;
  std::string required(const std::string& name) const;
  long integer(const std::string& name, long fallback, long min, long max) const;
  std::vector<long> integer_list(const std::string& name, const std::vector<long>& fallback, long min,
                                 long max) const;
  std::string choice(const std::string& name, const std::string& fallback, const std::set<std::string>& allowed) const;

 private:
  std::map<std::string, std::string> values_;
};

long parse_integer(const std::string& name, const std::string& text, long min, long max);

}  // namespace mnv1
