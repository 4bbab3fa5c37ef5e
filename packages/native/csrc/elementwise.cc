// Elementwise kernels over strided float views: unary, binary, binary-with-scalar, clamp, where,
// fill, copy and relu's backward. Each collapses its operands' dims (strided.h) and runs a
// contiguous `omp simd` inner loop when the line is contiguous (the common case), a broadcast
// loop when an input's line has stride 0, and a plain strided loop otherwise.
//
// Results match the pure-TS kernels bit for bit except the float32 transcendental functions
// (vmath.h, a couple of ulp): float32 arithmetic is exact-rounded either way, and ops with a
// float64 scalar are computed in float64 and rounded once, as the TS kernel stores them.
#include <cmath>
#include <vector>

#include "elementwise_ops.h"
#include "kernels.h"
#include "strided.h"
#include "vmath.h"

namespace tsg {
namespace {

/** Reads `nops` views of one shape from meta: nd, shape, then strides and offset per operand. */
void readViews(Meta& m, const Buf* bufs, int nops, View* views) {
  const int nd = int(m.next("rank", 0, kMaxDims));
  int64_t shape[kMaxDims];
  for (int d = 0; d < nd; d++) shape[d] = m.next("size", 0, kMaxIndex);
  for (int k = 0; k < nops; k++) views[k] = readStrided(bufs[k], nd, shape, m, bufs[k].name);
  m.expectEnd();
}

double numberArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (i >= info.Length() || !info[i].IsNumber()) throwType(std::string(name) + " must be a number");
  return info[i].As<Napi::Number>().DoubleValue();
}

int opArg(const Napi::CallbackInfo& info, size_t i, int count) {
  const double v = numberArg(info, i, "op");
  if (!(v >= 0 && v < count) || v != double(int(v))) throwRange("op code must be an integer in [0, " + std::to_string(count) + ")");
  return int(v);
}

/** out = f(x) over the iteration (operand 0 the output, 1 the input). */
template <typename T, typename F>
void unaryLoop(const StridedIter& it, T* ob, const T* xb, F f, int64_t cost = 1) {
  const int64_t so = it.innerStride(0), sx = it.innerStride(1);
  forEachSegmentParallel(it, [&](const int64_t* off, int64_t, int64_t n) {
    T* o = ob + off[0];
    const T* x = xb + off[1];
    if (so == 1 && sx == 1) {
#pragma omp simd
      for (int64_t i = 0; i < n; i++) o[i] = f(x[i]);
    } else if (sx == 0) {
      const T v = f(x[0]);
      for (int64_t i = 0; i < n; i++) o[i * so] = v;
    } else {
      for (int64_t i = 0; i < n; i++) o[i * so] = f(x[i * sx]);
    }
  }, cost);
}

/** out = f(a, b) (operand 0 the output, 1 and 2 the inputs). */
template <typename T, typename A, typename B, typename F>
void binaryLoop(const StridedIter& it, T* ob, const A* ab, const B* bb, F f) {
  const int64_t so = it.innerStride(0), sa = it.innerStride(1), sb = it.innerStride(2);
  forEachSegmentParallel(it, [&](const int64_t* off, int64_t, int64_t n) {
    T* o = ob + off[0];
    const A* a = ab + off[1];
    const B* b = bb + off[2];
    if (so == 1 && sa == 1 && sb == 1) {
#pragma omp simd
      for (int64_t i = 0; i < n; i++) o[i] = f(a[i], b[i]);
    } else if (so == 1 && sa == 1 && sb == 0) {
      const B bv = b[0];
#pragma omp simd
      for (int64_t i = 0; i < n; i++) o[i] = f(a[i], bv);
    } else if (so == 1 && sa == 0 && sb == 1) {
      const A av = a[0];
#pragma omp simd
      for (int64_t i = 0; i < n; i++) o[i] = f(av, b[i]);
    } else {
      for (int64_t i = 0; i < n; i++) o[i * so] = f(a[i * sa], b[i * sb]);
    }
  });
}

template <typename T>
void runUnary(int op, const StridedIter& it, T* o, const T* x) {
  constexpr bool f32 = sizeof(T) == 4;
  switch (UnaryCode(op)) {
    case UnaryCode::identity: return unaryLoop(it, o, x, [](T v) { return v; });
    case UnaryCode::neg: return unaryLoop(it, o, x, [](T v) { return -v; });
    case UnaryCode::abs: return unaryLoop(it, o, x, [](T v) { return std::fabs(v); });
    case UnaryCode::sign: return unaryLoop(it, o, x, [](T v) { return v > T(0) ? T(1) : (v < T(0) ? T(-1) : v); });
    case UnaryCode::square: return unaryLoop(it, o, x, [](T v) { return v * v; });
    case UnaryCode::reciprocal: return unaryLoop(it, o, x, [](T v) { return T(1) / v; });
    case UnaryCode::sqrt: return unaryLoop(it, o, x, [](T v) { return std::sqrt(v); });
    // In float64 and rounded once, as the TS kernel (1 / Math.sqrt(x)) does.
    case UnaryCode::rsqrt: return unaryLoop(it, o, x, [](T v) { return T(1.0 / std::sqrt(double(v))); });
    // relu(NaN) = NaN and relu(-0) = +0, as the TS kernel.
    case UnaryCode::relu: return unaryLoop(it, o, x, [](T v) { return (v > T(0) || v != v) ? v : T(0); });
    case UnaryCode::floor: return unaryLoop(it, o, x, [](T v) { return std::floor(v); });
    case UnaryCode::ceil: return unaryLoop(it, o, x, [](T v) { return std::ceil(v); });
    // Half to even under the default rounding mode, as torch.round.
    case UnaryCode::round: return unaryLoop(it, o, x, [](T v) { return std::nearbyint(v); });
    case UnaryCode::exp:
      if constexpr (f32) return unaryLoop(it, o, x, [](T v) { return vm::expf(v); }, 4);
      else return unaryLoop(it, o, x, [](T v) { return std::exp(v); }, 8);
    case UnaryCode::log:
      if constexpr (f32) return unaryLoop(it, o, x, [](T v) { return vm::logf(v); }, 4);
      else return unaryLoop(it, o, x, [](T v) { return std::log(v); }, 8);
    case UnaryCode::tanh:
      if constexpr (f32) return unaryLoop(it, o, x, [](T v) { return vm::tanhf(v); }, 6);
      else return unaryLoop(it, o, x, [](T v) { return std::tanh(v); }, 12);
    case UnaryCode::sigmoid:
      if constexpr (f32) return unaryLoop(it, o, x, [](T v) { return vm::sigmoidf(v); }, 6);
      else return unaryLoop(it, o, x, [](T v) { return vm::sigmoid(v); }, 12);
    case UnaryCode::count: break;
  }
}

// maximum/minimum: NaN in either operand propagates, as torch.maximum (and the TS kernel).
template <typename T> inline T maxOf(T a, T b) { return (a != a || a > b) ? a : b; }
template <typename T> inline T minOf(T a, T b) { return (a != a || a < b) ? a : b; }

/** Calls fn with a functor computing the binary op in type C (the operands' type or float64). */
template <typename C, typename Fn>
void withBinaryOp(int op, Fn&& fn) {
  switch (BinaryCode(op)) {
    case BinaryCode::add: return fn([](C a, C b) { return a + b; });
    case BinaryCode::sub: return fn([](C a, C b) { return a - b; });
    case BinaryCode::mul: return fn([](C a, C b) { return a * b; });
    case BinaryCode::div: return fn([](C a, C b) { return a / b; });
    case BinaryCode::maximum: return fn([](C a, C b) { return maxOf(a, b); });
    case BinaryCode::minimum: return fn([](C a, C b) { return minOf(a, b); });
    case BinaryCode::count: break;
  }
}

/** Validates a float output and same-dtype float inputs, reads their views and collapses them. */
struct Operands {
  View views[kMaxOperands];
  std::vector<char> tmp[kMaxOperands];
  StridedIter it;
  Operands(const Buf* bufs, int nops, Meta& m, int condOperand = -1) {
    requireFloat(bufs[0]);
    for (int k = 1; k < nops; k++) {
      if (k == condOperand) {
        if (bufs[k].dtype != DType::u8 && bufs[k].dtype != bufs[0].dtype)
          throwType(std::string(bufs[k].name) + " must be a Uint8Array or share out's dtype");
      } else {
        requireSameDType(bufs[0], bufs[k]);
      }
    }
    readViews(m, bufs, nops, views);
    requireNotRepeating(views[0], bufs[0].name);
    for (int k = 1; k < nops; k++) separateFromOutput(views[k], views[0], tmp[k]);
    const View* ptrs[kMaxOperands];
    for (int k = 0; k < nops; k++) ptrs[k] = &views[k];
    it = collapse(ptrs, nops);
  }
  template <typename T> T* at(int k) const { return views[k].buf.as<T>(); }
};

}  // namespace

// unary(op, x, out, meta): meta = [nd, shape..., (strides..., offset) of out, x].
Napi::Value unary(const Napi::CallbackInfo& info) {
  const int op = opArg(info, 0, int(UnaryCode::count));
  Buf bufs[2] = {getBuf(info, 2, "out"), getBuf(info, 1, "x")};
  Meta m(info, 3, "unary meta");
  Operands ops(bufs, 2, m);
  if (ops.it.numel == 0) return info.Env().Undefined();
  withFloat(bufs[0].dtype, [&](auto z) {
    using T = decltype(z);
    runUnary<T>(op, ops.it, ops.at<T>(0), ops.at<const T>(1));
  });
  return info.Env().Undefined();
}

// binary(op, a, b, out, meta): meta = [nd, shape..., (strides..., offset) of out, a, b].
Napi::Value binary(const Napi::CallbackInfo& info) {
  const int op = opArg(info, 0, int(BinaryCode::count));
  Buf bufs[3] = {getBuf(info, 3, "out"), getBuf(info, 1, "a"), getBuf(info, 2, "b")};
  Meta m(info, 4, "binary meta");
  Operands ops(bufs, 3, m);
  if (ops.it.numel == 0) return info.Env().Undefined();
  withFloat(bufs[0].dtype, [&](auto z) {
    using T = decltype(z);
    withBinaryOp<T>(op, [&](auto f) { binaryLoop(ops.it, ops.at<T>(0), ops.at<const T>(1), ops.at<const T>(2), f); });
  });
  return info.Env().Undefined();
}

// binaryScalar(op, a, out, meta, scalar, reverse): meta = [nd, shape..., (strides..., offset) of out, a].
// Computed in float64 and rounded once, as the TS kernel does with its float64 scalar.
Napi::Value binaryScalar(const Napi::CallbackInfo& info) {
  const int op = opArg(info, 0, int(BinaryCode::count));
  Buf bufs[2] = {getBuf(info, 2, "out"), getBuf(info, 1, "a")};
  Meta m(info, 3, "binaryScalar meta");
  const double s = numberArg(info, 4, "scalar");
  if (info.Length() < 6 || !info[5].IsBoolean()) throwType("reverse must be a boolean");
  const bool reverse = info[5].As<Napi::Boolean>().Value();
  Operands ops(bufs, 2, m);
  if (ops.it.numel == 0) return info.Env().Undefined();
  withFloat(bufs[0].dtype, [&](auto z) {
    using T = decltype(z);
    withBinaryOp<double>(op, [&](auto f) {
      if (reverse) unaryLoop(ops.it, ops.at<T>(0), ops.at<const T>(1), [&](T v) { return T(f(s, double(v))); });
      else unaryLoop(ops.it, ops.at<T>(0), ops.at<const T>(1), [&](T v) { return T(f(double(v), s)); });
    });
  });
  return info.Env().Undefined();
}

// clamp(x, out, meta, lo, hi): min(max(x, lo), hi) with JS Math.max/Math.min semantics (NaN
// propagates, +0 beats -0), in float64 and rounded once; lo > hi gives hi everywhere.
Napi::Value clamp(const Napi::CallbackInfo& info) {
  Buf bufs[2] = {getBuf(info, 1, "out"), getBuf(info, 0, "x")};
  Meta m(info, 2, "clamp meta");
  const double lo = numberArg(info, 3, "lo"), hi = numberArg(info, 4, "hi");
  Operands ops(bufs, 2, m);
  if (ops.it.numel == 0) return info.Env().Undefined();
  const auto jsMax = [](double a, double b) { return (a > b || a != a) ? a : (a == b ? (std::signbit(a) ? b : a) : b); };
  const auto jsMin = [](double a, double b) { return (a < b || a != a) ? a : (a == b ? (std::signbit(a) ? a : b) : b); };
  const bool loNaN = lo != lo, hiNaN = hi != hi;
  withFloat(bufs[0].dtype, [&](auto z) {
    using T = decltype(z);
    if (loNaN || hiNaN) {
      unaryLoop(ops.it, ops.at<T>(0), ops.at<const T>(1), [](T) { return std::numeric_limits<T>::quiet_NaN(); });
    } else {
      unaryLoop(ops.it, ops.at<T>(0), ops.at<const T>(1), [&](T v) { return T(jsMin(jsMax(double(v), lo), hi)); });
    }
  });
  return info.Env().Undefined();
}

// where(cond, a, b, out, meta): out = cond != 0 ? a : b; cond a Uint8Array or out's dtype.
// meta = [nd, shape..., (strides..., offset) of out, cond, a, b].
Napi::Value where(const Napi::CallbackInfo& info) {
  Buf bufs[4] = {getBuf(info, 3, "out"), getBuf(info, 0, "cond"), getBuf(info, 1, "a"), getBuf(info, 2, "b")};
  Meta m(info, 4, "where meta");
  Operands ops(bufs, 4, m, 1);
  if (ops.it.numel == 0) return info.Env().Undefined();
  const StridedIter& it = ops.it;
  withFloat(bufs[0].dtype, [&](auto z) {
    using T = decltype(z);
    const auto run = [&](auto* cb) {
      using C = std::remove_const_t<std::remove_pointer_t<decltype(cb)>>;
      T* ob = ops.at<T>(0);
      const T* ab = ops.at<const T>(2);
      const T* bb = ops.at<const T>(3);
      const int64_t so = it.innerStride(0), sc = it.innerStride(1), sa = it.innerStride(2), sb = it.innerStride(3);
      forEachSegmentParallel(it, [&](const int64_t* off, int64_t, int64_t n) {
        T* o = ob + off[0];
        const C* c = cb + off[1];
        const T* a = ab + off[2];
        const T* b = bb + off[3];
        if (so == 1 && sc == 1 && sa == 1 && sb == 1) {
#pragma omp simd
          for (int64_t i = 0; i < n; i++) o[i] = c[i] != C(0) ? a[i] : b[i];
        } else {
          for (int64_t i = 0; i < n; i++) o[i * so] = c[i * sc] != C(0) ? a[i * sa] : b[i * sb];
        }
      });
    };
    if (bufs[1].dtype == DType::u8) run(ops.at<const uint8_t>(1));
    else run(ops.at<const T>(1));
  });
  return info.Env().Undefined();
}

// reluBackward(grad, y, out, meta): out = y > 0 ? grad : 0 (NaN y gives 0, a NaN grad passes where y > 0).
// meta = [nd, shape..., (strides..., offset) of out, grad, y].
Napi::Value reluBackward(const Napi::CallbackInfo& info) {
  Buf bufs[3] = {getBuf(info, 2, "out"), getBuf(info, 0, "grad"), getBuf(info, 1, "y")};
  Meta m(info, 3, "reluBackward meta");
  Operands ops(bufs, 3, m);
  if (ops.it.numel == 0) return info.Env().Undefined();
  withFloat(bufs[0].dtype, [&](auto z) {
    using T = decltype(z);
    binaryLoop(ops.it, ops.at<T>(0), ops.at<const T>(1), ops.at<const T>(2), [](T g, T y) { return y > T(0) ? g : T(0); });
  });
  return info.Env().Undefined();
}

// fill(out, meta, value): meta = [nd, shape..., out strides..., out offset].
Napi::Value fill(const Napi::CallbackInfo& info) {
  Buf bufs[1] = {getBuf(info, 0, "out")};
  Meta m(info, 1, "fill meta");
  const double value = numberArg(info, 2, "value");
  Operands ops(bufs, 1, m);
  if (ops.it.numel == 0) return info.Env().Undefined();
  const StridedIter& it = ops.it;
  withFloat(bufs[0].dtype, [&](auto z) {
    using T = decltype(z);
    const T v = T(value);
    T* ob = ops.at<T>(0);
    const int64_t so = it.innerStride(0);
    forEachSegmentParallel(it, [&](const int64_t* off, int64_t, int64_t n) {
      T* o = ob + off[0];
      if (so == 1) {
#pragma omp simd
        for (int64_t i = 0; i < n; i++) o[i] = v;
      } else {
        for (int64_t i = 0; i < n; i++) o[i * so] = v;
      }
    });
  });
  return info.Env().Undefined();
}

// copy(src, out, meta): same float dtype; meta = [nd, shape..., (strides..., offset) of out, src].
Napi::Value copy(const Napi::CallbackInfo& info) {
  Buf bufs[2] = {getBuf(info, 1, "out"), getBuf(info, 0, "src")};
  Meta m(info, 2, "copy meta");
  Operands ops(bufs, 2, m);
  if (ops.it.numel == 0) return info.Env().Undefined();
  withFloat(bufs[0].dtype, [&](auto z) {
    using T = decltype(z);
    unaryLoop(ops.it, ops.at<T>(0), ops.at<const T>(1), [](T v) { return v; });
  });
  return info.Env().Undefined();
}

}  // namespace tsg
