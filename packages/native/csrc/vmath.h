// Branch-free float32 exp, log, tanh and sigmoid that GCC auto-vectorizes inside `omp simd` loops
// (libm's expf/logf are scalar calls, which block vectorization). Cephes-style range reduction and
// polynomials; every special case (NaN, ±Inf, ±0, overflow, subnormal results) is a final select,
// so both sides of each select are computed and the loop body has no branches.
// Accuracy against the float64 result rounded to float32: a couple of ulp (see elementwise tests).
// float64 uses libm (accuracy first; float64 is the gradcheck dtype, not the fast path).
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

namespace tsg {
namespace vm {

inline int32_t bitsOf(float x) {
  int32_t i;
  std::memcpy(&i, &x, 4);
  return i;
}
inline float fromBits(int32_t i) {
  float x;
  std::memcpy(&x, &i, 4);
  return x;
}
inline float copySign(float mag, float sgn) { return fromBits((bitsOf(mag) & 0x7fffffff) | (bitsOf(sgn) & int32_t(0x80000000))); }

constexpr float kInf = std::numeric_limits<float>::infinity();

/** exp(x): n = round(x·log2 e), r = x - n·ln 2 (two-part constant), Cephes' degree-6 polynomial, times 2^n. */
inline float expf(float x) {
  const float hi = 88.72283935546875f;   // largest x with a finite expf
  const float lo = -103.97283935546875f; // below this the result rounds to 0
  const float xc = x > hi ? hi : (x < lo ? lo : x);  // NaN stays NaN here; fixed by the last select
  // Round to nearest with the 1.5·2^23 trick (exact for |v| < 2^22; vectorizes without SSE4.1's roundps).
  const float magic = 12582912.0f;
  const float n = (xc * 1.44269504088896341f + magic) - magic;
  float r = xc - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const float y = p * (r * r) + r + 1.0f;
  // 2^n in two factors so n in [-150, 128] stays representable and a subnormal result rounds once.
  const int32_t ni = int32_t(n);
  const int32_t n1 = ni / 2, n2 = ni - n1;
  const float res = y * fromBits((n1 + 127) << 23) * fromBits((n2 + 127) << 23);
  return x != x ? x : (x > hi ? kInf : (x < lo ? 0.0f : res));
}

/** log(x): x = m·2^e with m in [√½, √2), Cephes' degree-9 polynomial in m - 1. */
inline float logf(float x) {
  // Subnormals: scale by 2^23 first so the exponent field is meaningful.
  const bool sub = x < 1.17549435e-38f;
  const float xs = sub ? x * 8388608.0f : x;
  const int32_t bits = bitsOf(xs);
  float e = float(((bits >> 23) & 0xff) - 126) - (sub ? 23.0f : 0.0f);
  float m = fromBits((bits & 0x007fffff) | 0x3f000000);  // in [0.5, 1)
  const bool small = m < 0.707106781186547524f;
  e = small ? e - 1.0f : e;
  m = small ? m + m - 1.0f : m - 1.0f;
  const float z = m * m;
  float p = 7.0376836292e-2f;
  p = p * m - 1.1514610310e-1f;
  p = p * m + 1.1676998740e-1f;
  p = p * m - 1.2420140846e-1f;
  p = p * m + 1.4249322787e-1f;
  p = p * m - 1.6668057665e-1f;
  p = p * m + 2.0000714765e-1f;
  p = p * m - 2.4999993993e-1f;
  p = p * m + 3.3333331174e-1f;
  float y = p * m * z;
  y = y + e * -2.12194440e-4f;
  y = y - 0.5f * z;
  const float res = m + y + e * 0.693359375f;
  return x != x ? x : (x < 0.0f ? std::numeric_limits<float>::quiet_NaN() : (x == 0.0f ? -kInf : (x == kInf ? kInf : res)));
}

/**
 * tanh(x): for |x| < 0.625 Cephes' odd polynomial (keeps -0 and tiny x exact); above,
 * 1 - 2 / (exp(2|x|) + 1) with x's sign (exp overflows to Inf for large |x|, giving exactly ±1).
 */
inline float tanhf(float x) {
  const float z = x * x;
  float p = -5.70498872745e-3f;
  p = p * z + 2.06390887954e-2f;
  p = p * z - 5.37397155531e-2f;
  p = p * z + 1.33314422036e-1f;
  p = p * z - 3.33332819422e-1f;
  const float small = x + x * z * p;
  const float ax = x < 0.0f ? -x : x;
  const float large = copySign(1.0f - 2.0f / (expf(ax + ax) + 1.0f), x);
  return ax < 0.625f ? small : large;  // NaN: the large branch, NaN
}

/** sigmoid(x) = 1 / (1 + e) for x >= 0, else e / (1 + e), with e = exp(-|x|) (neither side overflows). */
inline float sigmoidf(float x) {
  const float ax = x < 0.0f ? -x : x;
  const float e = expf(-ax);
  const float r = 1.0f / (1.0f + e);
  return x >= 0.0f ? r : (x != x ? x : e * r);
}

/** The float64 sigmoid, written as the pure-TS kernel writes it. */
inline double sigmoid(double x) {
  if (x >= 0.0) return 1.0 / (1.0 + std::exp(-x));
  const double e = std::exp(x);
  return e / (1.0 + e);
}

}  // namespace vm
}  // namespace tsg
