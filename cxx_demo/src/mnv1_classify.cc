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
    "       mnv1_classify --model FILE.nb --inputs LIST [--output FILE] [options]   (batch mode)\n"
    "  --model FILE        Paddle Lite .nb model (required)\n"
    "  --image FILE        binary PPM (P6) or PGM (P5) image (required unless --inputs)\n"
    "  --inputs LIST       batch mode: LIST names one input per line, a PPM/PGM image or a raw little-endian\n"
    "                      float32 tensor (1x3xCROPxCROP, already preprocessed, any other name); one\n"
    "                      predictor classifies them all, each once, and writes one JSON line per input:\n"
    "                      {\"input\": ..., \"topk\": [...], \"probabilities\": [...]} or {\"input\": ..., \"error\": ...}\n"
    "  --output FILE       batch mode: write the lines there (default: standard output)\n"
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

// A batch input: a PPM/PGM image (preprocessed here) or a raw float32 tensor of exactly 1x3xcrop x crop.
std::vector<float> read_input(const std::string& path, int resize_short, int crop) {
  auto ends_with = [&](const char* tail) {
    std::string t(tail);
    return path.size() >= t.size() && path.compare(path.size() - t.size(), t.size(), t) == 0;
  };
  if (ends_with(".ppm") || ends_with(".pgm") || ends_with(".PPM") || ends_with(".PGM"))
    return mnv1::paddleclas_preprocess(mnv1::read_pnm(path), resize_short, crop);
  const size_t count = 3u * crop * crop;
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw mnv1::AppError(mnv1::kExitImage, "cannot read " + path);
  const auto bytes = static_cast<size_t>(in.tellg());
  if (bytes != count * sizeof(float))
    throw mnv1::AppError(mnv1::kExitImage, path + " has " + std::to_string(bytes) + " bytes, not " +
                                               std::to_string(count * sizeof(float)) + " (1x3x" + std::to_string(crop) +
                                               "x" + std::to_string(crop) + " float32)");
  std::vector<float> tensor(count);
  in.seekg(0);
  in.read(reinterpret_cast<char*>(tensor.data()), static_cast<std::streamsize>(bytes));
  if (!in) throw mnv1::AppError(mnv1::kExitImage, "cannot read " + path);
  return tensor;
}

// Softmax of one output and its top k (classes, probabilities).
void top_probabilities(const float* logits, long count, int topk, std::vector<int>* best, std::vector<double>* probs) {
  double peak = *std::max_element(logits, logits + count), total = 0;
  std::vector<float> p(count);
  for (long i = 0; i < count; ++i) total += p[i] = static_cast<float>(std::exp(logits[i] - peak));
  for (auto& v : p) v = static_cast<float>(v / total);
  *best = mnv1::top_k(p.data(), static_cast<int>(count), topk);
  probs->clear();
  for (int k : *best) probs->push_back(p[k]);
}

// Batch mode: every input of the list through one predictor, one JSON line each. An input that cannot be
// read is a line with its error, and the batch goes on; Paddle Lite failing is fatal (kExitRuntime).
int classify_list(const std::string& model, const std::string& list_path, const std::string& output_path, int topk,
                  int threads, const std::string& power_mode, int resize_short, int crop) {
  using namespace mnv1;
  std::ifstream list(list_path);
  if (!list) throw AppError(kExitImage, "cannot read --inputs list " + list_path);
  std::vector<std::string> inputs;
  for (std::string line; std::getline(list, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) inputs.push_back(line);
  }
  std::ofstream file;
  if (!output_path.empty()) {
    file.open(output_path);
    if (!file) throw AppError(kExitUsage, "cannot write --output file " + output_path);
  }
  std::ostream& out = output_path.empty() ? std::cout : file;
  auto predictor = create_predictor(model, threads, power_mode);
  for (const auto& path : inputs) {
    std::vector<float> tensor;
    try {
      tensor = read_input(path, resize_short, crop);
    } catch (const AppError& e) {
      JsonObject json;
      json.str("input", path).str("error", e.what());
      out << json.text() << "\n";
      continue;
    }
    std::vector<int> best;
    std::vector<double> probs;
    try {
      auto input = predictor->GetInput(0);
      input->Resize({1, 3, crop, crop});
      std::copy(tensor.begin(), tensor.end(), input->mutable_data<float>());
      predictor->Run();
      auto output = predictor->GetOutput(0);
      long count = 1;
      for (auto d : output->shape()) count *= d;
      top_probabilities(output->data<float>(), count, topk, &best, &probs);
    } catch (const std::exception& e) {
      throw AppError(kExitRuntime, std::string("Paddle Lite failed to run ") + model + " on " + path + ": " + e.what());
    }
    JsonObject json;
    json.str("input", path).list("topk", best).list("probabilities", probs);
    out << json.text() << "\n";
  }
  out.flush();
  if (!out) throw AppError(kExitUsage, "cannot write the results to " + (output_path.empty() ? "stdout" : output_path));
  return kExitOk;
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
                               "resize_short", "crop", "dump_input", "inputs", "output", "help"}, {"help"});
  if (options.has("help")) {
    std::cout << kUsage;
    return kExitOk;
  }
  const std::string model = options.required("model");
  if (options.has("inputs") && options.has("image"))
    throw AppError(kExitUsage, "give --image (one image) or --inputs LIST (batch mode), not both");
  if (options.has("output") && !options.has("inputs")) throw AppError(kExitUsage, "--output goes with --inputs");
  const std::string image_path = options.has("inputs") ? "" : options.required("image");
  const int topk = static_cast<int>(options.integer("topk", 5, 1, 1000));
  const int threads = static_cast<int>(options.integer("threads", 1, 1, 64));
  const std::string power_mode = options.choice("power_mode", "no_bind", kPowerModes);
  const int warmup = static_cast<int>(options.integer("warmup", 2, 0, 10000));
  const int repeats = static_cast<int>(options.integer("repeats", 10, 1, 100000));
  const int resize_short = static_cast<int>(options.integer("resize_short", 256, 8, 4096));
  const int crop = static_cast<int>(options.integer("crop", 224, 8, 4096));
  if (crop > resize_short) throw AppError(kExitUsage, "option --crop must not exceed --resize_short");

  check_readable(model, kExitModel, "model");
  if (options.has("inputs"))
    return classify_list(model, options.required("inputs"), options.text("output", ""), topk, threads, power_mode,
                         resize_short, crop);
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
  std::vector<double> probabilities;  // of the top k, best first
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
    top_probabilities(output->data<float>(), count, topk, &best, &probabilities);
  } catch (const std::exception& e) {
    throw AppError(kExitRuntime, std::string("Paddle Lite failed to run ") + model + ": " + e.what());
  }

  double mean_ms = 0;
  for (double s : samples) mean_ms += s / samples.size();
  for (size_t rank = 0; rank < best.size(); ++rank) {
    int k = best[rank];
    std::string label = k < static_cast<int>(labels.size()) ? labels[k] : "class " + std::to_string(k);
    std::printf("%zu. %s (class %d): %.4f\n", rank + 1, label.c_str(), k, probabilities[rank]);
  }
  std::printf("latency: mean %.2f ms over %d runs after %d warm-up, %d thread(s), power mode %s\n", mean_ms, repeats,
              warmup, threads, power_mode.c_str());
  JsonObject json;
  json.str("model", model).str("image", image_path).list("topk", best).list("probabilities", probabilities)
      .num("mean_ms", mean_ms).num("threads", threads);
  std::cout << json.text() << std::endl;
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  return mnv1::run_program("mnv1_classify", [&] { return run(argc, argv); });
}
