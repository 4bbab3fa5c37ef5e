// The recurrent product of a whole-sequence RNN kernel (rnn_sequence.cc): every time step
// multiplies a few batch rows by the same [K, N] weight, so the weight is packed once per sequence
// and each step runs a register-blocked kernel over it, instead of a BLAS call that re-packs it
// every step (a [64, 128] x [128, 128] step: OpenBLAS 22 us, this 19 us on one core).
//
// Float32 with AVX-512 only; elsewhere (float64, other CPUs, TSGRAD_NATIVE_ARCH=OFF) the steps call
// gemm() (BLAS). Each output element sums its K products in order with one FMA per term, as
// OpenBLAS's kernels do, but nothing promises the same bits as matmul.
#pragma once
#include <algorithm>
#include <cstdint>
#include <type_traits>
#include <vector>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

#include "gemm.h"

namespace tsg {

/** A [K, N] operand read through strides (rs, cs), copied row-major for the step kernel. */
template <typename T>
struct PackedWeight {
  int64_t K = 0, N = 0;
  std::vector<T> data;
  PackedWeight(const T* w, int64_t K_, int64_t N_, int64_t rs, int64_t cs) : K(K_), N(N_), data(size_t(K_ * N_)) {
    for (int64_t k = 0; k < K; k++)
      for (int64_t n = 0; n < N; n++) data[size_t(k * N + n)] = w[k * rs + n * cs];
  }
};

#if defined(__AVX512F__)
/** C[r, :] = A[r, :] · W for R rows (row strides lda, ldc), 64 columns at a time, masked at the edge. */
template <int R>
inline void stepTile(const float* A, int64_t lda, const PackedWeight<float>& W, float* C, int64_t ldc) {
  const int64_t K = W.K, N = W.N;
  const float* B = W.data.data();
  for (int64_t j = 0; j < N; j += 64) {
    const int64_t width = std::min<int64_t>(64, N - j);
    __mmask16 m[4];
    for (int v = 0; v < 4; v++) {
      const int64_t left = width - 16 * v;
      m[v] = left >= 16 ? __mmask16(0xFFFF) : left <= 0 ? __mmask16(0) : __mmask16((1u << left) - 1);
    }
    __m512 c[R][4];
    for (int r = 0; r < R; r++)
      for (int v = 0; v < 4; v++) c[r][v] = _mm512_setzero_ps();
    for (int64_t k = 0; k < K; k++) {
      const float* b = B + k * N + j;
      const __m512 b0 = _mm512_maskz_loadu_ps(m[0], b), b1 = _mm512_maskz_loadu_ps(m[1], b + 16);
      const __m512 b2 = _mm512_maskz_loadu_ps(m[2], b + 32), b3 = _mm512_maskz_loadu_ps(m[3], b + 48);
      for (int r = 0; r < R; r++) {
        const __m512 a = _mm512_set1_ps(A[r * lda + k]);
        c[r][0] = _mm512_fmadd_ps(a, b0, c[r][0]);
        c[r][1] = _mm512_fmadd_ps(a, b1, c[r][1]);
        c[r][2] = _mm512_fmadd_ps(a, b2, c[r][2]);
        c[r][3] = _mm512_fmadd_ps(a, b3, c[r][3]);
      }
    }
    for (int r = 0; r < R; r++)
      for (int v = 0; v < 4; v++) _mm512_mask_storeu_ps(C + r * ldc + j + 16 * v, m[v], c[r][v]);
  }
}
#endif

/**
 * C[b, :] = A[b, :] · W for rows b in [0, rows): A and C row-major with row strides lda and ldc
 * (unit column stride), W packed; `w`, `wrs`, `wcs` are the unpacked weight for the BLAS path.
 */
template <typename T>
inline void stepProduct(int64_t rows, const T* A, int64_t lda, const PackedWeight<T>* W, const T* w, int64_t wrs, int64_t wcs,
                        int64_t K, int64_t N, T* C, int64_t ldc) {
#if defined(__AVX512F__)
  if constexpr (std::is_same_v<T, float>) {
    if (W != nullptr) {
      int64_t b = 0;
      for (; b + 4 <= rows; b += 4) stepTile<4>(A + b * lda, lda, *W, C + b * ldc, ldc);
      for (; b < rows; b++) stepTile<1>(A + b * lda, lda, *W, C + b * ldc, ldc);
      return;
    }
  }
#endif
  gemm<T>(rows, N, K, A, lda, 1, w, wrs, wcs, C, ldc, false);
}

/** Whether stepProduct packs its weight (float32 on an AVX-512 build). */
template <typename T>
constexpr bool packsStepWeight() {
#if defined(__AVX512F__)
  return std::is_same_v<T, float>;
#else
  return false;
#endif
}

}  // namespace tsg
