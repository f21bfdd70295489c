// Paddle Lite predictor set-up shared by the programs, and process facts (peak RSS, CPUs used).
#pragma once
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "paddle_api.h"

namespace mnv1 {

extern const std::set<std::string> kPowerModes;  // high|low|full|no_bind|rand_high|rand_low

paddle::lite_api::PowerMode power_mode_from_name(const std::string& name);

// Checks the file (nb_file.h: kExitModel unreadable, kExitRuntime not a usable .nb), then creates the
// predictor (kExitRuntime).
std::shared_ptr<paddle::lite_api::PaddlePredictor> create_predictor(const std::string& model_path, int threads,
                                                                    const std::string& power_mode);

void check_readable(const std::string& path, int exit_code, const std::string& what);

long peak_rss_kb();  // VmHWM from /proc/self/status, -1 when unknown
double own_cpu_ms();  // CPU time of the whole process so far (all threads, user + system), ms

// The CPUs this process may run on: Cpus_allowed_list of /proc/self/status ("0-3,5"), the cpuset and
// affinity it inherited from the shell that started it; empty when unreadable.
std::vector<int> cpus_allowed();
std::vector<int> parse_cpu_list(const std::string& text);  // "0-3,5" -> 0,1,2,3,5 (at most 4096 CPUs)

// {thread id: (last CPU, CPU ticks)} of this process's threads, from /proc/self/task.
std::map<std::string, std::pair<int, long>> thread_cpu_ticks();
std::set<int> cpus_that_worked(const std::map<std::string, std::pair<int, long>>& before,
                               const std::map<std::string, std::pair<int, long>>& after);

std::vector<int> top_k(const float* values, int count, int k);

}  // namespace mnv1
