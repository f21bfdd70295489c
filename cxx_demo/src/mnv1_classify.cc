// mnv1_classify: the demo. Classify a PPM/PGM image with a Paddle Lite .nb model, using
// PaddleClas's preprocessing, and print the top-k labels with probabilities and the latency.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "app_error.h"
#include "image.h"
#include "json_writer.h"
#include "options.h"
#include "runtime.h"

namespace {

const char kUsage[] =
    "usage: mnv1_classify --model FILE.nb --image FILE.ppm [options]\n"
    "  --model FILE        Paddle Lite .nb model (required)\n"
    "  --image FILE        binary PPM (P6) or PGM (P5) image (required)\n"
    "  --labels FILE       one label per line, line k for class k, plain or numbered as PaddleClas's\n"
    "                      (\"153 Maltese dog\"); default: class numbers\n"
    "  --topk K            how many classes to print, 1..1000 (default 5)\n"
    "  --threads N         worker threads, 1..64 (default 1)\n"
    "  --power_mode MODE   high|low|full|no_bind|rand_high|rand_low (default no_bind)\n"
    "  --warmup N          untimed runs, 0..10000 (default 2)\n"
    "  --repeats N         timed runs for the latency, 1..100000 (default 10)\n"
    "  --resize_short N    short side after resizing (default 256)\n"
    "  --crop N            centre crop (default 224)\n"
    "  --dump_input FILE   also write the preprocessed NCHW float32 tensor (raw, little-endian)\n"
    "Exit codes: 0 ok, 2 bad option, 3 model unreadable, 4 image unreadable or not PPM/PGM,\n"
    "5 labels unreadable, 6 Paddle Lite failed.\n";

// PaddleClas's label files number their lines ("153 Maltese dog"); the number is the class index
// again, so the name is what follows it. A plain line ("Maltese dog") is the name itself.
std::string class_name(const std::string& line) {
  size_t digits = 0;
  while (digits < line.size() && line[digits] >= '0' && line[digits] <= '9') ++digits;
  if (digits == 0 || digits >= line.size() || (line[digits] != ' ' && line[digits] != '\t')) return line;
  size_t name = line.find_first_not_of(" \t", digits);
  return name == std::string::npos ? line : line.substr(name);
}

std::vector<std::string> read_labels(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw mnv1::AppError(mnv1::kExitLabels, "cannot read labels file " + path);
  std::vector<std::string> labels;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    labels.push_back(class_name(line));
  }
  if (labels.empty()) throw mnv1::AppError(mnv1::kExitLabels, "labels file " + path + " is empty");
  return labels;
}

int run(int argc, char** argv) {
  using namespace mnv1;
  Options options(argc, argv, {"model", "image", "labels", "topk", "threads", "power_mode", "warmup", "repeats",
                               "resize_short", "crop", "dump_input", "help"}, {"help"});
  if (options.has("help")) {
    std::cout << kUsage;
    return kExitOk;
  }
  const std::string model = options.required("model");
  const std::string image_path = options.required("image");
  const int topk = static_cast<int>(options.integer("topk", 5, 1, 1000));
  const int threads = static_cast<int>(options.integer("threads", 1, 1, 64));
  const std::string power_mode = options.choice("power_mode", "no_bind", kPowerModes);
  const int warmup = static_cast<int>(options.integer("warmup", 2, 0, 10000));
  const int repeats = static_cast<int>(options.integer("repeats", 10, 1, 100000));
  const int resize_short = static_cast<int>(options.integer("resize_short", 256, 8, 4096));
  const int crop = static_cast<int>(options.integer("crop", 224, 8, 4096));
  if (crop > resize_short) throw AppError(kExitUsage, "option --crop must not exceed --resize_short");

  check_readable(model, kExitModel, "model");
  std::vector<std::string> labels;
  if (options.has("labels")) labels = read_labels(options.text("labels", ""));
  const Image image = read_pnm(image_path);
  const std::vector<float> tensor = paddleclas_preprocess(image, resize_short, crop);
  if (options.has("dump_input")) {
    std::ofstream dump(options.text("dump_input", ""), std::ios::binary);
    dump.write(reinterpret_cast<const char*>(tensor.data()), static_cast<std::streamsize>(tensor.size() * sizeof(float)));
    if (!dump) throw AppError(kExitUsage, "cannot write --dump_input file " + options.text("dump_input", ""));
  }

  auto predictor = create_predictor(model, threads, power_mode);
  std::vector<double> samples(repeats);
  std::vector<float> probabilities;
  std::vector<int> best;
  try {
    auto input = predictor->GetInput(0);
    input->Resize({1, 3, crop, crop});
    std::copy(tensor.begin(), tensor.end(), input->mutable_data<float>());
    for (int i = 0; i < warmup; ++i) predictor->Run();
    for (int i = 0; i < repeats; ++i) {
      auto t0 = std::chrono::steady_clock::now();
      predictor->Run();
      samples[i] = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    }
    auto output = predictor->GetOutput(0);
    long count = 1;
    for (auto d : output->shape()) count *= d;
    const float* logits = output->data<float>();
    double peak = *std::max_element(logits, logits + count), total = 0;
    probabilities.resize(count);
    for (long i = 0; i < count; ++i) total += probabilities[i] = static_cast<float>(std::exp(logits[i] - peak));
    for (auto& p : probabilities) p = static_cast<float>(p / total);
    best = top_k(probabilities.data(), static_cast<int>(count), topk);
  } catch (const std::exception& e) {
    throw AppError(kExitRuntime, std::string("Paddle Lite failed to run ") + model + ": " + e.what());
  }

  double mean_ms = 0;
  for (double s : samples) mean_ms += s / samples.size();
  std::vector<double> top_probabilities;
  for (size_t rank = 0; rank < best.size(); ++rank) {
    int k = best[rank];
    std::string label = k < static_cast<int>(labels.size()) ? labels[k] : "class " + std::to_string(k);
    std::printf("%zu. %s (class %d): %.4f\n", rank + 1, label.c_str(), k, probabilities[k]);
    top_probabilities.push_back(probabilities[k]);
  }
  std::printf("latency: mean %.2f ms over %d runs after %d warm-up, %d thread(s), power mode %s\n", mean_ms, repeats,
              warmup, threads, power_mode.c_str());
  JsonObject json;
  json.str("model", model).str("image", image_path).list("topk", best).list("probabilities", top_probabilities)
      .num("mean_ms", mean_ms).num("threads", threads);
  std::cout << json.text() << std::endl;
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  return mnv1::run_program("mnv1_classify", [&] { return run(argc, argv); });
}
