// The bundled GEMM: GotoBLAS/BLIS-style cache blocking (KC x NC panels of B, MC x KC blocks of A
// packed into contiguous micro-panels) around a register-blocked micro-kernel written with GCC
// vector extensions, so it compiles to AVX2/FMA (or AVX-512, or SSE2) for the build machine.
#include <algorithm>
#include <cstring>
#include <vector>

#include "gemm.h"
#include "threadpool.h"

namespace tsg {
namespace {

template <typename T> struct Traits;
template <> struct Traits<float> {
  typedef float vec __attribute__((vector_size(32)));
  // KC is the largest depth block: a 6 x KC slice of A plus a KC x 16 panel of B (28 KiB) stay in L1.
  static constexpr int VL = 8, MR = 6, NR = 16, KC = 320, MC = 120, NC = 3072;
};
template <> struct Traits<double> {
  typedef double vec __attribute__((vector_size(32)));
  static constexpr int VL = 4, MR = 6, NR = 8, KC = 256, MC = 96, NC = 2048;
};

// Per-thread packing buffers, grown on demand and reused (never shared between threads).
template <typename T> T* threadBuffer(size_t n, int which) {
  thread_local std::vector<T> bufs[2];
  if (bufs[which].size() < n) bufs[which].resize(n);
  return bufs[which].data();
}

template <typename T>
void packA(const T* A, int64_t ars, int64_t acs, int64_t mc, int64_t kc, T* dst) {
  constexpr int MR = Traits<T>::MR;
  for (int64_t i = 0; i < mc; i += MR) {
    int64_t rows = std::min<int64_t>(MR, mc - i);
    const T* a = A + i * ars;
    if (rows == MR && acs == 1) {
      for (int64_t k = 0; k < kc; k++)
        for (int r = 0; r < MR; r++) *dst++ = a[r * ars + k];
    } else {
      for (int64_t k = 0; k < kc; k++)
        for (int r = 0; r < MR; r++) *dst++ = r < rows ? a[r * ars + k * acs] : T(0);
    }
  }
}

template <typename T>
void packBPanel(const T* B, int64_t brs, int64_t bcs, int64_t kc, int64_t cols, T* dst) {
  constexpr int NR = Traits<T>::NR;
  if (cols == NR && bcs == 1) {
    for (int64_t k = 0; k < kc; k++, dst += NR) std::memcpy(dst, B + k * brs, NR * sizeof(T));
  } else {
    for (int64_t k = 0; k < kc; k++)
      for (int c = 0; c < NR; c++) *dst++ = c < cols ? B[k * brs + c * bcs] : T(0);
  }
}

// C tile (rows x cols <= MR x NR) = (first ? 0 : C) + pa · pb over kc.
template <typename T>
void microKernel(int64_t kc, const T* pa, const T* pb, T* C, int64_t ldc, int64_t rows, int64_t cols, bool load) {
  typedef typename Traits<T>::vec V;
  constexpr int MR = Traits<T>::MR, NR = Traits<T>::NR, VL = Traits<T>::VL;
  static_assert(NR == 2 * VL, "two vectors per row");
  V c[MR][2];
  for (int r = 0; r < MR; r++) c[r][0] = c[r][1] = V{};
  for (int64_t k = 0; k < kc; k++) {
    V b0, b1;
    std::memcpy(&b0, pb, sizeof(V));
    std::memcpy(&b1, pb + VL, sizeof(V));
    for (int r = 0; r < MR; r++) {
      T a = pa[r];
      c[r][0] += a * b0;
      c[r][1] += a * b1;
    }
    pa += MR;
    pb += NR;
  }
  if (rows == MR && cols == NR) {
    for (int r = 0; r < MR; r++) {
      T* cr = C + r * ldc;
      if (load) {
        V o0, o1;
        std::memcpy(&o0, cr, sizeof(V));
        std::memcpy(&o1, cr + VL, sizeof(V));
        c[r][0] += o0;
        c[r][1] += o1;
      }
      std::memcpy(cr, &c[r][0], sizeof(V));
      std::memcpy(cr + VL, &c[r][1], sizeof(V));
    }
    return;
  }
  alignas(64) T tile[MR * NR];
  for (int r = 0; r < MR; r++) {
    std::memcpy(tile + r * NR, &c[r][0], sizeof(V));
    std::memcpy(tile + r * NR + VL, &c[r][1], sizeof(V));
  }
  for (int64_t r = 0; r < rows; r++)
    for (int64_t j = 0; j < cols; j++) C[r * ldc + j] = (load ? C[r * ldc + j] : T(0)) + tile[r * NR + j];
}

}  // namespace

template <typename T>
void bundledGemm(int64_t M, int64_t N, int64_t K, const T* A, int64_t ars, int64_t acs, const T* B, int64_t brs,
                 int64_t bcs, T* C, int64_t ldc, bool accumulate, bool allowThreads) {
  constexpr int MR = Traits<T>::MR, NR = Traits<T>::NR, KC = Traits<T>::KC, MC = Traits<T>::MC, NC = Traits<T>::NC;
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    if (!accumulate)
      for (int64_t i = 0; i < M; i++) std::fill(C + i * ldc, C + i * ldc + N, T(0));
    return;
  }
  const bool serial = !allowThreads || double(M) * double(N) * double(K) < 64.0 * 64 * 64;
  for (int64_t j0 = 0; j0 < N; j0 += NC) {
    const int64_t nc = std::min<int64_t>(NC, N - j0);
    const int64_t panels = (nc + NR - 1) / NR;
    // Equal depth blocks of at most KC: K = 288 (a 3x3 conv over 32 channels) is one block
    // rather than 256 + 32, whose short second pass re-reads and re-writes all of C for little work.
    const int64_t kBlocks = (K + KC - 1) / KC, kStep = (K + kBlocks - 1) / kBlocks;
    for (int64_t k0 = 0; k0 < K; k0 += kStep) {
      const int64_t kc = std::min<int64_t>(kStep, K - k0);
      const bool load = accumulate || k0 > 0;
      T* pb = threadBuffer<T>(size_t(panels * NR * kc), 1);
      const T* Bk = B + k0 * brs + j0 * bcs;
      parallelFor(
          panels,
          [&](int64_t p, int) { packBPanel(Bk + p * NR * bcs, brs, bcs, kc, std::min<int64_t>(NR, nc - p * NR), pb + p * NR * kc); },
          serial || panels < 8);
      // Tasks: M blocks x column chunks (split columns too when there are few M blocks).
      const int64_t mBlocks = (M + MC - 1) / MC;
      const int64_t threads = serial ? 1 : poolThreads();
      const int64_t jChunks = mBlocks >= 2 * threads ? 1 : std::min<int64_t>(panels, 2 * threads);
      parallelFor(
          mBlocks * jChunks,
          [&](int64_t task, int) {
            const int64_t ib = task / jChunks, jc = task % jChunks;
            const int64_t i0 = ib * MC, mc = std::min<int64_t>(MC, M - i0);
            const int64_t pBegin = panels * jc / jChunks, pEnd = panels * (jc + 1) / jChunks;
            if (pBegin >= pEnd) return;
            T* pa = threadBuffer<T>(size_t((MC + MR) * KC), 0);
            packA(A + i0 * ars + k0 * acs, ars, acs, mc, kc, pa);
            for (int64_t p = pBegin; p < pEnd; p++) {
              const int64_t j = p * NR, cols = std::min<int64_t>(NR, nc - j);
              for (int64_t i = 0; i < mc; i += MR) {
                microKernel<T>(kc, pa + i * kc, pb + p * NR * kc, C + (i0 + i) * ldc + j0 + j, ldc,
                               std::min<int64_t>(MR, mc - i), cols, load);
              }
            }
          },
          serial);
    }
  }
}

template void bundledGemm<float>(int64_t, int64_t, int64_t, const float*, int64_t, int64_t, const float*, int64_t,
                                 int64_t, float*, int64_t, bool, bool);
template void bundledGemm<double>(int64_t, int64_t, int64_t, const double*, int64_t, int64_t, const double*, int64_t,
                                  int64_t, double*, int64_t, bool, bool);

}  // namespace tsg
