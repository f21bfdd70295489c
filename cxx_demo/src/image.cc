#include "image.h"

#include <algorithm>
#include <cmath>
#include <fstream>

#include "app_error.h"

namespace mnv1 {
namespace {

// Skips whitespace and '#' comments between PNM header fields.
bool read_header_int(std::istream& in, int* value) {
  int c;
  while ((c = in.peek()) != EOF) {
    if (c == '#') {
      std::string skip;
      std::getline(in, skip);
    } else if (std::isspace(c)) {
      in.get();
    } else {
      break;
    }
  }
  return static_cast<bool>(in >> *value);
}

// Bounds on what one image may make us allocate, checked from its header before any pixel buffer
// (lite/models/preprocess.py holds the same ones). The largest aspect ratio among 1000 ImageNet images
// is 3.43:1; the pixel limit is Pillow's decompression-bomb limit.
constexpr double kMaxAspectRatio = 10.0;
constexpr long long kMaxPixels = 89478485;
constexpr long long kMaxResizedPixels = 4096LL * 4096;  // 192 MiB of floats

void check_size(const std::string& path, long long width, long long height) {
  if (width * height > kMaxPixels)
    throw AppError(kExitImage, "image " + path + " is refused: " + std::to_string(width) + "x" +
                                   std::to_string(height) + " is more than " + std::to_string(kMaxPixels) + " pixels");
  if (static_cast<double>(std::max(width, height)) / std::min(width, height) > kMaxAspectRatio)
    throw AppError(kExitImage, "image " + path + " is refused: " + std::to_string(width) + "x" +
                                   std::to_string(height) + " has an aspect ratio beyond 10:1");
}

}  // namespace

Image read_pnm(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw AppError(kExitImage, "cannot read image file " + path);
  char magic[2] = {0, 0};
  in.read(magic, 2);
  if (magic[0] != 'P' || (magic[1] != '6' && magic[1] != '5'))
    throw AppError(kExitImage, "image " + path + " is not a binary PPM (P6) or PGM (P5); convert it first, "
                               "for example with: python -m lite.preprocess --to-ppm IN OUT");
  int width = 0, height = 0, maxval = 0;
  if (!read_header_int(in, &width) || !read_header_int(in, &height) || !read_header_int(in, &maxval) ||
      width <= 0 || height <= 0 || width > 20000 || height > 20000 || maxval != 255)
    throw AppError(kExitImage, "image " + path + " has a bad PNM header (8-bit images only)");
  in.get();  // the single whitespace byte before the pixels
  check_size(path, width, height);
  int channels = magic[1] == '6' ? 3 : 1;
  const std::streampos pixels_at = in.tellg();
  in.seekg(0, std::ios::end);
  const long long present = static_cast<long long>(in.tellg() - pixels_at);
  in.seekg(pixels_at);
  if (present < static_cast<long long>(width) * height * channels)  // before allocating what the header claims
    throw AppError(kExitImage, "image " + path + " is truncated: its header needs " +
                                   std::to_string(static_cast<long long>(width) * height * channels) +
                                   " bytes of pixels, the file has " + std::to_string(present));
  std::vector<uint8_t> raw(static_cast<size_t>(width) * height * channels);
  in.read(reinterpret_cast<char*>(raw.data()), static_cast<std::streamsize>(raw.size()));
  if (in.gcount() != static_cast<std::streamsize>(raw.size()))
    throw AppError(kExitImage, "image " + path + " is truncated");
  Image image;
  image.width = width;
  image.height = height;
  if (channels == 3) {
    image.rgb = std::move(raw);
  } else {
    image.rgb.resize(raw.size() * 3);
    for (size_t i = 0; i < raw.size(); ++i) image.rgb[3 * i] = image.rgb[3 * i + 1] = image.rgb[3 * i + 2] = raw[i];
  }
  return image;
}

FloatImage resize_bilinear(const Image& image, int width, int height) {
  FloatImage out;
  out.width = width;
  out.height = height;
  out.rgb.resize(static_cast<size_t>(width) * height * 3);
  const double scale_x = static_cast<double>(image.width) / width;
  const double scale_y = static_cast<double>(image.height) / height;
  for (int y = 0; y < height; ++y) {
    double sy = std::max(0.0, (y + 0.5) * scale_y - 0.5);
    int y0 = std::min(static_cast<int>(sy), image.height - 1);
    int y1 = std::min(y0 + 1, image.height - 1);
    double fy = sy - y0;
    for (int x = 0; x < width; ++x) {
      double sx = std::max(0.0, (x + 0.5) * scale_x - 0.5);
      int x0 = std::min(static_cast<int>(sx), image.width - 1);
      int x1 = std::min(x0 + 1, image.width - 1);
      double fx = sx - x0;
      for (int c = 0; c < 3; ++c) {
        auto at = [&](int yy, int xx) { return static_cast<double>(image.rgb[(static_cast<size_t>(yy) * image.width + xx) * 3 + c]); };
        double top = at(y0, x0) * (1 - fx) + at(y0, x1) * fx;
        double bottom = at(y1, x0) * (1 - fx) + at(y1, x1) * fx;
        out.rgb[(static_cast<size_t>(y) * width + x) * 3 + c] = static_cast<float>(top * (1 - fy) + bottom * fy);
      }
    }
  }
  return out;
}

FloatImage resize_short_side(const Image& image, int short_side) {
  double scale = static_cast<double>(short_side) / std::min(image.width, image.height);
  int width = static_cast<int>(std::lround(image.width * scale));
  int height = static_cast<int>(std::lround(image.height * scale));
  if (static_cast<long long>(width) * height > kMaxResizedPixels)
    throw AppError(kExitImage, "image is refused: resizing its short side to " + std::to_string(short_side) + " gives " +
                                   std::to_string(width) + "x" + std::to_string(height) + " pixels, more than " +
                                   std::to_string(kMaxResizedPixels));
  return resize_bilinear(image, width, height);
}

FloatImage center_crop(const FloatImage& image, int size) {
  if (image.width < size || image.height < size) throw AppError(kExitImage, "image is smaller than the crop");
  int left = (image.width - size) / 2;
  int top = (image.height - size) / 2;
  FloatImage out;
  out.width = out.height = size;
  out.rgb.resize(static_cast<size_t>(size) * size * 3);
  for (int y = 0; y < size; ++y)
    std::copy_n(&image.rgb[(static_cast<size_t>(y + top) * image.width + left) * 3], size * 3,
                &out.rgb[static_cast<size_t>(y) * size * 3]);
  return out;
}

std::vector<float> normalize_nchw(const FloatImage& image, const float mean[3], const float std[3]) {
  const size_t plane = static_cast<size_t>(image.width) * image.height;
  std::vector<float> out(plane * 3);
  for (size_t i = 0; i < plane; ++i)
    for (int c = 0; c < 3; ++c) out[c * plane + i] = (image.rgb[i * 3 + c] / 255.0f - mean[c]) / std[c];
  return out;
}

std::vector<float> paddleclas_preprocess(const Image& image, int resize_short, int crop) {
  static const float kMean[3] = {0.485f, 0.456f, 0.406f};
  static const float kStd[3] = {0.229f, 0.224f, 0.225f};
  return normalize_nchw(center_crop(resize_short_side(image, resize_short), crop), kMean, kStd);
}

}  // namespace mnv1
