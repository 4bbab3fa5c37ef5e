// Fused optimizer updates: SGD with momentum and Adam (no weight decay, no AMSGrad), in place over
// contiguous float buffers. The optimizer's per-parameter loop is memory-bound and, written in TS,
// costs about 2 ns per float32 parameter (a fifth of a W3 training step); here it is one
// vectorised pass.
//
// Same bits as the pure-TS kernels: every expression is evaluated in double, in the TS order,
// and rounded once when stored. This file is compiled with -ffp-contract=off (CMakeLists.txt) so
// the compiler cannot fuse a multiply and an add into an FMA, which rounds differently.
#include <algorithm>
#include <cmath>

#include "kernels.h"
#include "threadpool.h"

namespace tsg {
namespace {

double numberArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (i >= info.Length() || !info[i].IsNumber()) throwType(std::string(name) + " must be a number");
  return info[i].As<Napi::Number>().DoubleValue();
}

// Below this many elements one thread does it: starting a parallel region costs about a
// microsecond while the pool's workers spin, and half of a 64K-element update saves more
// (strided.h: the same rule for elementwise ops).
constexpr int64_t kParallelMin = 1 << 16;
constexpr int64_t kChunk = 1 << 14;

/** body(begin, end) over [0, n), in chunks spread over our threads when n is large. */
template <typename F>
void chunked(int64_t n, F body) {
  const int64_t chunks = (n + kChunk - 1) / kChunk;
  parallelFor(chunks, [&](int64_t c, int) { body(c * kChunk, std::min(n, (c + 1) * kChunk)); }, n < kParallelMin);
}

/**
 * Reads `count` equal-length 1-D contiguous float views: meta = [n, offset of each]. All share
 * the first buffer's dtype and no two overlap (the loops assume distinct memory).
 */
void readUpdateViews(const Napi::CallbackInfo& info, int count, const char* const* names, View* views) {
  Buf bufs[4];
  for (int k = 0; k < count; k++) bufs[k] = getBuf(info, size_t(k), names[k]);
  requireFloat(bufs[0]);
  for (int k = 1; k < count; k++) requireSameDType(bufs[0], bufs[k]);
  Meta meta(info, size_t(count), "meta");
  const int64_t n = meta.next("length", 0, kMaxIndex);
  for (int k = 0; k < count; k++) views[k] = contiguousView(bufs[k], 1, &n, meta.next("offset", 0, kMaxIndex), names[k]);
  meta.expectEnd();
  for (int a = 0; a < count; a++)
    for (int b = a + 1; b < count; b++)
      if (viewsOverlap(views[a], views[b]))
        throwRange(std::string(names[a]) + " and " + names[b] + " overlap: the fused update needs distinct buffers");
}

}  // namespace

// sgdMomentum(param, grad, buf, meta = [n, paramOffset, gradOffset, bufOffset], momentum, keep, lr)
Napi::Value sgdMomentum(const Napi::CallbackInfo& info) {
  if (info.Length() != 7) throwType("sgdMomentum expects 7 arguments (param, grad, buf, meta, momentum, keep, lr), got " + std::to_string(info.Length()));
  static const char* const names[] = {"param", "grad", "buf"};
  View v[3];
  readUpdateViews(info, 3, names, v);
  const double momentum = numberArg(info, 4, "momentum"), keep = numberArg(info, 5, "keep"), lr = numberArg(info, 6, "lr");
  withFloat(v[0].buf.dtype, [&](auto z) {
    using T = decltype(z);
    T* p = v[0].at<T>();
    const T* g = v[1].at<T>();
    T* b = v[2].at<T>();
    chunked(v[0].numel, [&](int64_t lo, int64_t hi) {
#pragma omp simd
      for (int64_t i = lo; i < hi; i++) {
        const T bi = T(momentum * double(b[i]) + keep * double(g[i]));
        b[i] = bi;
        p[i] = T(double(p[i]) - lr * double(bi));
      }
    });
  });
  return info.Env().Undefined();
}

// adam(param, grad, expAvg, expAvgSq, meta = [n, four offsets], beta1, beta2, oneMinusBeta1,
//      oneMinusBeta2, stepSize, bc2Sqrt, eps)
Napi::Value adam(const Napi::CallbackInfo& info) {
  if (info.Length() != 12) throwType("adam expects 12 arguments (param, grad, expAvg, expAvgSq, meta and 7 numbers), got " + std::to_string(info.Length()));
  static const char* const names[] = {"param", "grad", "expAvg", "expAvgSq"};
  View v[4];
  readUpdateViews(info, 4, names, v);
  const double beta1 = numberArg(info, 5, "beta1"), beta2 = numberArg(info, 6, "beta2");
  const double omb1 = numberArg(info, 7, "oneMinusBeta1"), omb2 = numberArg(info, 8, "oneMinusBeta2");
  const double stepSize = numberArg(info, 9, "stepSize"), bc2Sqrt = numberArg(info, 10, "bc2Sqrt"), eps = numberArg(info, 11, "eps");
  withFloat(v[0].buf.dtype, [&](auto z) {
    using T = decltype(z);
    T* p = v[0].at<T>();
    const T* g = v[1].at<T>();
    T* m = v[2].at<T>();
    T* s = v[3].at<T>();
    chunked(v[0].numel, [&](int64_t lo, int64_t hi) {
#pragma omp simd
      for (int64_t i = lo; i < hi; i++) {
        const double gi = double(g[i]);
        const T mi = T(beta1 * double(m[i]) + omb1 * gi);
        const T si = T(beta2 * double(s[i]) + omb2 * gi * gi);
        m[i] = mi;
        s[i] = si;
        p[i] = T(double(p[i]) - stepSize * double(mi) / (std::sqrt(double(si)) / bc2Sqrt + eps));
      }
    });
  });
  return info.Env().Undefined();
}

}  // namespace tsg
