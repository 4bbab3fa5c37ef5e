// The fused Elman RNN step kernels: rnnCell (one time step's elementwise forward, h =
// tanh(proj + gh) or relu(proj + gh)) and rnnCellBackward (its backward, dPre = (gradH +
// gradHRec)·(1 - h·h) or ·(h > 0)), each one call over a [B, H] step instead of two elementwise
// calls plus the backward's whole-sequence derivative buffer. Rows of the batch are independent,
// so a large step is split by rows over our threads.
//
// Same bits as the unfused native kernels: every operation is evaluated in the element type, in
// the order of the unfused sequence. This file is compiled with -ffp-contract=off
// (CMakeLists.txt), as lstm.cc: contracting dh·(1 - h·h) into an FMA would round once where the
// unfused kernels round twice. tanh comes from lstm_act.cc (see lstm_act.h).
#include "kernels.h"
#include "lstm_act.h"
#include "step_views.h"

namespace tsg {
namespace {

using CellViews = StepViews<3>;
using BackwardViews = StepViews<4>;

// Work per row, in strided.h's units (see forEachRow): an add and a tanh or a relu per hidden
// unit forward, four cheap operations backward. The tanh step counts 8 (a float32 tanh measured
// about six adds, plus the add and the pass), so the bench's [64, 128] step is split over two
// threads: 10.0 -> 7.5 us per call.
constexpr int64_t kTanhCellCost = 8;
constexpr int64_t kReluCellCost = 2;
constexpr int64_t kBackwardCost = 4;

/** Reads the boolean relu argument at info[i]. */
bool reluArg(const Napi::CallbackInfo& info, size_t i, const char* kernel) {
  if (!info[i].IsBoolean()) throwType(std::string(kernel) + ": relu must be a boolean");
  return info[i].As<Napi::Boolean>().Value();
}

/** Forward, row b: h = relu(proj + gh), the unary kernel's relu (NaN passes, -0 gives +0). */
template <typename T>
void reluCellRow(const CellViews& s, int64_t b) {
  const T* __restrict proj = s.row<const T>(0, b);
  const T* __restrict gh = s.row<const T>(1, b);
  T* __restrict h = s.row<T>(2, b);
#pragma omp simd
  for (int64_t j = 0; j < s.H; j++) {
    const T v = proj[j] + gh[j];
    h[j] = (v > T(0) || v != v) ? v : T(0);
  }
}

/**
 * Backward, row b: dh = gradH + gradHRec, then dh·(1 - h·h) (tanh) or dh·(h > 0 ? 1 : 0) (relu).
 * `1 - x` in T equals the unfused binaryScalar's float64 `1.0 - x` rounded to T (double has more
 * than twice float's precision plus two bits, so rounding twice is rounding once), and the relu
 * factor is the 1 or 0 that binaryScalar('gt') stores, multiplied as the mul kernel does.
 */
template <typename T, bool kRelu>
void backwardRow(const BackwardViews& s, int64_t b) {
  const T* __restrict gradH = s.row<const T>(0, b);
  const T* __restrict gradHRec = s.row<const T>(1, b);
  const T* __restrict h = s.row<const T>(2, b);
  T* __restrict dPre = s.row<T>(3, b);
  const T one = T(1), zero = T(0);
#pragma omp simd
  for (int64_t j = 0; j < s.H; j++) {
    const T dh = gradH[j] + gradHRec[j];
    const T y = h[j];
    if constexpr (kRelu) {
      dPre[j] = dh * (y > zero ? one : zero);
    } else {
      const T deriv = one - y * y;
      dPre[j] = dh * deriv;
    }
  }
}

const StepSignature<3> kCell = {"rnnCell", {"proj", "gh", "h"}, {false, false, false}, {false, false, true}, "relu"};
const StepSignature<4> kBackward = {
    "rnnCellBackward", {"gradH", "gradHRec", "h", "dPre"}, {false, false, false, false}, {false, false, false, true}, "relu"};

}  // namespace

// rnnCell(proj, gh, h, meta, relu): meta = [B, H, (row stride, offset) of each view].
Napi::Value rnnCell(const Napi::CallbackInfo& info) {
  const CellViews s = readStepViews(info, kCell, 1);
  const bool relu = reluArg(info, 4, "rnnCell");
  withFloat(s.v[0].buf.dtype, [&](auto z) {
    using T = decltype(z);
    if (relu) {
      forEachRow(s.B, kReluCellCost * s.H, [&](int64_t b) { reluCellRow<T>(s, b); });
    } else {
      forEachRow(s.B, kTanhCellCost * s.H, [&](int64_t b) { addTanhRow(s.row<const T>(0, b), s.row<const T>(1, b), s.row<T>(2, b), s.H); });
    }
  });
  return info.Env().Undefined();
}

// rnnCellBackward(gradH, gradHRec, h, dPre, meta, relu): meta as rnnCell's.
Napi::Value rnnCellBackward(const Napi::CallbackInfo& info) {
  const BackwardViews s = readStepViews(info, kBackward, 1);
  const bool relu = reluArg(info, 5, "rnnCellBackward");
  withFloat(s.v[0].buf.dtype, [&](auto z) {
    using T = decltype(z);
    if (relu) forEachRow(s.B, kBackwardCost * s.H, [&](int64_t b) { backwardRow<T, true>(s, b); });
    else forEachRow(s.B, kBackwardCost * s.H, [&](int64_t b) { backwardRow<T, false>(s, b); });
  });
  return info.Env().Undefined();
}

}  // namespace tsg
