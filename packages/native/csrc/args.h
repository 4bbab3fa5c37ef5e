// Reading and validating arguments from JS before any memory is touched.
#pragma once
#include <vector>

#include "common.h"

namespace tsg {

/** A typed array argument: base pointer, element count, dtype. */
struct Buf {
  void* data = nullptr;
  int64_t length = 0;  // in elements
  DType dtype = DType::other;
  const char* name = "";
  // Byte range, for overlap checks between operands.
  uintptr_t begin() const { return reinterpret_cast<uintptr_t>(data); }
  uintptr_t end() const { return begin() + uintptr_t(length) * elemSize(); }
  size_t elemSize() const { return dtype == DType::f64 ? 8 : dtype == DType::u8 ? 1 : 4; }
  template <typename T> T* as() const { return static_cast<T*>(data); }
};

/** Reads info[i] as a Float32Array, Float64Array, Int32Array or Uint8Array (TypeError otherwise, or if detached). */
Buf getBuf(const Napi::CallbackInfo& info, size_t i, const char* name);

/** Reads info[i] as a Float64Array of integer metadata (shapes, strides, offsets, params). */
class Meta {
 public:
  Meta(const Napi::CallbackInfo& info, size_t i, const char* name);
  size_t size() const { return n_; }
  /** The next value, which must be an integer within [lo, hi]; `what` names it in errors. */
  int64_t next(const char* what, int64_t lo, int64_t hi);
  void expectEnd();

 private:
  const double* p_ = nullptr;
  size_t n_ = 0, pos_ = 0;
  const char* name_;
};

constexpr int kMaxDims = 16;

/** A strided view {shape, strides, offset} over a Buf, validated to stay inside it. */
struct View {
  Buf buf;
  int nd = 0;
  int64_t shape[kMaxDims] = {};
  int64_t strides[kMaxDims] = {};
  int64_t offset = 0;
  int64_t numel = 0;
  int64_t minIndex = 0, maxIndex = -1;  // reachable element range (empty when numel == 0)
  /** Pointer to the view's first element (offset applied), as T. */
  template <typename T> T* at() const { return buf.as<T>() + offset; }
};

/**
 * Calls fn(float{}) or fn(double{}) for a dtype already checked by requireFloat, so a kernel entry
 * point writes its typed call once: `withFloat(d, [&](auto z) { using T = decltype(z); ... });`.
 */
template <typename F> void withFloat(DType d, F&& fn) {
  if (d == DType::f32) fn(float{});
  else fn(double{});
}

/**
 * Reads nd strides and an offset from meta for a view of the given shape, and checks that every
 * reachable element lies inside buf (negative strides allowed as long as they stay inside).
 */
View readStrided(const Buf& buf, int nd, const int64_t* shape, Meta& meta, const char* name);

/** Checks a contiguous view of `shape` at `offset` fits in buf. */
View contiguousView(const Buf& buf, int nd, const int64_t* shape, int64_t offset, const char* name);

void requireDType(const Buf& b, DType d);
/** TypeError unless b is a Float32Array or Float64Array. */
void requireFloat(const Buf& b);
void requireSameDType(const Buf& a, const Buf& b);
/** Checks a view with explicit strides fits in buf. */
View stridedView(const Buf& buf, int nd, const int64_t* shape, const int64_t* strides, int64_t offset, const char* name);
/** Whether the element ranges two views can reach share any byte. */
bool viewsOverlap(const View& a, const View& b);
/** Copies the elements a view can reach into `tmp` and points the view at the copy (used when it overlaps an output). */
void detachFromOutput(View& v, std::vector<char>& tmp);

}  // namespace tsg
