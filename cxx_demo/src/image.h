// Binary PPM/PGM reading and PaddleClas's preprocessing: resize the short side with bilinear
// filtering (OpenCV INTER_LINEAR arithmetic: half-pixel centres, no antialiasing), centre-crop,
// RGB, scale to [0,1], subtract mean, divide by std, NCHW.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace mnv1 {

struct Image {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> rgb;  // height x width x 3, row-major
};

struct FloatImage {
  int width = 0;
  int height = 0;
  std::vector<float> rgb;  // height x width x 3
};

Image read_pnm(const std::string& path);  // throws AppError(kExitImage)
FloatImage resize_bilinear(const Image& image, int width, int height);
FloatImage resize_short_side(const Image& image, int short_side);
FloatImage center_crop(const FloatImage& image, int size);
std::vector<float> normalize_nchw(const FloatImage& image, const float mean[3], const float std[3]);
std::vector<float> paddleclas_preprocess(const Image& image, int resize_short, int crop);

}  // namespace mnv1
