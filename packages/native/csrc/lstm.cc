// The fused LSTM step kernels: lstmCell (one time step's elementwise forward) and
// lstmCellBackward (its backward, deriving the gate factors from the saved activations), each one
// call over a [B, 4H] step instead of ten / six elementwise calls plus whole-sequence factor
// buffers. Rows of the batch are independent, so a large step is split by rows over our threads.
//
// Same bits as the unfused native kernels: every operation is evaluated in the element type, in
// the order of the unfused sequence. This file is compiled with -ffp-contract=off
// (CMakeLists.txt): contracting f·cPrev + i·g or dc + dh·dtc into an FMA would round once where
// the unfused kernels round twice. sigmoid and tanh come from lstm_act.cc (see lstm_act.h).
#include "kernels.h"
#include "lstm_act.h"
#include "step_views.h"

namespace tsg {
namespace {

constexpr int kViews = 7;
using LstmViews = StepViews<kViews>;
using LstmSignature = StepSignature<kViews>;

// Work per row, in strided.h's units (see forEachRow): five transcendental and five cheap
// operations per hidden unit forward, about twenty cheap ones backward. A step below
// kParallelElements units stays on the calling thread, as an elementwise kernel of that much work
// would.
constexpr int64_t kCellCost = 35;
constexpr int64_t kBackwardCost = 20;

/** Forward, row b: act = gates(proj + gh), c = f·cPrev + i·g, tc = tanh(c), h = o·tc. */
template <typename T>
void cellRow(const LstmViews& s, int64_t b) {
  const int64_t H = s.H;
  T* act = s.row<T>(2, b);
  lstmGateActivations(s.row<const T>(0, b), s.row<const T>(1, b), act, H);
  const T* __restrict i = act;
  const T* __restrict f = act + H;
  const T* __restrict g = act + 2 * H;
  const T* __restrict o = act + 3 * H;
  const T* __restrict cPrev = s.row<const T>(3, b);
  T* __restrict c = s.row<T>(4, b);
  T* __restrict tc = s.row<T>(5, b);
  T* __restrict h = s.row<T>(6, b);
#pragma omp simd
  for (int64_t j = 0; j < H; j++) {
    const T fc = f[j] * cPrev[j];
    const T ig = i[j] * g[j];
    c[j] = fc + ig;
  }
  lstmTanhRow(c, tc, H);
#pragma omp simd
  for (int64_t j = 0; j < H; j++) h[j] = o[j] * tc[j];
}

/**
 * Backward, row b, in the unfused order: dh = gradH + gradHRec, dc += dh·((1 - tc·tc)·o), the
 * gate gradients dc·((i - i·i)·g), dc·((f - f·f)·cPrev), dc·((1 - g·g)·i), dh·((o - o·o)·tc),
 * then dc ·= f. `1 - x` in T equals the unfused binaryScalar's float64 `1.0 - x` rounded to T:
 * double has more than twice float's precision plus two bits, so rounding twice is rounding once.
 */
template <typename T>
void backwardRow(const LstmViews& s, int64_t b) {
  const int64_t H = s.H;
  const T* __restrict gradH = s.row<const T>(0, b);
  const T* __restrict gradHRec = s.row<const T>(1, b);
  const T* __restrict act = s.row<const T>(2, b);
  const T* __restrict cPrev = s.row<const T>(3, b);
  const T* __restrict tc = s.row<const T>(4, b);
  T* __restrict dc = s.row<T>(5, b);
  T* __restrict dPre = s.row<T>(6, b);
  const T one = T(1);
#pragma omp simd
  for (int64_t j = 0; j < H; j++) {
    const T i = act[j], f = act[H + j], g = act[2 * H + j], o = act[3 * H + j], t = tc[j];
    const T dh = gradH[j] + gradHRec[j];
    const T dtc = (one - t * t) * o;
    const T d = dc[j] + dh * dtc;
    dPre[j] = d * ((i - i * i) * g);
    dPre[H + j] = d * ((f - f * f) * cPrev[j]);
    dPre[2 * H + j] = d * ((one - g * g) * i);
    dPre[3 * H + j] = dh * ((o - o * o) * t);
    dc[j] = d * f;
  }
}

const LstmSignature kCell = {
    "lstmCell",
    {"proj", "gh", "act", "cPrev", "c", "tc", "h"},
    {true, true, true, false, false, false, false},
    {false, false, true, false, true, true, true},
};

const LstmSignature kBackward = {
    "lstmCellBackward",
    {"gradH", "gradHRec", "act", "cPrev", "tc", "dc", "dPre"},
    {false, false, true, false, false, false, true},
    {false, false, false, false, false, true, true},
};

}  // namespace

// lstmCell(proj, gh, act, cPrev, c, tc, h, meta): meta = [B, H, (row stride, offset) of each view].
Napi::Value lstmCell(const Napi::CallbackInfo& info) {
  const LstmViews s = readStepViews(info, kCell);
  withFloat(s.v[0].buf.dtype, [&](auto z) {
    using T = decltype(z);
    forEachRow(s.B, kCellCost * s.H, [&](int64_t b) { cellRow<T>(s, b); });
  });
  return info.Env().Undefined();
}

// lstmCellBackward(gradH, gradHRec, act, cPrev, tc, dc, dPre, meta): meta as lstmCell's.
Napi::Value lstmCellBackward(const Napi::CallbackInfo& info) {
  const LstmViews s = readStepViews(info, kBackward);
  withFloat(s.v[0].buf.dtype, [&](auto z) {
    using T = decltype(z);
    forEachRow(s.B, kBackwardCost * s.H, [&](int64_t b) { backwardRow<T>(s, b); });
  });
  return info.Env().Undefined();
}

}  // namespace tsg
