#include "args.h"

#include <cmath>
#include <cstdio>
#include <cstring>

namespace tsg {

Buf getBuf(const Napi::CallbackInfo& info, size_t i, const char* name) {
  Buf b;
  b.name = name;
  if (i >= info.Length() || !info[i].IsTypedArray())
    throwType(std::string(name) + " must be a Float32Array or Float64Array");
  napi_env env = info.Env();
  napi_value v = info[i];
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  napi_value ab;
  size_t byteOffset = 0;
  if (napi_get_typedarray_info(env, v, &type, &length, &data, &ab, &byteOffset) != napi_ok)
    throwType(std::string(name) + " must be a typed array");
  bool detached = false;
  if (napi_is_detached_arraybuffer(env, ab, &detached) == napi_ok && detached)
    throwType(std::string(name) + "'s ArrayBuffer is detached");
  switch (type) {
    case napi_float32_array: b.dtype = DType::f32; break;
    case napi_float64_array: b.dtype = DType::f64; break;
    case napi_int32_array: b.dtype = DType::i32; break;
    case napi_uint8_array: b.dtype = DType::u8; break;
    default: throwType(std::string(name) + " must be a Float32Array, Float64Array, Int32Array or Uint8Array");
  }
  b.data = data;
  b.length = int64_t(length);
  if (length > 0 && data == nullptr) throwType(std::string(name) + " has no backing memory");
  return b;
}

Meta::Meta(const Napi::CallbackInfo& info, size_t i, const char* name) : name_(name) {
  if (i >= info.Length() || !info[i].IsTypedArray()) throwType(std::string(name) + " must be a Float64Array");
  Napi::TypedArray ta = info[i].As<Napi::TypedArray>();
  if (ta.TypedArrayType() != napi_float64_array) throwType(std::string(name) + " must be a Float64Array");
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  napi_value ab;
  size_t byteOffset = 0;
  napi_get_typedarray_info(info.Env(), info[i], &type, &length, &data, &ab, &byteOffset);
  bool detached = false;
  if (napi_is_detached_arraybuffer(info.Env(), ab, &detached) == napi_ok && detached)
    throwType(std::string(name) + "'s ArrayBuffer is detached");
  p_ = static_cast<const double*>(data);
  n_ = length;
}

int64_t Meta::next(const char* what, int64_t lo, int64_t hi) {
  if (pos_ >= n_) throwRange(std::string(name_) + " is too short (missing " + what + ")");
  double v = p_[pos_++];
  if (!std::isfinite(v) || v != std::floor(v))
    throwRange(std::string(what) + " must be an integer, got " + std::to_string(v));  // NaN, Infinity or a fraction
  if (v < double(lo) || v > double(hi)) {
    char got[40];
    std::snprintf(got, sizeof got, "%.17g", v);
    throwRange(std::string(what) + " must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " + got);
  }
  return int64_t(v);
}

void Meta::expectEnd() {
  if (pos_ != n_) throwRange(std::string(name_) + " has " + std::to_string(n_ - pos_) + " unexpected trailing values");
}

static void finishView(View& v, const char* name) {
  v.numel = 1;
  for (int d = 0; d < v.nd; d++) v.numel = checkedMul(v.numel, v.shape[d], name);
  if (v.numel == 0) {
    v.minIndex = 0;
    v.maxIndex = -1;
    return;
  }
  int64_t lo = v.offset, hi = v.offset;
  for (int d = 0; d < v.nd; d++) {
    int64_t span = checkedMul(v.shape[d] - 1, v.strides[d], name);
    if (span < 0) lo = checkedAdd(lo, span, name);
    else hi = checkedAdd(hi, span, name);
  }
  if (lo < 0)
    throwRange(std::string(name) + ": strides and offset reach element " + std::to_string(lo) + " before the buffer start");
  if (hi >= v.buf.length)
    throwRange(std::string(name) + ": strides and offset reach element " + std::to_string(hi) + " but the buffer has " +
               std::to_string(v.buf.length) + " elements");
  v.minIndex = lo;
  v.maxIndex = hi;
}

View readStrided(const Buf& buf, int nd, const int64_t* shape, Meta& meta, const char* name) {
  int64_t strides[kMaxDims];
  for (int d = 0; d < nd; d++) strides[d] = meta.next("stride", -kMaxIndex, kMaxIndex);
  const int64_t offset = meta.next("offset", 0, kMaxIndex);
  return stridedView(buf, nd, shape, strides, offset, name);
}

View contiguousView(const Buf& buf, int nd, const int64_t* shape, int64_t offset, const char* name) {
  View v;
  v.buf = buf;
  v.nd = nd;
  v.offset = offset;
  int64_t s = 1;
  for (int d = nd - 1; d >= 0; d--) {
    v.shape[d] = shape[d];
    v.strides[d] = s;
    s = checkedMul(s, shape[d], name);
  }
  finishView(v, name);
  return v;
}

void requireDType(const Buf& b, DType d) {
  if (b.dtype != d) throwType(std::string(b.name) + " must be " + dtypeName(d) + ", got " + dtypeName(b.dtype));
}

void requireFloat(const Buf& b) {
  if (b.dtype != DType::f32 && b.dtype != DType::f64) throwType(std::string(b.name) + " must be a Float32Array or Float64Array");
}

void requireSameDType(const Buf& a, const Buf& b) {
  if (a.dtype != b.dtype)
    throwType(std::string(b.name) + " is " + dtypeName(b.dtype) + " but " + a.name + " is " + dtypeName(a.dtype) +
              ": operands must share a dtype");
}

bool viewsOverlap(const View& a, const View& b) {
  if (a.numel == 0 || b.numel == 0) return false;
  const uintptr_t a0 = a.buf.begin() + uintptr_t(a.minIndex) * a.buf.elemSize();
  const uintptr_t a1 = a.buf.begin() + uintptr_t(a.maxIndex + 1) * a.buf.elemSize();
  const uintptr_t b0 = b.buf.begin() + uintptr_t(b.minIndex) * b.buf.elemSize();
  const uintptr_t b1 = b.buf.begin() + uintptr_t(b.maxIndex + 1) * b.buf.elemSize();
  return a0 < b1 && b0 < a1;
}

View stridedView(const Buf& buf, int nd, const int64_t* shape, const int64_t* strides, int64_t offset, const char* name) {
  View v;
  v.buf = buf;
  v.nd = nd;
  v.offset = offset;
  for (int d = 0; d < nd; d++) {
    v.shape[d] = shape[d];
    v.strides[d] = strides[d];
  }
  finishView(v, name);
  return v;
}

void detachFromOutput(View& v, std::vector<char>& tmp) {
  const size_t es = v.buf.elemSize();
  const int64_t count = v.maxIndex - v.minIndex + 1;
  tmp.resize(size_t(count) * es);
  std::memcpy(tmp.data(), static_cast<char*>(v.buf.data) + size_t(v.minIndex) * es, size_t(count) * es);
  v.buf.data = tmp.data();
  v.buf.length = count;
  v.offset -= v.minIndex;
  v.maxIndex -= v.minIndex;
  v.minIndex = 0;
}


}  // namespace tsg
