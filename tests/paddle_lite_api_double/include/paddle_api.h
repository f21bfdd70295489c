// TEST DOUBLE of Paddle Lite's light C++ API (paddle_api.h), for building and testing cxx_demo on
// machines with no Paddle Lite C++ library. It declares only what cxx_demo calls, with the same
// names and signatures as Paddle Lite 2.13's header. It is not Paddle Lite and runs no network.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace paddle {
namespace lite_api {

using shape_t = std::vector<int64_t>;

enum PowerMode {
  LITE_POWER_HIGH = 0,
  LITE_POWER_LOW = 1,
  LITE_POWER_FULL = 2,
  LITE_POWER_NO_BIND = 3,
  LITE_POWER_RAND_HIGH = 4,
  LITE_POWER_RAND_LOW = 5
};

struct TensorState;

class Tensor {
 public:
  explicit Tensor(TensorState* state);
  void Resize(const shape_t& shape);
  template <typename T>
  const T* data() const;
  template <typename T>
  T* mutable_data() const;
  shape_t shape() const;

 private:
  TensorState* state_;
};

class PaddlePredictor {
 public:
  virtual ~PaddlePredictor() = default;
  virtual std::unique_ptr<Tensor> GetInput(int i) = 0;
  virtual std::unique_ptr<const Tensor> GetOutput(int i) const = 0;
  virtual void Run() = 0;
};

class ConfigBase {
 public:
  void set_threads(int threads) { threads_ = threads; }
  int threads() const { return threads_; }
  void set_power_mode(PowerMode mode) { mode_ = mode; }
  PowerMode power_mode() const { return mode_; }

 private:
  int threads_ = 1;
  PowerMode mode_ = LITE_POWER_NO_BIND;
};

class MobileConfig : public ConfigBase {
 public:
  void set_model_from_file(const std::string& path) { model_file_ = path; }
  const std::string& model_file() const { return model_file_; }

 private:
  std::string model_file_;
};

template <typename ConfigT>
std::shared_ptr<PaddlePredictor> CreatePaddlePredictor(const ConfigT& config);

}  // namespace lite_api
}  // namespace paddle
