// Reductions (sum, max, min over any dims) and softmax / log-softmax along one dim, for float views.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "kernels.h"
#include "strided.h"
#include "vmath.h"

namespace tsg {
namespace {

enum class ReduceCode { sum, max, min, count };

// NaN wins, as in torch.max (and the TS kernel).
template <typename T> inline T maxStep(T acc, T v) { return (v > acc || v != v) ? v : acc; }
template <typename T> inline T minStep(T acc, T v) { return (v < acc || v != v) ? v : acc; }

/** Sum of a line in float64 (float32 sums accumulate in float64, as the TS kernel does). */
template <typename T> double lineSum(const T* x, int64_t n, int64_t sx) {
  double s = 0;
  if (sx == 1) {
#pragma omp simd reduction(+ : s)
    for (int64_t i = 0; i < n; i++) s += double(x[i]);
  } else {
    for (int64_t i = 0; i < n; i++) s += double(x[i * sx]);
  }
  return s;
}

/** Max (isMax) or min of a line, NaN if any element is NaN. */
template <bool isMax, typename T> T lineExtreme(const T* x, int64_t n, int64_t sx, T init) {
  T m = init;
  int nan = 0;
  if (sx == 1) {
    if constexpr (isMax) {
#pragma omp simd reduction(max : m) reduction(| : nan)
      for (int64_t i = 0; i < n; i++) { const T v = x[i]; nan |= v != v; m = v > m ? v : m; }
    } else {
#pragma omp simd reduction(min : m) reduction(| : nan)
      for (int64_t i = 0; i < n; i++) { const T v = x[i]; nan |= v != v; m = v < m ? v : m; }
    }
  } else {
    for (int64_t i = 0; i < n; i++) m = isMax ? maxStep(m, x[i * sx]) : minStep(m, x[i * sx]);
  }
  return nan ? std::numeric_limits<T>::quiet_NaN() : m;
}

/**
 * Folds x into acc, where acc has x's shape with stride 0 on the reduced dims (operand 0 of `it`):
 * a reduced inner line becomes one scalar, a kept inner line is an elementwise accumulate.
 */
template <typename T, typename A, typename Step, typename Line>
void accumulate(const StridedIter& it, A* acc, const T* xb, Step step, Line line) {
  const int64_t sa = it.innerStride(0), sx = it.innerStride(1);
  forEachSegment(it, 0, it.numel, [&](const int64_t* off, int64_t, int64_t n) {
    A* a = acc + off[0];
    const T* x = xb + off[1];
    if (sa == 0) {
      a[0] = step(a[0], line(x, n, sx));
    } else if (sa == 1 && sx == 1) {
#pragma omp simd
      for (int64_t i = 0; i < n; i++) a[i] = step(a[i], A(x[i]));
    } else {
      for (int64_t i = 0; i < n; i++) a[i * sa] = step(a[i * sa], A(x[i * sx]));
    }
  });
}

/**
 * Runs accumulate over the whole iteration; a large one is split over the pool along its
 * outermost kept dim (a dim where acc's stride is not 0), so tasks write disjoint accumulators
 * and each accumulator still receives its terms in the serial order: the same bits as one
 * thread. Conv's bias gradient, sum over [0, 2, 3] of W4's [64, 32, 28, 28] gradient, ran on one
 * core at ~300 us; reductions with no kept dim but the inner one stay serial.
 */
template <typename T, typename A, typename Step, typename Line>
void accumulateParallel(const StridedIter& it, A* acc, const T* xb, Step step, Line line) {
  int split = -1;
  for (int d = 0; d < it.nd - 1 && split < 0; d++)
    if (it.strides[0][d] != 0 && it.shape[d] > 1) split = d;
  if (split < 0 || it.numel < kParallelElements || poolThreads() <= 1) {
    accumulate(it, acc, xb, step, line);
    return;
  }
  const int64_t size = it.shape[split];
  const int64_t tasks = std::min<int64_t>({size, 4 * int64_t(poolThreads()), it.numel / (kParallelElements / 4)});
  const int64_t per = (size + tasks - 1) / tasks;
  parallelFor((size + per - 1) / per, [&](int64_t t, int) {
    StridedIter part = it;
    const int64_t begin = t * per, len = std::min(per, size - begin);
    part.shape[split] = len;
    part.numel = it.numel / size * len;
    for (int k = 0; k < it.nops; k++) part.offsets[k] += begin * it.strides[k][split];
    accumulate(part, acc, xb, step, line);
  });
}

}  // namespace

// reduce(op, x, out, meta): meta = [nd, x shape..., x strides..., x offset, out offset, ndims, dims...].
// out is contiguous with x's shape where the reduced dims have size 1.
Napi::Value reduce(const Napi::CallbackInfo& info) {
  Meta m(info, 3, "reduce meta");
  const double opv = info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().DoubleValue() : -1;
  if (!(opv >= 0 && opv < double(ReduceCode::count)) || opv != double(int(opv))) throwRange("reduce op code must be 0 (sum), 1 (max) or 2 (min)");
  const ReduceCode op = ReduceCode(int(opv));
  Buf xb = getBuf(info, 1, "x"), ob = getBuf(info, 2, "out");
  requireFloat(ob);
  requireSameDType(ob, xb);
  const int nd = int(m.next("rank", 0, kMaxDims));
  int64_t shape[kMaxDims];
  for (int d = 0; d < nd; d++) shape[d] = m.next("size", 0, kMaxIndex);
  const View x = readStrided(xb, nd, shape, m, "x");
  const int64_t outOffset = m.next("out offset", 0, kMaxIndex);
  const int ndims = int(m.next("number of reduced dims", 0, nd));
  bool reduced[kMaxDims] = {};
  for (int k = 0; k < ndims; k++) {
    const int d = int(m.next("reduced dim", 0, nd - 1));
    if (reduced[d]) throwRange("reduced dims must be distinct");
    reduced[d] = true;
  }
  m.expectEnd();
  int64_t keptShape[kMaxDims];
  for (int d = 0; d < nd; d++) keptShape[d] = reduced[d] ? 1 : shape[d];
  const View out = contiguousView(ob, nd, keptShape, outOffset, "out");
  requireNotRepeating(x, "x");
  if (viewsOverlap(x, out)) throwRange("reduce: out must not overlap x");
  // The accumulator view: x's shape, out's strides, 0 on reduced dims.
  View accView;
  accView.nd = nd;
  accView.numel = x.numel;
  for (int d = 0; d < nd; d++) {
    accView.shape[d] = shape[d];
    accView.strides[d] = reduced[d] ? 0 : out.strides[d];
  }
  const View* ptrs[2] = {&accView, &x};
  StridedIter it = collapse(ptrs, 2);
  withFloat(ob.dtype, [&](auto z) {
    using T = decltype(z);
    T* o = out.at<T>();
    const T* xp = xb.as<const T>();
    if (op == ReduceCode::sum) {
      std::vector<double> acc(size_t(out.numel), 0.0);
      it.offsets[0] = 0;
      if (x.numel > 0)
        accumulateParallel(it, acc.data(), xp, [](double a, double v) { return a + v; }, [](const T* p, int64_t n, int64_t s) { return lineSum(p, n, s); });
      for (int64_t i = 0; i < out.numel; i++) o[i] = T(acc[size_t(i)]);
    } else {
      const bool isMax = op == ReduceCode::max;
      const T init = isMax ? -std::numeric_limits<T>::infinity() : std::numeric_limits<T>::infinity();
      for (int64_t i = 0; i < out.numel; i++) o[i] = init;
      it.offsets[0] = out.offset;
      if (x.numel == 0) return;
      T* base = ob.as<T>();
      if (isMax)
        accumulateParallel(it, base, xp, [](T a, T v) { return maxStep(a, v); }, [init](const T* p, int64_t n, int64_t s) { return lineExtreme<true>(p, n, s, init); });
      else
        accumulateParallel(it, base, xp, [](T a, T v) { return minStep(a, v); }, [init](const T* p, int64_t n, int64_t s) { return lineExtreme<false>(p, n, s, init); });
    }
  });
  return info.Env().Undefined();
}

namespace {

/** Softmax of one line (x and out may be strided); `log` gives log-softmax. */
template <typename T>
void softmaxLine(const T* x, int64_t sx, T* o, int64_t so, int64_t n, bool log) {
  T m = lineExtreme<true>(x, n, sx, -std::numeric_limits<T>::infinity());
  if (m == -std::numeric_limits<T>::infinity()) m = 0;  // an all -inf line: 0/0 = NaN, as torch
  constexpr bool f32 = sizeof(T) == 4;
  const auto ex = [](T v) { if constexpr (f32) return vm::expf(v); else return std::exp(v); };
  double sum = 0;
  if (sx == 1 && so == 1 && !log) {
#pragma omp simd reduction(+ : sum)
    for (int64_t i = 0; i < n; i++) { const T e = ex(x[i] - m); o[i] = e; sum += double(e); }
    const T inv = T(1.0 / sum);
#pragma omp simd
    for (int64_t i = 0; i < n; i++) o[i] *= inv;
    return;
  }
  if (sx == 1) {
#pragma omp simd reduction(+ : sum)
    for (int64_t i = 0; i < n; i++) sum += double(ex(x[i] - m));
  } else {
    for (int64_t i = 0; i < n; i++) sum += double(ex(x[i * sx] - m));
  }
  if (log) {
    const double lse = double(m) + std::log(sum);
    for (int64_t i = 0; i < n; i++) o[i * so] = T(double(x[i * sx]) - lse);
  } else {
    const T inv = T(1.0 / sum);
    for (int64_t i = 0; i < n; i++) o[i * so] = ex(x[i * sx] - m) * inv;
  }
}

}  // namespace

// softmax(x, out, meta, log): meta = [nd, shape..., (strides..., offset) of x, out, dim].
Napi::Value softmax(const Napi::CallbackInfo& info) {
  Buf xb = getBuf(info, 0, "x"), ob = getBuf(info, 1, "out");
  requireFloat(ob);
  requireSameDType(ob, xb);
  Meta m(info, 2, "softmax meta");
  if (info.Length() < 4 || !info[3].IsBoolean()) throwType("log must be a boolean");
  const bool log = info[3].As<Napi::Boolean>().Value();
  const int nd = int(m.next("rank", 1, kMaxDims));
  int64_t shape[kMaxDims];
  for (int d = 0; d < nd; d++) shape[d] = m.next("size", 0, kMaxIndex);
  View x = readStrided(xb, nd, shape, m, "x");
  const View out = readStrided(ob, nd, shape, m, "out");
  const int dim = int(m.next("dim", 0, nd - 1));
  m.expectEnd();
  requireNotRepeating(x, "x");
  requireNotRepeating(out, "out");
  std::vector<char> tmp;
  if (viewsOverlap(x, out)) detachFromOutput(x, tmp);
  if (x.numel == 0) return info.Env().Undefined();
  // One task per line: iterate the other dims (dim set to size 1).
  View xl = x, ol = out;
  xl.shape[dim] = 1;
  ol.shape[dim] = 1;
  xl.numel = ol.numel = x.numel / shape[dim];
  const View* ptrs[2] = {&ol, &xl};
  const StridedIter it = collapse(ptrs, 2);
  const int64_t n = shape[dim], sx = x.strides[dim], so = out.strides[dim];
  withFloat(ob.dtype, [&](auto z) {
    using T = decltype(z);
    const T* xp = x.buf.as<const T>();
    T* op = ob.as<T>();
    forEachSegment(it, 0, it.numel, [&](const int64_t* off, int64_t, int64_t count) {
      const int64_t si = it.innerStride(1), oi = it.innerStride(0);
      for (int64_t j = 0; j < count; j++) softmaxLine(xp + off[1] + j * si, sx, op + off[0] + j * oi, so, n, log);
    });
  });
  return info.Env().Undefined();
}

}  // namespace tsg
