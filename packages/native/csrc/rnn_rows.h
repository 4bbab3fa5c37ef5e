// One batch row of the Elman RNN step's elementwise work, shared by the per-step kernels (rnn.cc)
// and the whole-sequence ones (rnn_sequence.cc) so both give the bits of the unfused kernels.
// Every operation is evaluated in the element type in the unfused sequence's order; the files
// that include this are compiled with -ffp-contract=off (CMakeLists.txt), since contracting
// dh·(1 - h·h) into an FMA would round once where the unfused kernels round twice.
#pragma once
#include <cstdint>

#include "lstm_act.h"

namespace tsg {

/** h = relu(proj + gh), the unary kernel's relu (NaN passes, -0 gives +0). */
template <typename T>
inline void reluAddRow(const T* __restrict proj, const T* __restrict gh, T* __restrict h, int64_t H) {
#pragma omp simd
  for (int64_t j = 0; j < H; j++) {
    const T v = proj[j] + gh[j];
    h[j] = (v > T(0) || v != v) ? v : T(0);
  }
}

/** h = tanh(proj + gh) or relu(proj + gh). */
template <typename T>
inline void rnnForwardRow(const T* proj, const T* gh, T* h, int64_t H, bool relu) {
  if (relu) reluAddRow(proj, gh, h, H);
  else addTanhRow(proj, gh, h, H);
}

/**
 * dh = gradH + gradHRec, then dPre = dh·(1 - h·h) (tanh) or dh·(h > 0 ? 1 : 0) (relu).
 * `1 - x` in T equals the unfused binaryScalar's float64 `1.0 - x` rounded to T (double has more
 * than twice float's precision plus two bits, so rounding twice is rounding once), and the relu
 * factor is the 1 or 0 that binaryScalar('gt') stores, multiplied as the mul kernel does.
 */
template <typename T, bool kRelu>
inline void rnnBackwardRow(const T* __restrict gradH, const T* __restrict gradHRec, const T* __restrict h, T* __restrict dPre, int64_t H) {
  const T one = T(1), zero = T(0);
#pragma omp simd
  for (int64_t j = 0; j < H; j++) {
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

}  // namespace tsg
