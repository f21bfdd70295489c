#include "runtime.h"

#include <dirent.h>
#include <sys/resource.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <numeric>
#include <sstream>

#include "app_error.h"
#include "nb_file.h"

namespace mnv1 {

using paddle::lite_api::PowerMode;

const std::set<std::string> kPowerModes = {"high", "low", "full", "no_bind", "rand_high", "rand_low"};

PowerMode power_mode_from_name(const std::string& name) {
  static const std::map<std::string, PowerMode> modes = {
      {"high", paddle::lite_api::LITE_POWER_HIGH},           {"low", paddle::lite_api::LITE_POWER_LOW},
      {"full", paddle::lite_api::LITE_POWER_FULL},           {"no_bind", paddle::lite_api::LITE_POWER_NO_BIND},
      {"rand_high", paddle::lite_api::LITE_POWER_RAND_HIGH}, {"rand_low", paddle::lite_api::LITE_POWER_RAND_LOW}};
  return modes.at(name);
}

void check_readable(const std::string& path, int exit_code, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in || in.peek() == EOF) throw AppError(static_cast<ExitCode>(exit_code), what + " file " + path + " is missing, empty or unreadable");
}

std::shared_ptr<paddle::lite_api::PaddlePredictor> create_predictor(const std::string& model_path, int threads,
                                                                    const std::string& power_mode) {
  check_nb_file(model_path);  // a bad file would abort inside Paddle Lite, past any catch
  paddle::lite_api::MobileConfig config;
  config.set_model_from_file(model_path);
  config.set_threads(threads);
  config.set_power_mode(power_mode_from_name(power_mode));
  try {
    return paddle::lite_api::CreatePaddlePredictor<paddle::lite_api::MobileConfig>(config);
  } catch (const std::exception& e) {
    throw AppError(kExitRuntime, std::string("Paddle Lite could not load ") + model_path + ": " + e.what());
  }
}

double own_cpu_ms() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto ms = [](const timeval& t) { return t.tv_sec * 1000.0 + t.tv_usec / 1000.0; };
  return ms(usage.ru_utime) + ms(usage.ru_stime);
}

long peak_rss_kb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

std::vector<int> parse_cpu_list(const std::string& text) {
  const int kMaxCpu = 4096;  // a kernel's CONFIG_NR_CPUS bound: what a device says is never trusted further
  std::vector<int> cpus;
  std::istringstream parts(text);
  std::string part;
  while (std::getline(parts, part, ',')) {
    int first = 0, last = 0;
    char dash = 0;
    std::istringstream range(part);
    if (!(range >> first)) continue;
    if (range >> dash >> last) {
      if (dash != '-') continue;
    } else {
      last = first;
    }
    if (first < 0 || last < first || last >= kMaxCpu) continue;
    for (int cpu = first; cpu <= last; ++cpu) cpus.push_back(cpu);
  }
  return cpus;
}

std::vector<int> cpus_allowed() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("Cpus_allowed_list:", 0) == 0) return parse_cpu_list(line.substr(18));
  }
  return {};
}

std::map<std::string, std::pair<int, long>> thread_cpu_ticks() {
  std::map<std::string, std::pair<int, long>> threads;
  DIR* dir = opendir("/proc/self/task");
  if (!dir) return threads;
  while (dirent* entry = readdir(dir)) {
    std::string tid = entry->d_name;
    if (tid == "." || tid == "..") continue;
    std::ifstream stat("/proc/self/task/" + tid + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    auto close = text.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream fields(text.substr(close + 2));
    std::vector<std::string> f((std::istream_iterator<std::string>(fields)), std::istream_iterator<std::string>());
    if (f.size() < 37) continue;
    // After the ')' field 3 of stat(5) is index 0: utime 14, stime 15, processor 39.
    threads[tid] = {std::stoi(f[36]), std::stol(f[11]) + std::stol(f[12])};
  }
  closedir(dir);
  return threads;
}

std::set<int> cpus_that_worked(const std::map<std::string, std::pair<int, long>>& before,
                               const std::map<std::string, std::pair<int, long>>& after) {
  std::set<int> cpus;
  for (const auto& [tid, state] : after) {
    auto it = before.find(tid);
    long earlier = it == before.end() ? 0 : it->second.second;
    if (state.second > earlier) cpus.insert(state.first);
  }
  return cpus;
}

std::vector<int> top_k(const float* values, int count, int k) {
  std::vector<int> order(count);
  std::iota(order.begin(), order.end(), 0);
  k = std::min(k, count);
  std::partial_sort(order.begin(), order.begin() + k, order.end(),
                    [&](int a, int b) { return values[a] > values[b] || (values[a] == values[b] && a < b); });
  order.resize(k);
  return order;
}

}  // namespace mnv1
