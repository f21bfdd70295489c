// mnv1_bench: time a Paddle Lite .nb model; print one JSON object on the last stdout line.
// The JSON keys are the contract read by lite/bench/outputs.py (documented there and in docs/internals.md).
#include <sched.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <numeric>
#include <set>
#include <string>
#include <vector>

#include "app_error.h"
#include "bench_stats.h"
#include "json_writer.h"
#include "options.h"
#include "runtime.h"

namespace {

const char kUsage[] =
    "usage: mnv1_bench --model FILE.nb [options]\n"
    "  --model FILE          Paddle Lite .nb model (required)\n"
    "  --threads N           worker threads, 1..64 (default 1)\n"
    "  --power_mode MODE     high|low|full|no_bind|rand_high|rand_low (default no_bind)\n"
    "  --warmup N            untimed runs before timing, 0..100000 (default 10)\n"
    "  --repeats N           timed runs, 1..1000000 (default 100)\n"
    "  --input_shape N,C,H,W input shape (default 1,3,224,224)\n"
    "  --input_file FILE     raw little-endian float32 input of that shape (default: a fixed pattern)\n"
    "  --output_file FILE    also write output 0 there, raw little-endian float32\n"
    "Prints one JSON line: options, init_ms, first_run_ms, samples_ms, warmup_samples_ms, summary, peak_rss_kb,\n"
    "cpu_time_ms, cpus_used, cpus_allowed, output_shape, output_checksum, top5. Exit codes: 0 ok, 2 bad option,\n"
    "3 model file missing or unreadable, 4 input file unreadable or of the wrong size,\n"
    "6 not a usable .nb or Paddle Lite failed.\n";

double ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

// Input and output tensors as raw little-endian float32 (numpy's "<f4"), for checks against Paddle.
void read_floats(const std::string& path, float* data, long count) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw mnv1::AppError(mnv1::kExitImage, "cannot read --input_file " + path);
  const long bytes = static_cast<long>(in.tellg());
  if (bytes != count * static_cast<long>(sizeof(float)))
    throw mnv1::AppError(mnv1::kExitImage, "--input_file " + path + " has " + std::to_string(bytes) +
                                               " bytes; --input_shape needs " + std::to_string(count * 4));
  in.seekg(0);
  in.read(reinterpret_cast<char*>(data), bytes);
}

void write_floats(const std::string& path, const float* data, long count) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(count * sizeof(float)));
  if (!out) throw mnv1::AppError(mnv1::kExitUsage, "cannot write --output_file " + path);
}

// At most 2^27 floats (512 MiB) in the input tensor; checked dimension by dimension, so the product
// never wraps (each dimension is at most 100000, so no partial product passes 2^27 * 10^5 < 2^63).
constexpr long kMaxInputElements = 1L << 27;

long input_elements(const std::vector<long>& shape) {
  if (shape.size() > 8) throw mnv1::AppError(mnv1::kExitUsage, "option --input_shape takes at most 8 dimensions");
  long count = 1;
  for (long dim : shape) {
    count *= dim;
    if (count > kMaxInputElements)
      throw mnv1::AppError(mnv1::kExitUsage, "option --input_shape asks for more than " +
                                                 std::to_string(kMaxInputElements) + " input values (512 MiB)");
  }
  return count;
}

int run(int argc, char** argv) {
  using namespace mnv1;
  Options options(argc, argv, {"model", "threads", "power_mode", "warmup", "repeats", "input_shape", "input_file",
                                  "output_file", "help"}, {"help"});
  if (options.has("help")) {
    std::cout << kUsage;
    return kExitOk;
  }
  const std::string model = options.required("model");
  const int threads = static_cast<int>(options.integer("threads", 1, 1, 64));
  const std::string power_mode = options.choice("power_mode", "no_bind", kPowerModes);
  const int warmup = static_cast<int>(options.integer("warmup", 10, 0, 100000));
  const int repeats = static_cast<int>(options.integer("repeats", 100, 1, 1000000));
  const std::vector<long> shape = options.integer_list("input_shape", {1, 3, 224, 224}, 1, 100000);

  const long count = input_elements(shape);
  std::vector<float> given;  // read before the model, so a bad input file costs no model load
  if (options.has("input_file")) {
    given.resize(count);
    read_floats(options.text("input_file", ""), given.data(), count);
  }

  auto start = std::chrono::steady_clock::now();
  const std::vector<int> allowed = cpus_allowed();  // before Paddle Lite binds any thread to a core
  auto predictor = create_predictor(model, threads, power_mode);
  const double init_ms = ms_since(start);

  auto input = predictor->GetInput(0);
  input->Resize(paddle::lite_api::shape_t(shape.begin(), shape.end()));
  float* data = input->mutable_data<float>();
  if (!given.empty()) {
    std::copy(given.begin(), given.end(), data);
  } else {
    for (long i = 0; i < count; ++i) data[i] = static_cast<float>((i % 255) / 255.0 - 0.5);  // fixed, filled once
  }

  std::vector<double> samples(repeats);
  std::vector<double> warmup_samples(warmup);  // kept, not summarised: shows how the runs settle
  std::vector<int> main_cpus(repeats);
  double first_run_ms = 0;
  try {
    start = std::chrono::steady_clock::now();
    predictor->Run();
    first_run_ms = ms_since(start);
    for (int i = 0; i < warmup; ++i) {
      auto t0 = std::chrono::steady_clock::now();
      predictor->Run();
      warmup_samples[i] = ms_since(t0);
    }
    auto before = thread_cpu_ticks();
    for (int i = 0; i < repeats; ++i) {  // nothing is allocated in this loop
      auto t0 = std::chrono::steady_clock::now();
      predictor->Run();
      samples[i] = ms_since(t0);
      main_cpus[i] = sched_getcpu();
    }
    std::set<int> cpus = cpus_that_worked(before, thread_cpu_ticks());
    cpus.insert(main_cpus.begin(), main_cpus.end());

    auto output = predictor->GetOutput(0);
    auto out_shape = output->shape();
    long out_count = 1;
    for (auto d : out_shape) out_count *= d;
    const float* out = output->data<float>();
    double checksum = 0;
    for (long i = 0; i < out_count; ++i) checksum += out[i];
    if (options.has("output_file")) write_floats(options.text("output_file", ""), out, out_count);

    Summary s = summarize(samples);
    JsonObject json;
    json.str("model", model).num("threads", threads).str("power_mode", power_mode).num("warmup", warmup)
        .num("repeats", repeats).list("input_shape", shape).num("init_ms", init_ms).num("first_run_ms", first_run_ms)
        .list("samples_ms", samples).list("warmup_samples_ms", warmup_samples).num("min_ms", s.min_ms).num("max_ms", s.max_ms).num("mean_ms", s.mean_ms)
        .num("median_ms", s.median_ms).num("std_ms", s.std_ms).num("p90_ms", s.p90_ms)
        .num("peak_rss_kb", static_cast<double>(peak_rss_kb())).num("cpu_time_ms", own_cpu_ms())
        .list("cpus_used", std::vector<int>(cpus.begin(), cpus.end())).list("cpus_allowed", allowed)
        .list("output_shape", std::vector<int64_t>(out_shape.begin(), out_shape.end()))
        .num("output_checksum", checksum).list("top5", top_k(out, static_cast<int>(out_count), 5));
    std::cout << json.text() << std::endl;
  } catch (const AppError&) {
    throw;
  } catch (const std::exception& e) {
    throw AppError(kExitRuntime, std::string("Paddle Lite failed to run ") + model + ": " + e.what());
  }
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  return mnv1::run_program("mnv1_bench", [&] { return run(argc, argv); });
}
