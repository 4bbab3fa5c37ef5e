// Shared helpers: checked 64-bit arithmetic and argument errors.
#pragma once
#include <napi.h>

#include <cstdint>
#include <string>

namespace tsg {

// Every size, stride and offset is an int64; products and sums are checked so a hostile shape
// cannot wrap around and make an out-of-bounds access look in-bounds.
constexpr int64_t kMaxIndex = (int64_t(1) << 53);  // exact in a JS number
// Bound on image sizes, channels, kernel sizes, strides, paddings: keeps every window/index
// computation in the conv and pool loops far from int64 overflow.
constexpr int64_t kMaxDim = (int64_t(1) << 31) - 1;

struct ArgError {
  bool range;  // RangeError (bad value) or TypeError (bad type)
  std::string message;
};

[[noreturn]] inline void throwRange(const std::string& msg) { throw ArgError{true, msg}; }
[[noreturn]] inline void throwType(const std::string& msg) { throw ArgError{false, msg}; }

inline int64_t checkedMul(int64_t a, int64_t b, const char* what) {
  int64_t r;
  if (__builtin_mul_overflow(a, b, &r) || r > kMaxIndex || r < -kMaxIndex)
    throwRange(std::string(what) + ": size overflows 2^53");
  return r;
}

inline int64_t checkedAdd(int64_t a, int64_t b, const char* what) {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r) || r > kMaxIndex || r < -kMaxIndex)
    throwRange(std::string(what) + ": index overflows 2^53");
  return r;
}

enum class DType { f32, f64, i32, u8, other };

inline const char* dtypeName(DType d) {
  switch (d) {
    case DType::f32: return "float32 (Float32Array)";
    case DType::f64: return "float64 (Float64Array)";
    case DType::i32: return "int32 (Int32Array)";
    case DType::u8: return "bool (Uint8Array)";
    default: return "an unsupported typed array";
  }
}

}  // namespace tsg
