// Max and average pooling, forward and backward, one [H, W] plane per task on our threads.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <type_traits>
#include <vector>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

#include "kernels.h"
#include "threadpool.h"

namespace tsg {
namespace {

struct PoolGeom {
  int64_t N, C, H, W, oH, oW, kH, kW, sH, sW, pH, pW;
  int64_t planes, HW, P;
  bool countIncludePad;
};

PoolGeom readPoolGeom(Meta& m, bool avg) {
  PoolGeom g;
  g.N = m.next("N", 0, kMaxDim);
  g.C = m.next("C", 0, kMaxDim);
  g.H = m.next("H", 0, kMaxDim);
  g.W = m.next("W", 0, kMaxDim);
  g.oH = m.next("output height", 0, kMaxDim);
  g.oW = m.next("output width", 0, kMaxDim);
  g.kH = m.next("kernel height", 1, kMaxDim);
  g.kW = m.next("kernel width", 1, kMaxDim);
  g.sH = m.next("stride", 1, kMaxDim);
  g.sW = m.next("stride", 1, kMaxDim);
  g.pH = m.next("padding", 0, kMaxDim);
  g.pW = m.next("padding", 0, kMaxDim);
  g.countIncludePad = avg ? m.next("countIncludePad", 0, 1) == 1 : false;
  g.planes = checkedMul(g.N, g.C, "pool planes");
  g.HW = checkedMul(g.H, g.W, "pool input plane");
  g.P = checkedMul(g.oH, g.oW, "pool output plane");
  // The output size must be PyTorch's (floor mode); that also bounds every window start to
  // [-pH, H + pH], so no index arithmetic below can overflow.
  const int64_t eh = (g.H + 2 * g.pH - g.kH), ew = (g.W + 2 * g.pW - g.kW);
  if (eh < 0 || ew < 0 || eh / g.sH + 1 != g.oH || ew / g.sW + 1 != g.oW)
    throwRange("pool2d: output spatial size [" + std::to_string(g.oH) + ", " + std::to_string(g.oW) +
               "] does not match input [" + std::to_string(g.H) + ", " + std::to_string(g.W) +
               "], kernel, stride and padding");
  return g;
}

// Pooling is memory-bound. While a sleeping worker took 40 us to wake, splitting W4's
// [64, 32, 28, 28] max pool over two threads measured slower than one inside a training step
// (2.7 ms against 1.6); with the pool's workers spinning between regions, inputs of 64K elements
// and more are split (W4's epoch 3.15 -> 3.0 s with the elementwise threshold, strided.h).
bool serialPool(const PoolGeom& g) { return double(g.planes) * double(g.HW) < double(1 << 16); }

// Input elements per task, at least: parallelFor hands out tasks with one atomic increment each,
// and with the counter's cache line bouncing between cores that costs ~0.1-0.2 us per task. One
// task per plane made W4's [64, 64, 14, 14] max pool (4096 planes of 196 elements) spend most of
// its 0.8 ms handing out tasks; 32K elements is still ~50 tasks for W4's pools, enough to balance.
constexpr int64_t kPoolTaskElements = 1 << 15;

// Runs body(plane) for every plane, consecutive planes grouped into tasks of about
// kPoolTaskElements input elements. Each plane is still computed alone, so results do not depend
// on the grouping.
template <typename Body>
void forEachPlane(const PoolGeom& g, Body&& body) {
  const int64_t per = std::max<int64_t>(1, kPoolTaskElements / std::max<int64_t>(g.HW, 1));
  const int64_t tasks = (g.planes + per - 1) / per;
  parallelFor(tasks, [&](int64_t t, int) {
    const int64_t end = std::min(g.planes, (t + 1) * per);
    for (int64_t plane = t * per; plane < end; plane++) body(plane);
  });
}

// One output row of a max pool window [h0, h0+kH) x [w0, w0+kW), any geometry.
// A value replaces the best when larger, or when it is the window's first NaN (NaN propagates,
// as in PyTorch); the first of equal values wins.
template <typename T>
void maxPoolRowGeneric(const T* xp, T* op, int32_t* ip, int64_t oh, const PoolGeom& g) {
  const int64_t h0 = oh * g.sH - g.pH, hs = std::max<int64_t>(h0, 0), he = std::min(h0 + g.kH, g.H);
  for (int64_t ow = 0; ow < g.oW; ow++) {
    const int64_t w0 = ow * g.sW - g.pW, ws = std::max<int64_t>(w0, 0), we = std::min(w0 + g.kW, g.W);
    T best = -std::numeric_limits<T>::infinity();
    int64_t bi = hs * g.W + ws;
    for (int64_t h = hs; h < he; h++) {
      const T* row = xp + h * g.W;
      for (int64_t w = ws; w < we; w++) {
        const T v = row[w];
        const bool take = !(best != best) && (v > best || v != v);
        best = take ? v : best;
        bi = take ? h * g.W + w : bi;
      }
    }
    op[oh * g.oW + ow] = best;
    ip[oh * g.oW + ow] = int32_t(bi);
  }
}

// The common 2x2, stride 2, unpadded window (every CNN's MaxPool2d(2)): straight-line selects
// over the four values, which the compiler vectorises across output columns (pool.cc is built
// with -fno-trapping-math, without which GCC keeps the compares as branches). The generic loop's
// inner loop carries its select chain window after window: ~6x slower here.
// Returns false when b, c or d of some window is NaN, and the caller redoes the row with the
// generic loop's first-NaN rule (a NaN in a is already right: no compare against it succeeds).
template <typename T>
bool maxPoolRow2x2(const T* xp, T* op, int32_t* ip, int64_t oh, const PoolGeom& g) {
  const T* __restrict r0 = xp + 2 * oh * g.W;
  const T* __restrict r1 = r0 + g.W;
  T* __restrict o = op + oh * g.oW;
  int32_t* __restrict id = ip + oh * g.oW;
  const int32_t base = int32_t(2 * oh * g.W), W = int32_t(g.W);
  int nan = 0;
  for (int64_t ow = 0; ow < g.oW; ow++) {
    const T a = r0[2 * ow], b = r0[2 * ow + 1], c = r1[2 * ow], d = r1[2 * ow + 1];
    nan |= int(b != b) | int(c != c) | int(d != d);
    // Strict '>' keeps the first of equal values, in the generic loop's scan order a, b, c, d.
    const bool tb = b > a;
    T best = tb ? b : a;
    int32_t at = tb ? 1 : 0;
    const bool tc = c > best;
    best = tc ? c : best;
    at = tc ? W : at;
    const bool td = d > best;
    best = td ? d : best;
    at = td ? W + 1 : at;
    o[ow] = best;
    id[ow] = base + int32_t(2 * ow) + at;
  }
  return nan == 0;
}

#if defined(__AVX512F__)
// maxPoolRow2x2 for float32 with AVX-512, 16 windows per step: the two input rows are loaded
// contiguously and split into the windows' a, b (c, d) lanes by one permute each, and a row's
// tail is a masked load and store. GCC's vectorisation of the loop above needs a gather-like
// deinterleave and leaves rows shorter than its vector (W4's 14- and 7-window rows) mostly
// scalar: single-threaded, W4's [64, 32, 28, 28] pool 540 -> 360 us, [64, 64, 14, 14] 550 -> 250.
// The compares and selects are the scalar loop's, so outputs and indices are the same bits.
bool maxPoolRow2x2F32(const float* xp, float* op, int32_t* ip, int64_t oh, const PoolGeom& g) {
  const float* r0 = xp + 2 * oh * g.W;
  const float* r1 = r0 + g.W;
  float* o = op + oh * g.oW;
  int32_t* id = ip + oh * g.oW;
  const __m512i evens = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
  const __m512i odds = _mm512_add_epi32(evens, _mm512_set1_epi32(1));
  const __m512i one = _mm512_set1_epi32(1), vW = _mm512_set1_epi32(int32_t(g.W)), vW1 = _mm512_set1_epi32(int32_t(g.W + 1));
  for (int64_t ow = 0; ow < g.oW; ow += 16) {
    const int64_t n = std::min<int64_t>(16, g.oW - ow), n2 = 2 * n;
    const __mmask16 m = __mmask16((1u << n) - 1);
    const __mmask16 lo = __mmask16(n2 >= 16 ? 0xffffu : (1u << n2) - 1), hi = __mmask16(n2 <= 16 ? 0u : (1u << (n2 - 16)) - 1);
    const __m512 t0 = _mm512_maskz_loadu_ps(lo, r0 + 2 * ow), t1 = _mm512_maskz_loadu_ps(hi, r0 + 2 * ow + 16);
    const __m512 u0 = _mm512_maskz_loadu_ps(lo, r1 + 2 * ow), u1 = _mm512_maskz_loadu_ps(hi, r1 + 2 * ow + 16);
    const __m512 a = _mm512_permutex2var_ps(t0, evens, t1), b = _mm512_permutex2var_ps(t0, odds, t1);
    const __m512 c = _mm512_permutex2var_ps(u0, evens, u1), d = _mm512_permutex2var_ps(u0, odds, u1);
    // Masked-off lanes loaded zeros, so only real windows can report a NaN.
    if (_mm512_cmp_ps_mask(b, b, _CMP_UNORD_Q) | _mm512_cmp_ps_mask(c, c, _CMP_UNORD_Q) | _mm512_cmp_ps_mask(d, d, _CMP_UNORD_Q))
      return false;
    const __mmask16 tb = _mm512_cmp_ps_mask(b, a, _CMP_GT_OQ);
    __m512 best = _mm512_mask_blend_ps(tb, a, b);
    __m512i at = _mm512_maskz_mov_epi32(tb, one);
    const __mmask16 tc = _mm512_cmp_ps_mask(c, best, _CMP_GT_OQ);
    best = _mm512_mask_blend_ps(tc, best, c);
    at = _mm512_mask_blend_epi32(tc, at, vW);
    const __mmask16 td = _mm512_cmp_ps_mask(d, best, _CMP_GT_OQ);
    best = _mm512_mask_blend_ps(td, best, d);
    at = _mm512_mask_blend_epi32(td, at, vW1);
    const __m512i base = _mm512_set1_epi32(int32_t(2 * oh * g.W + 2 * ow));
    _mm512_mask_storeu_ps(o + ow, m, best);
    _mm512_mask_storeu_epi32(id + ow, m, _mm512_add_epi32(_mm512_add_epi32(base, evens), at));
  }
  return true;
}
#endif

bool isUnpadded2x2(const PoolGeom& g) {
  return g.kH == 2 && g.kW == 2 && g.sH == 2 && g.sW == 2 && g.pH == 0 && g.pW == 0;
}

template <typename T>
bool maxPoolRow2x2Any(const T* xp, T* op, int32_t* ip, int64_t oh, const PoolGeom& g) {
#if defined(__AVX512F__)
  if constexpr (std::is_same_v<T, float>) return maxPoolRow2x2F32(xp, op, ip, oh, g);
#endif
  return maxPoolRow2x2(xp, op, ip, oh, g);
}

template <typename T>
void maxPoolFwd(const T* x, T* out, int32_t* idx, const PoolGeom& g) {
  const bool fast = isUnpadded2x2(g);
  forEachPlane(g, [&](int64_t plane) {
    const T* xp = x + plane * g.HW;
    T* op = out + plane * g.P;
    int32_t* ip = idx + plane * g.P;
    for (int64_t oh = 0; oh < g.oH; oh++)
      if (!fast || !maxPoolRow2x2Any(xp, op, ip, oh, g)) maxPoolRowGeneric(xp, op, ip, oh, g);
  });
}

// Returns the position (plane * P + i) of the first index outside its plane, or -1. Each index
// is checked just before it is used, so memory is never written out of bounds, without a
// separate pass over all the indices first; gradIn is our output, so a partly written one is
// simply not returned when the call throws.
template <typename T>
int64_t maxPoolBwd(const T* gout, const int32_t* idx, T* gin, const PoolGeom& g) {
  // Zero-fill then scatter is already memory-bound: writing each 2x2 window's four values
  // directly (vectorised selects) measured ~1.5x slower for MaxPool2d(2).
  std::atomic<int64_t> bad{-1};
  forEachPlane(g, [&](int64_t plane) {
    T* gp = gin + plane * g.HW;
    const T* op = gout + plane * g.P;
    const int32_t* ip = idx + plane * g.P;
    std::fill(gp, gp + g.HW, T(0));
    for (int64_t i = 0; i < g.P; i++) {
      const uint32_t at = uint32_t(ip[i]);
      if (at >= uint64_t(g.HW)) {
        int64_t none = -1;
        bad.compare_exchange_strong(none, plane * g.P + i);
        return;
      }
      gp[at] += op[i];
    }
  });
  return bad.load();
}

int64_t divisor(int64_t h0, int64_t w0, const PoolGeom& g) {
  if (g.countIncludePad) {
    const int64_t he = std::min(h0 + g.kH, g.H + g.pH), we = std::min(w0 + g.kW, g.W + g.pW);
    return (he - h0) * (we - w0);
  }
  const int64_t hs = std::max<int64_t>(h0, 0), ws = std::max<int64_t>(w0, 0);
  return (std::min(h0 + g.kH, g.H) - hs) * (std::min(w0 + g.kW, g.W) - ws);
}

template <typename T>
void avgPoolFwd(const T* x, T* out, const PoolGeom& g) {
  forEachPlane(g, [&](int64_t plane) {
    const T* xp = x + plane * g.HW;
    T* op = out + plane * g.P;
    for (int64_t oh = 0; oh < g.oH; oh++) {
      const int64_t h0 = oh * g.sH - g.pH, hs = std::max<int64_t>(h0, 0), he = std::min(h0 + g.kH, g.H);
      for (int64_t ow = 0; ow < g.oW; ow++) {
        const int64_t w0 = ow * g.sW - g.pW, ws = std::max<int64_t>(w0, 0), we = std::min(w0 + g.kW, g.W);
        T s = 0;
        for (int64_t h = hs; h < he; h++)
          for (int64_t w = ws; w < we; w++) s += xp[h * g.W + w];
        op[oh * g.oW + ow] = s / T(divisor(h0, w0, g));
      }
    }
  });
}

template <typename T>
void avgPoolBwd(const T* gout, T* gin, const PoolGeom& g) {
  forEachPlane(g, [&](int64_t plane) {
    T* gp = gin + plane * g.HW;
    const T* op = gout + plane * g.P;
    std::fill(gp, gp + g.HW, T(0));
    for (int64_t oh = 0; oh < g.oH; oh++) {
      const int64_t h0 = oh * g.sH - g.pH, hs = std::max<int64_t>(h0, 0), he = std::min(h0 + g.kH, g.H);
      for (int64_t ow = 0; ow < g.oW; ow++) {
        const int64_t w0 = ow * g.sW - g.pW, ws = std::max<int64_t>(w0, 0), we = std::min(w0 + g.kW, g.W);
        const T v = op[oh * g.oW + ow] / T(divisor(h0, w0, g));
        for (int64_t h = hs; h < he; h++)
          for (int64_t w = ws; w < we; w++) gp[h * g.W + w] += v;
      }
    }
  });
}

}  // namespace

// maxPool2d(x, out, indices, meta), meta = [N, C, H, W, oH, oW, kH, kW, sH, sW, pH, pW, xOffset, outOffset,
// indicesOffset]; all contiguous; indices an Int32Array.
Napi::Value maxPool2d(const Napi::CallbackInfo& info) {
  if (info.Length() != 4) throwType("maxPool2d expects 4 arguments (x, out, indices, meta)");
  Buf xb = getBuf(info, 0, "x"), ob = getBuf(info, 1, "out"), ib = getBuf(info, 2, "indices");
  requireFloat(ob);
  requireSameDType(ob, xb);
  requireDType(ib, DType::i32);
  Meta m(info, 3, "meta");
  PoolGeom g = readPoolGeom(m, false);
  if (g.HW > int64_t(INT32_MAX)) throwRange("maxPool2d: an input plane of " + std::to_string(g.HW) + " elements cannot be indexed by int32");
  int64_t xs[4] = {g.N, g.C, g.H, g.W}, os[4] = {g.N, g.C, g.oH, g.oW};
  View x = contiguousView(xb, 4, xs, m.next("x offset", 0, kMaxIndex), "x");
  View out = contiguousView(ob, 4, os, m.next("out offset", 0, kMaxIndex), "out");
  View idx = contiguousView(ib, 4, os, m.next("indices offset", 0, kMaxIndex), "indices");
  m.expectEnd();
  std::vector<char> t1;
  if (viewsOverlap(x, out) || viewsOverlap(x, idx)) detachFromOutput(x, t1);
  if (viewsOverlap(out, idx)) throwRange("maxPool2d: out and indices overlap");
  withFloat(ob.dtype, [&](auto z) {
    using T = decltype(z);
    maxPoolFwd<T>(x.at<T>(), out.at<T>(), idx.at<int32_t>(), g);
  });
  return info.Env().Undefined();
}

// maxPool2dBackward(gradOut, indices, gradIn, meta), meta = [geometry..., gradOutOffset, indicesOffset, gradInOffset].
Napi::Value maxPool2dBackward(const Napi::CallbackInfo& info) {
  if (info.Length() != 4) throwType("maxPool2dBackward expects 4 arguments (gradOut, indices, gradIn, meta)");
  Buf gob = getBuf(info, 0, "gradOut"), ib = getBuf(info, 1, "indices"), gib = getBuf(info, 2, "gradIn");
  requireFloat(gib);
  requireSameDType(gib, gob);
  requireDType(ib, DType::i32);
  Meta m(info, 3, "meta");
  PoolGeom g = readPoolGeom(m, false);
  int64_t xs[4] = {g.N, g.C, g.H, g.W}, os[4] = {g.N, g.C, g.oH, g.oW};
  View go = contiguousView(gob, 4, os, m.next("gradOut offset", 0, kMaxIndex), "gradOut");
  View idx = contiguousView(ib, 4, os, m.next("indices offset", 0, kMaxIndex), "indices");
  View gi = contiguousView(gib, 4, xs, m.next("gradIn offset", 0, kMaxIndex), "gradIn");
  m.expectEnd();
  std::vector<char> t1, t2;
  if (viewsOverlap(go, gi)) detachFromOutput(go, t1);
  if (viewsOverlap(idx, gi)) detachFromOutput(idx, t2);
  const int32_t* ip = idx.at<int32_t>();
  int64_t bad = -1;
  withFloat(gib.dtype, [&](auto z) {
    using T = decltype(z);
    bad = maxPoolBwd<T>(go.at<T>(), ip, gi.at<T>(), g);
  });
  if (bad >= 0)  // with several bad indices, threads may report a later one than the first
    throwRange("maxPool2dBackward: indices[" + std::to_string(bad) + "] = " + std::to_string(ip[bad]) +
               " is out of bounds for an input plane of " + std::to_string(g.H) + " x " + std::to_string(g.W) + " = " +
               std::to_string(g.HW) + " elements");
  return info.Env().Undefined();
}

// avgPool2d(x, out, meta), meta = [N, C, H, W, oH, oW, kH, kW, sH, sW, pH, pW, countIncludePad, xOffset, outOffset].
Napi::Value avgPool2d(const Napi::CallbackInfo& info) {
  if (info.Length() != 3) throwType("avgPool2d expects 3 arguments (x, out, meta)");
  Buf xb = getBuf(info, 0, "x"), ob = getBuf(info, 1, "out");
  requireFloat(ob);
  requireSameDType(ob, xb);
  Meta m(info, 2, "meta");
  PoolGeom g = readPoolGeom(m, true);
  int64_t xs[4] = {g.N, g.C, g.H, g.W}, os[4] = {g.N, g.C, g.oH, g.oW};
  View x = contiguousView(xb, 4, xs, m.next("x offset", 0, kMaxIndex), "x");
  View out = contiguousView(ob, 4, os, m.next("out offset", 0, kMaxIndex), "out");
  m.expectEnd();
  std::vector<char> t1;
  if (viewsOverlap(x, out)) detachFromOutput(x, t1);
  withFloat(ob.dtype, [&](auto z) {
    using T = decltype(z);
    avgPoolFwd<T>(x.at<T>(), out.at<T>(), g);
  });
  return info.Env().Undefined();
}

// avgPool2dBackward(gradOut, gradIn, meta), meta = [geometry..., countIncludePad, gradOutOffset, gradInOffset].
Napi::Value avgPool2dBackward(const Napi::CallbackInfo& info) {
  if (info.Length() != 3) throwType("avgPool2dBackward expects 3 arguments (gradOut, gradIn, meta)");
  Buf gob = getBuf(info, 0, "gradOut"), gib = getBuf(info, 1, "gradIn");
  requireFloat(gib);
  requireSameDType(gib, gob);
  Meta m(info, 2, "meta");
  PoolGeom g = readPoolGeom(m, true);
  int64_t xs[4] = {g.N, g.C, g.H, g.W}, os[4] = {g.N, g.C, g.oH, g.oW};
  View go = contiguousView(gob, 4, os, m.next("gradOut offset", 0, kMaxIndex), "gradOut");
  View gi = contiguousView(gib, 4, xs, m.next("gradIn offset", 0, kMaxIndex), "gradIn");
  m.expectEnd();
  std::vector<char> t1;
  if (viewsOverlap(go, gi)) detachFromOutput(go, t1);
  withFloat(gib.dtype, [&](auto z) {
    using T = decltype(z);
    avgPoolBwd<T>(go.at<T>(), gi.at<T>(), g);
  });
  return info.Env().Undefined();
}

}  // namespace tsg
