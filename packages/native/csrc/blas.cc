// CBLAS dispatch. The prototypes are declared here (the CBLAS ABI is fixed: row-major 101,
// no-trans 111, trans 112) so any CBLAS works without its header; OpenBLAS's extras are weak
// symbols, present only when the library provides them.
#include <algorithm>
#include <atomic>
#include <climits>
#include <mutex>
#include <vector>

#include "gemm.h"
#include "threadpool.h"

#ifndef TSGRAD_NO_BLAS
extern "C" {
void cblas_sgemm(int order, int transA, int transB, int M, int N, int K, float alpha, const float* A, int lda,
                 const float* B, int ldb, float beta, float* C, int ldc);
void cblas_dgemm(int order, int transA, int transB, int M, int N, int K, double alpha, const double* A, int lda,
                 const double* B, int ldb, double beta, double* C, int ldc);
char* openblas_get_config(void) __attribute__((weak));
void openblas_set_num_threads(int) __attribute__((weak));
int openblas_get_num_threads(void) __attribute__((weak));
}
#endif

#ifndef TSGRAD_BLAS_NAME
#define TSGRAD_BLAS_NAME "bundled"
#endif

namespace tsg {

BlasInfo blasInfo() {
#ifdef TSGRAD_NO_BLAS
  return {"bundled", "", false};
#else
  if (openblas_get_config != nullptr) return {"OpenBLAS", openblas_get_config(), true};
  return {TSGRAD_BLAS_NAME, "", true};
#endif
}

namespace {
std::mutex blasThreadsMutex;  // guards the two below and every openblas_set_num_threads call
int blasThreads = 1;          // the count setNumThreads asked for
int serialScopes = 0;         // live SerialBlasScopes
std::atomic<bool> blasSerial{false};  // serialScopes > 0, readable without the lock
}  // namespace

void setNumThreads(int n) {
  setPoolThreads(n);
#ifndef TSGRAD_NO_BLAS
  std::lock_guard<std::mutex> lock(blasThreadsMutex);
  blasThreads = n;
  if (openblas_set_num_threads != nullptr && serialScopes == 0) openblas_set_num_threads(n);
#endif
}

#ifndef TSGRAD_NO_BLAS
static bool canSerialiseBlas() { return openblas_set_num_threads != nullptr; }
#else
static bool canSerialiseBlas() { return false; }
#endif

SerialBlasScope::SerialBlasScope() : active(canSerialiseBlas()) {
#ifndef TSGRAD_NO_BLAS
  if (!active) return;
  std::lock_guard<std::mutex> lock(blasThreadsMutex);
  if (serialScopes++ == 0 && blasThreads != 1) openblas_set_num_threads(1);
  blasSerial.store(true, std::memory_order_relaxed);
#endif
}

SerialBlasScope::~SerialBlasScope() {
#ifndef TSGRAD_NO_BLAS
  if (!active) return;
  std::lock_guard<std::mutex> lock(blasThreadsMutex);
  if (--serialScopes == 0 && blasThreads != 1) openblas_set_num_threads(blasThreads);
  if (serialScopes == 0) blasSerial.store(false, std::memory_order_relaxed);
#endif
}

int getNumThreads() {
#ifndef TSGRAD_NO_BLAS
  if (openblas_get_num_threads != nullptr) return openblas_get_num_threads();
#endif
  return poolThreads();
}

#ifndef TSGRAD_NO_BLAS
namespace {

constexpr int kRowMajor = 101, kNoTrans = 111, kTrans = 112;

inline void blasGemm(int ta, int tb, int M, int N, int K, const float* A, int lda, const float* B, int ldb, float beta,
                     float* C, int ldc) {
  cblas_sgemm(kRowMajor, ta, tb, M, N, K, 1.0f, A, lda, B, ldb, beta, C, ldc);
}
inline void blasGemm(int ta, int tb, int M, int N, int K, const double* A, int lda, const double* B, int ldb,
                     double beta, double* C, int ldc) {
  cblas_dgemm(kRowMajor, ta, tb, M, N, K, 1.0, A, lda, B, ldb, beta, C, ldc);
}

/**
 * How BLAS can read an R x C matrix with strides (rs, cs) in place: as row-major (no-trans) or
 * column-major (trans) with a leading dimension. False when neither fits.
 */
bool asBlasOperand(int64_t R, int64_t C, int64_t rs, int64_t cs, int& trans, int64_t& ld) {
  if (cs == 1 && (R == 1 || rs >= std::max<int64_t>(C, 1))) {
    trans = kNoTrans;
    ld = R == 1 ? std::max<int64_t>(C, 1) : rs;
    return true;
  }
  if (rs == 1 && (C == 1 || cs >= std::max<int64_t>(R, 1))) {
    trans = kTrans;
    ld = C == 1 ? std::max<int64_t>(R, 1) : cs;
    return true;
  }
  return false;
}

template <typename T>
const T* contiguousCopy(const T* X, int64_t R, int64_t C, int64_t rs, int64_t cs, std::vector<T>& tmp) {
  tmp.resize(size_t(R * C));
  for (int64_t i = 0; i < R; i++)
    for (int64_t j = 0; j < C; j++) tmp[size_t(i * C + j)] = X[i * rs + j * cs];
  return tmp.data();
}

}  // namespace
#endif

// Which threads run a product, by its multiply-adds (M·N·K):
//  - under 2^21 (about 20 µs on one core): the calling thread alone;
//  - from 2^21 to 2^28, with 2-8 threads in our pool: one slice of the larger of M and N per pool
//    thread, each a single-threaded BLAS call. Our pool's workers poll between regions
//    (threadpool.cc) while OpenBLAS's sleep ~25 µs after a call (OPENBLAS_THREAD_TIMEOUT, set by
//    the addon) and then take 35-40 µs to wake on a VM, so in a training step, where JS runs
//    between GEMMs, every threaded BLAS call paid a wake-up: the W3 MLP's GEMMs took 450-950 µs
//    per step on BLAS's threads against 330 on one thread. Sliced on 2 cores: the W3 step 508 ->
//    459 µs, W1 at n=256 199 -> 231 GFLOPS and n=512 227 -> 261 (numpy 232 and 252), W5's
//    W_hh gradient [128,1792]x[1792,128] 578 -> 435 µs. Each slice re-packs the other operand,
//    which more threads or larger products would pay for: there BLAS's own threads share it.
//  - otherwise (or without a pool to slice on) under 2^23: the calling thread alone;
//  - larger: BLAS's threads.
constexpr double kSliceMinVolume = double(1 << 21);
constexpr double kSliceMaxVolume = double(1 << 28);
constexpr double kSerialGemmVolume = double(1 << 23);

template <typename T>
void gemm(int64_t M, int64_t N, int64_t K, const T* A, int64_t ars, int64_t acs, const T* B, int64_t brs,
          int64_t bcs, T* C, int64_t ldc, bool accumulate, bool allowThreads) {
  if (M <= 0 || N <= 0) return;
#ifndef TSGRAD_NO_BLAS
  if (K > 0 && allowThreads) {
    int ta, tb;
    int64_t lda, ldb;
    thread_local std::vector<T> tmpA, tmpB;
    if (!asBlasOperand(M, K, ars, acs, ta, lda)) {
      A = contiguousCopy(A, M, K, ars, acs, tmpA);
      ta = kNoTrans;
      lda = K;
    }
    if (!asBlasOperand(K, N, brs, bcs, tb, ldb)) {
      B = contiguousCopy(B, K, N, brs, bcs, tmpB);
      tb = kNoTrans;
      ldb = N;
    }
    if (M <= INT_MAX && N <= INT_MAX && K <= INT_MAX && lda <= INT_MAX && ldb <= INT_MAX && ldc <= INT_MAX &&
        ldc >= N) {
      const double volume = double(M) * double(N) * double(K);
      const int threads = poolThreads();
      const int parts = volume >= kSliceMinVolume && volume < kSliceMaxVolume && threads >= 2 && threads <= 8 &&
                                std::max(M, N) >= 32 * threads && !inParallelRegion()
                            ? threads
                            : 1;
      const T beta = accumulate ? T(1) : T(0);
      if (parts > 1) {
        SerialBlasScope serial;
        // Slice the larger of M and N, so each slice re-packs only the smaller operand.
        const bool byRows = M >= N;
        const int64_t len = byRows ? M : N;
        const int64_t step = (len / parts + 15) / 16 * 16;
        parallelFor(parts, [&](int64_t i, int) {
          const int64_t lo = std::min(len, i * step), hi = i + 1 == parts ? len : std::min(len, lo + step);
          if (hi <= lo) return;
          if (byRows) {
            const T* Ai = A + lo * (ta == kNoTrans ? lda : 1);
            blasGemm(ta, tb, int(hi - lo), int(N), int(K), Ai, int(lda), B, int(ldb), beta, C + lo * ldc, int(ldc));
          } else {
            const T* Bi = B + lo * (tb == kNoTrans ? 1 : ldb);
            blasGemm(ta, tb, int(M), int(hi - lo), int(K), A, int(lda), Bi, int(ldb), beta, C + lo, int(ldc));
          }
        });
      } else if (volume < kSerialGemmVolume) {
        SerialBlasScope serial;
        blasGemm(ta, tb, int(M), int(N), int(K), A, int(lda), B, int(ldb), beta, C, int(ldc));
      } else {
        // BLAS's own threads need the cores (unless a SerialBlasScope keeps this call on ours).
        if (!blasSerial.load(std::memory_order_relaxed)) parkPoolWorkers();
        blasGemm(ta, tb, int(M), int(N), int(K), A, int(lda), B, int(ldb), accumulate ? T(1) : T(0), C, int(ldc));
      }
      return;
    }
    // Too large for BLAS's 32-bit ints: fall through (A/B may now point at the contiguous copies).
    if (ta == kNoTrans) { ars = lda; acs = 1; } else { ars = 1; acs = lda; }
    if (tb == kNoTrans) { brs = ldb; bcs = 1; } else { brs = 1; bcs = ldb; }
  }
#endif
  bundledGemm(M, N, K, A, ars, acs, B, brs, bcs, C, ldc, accumulate, allowThreads);
}

template void gemm<float>(int64_t, int64_t, int64_t, const float*, int64_t, int64_t, const float*, int64_t, int64_t,
                          float*, int64_t, bool, bool);
template void gemm<double>(int64_t, int64_t, int64_t, const double*, int64_t, int64_t, const double*, int64_t, int64_t,
                           double*, int64_t, bool, bool);

}  // namespace tsg
