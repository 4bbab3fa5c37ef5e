// C[M,N] (row-major, leading dimension ldc) = A·B (+ C when accumulate), where A and B are read
// through arbitrary element strides. Dispatches to CBLAS when A and B are row- or column-major
// (transposes become BLAS flags) and the sizes fit BLAS's int; otherwise to the bundled GEMM.
#pragma once
#include <cstdint>

namespace tsg {

struct BlasInfo {
  const char* name;     // "OpenBLAS", "BLAS", or "bundled"
  const char* version;  // openblas_get_config() or ""
  bool available;
};

BlasInfo blasInfo();
/** Sets BLAS's thread count (when the library exposes one) and our pool's. */
void setNumThreads(int n);
/** BLAS's thread count when it reports one, else our pool's. */
int getNumThreads();

/**
 * While one exists, BLAS runs each call on the calling thread (OpenBLAS only; `active` is false
 * and nothing changes otherwise), so our threads can each run a single-threaded BLAS GEMM on
 * their own image. Process-wide and reference-counted: the last one restores the thread count
 * last set by setNumThreads. Never hold one across a call that should use BLAS's threads.
 */
class SerialBlasScope {
 public:
  SerialBlasScope();
  ~SerialBlasScope();
  SerialBlasScope(const SerialBlasScope&) = delete;
  SerialBlasScope& operator=(const SerialBlasScope&) = delete;
  const bool active;
};

template <typename T>
void gemm(int64_t M, int64_t N, int64_t K, const T* A, int64_t ars, int64_t acs, const T* B, int64_t brs,
          int64_t bcs, T* C, int64_t ldc, bool accumulate, bool allowThreads = true);

/** The bundled GEMM alone (always built; the debug entry point and the TSGRAD_NO_BLAS build use it). */
template <typename T>
void bundledGemm(int64_t M, int64_t N, int64_t K, const T* A, int64_t ars, int64_t acs, const T* B, int64_t brs,
                 int64_t bcs, T* C, int64_t ldc, bool accumulate, bool allowThreads);

}  // namespace tsg
