#include "nb_file.h"

#include <cstring>
#include <fstream>
#include <iterator>

#include "app_error.h"

namespace mnv1 {
namespace {

// Seen in every file opt 2.13rc0 writes (meta version 2):
//   u16 meta_version | char[16] opt_version | u64 topo_size | topo bytes |
//   12-byte params table head (u16 record count at offset 6) | records: u32 size + size bytes, to the end.
constexpr uint64_t kHeadBytes = 2 + 16 + 8;
constexpr uint64_t kParamsHeadBytes = 12;
constexpr uint64_t kParamCountOffset = 6;

template <typename T>
T read_le(const std::string& bytes, uint64_t offset) {
  T value;
  std::memcpy(&value, bytes.data() + offset, sizeof(T));  // the targets are all little-endian
  return value;
}

}  // namespace

NbFacts check_nb_bytes(const std::string& bytes, std::string* problem) {
  NbFacts facts;
  facts.file_bytes = bytes.size();
  problem->clear();
  if (bytes.size() < kHeadBytes) {
    *problem = "only " + std::to_string(bytes.size()) + " bytes, shorter than a .nb header";
    return facts;
  }
  facts.meta_version = read_le<uint16_t>(bytes, 0);
  const char* version = bytes.data() + 2;
  const void* nul = std::memchr(version, '\0', 16);
  if (facts.meta_version != 2 || version[0] != 'v' || nul == nullptr) {
    *problem = "not a Paddle Lite .nb written by opt 2.x (unknown header)";
    return facts;
  }
  facts.opt_version.assign(version, static_cast<const char*>(nul));
  const uint64_t topo_bytes = read_le<uint64_t>(bytes, 18);
  if (topo_bytes > bytes.size() || kHeadBytes + topo_bytes + kParamsHeadBytes > bytes.size()) {
    *problem = "truncated: the header announces a " + std::to_string(topo_bytes) + "-byte program but the file has " +
               std::to_string(bytes.size()) + " bytes";
    return facts;
  }
  uint64_t offset = kHeadBytes + topo_bytes;
  facts.param_count = read_le<uint16_t>(bytes, offset + kParamCountOffset);
  offset += kParamsHeadBytes;
  // One rule with lite/convert/nb_format.py: every record the head declares must be present, whole.
  // A file cut exactly at a record boundary ends with offset == size yet lacks records: truncated.
  for (uint64_t i = 0; i < facts.param_count; ++i) {
    if (offset + 4 > bytes.size()) {
      offset = bytes.size() + 1;
      break;
    }
    offset += 4 + static_cast<uint64_t>(read_le<uint32_t>(bytes, offset));
  }
  if (offset != bytes.size()) {
    *problem = offset > bytes.size()
                   ? "truncated: its " + std::to_string(facts.param_count) + " weight records need more than the " +
                         std::to_string(bytes.size()) + " bytes present"
                   : "damaged: " + std::to_string(bytes.size() - offset) + " bytes follow the last weight record";
  }
  return facts;
}

NbFacts check_nb_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw AppError(kExitModel, "model file " + path + " is missing or unreadable");
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.empty()) throw AppError(kExitModel, "model file " + path + " is empty");
  std::string problem;
  NbFacts facts = check_nb_bytes(bytes, &problem);
  if (!problem.empty())
    throw AppError(kExitRuntime, "model file " + path + " is not a usable Paddle Lite .nb: " + problem +
                                     " (convert it again with python lite/opt_models.py --force)");
  return facts;
}

}  // namespace mnv1
