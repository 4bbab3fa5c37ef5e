// See lstm_act.h: why these few loops have a file of their own (CMakeLists.txt gives it
// elementwise.cc's compile options).
#include "lstm_act.h"

#include <cmath>

#include "vmath.h"

namespace tsg {
namespace {

// The functions elementwise.cc's unary kernel applies for each element type.
inline float sigmoidOf(float x) { return vm::sigmoidf(x); }
inline double sigmoidOf(double x) { return vm::sigmoid(x); }
inline float tanhOf(float x) { return vm::tanhf(x); }
inline double tanhOf(double x) { return std::tanh(x); }

template <typename T>
void gateActivations(const T* __restrict proj, const T* __restrict gh, T* __restrict act, int64_t H) {
#pragma omp simd
  for (int64_t j = 0; j < 2 * H; j++) act[j] = sigmoidOf(T(proj[j] + gh[j]));
#pragma omp simd
  for (int64_t j = 2 * H; j < 3 * H; j++) act[j] = tanhOf(T(proj[j] + gh[j]));
#pragma omp simd
  for (int64_t j = 3 * H; j < 4 * H; j++) act[j] = sigmoidOf(T(proj[j] + gh[j]));
}

template <typename T>
void tanhRow(const T* __restrict x, T* __restrict out, int64_t n) {
#pragma omp simd
  for (int64_t j = 0; j < n; j++) out[j] = tanhOf(x[j]);
}

template <typename T>
void addTanh(const T* __restrict a, const T* __restrict b, T* __restrict out, int64_t n) {
#pragma omp simd
  for (int64_t j = 0; j < n; j++) out[j] = tanhOf(T(a[j] + b[j]));
}

}  // namespace

void lstmGateActivations(const float* proj, const float* gh, float* act, int64_t H) { gateActivations(proj, gh, act, H); }
void lstmGateActivations(const double* proj, const double* gh, double* act, int64_t H) { gateActivations(proj, gh, act, H); }
void lstmTanhRow(const float* x, float* out, int64_t n) { tanhRow(x, out, n); }
void lstmTanhRow(const double* x, double* out, int64_t n) { tanhRow(x, out, n); }
void addTanhRow(const float* a, const float* b, float* out, int64_t n) { addTanh(a, b, out, n); }
void addTanhRow(const double* a, const double* b, double* out, int64_t n) { addTanh(a, b, out, n); }

}  // namespace tsg
