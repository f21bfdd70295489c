// TEST DOUBLE of libpaddle_light_api_shared.so (see include/paddle_api.h). What it does, so that
// tests can check cxx_demo against it:
// - CreatePaddlePredictor reads the model file (throws if it cannot) and keeps a hash of its bytes;
// - Run() throws unless the input is 1x3xHxW floats (MobileNetV1 takes any H and W);
// - output 0 is 1x1000: out[k] = mean of input[i] over i % 1000 == k, times (1 + k / 1000), plus
//   a model-dependent offset, so it depends on the input and on the model file;
// - a model file containing "crash-me" aborts the process when loaded;
// - Run() also does a fixed amount of arithmetic split over `threads` std::threads, as a real
//   runtime splits its work; with PADDLE_LITE_API_DOUBLE_LOG=FILE each Run() appends
//   "threads_set=N workers_started=M" to FILE, so tests can check what the program asked for;
// - with PADDLE_LITE_API_DOUBLE_SLEEP_MS=N each worker sleeps N ms instead of working, so a benchmark
//   of the toolkit's own overhead (bench_scripts/bench_fleet.py) runs devices that do not load the CPUs.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <thread>

#include "paddle_api.h"

namespace paddle {
namespace lite_api {

struct TensorState {
  shape_t shape;
  std::vector<float> values;
};

Tensor::Tensor(TensorState* state) : state_(state) {}
void Tensor::Resize(const shape_t& shape) {
  state_->shape = shape;
  int64_t count = 1;
  for (auto d : shape) count *= d;
  state_->values.assign(static_cast<size_t>(count), 0.0f);
}
template <>
const float* Tensor::data<float>() const { return state_->values.data(); }
template <>
float* Tensor::mutable_data<float>() const { return state_->values.data(); }
shape_t Tensor::shape() const { return state_->shape; }

namespace {
constexpr int64_t kWorkPerRun = 8000000;  // multiply-adds per Run(), shared by the threads

float busy_work(int64_t count, float seed) {
  float acc = seed;
  for (int64_t i = 0; i < count; ++i) acc = acc * 0.999999f + 1e-7f;
  return acc;
}

class DoublePredictor : public PaddlePredictor {
 public:
  DoublePredictor(uint32_t model_hash, int threads) : model_hash_(model_hash), threads_(std::max(1, threads)) {}
  std::unique_ptr<Tensor> GetInput(int i) override {
    if (i != 0) throw std::out_of_range("the double has one input");
    return std::unique_ptr<Tensor>(new Tensor(&input_));
  }
  std::unique_ptr<const Tensor> GetOutput(int i) const override {
    if (i != 0) throw std::out_of_range("the double has one output");
    return std::unique_ptr<const Tensor>(new Tensor(const_cast<TensorState*>(&output_)));
  }
  void Run() override {
    if (input_.shape.size() != 4 || input_.shape[0] != 1 || input_.shape[1] != 3)
      throw std::invalid_argument("paddle-lite-api-double: input must be 1x3xHxW");
    std::vector<std::thread> workers;
    std::vector<float> sinks(threads_);
    const char* sleep_ms = std::getenv("PADDLE_LITE_API_DOUBLE_SLEEP_MS");
    for (int t = 0; t < threads_; ++t)
      workers.emplace_back([&, t] {
        if (sleep_ms) {
          std::this_thread::sleep_for(std::chrono::milliseconds(std::atol(sleep_ms)));
          sinks[t] = 1.0f + t;
        } else {
          sinks[t] = busy_work(kWorkPerRun / threads_, 1.0f + t);
        }
      });
    for (auto& w : workers) w.join();
    if (const char* log = std::getenv("PADDLE_LITE_API_DOUBLE_LOG")) {
      if (FILE* f = std::fopen(log, "a")) {
        std::fprintf(f, "threads_set=%d workers_started=%zu input=1x3x%ldx%ld\n", threads_, workers.size(),
                     static_cast<long>(input_.shape[2]), static_cast<long>(input_.shape[3]));
        std::fclose(f);
      }
    }
    output_.shape = {1, 1000};
    output_.values.assign(1000, 0.0f);
    std::vector<int> counts(1000, 0);
    for (size_t i = 0; i < input_.values.size(); ++i) {
      output_.values[i % 1000] += input_.values[i];
      counts[i % 1000] += 1;
    }
    float offset = static_cast<float>(model_hash_ % 1000) / 1000.0f + (sinks[0] > 1e30f ? 1.0f : 0.0f);
    for (int k = 0; k < 1000; ++k)
      output_.values[k] = output_.values[k] / counts[k] * (1.0f + k / 1000.0f) + offset;
  }

 private:
  uint32_t model_hash_;
  int threads_;
  TensorState input_;
  TensorState output_;
};
}  // namespace

template <>
std::shared_ptr<PaddlePredictor> CreatePaddlePredictor<MobileConfig>(const MobileConfig& config) {
  std::ifstream in(config.model_file(), std::ios::binary);
  if (!in) throw std::runtime_error("paddle-lite-api-double: cannot open " + config.model_file());
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // A model file holding the text "crash-me" makes the double abort, so tests can see a crashing cell.
  static const std::string kCrash = "crash-me";
  if (std::search(bytes.begin(), bytes.end(), kCrash.begin(), kCrash.end()) != bytes.end()) std::abort();
  uint32_t hash = 2166136261u;  // FNV-1a
  for (char c : bytes) hash = (hash ^ static_cast<unsigned char>(c)) * 16777619u;
  return std::make_shared<DoublePredictor>(hash, config.threads());
}

}  // namespace lite_api
}  // namespace paddle
