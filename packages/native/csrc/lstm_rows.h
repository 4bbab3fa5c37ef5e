// One batch row of the LSTM step's elementwise work, shared by the per-step kernels (lstm.cc) and
// the whole-sequence ones (lstm_sequence.cc) so both give the bits of the unfused kernels. Every
// operation is evaluated in the element type in the unfused sequence's order; the files that
// include this are compiled with -ffp-contract=off (CMakeLists.txt), since contracting
// f·cPrev + i·g or dc + dh·dtc into an FMA would round once where the unfused kernels round twice.
// sigmoid and tanh come from lstm_act.cc (see lstm_act.h).
#pragma once
#include <cstdint>

#include "lstm_act.h"

namespace tsg {

/**
 * act = gates(proj + gh) ([4H], gate order i, f, g, o), c = f·cPrev + i·g, tc = tanh(c),
 * h = o·tc ([H] each). The outputs must not overlap the inputs or each other.
 */
template <typename T>
inline void lstmCellRow(const T* proj, const T* gh, T* act, const T* cPrevRow, T* cRow, T* tcRow, T* hRow, int64_t H) {
  lstmGateActivations(proj, gh, act, H);
  const T* __restrict i = act;
  const T* __restrict f = act + H;
  const T* __restrict g = act + 2 * H;
  const T* __restrict o = act + 3 * H;
  const T* __restrict cPrev = cPrevRow;
  T* __restrict c = cRow;
  T* __restrict tc = tcRow;
  T* __restrict h = hRow;
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
 * The backward of lstmCellRow, in the unfused order: dh = gradH + gradHRec, dc += dh·((1 - tc·tc)·o),
 * the gate gradients dc·((i - i·i)·g), dc·((f - f·f)·cPrev), dc·((1 - g·g)·i), dh·((o - o·o)·tc),
 * then dc ·= f. `1 - x` in T equals the unfused binaryScalar's float64 `1.0 - x` rounded to T:
 * double has more than twice float's precision plus two bits, so rounding twice is rounding once.
 */
template <typename T>
inline void lstmBackwardRow(const T* __restrict gradH, const T* __restrict gradHRec, const T* __restrict act, const T* __restrict cPrev,
                            const T* __restrict tc, T* __restrict dc, T* __restrict dPre, int64_t H) {
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

}  // namespace tsg
