// conv2d forward and its input/weight gradients: the N-API entry points, and im2col/col2im + GEMM.
//
// Float32 convs with unit stride and dilation and one group go to the direct AVX-512 kernels of
// conv_direct.cc when the build has them and the shape suits them; the rest come here.
//
// Two schedules (see perImage()). When there are enough images to share out and one image's
// unfolded input fits in a core's L2 (or its GEMM is so small BLAS would not thread it), images
// are spread over our threads, each doing im2col + the serial bundled GEMM straight into the
// output: no synchronisation, everything stays in cache. Otherwise im2col unfolds a chunk of
// several images side by side, so one large BLAS GEMM (threaded by BLAS) covers the chunk; our
// own threads do the memory-bound unfolding, gathering and scattering between BLAS calls, never
// during one.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <type_traits>
#include <vector>

#include "conv_direct.h"
#include "conv_geom.h"
#include "gemm.h"
#include "kernels.h"
#include "threadpool.h"

namespace tsg {
namespace {

int64_t floorDiv(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

int64_t outSize(int64_t in, int64_t k, int64_t s, int64_t p, int64_t d) {
  return floorDiv(in + 2 * p - d * (k - 1) - 1, s) + 1;
}

// Reads the geometry prefix of a conv meta array and checks it is self-consistent.
Geom readGeom(Meta& m) {
  Geom g;
  g.N = m.next("N", 0, kMaxDim);
  g.C = m.next("C", 0, kMaxDim);
  g.H = m.next("H", 0, kMaxDim);
  g.W = m.next("W", 0, kMaxDim);
  g.O = m.next("O (out channels)", 0, kMaxDim);
  g.Cg = m.next("C/groups", 0, kMaxDim);
  g.kH = m.next("kernel height", 1, kMaxDim);
  g.kW = m.next("kernel width", 1, kMaxDim);
  g.oH = m.next("output height", 0, kMaxDim);
  g.oW = m.next("output width", 0, kMaxDim);
  g.sH = m.next("stride", 1, kMaxDim);
  g.sW = m.next("stride", 1, kMaxDim);
  g.pH = m.next("padding", 0, kMaxDim);
  g.pW = m.next("padding", 0, kMaxDim);
  g.dH = m.next("dilation", 1, kMaxDim);
  g.dW = m.next("dilation", 1, kMaxDim);
  g.groups = m.next("groups", 1, kMaxDim);
  if (checkedMul(g.Cg, g.groups, "conv2d") != g.C)
    throwRange("conv2d: weight has " + std::to_string(g.Cg) + " input channels per group but input has " +
               std::to_string(g.C) + " channels and groups=" + std::to_string(g.groups));
  if (g.O % g.groups != 0)
    throwRange("conv2d: out channels " + std::to_string(g.O) + " not divisible by groups " + std::to_string(g.groups));
  int64_t eh = outSize(g.H, g.kH, g.sH, g.pH, g.dH), ew = outSize(g.W, g.kW, g.sW, g.pW, g.dW);
  if (eh != g.oH || ew != g.oW)
    throwRange("conv2d: output spatial size [" + std::to_string(g.oH) + ", " + std::to_string(g.oW) +
               "] does not match input, kernel, stride, padding and dilation (expected [" + std::to_string(eh) + ", " +
               std::to_string(ew) + "])");
  g.Og = g.O / g.groups;
  g.P = checkedMul(g.oH, g.oW, "conv2d output plane");
  g.CKK = checkedMul(checkedMul(g.Cg, g.kH, "conv2d"), g.kW, "conv2d");
  g.HW = checkedMul(g.H, g.W, "conv2d input plane");
  return g;
}

// im2colChannel for a unit-stride, undilated conv whose output rows are as wide as the input's
// ("same" padding, the usual 3x3 pad 1): row (ki, kj) of col is then the input plane shifted by a
// constant, so one copy of the valid span plus a few zeroed edge columns replaces oH short copies
// (2x faster on W2b's 14x14 planes, where the per-row memcpy calls dominated).
template <typename T>
void im2colChannelShifted(const T* plane, const Geom& g, int64_t c, T* col, int64_t ld) {
  for (int64_t ki = 0; ki < g.kH; ki++) {
    for (int64_t kj = 0; kj < g.kW; kj++) {
      T* row = col + ((c % g.Cg) * g.kH * g.kW + ki * g.kW + kj) * ld;
      const int64_t dh = ki - g.pH, dw = kj - g.pW;
      // output rows [oh0, oh1) read input rows oh + dh inside [0, H)
      const int64_t oh0 = std::min(std::max<int64_t>(-dh, 0), g.oH);
      const int64_t oh1 = std::max(oh0, std::min(g.oH, g.H - dh));
      std::fill(row, row + oh0 * g.oW, T(0));
      if (oh1 > oh0) {
        T* d = row + oh0 * g.oW;
        const int64_t n = (oh1 - oh0) * g.oW;
        // Output element i of these rows reads input element i + dw of rows oh0 + dh...; skip
        // the ends that would fall outside the plane. Columns that wrapped into a neighbouring
        // row are zeroed below.
        const int64_t a = std::min(dw < 0 ? -dw : 0, n), b = std::max(a, dw > 0 ? n - dw : n);
        std::memcpy(d + a, plane + (oh0 + dh) * g.W + dw + a, size_t(b - a) * sizeof(T));
        const int64_t zl = std::min(std::max<int64_t>(-dw, 0), g.oW), zr = std::max(std::min(g.oW - dw, g.oW), zl);
        for (int64_t oh = 0; oh < oh1 - oh0; oh++) {
          T* r = d + oh * g.oW;
          for (int64_t ow = 0; ow < zl; ow++) r[ow] = T(0);
          for (int64_t ow = zr; ow < g.oW; ow++) r[ow] = T(0);
        }
      }
      std::fill(row + oh1 * g.oW, row + g.oH * g.oW, T(0));
    }
  }
}

// Unfolds channel c (of the group starting at c0) of one image into the kH*kW rows of col it owns.
template <typename T>
void im2colChannel(const T* x, const Geom& g, int64_t c, T* col, int64_t ld) {
  const T* plane = x + c * g.HW;
  if (g.sH == 1 && g.sW == 1 && g.dH == 1 && g.dW == 1 && g.oW == g.W) return im2colChannelShifted(plane, g, c, col, ld);
  for (int64_t ki = 0; ki < g.kH; ki++) {
    for (int64_t kj = 0; kj < g.kW; kj++) {
      T* row = col + ((c % g.Cg) * g.kH * g.kW + ki * g.kW + kj) * ld;
      const int64_t iw0 = kj * g.dW - g.pW;
      // ow range whose iw = iw0 + ow*sW lies in [0, W)
      int64_t lo = iw0 >= 0 ? 0 : (-iw0 + g.sW - 1) / g.sW;
      int64_t hi = g.W - iw0 <= 0 ? 0 : (g.W - iw0 - 1) / g.sW + 1;
      lo = std::min(lo, g.oW);
      hi = std::max(lo, std::min(hi, g.oW));
      for (int64_t oh = 0; oh < g.oH; oh++) {
        T* d = row + oh * g.oW;
        const int64_t ih = oh * g.sH - g.pH + ki * g.dH;
        if (ih < 0 || ih >= g.H) {
          std::fill(d, d + g.oW, T(0));
          continue;
        }
        const T* s = plane + ih * g.W + iw0;
        std::fill(d, d + lo, T(0));
        if (g.sW == 1) std::memcpy(d + lo, s + lo, size_t(hi - lo) * sizeof(T));
        else for (int64_t ow = lo; ow < hi; ow++) d[ow] = s[ow * g.sW];
        std::fill(d + hi, d + g.oW, T(0));
      }
    }
  }
}

// col2imChannel for the geometry im2colChannelShifted handles: row (ki, kj) of col adds onto the
// plane shifted by a constant, so each row is one long vectorised add instead of oH short ones.
// The entries of col whose column falls outside the image (they would wrap onto the neighbouring
// input row) are zeroed first; adding +0 leaves every sum unchanged (gx starts at +0 and never
// holds -0), so the result is bit-for-bit that of the row-by-row loop. col is our scratch.
template <typename T>
void col2imChannelShifted(T* col, int64_t ld, const Geom& g, int64_t c, T* plane) {
  for (int64_t ki = 0; ki < g.kH; ki++) {
    for (int64_t kj = 0; kj < g.kW; kj++) {
      T* row = col + ((c % g.Cg) * g.kH * g.kW + ki * g.kW + kj) * ld;
      const int64_t dh = ki - g.pH, dw = kj - g.pW;
      const int64_t oh0 = std::min(std::max<int64_t>(-dh, 0), g.oH);
      const int64_t oh1 = std::max(oh0, std::min(g.oH, g.H - dh));
      if (oh1 == oh0) continue;
      T* s = row + oh0 * g.oW;
      const int64_t n = (oh1 - oh0) * g.oW;
      const int64_t zl = std::min(std::max<int64_t>(-dw, 0), g.oW), zr = std::max(std::min(g.oW - dw, g.oW), zl);
      for (int64_t oh = 0; oh < oh1 - oh0; oh++) {
        T* r = s + oh * g.oW;
        for (int64_t ow = 0; ow < zl; ow++) r[ow] = T(0);
        for (int64_t ow = zr; ow < g.oW; ow++) r[ow] = T(0);
      }
      // As in im2colChannelShifted, the ends that would fall outside the plane are skipped.
      const int64_t a = std::min(dw < 0 ? -dw : 0, n), b = std::max(a, dw > 0 ? n - dw : n);
      T* __restrict d = plane + (oh0 + dh) * g.W + dw + a;
      const T* __restrict src = s + a;
      for (int64_t i = 0; i < b - a; i++) d[i] += src[i];
    }
  }
}

// Adds the kH*kW rows of col that belong to channel c back into that channel's plane of gx
// (col is scratch: the shifted fast path zeroes some of its entries).
template <typename T>
void col2imChannel(T* col, int64_t ld, const Geom& g, int64_t c, T* gx) {
  T* plane = gx + c * g.HW;
  if (g.sH == 1 && g.sW == 1 && g.dH == 1 && g.dW == 1 && g.oW == g.W) return col2imChannelShifted(col, ld, g, c, plane);
  for (int64_t ki = 0; ki < g.kH; ki++) {
    for (int64_t kj = 0; kj < g.kW; kj++) {
      const T* row = col + ((c % g.Cg) * g.kH * g.kW + ki * g.kW + kj) * ld;
      const int64_t iw0 = kj * g.dW - g.pW;
      int64_t lo = iw0 >= 0 ? 0 : (-iw0 + g.sW - 1) / g.sW;
      int64_t hi = g.W - iw0 <= 0 ? 0 : (g.W - iw0 - 1) / g.sW + 1;
      lo = std::min(lo, g.oW);
      hi = std::max(lo, std::min(hi, g.oW));
      for (int64_t oh = 0; oh < g.oH; oh++) {
        const int64_t ih = oh * g.sH - g.pH + ki * g.dH;
        if (ih < 0 || ih >= g.H) continue;
        const T* s = row + oh * g.oW;
        T* d = plane + ih * g.W + iw0;
        if (g.sW == 1) for (int64_t ow = lo; ow < hi; ow++) d[ow] += s[ow];
        else for (int64_t ow = lo; ow < hi; ow++) d[ow * g.sW] += s[ow];
      }
    }
  }
}

template <typename T> std::vector<T>& scratch(int which) {
  thread_local std::vector<T> bufs[3];
  return bufs[which];
}
template <typename T> T* scratchOf(int which, int64_t n) {
  auto& v = scratch<T>(which);
  if (int64_t(v.size()) < n) v.resize(size_t(n));
  return v.data();
}

// TSGRAD_CONV_SCHEDULE=per-image|batched forces an im2col schedule, never the direct kernels
// (benchmarking); read once per process.
int forcedSchedule() {
  static const int forced = [] {
    const char* e = std::getenv("TSGRAD_CONV_SCHEDULE");
    if (e == nullptr) return 0;
    if (std::strcmp(e, "per-image") == 0) return 1;
    if (std::strcmp(e, "batched") == 0) return 2;
    return 0;
  }();
  return forced;
}

// Per-image work on our threads (each image's im2col, GEMM and output stay in that core's cache,
// no synchronisation until the end) wins whenever there are enough images to share out and one
// image's unfolded input fits in a core's L2; otherwise one large BLAS GEMM per chunk of images.
bool perImage(const Geom& g) {
  if (int f = forcedSchedule()) return f == 1;
  const double tasks = double(g.N) * double(g.groups);
  const double colBytes = double(g.CKK) * double(g.P) * 8.0;
  if (double(g.Og) * double(g.P) * double(g.CKK) < 262144.0) return true;
  return tasks >= 2.0 * poolThreads() && colBytes <= 1024.0 * 1024.0;
}

// Images per chunk in the batched schedule: enough columns for an efficient GEMM, bounded memory.
int64_t chunkImages(const Geom& g) {
  int64_t target = std::max<int64_t>(1, (4096 + g.P - 1) / std::max<int64_t>(g.P, 1));
  int64_t byMem = std::max<int64_t>(1, (int64_t(8) << 20) / std::max<int64_t>(1, g.CKK * g.P));
  int64_t nb = std::min({target, byMem, std::max<int64_t>(g.N, 1)});
  int64_t chunks = (g.N + nb - 1) / nb;
  return chunks == 0 ? 1 : (g.N + chunks - 1) / chunks;
}

// Fraction of the bundled micro-kernel's MR x NR tiles an M x N product leaves unused (>= 1).
template <typename T> double tileWaste(int64_t M, int64_t N) {
  constexpr int64_t MR = 6, NR = 64 / sizeof(T);
  return double((M + MR - 1) / MR * MR) * double((N + NR - 1) / NR * NR) / (double(M) * double(N));
}

// Small parallel regions cost more to start than they save.
bool tiny(double elements) { return elements < 16384.0; }

// Elements of work per parallelFor task, at least: parallelFor hands out tasks with one atomic
// increment each, ~0.1-0.2 us with the counter's cache line bouncing between cores, so one task per
// 196-element plane (the batched schedule's loops over images x channels) spent more on handing out
// tasks than on the work: batched schedule forced on W2b's shape, forward 4.6-5.0 -> 3.7-4.0 ms,
// input gradient 4.7-5.0 -> 3.5-3.6, weight gradient 4.75 -> 3.7-3.9. As pool.cc's forEachPlane.
constexpr int64_t kTaskElements = 1 << 15;

// Runs body(i, tid) for every i in [0, n), consecutive items grouped into tasks of about
// kTaskElements (itemElements each). Each item is still computed alone, so results do not depend
// on the grouping; a task runs on one thread, so tid is that of every item in it.
template <typename Body>
void forEachItem(int64_t n, int64_t itemElements, Body&& body, bool serial = false, int maxThreads = 0) {
  const int64_t per = std::max<int64_t>(1, kTaskElements / std::max<int64_t>(itemElements, 1));
  parallelFor((n + per - 1) / per, [&](int64_t t, int tid) {
    const int64_t end = std::min(n, (t + 1) * per);
    for (int64_t i = t * per; i < end; i++) body(i, tid);
  }, serial, maxThreads);
}

// Elements one (image, group) item of the per-image schedule reads and writes: its input
// channels, their unfolded copy and its output channels. Only grouped convs (e.g. depthwise, a
// few thousand elements per item) have items small enough to share a task.
int64_t groupElements(const Geom& g) { return g.Cg * g.HW + g.CKK * g.P + g.Og * g.P; }

// Whether the per-image schedule's GEMMs should be single-threaded BLAS calls rather than the
// bundled GEMM: OpenBLAS's kernels measured 10-20% faster on mid-sized products (W2b's 64 x 196 x
// 288 per image), slower when a dimension is small (W2a's K = 9: 29 vs 40 GFLOPS).
bool serialBlasPays(const Geom& g) { return std::min({g.Og, g.CKK, g.P}) >= 32; }

// One image's GEMM on one of our threads: C = A·B (+ C).
template <typename T>
void imageGemm(bool blas, int64_t M, int64_t N, int64_t K, const T* A, int64_t ars, int64_t acs, const T* B, int64_t brs,
               int64_t bcs, T* C, int64_t ldc, bool accumulate) {
  if (blas) gemm<T>(M, N, K, A, ars, acs, B, brs, bcs, C, ldc, accumulate, true);
  else bundledGemm<T>(M, N, K, A, ars, acs, B, brs, bcs, C, ldc, accumulate, false);
}

// Unfolds the channels of group gi of image n into col (column 0 at col, rows ld apart).
template <typename T>
void unfoldImage(const T* x, const Geom& g, int64_t n, int64_t gi, T* col, int64_t ld) {
  for (int64_t c = gi * g.Cg; c < (gi + 1) * g.Cg; c++) im2colChannel(x + n * g.C * g.HW, g, c, col, ld);
}

// Lays images [n0, n0 + cnt) of gradOut (groups == 1) side by side: channel oc of image n0 + j
// becomes row oc of tmp from column j·P (rows ld = cnt·P apart).
template <typename T>
void gatherGradOut(const T* gout, const Geom& g, int64_t n0, int64_t cnt, T* tmp, int64_t ld) {
  for (int64_t j = 0; j < cnt; j++)
    for (int64_t oc = 0; oc < g.O; oc++)
      std::memcpy(tmp + oc * ld + j * g.P, gout + ((n0 + j) * g.O + oc) * g.P, size_t(g.P) * sizeof(T));
}

// Images per task of the per-image schedule when BLAS runs its GEMMs. One image's W2b-sized
// product (N = 196 columns) reaches 107 GFLOPS in single-threaded OpenBLAS, four side by side
// (N = 784) 131: a task takes several images while their unfolded input stays within 1 MiB (in
// L2) and every thread still gets two tasks. Groups keep one image per task.
template <typename T>
int64_t imagesPerTask(const Geom& g, bool blas) {
  if (!blas || g.groups != 1) return 1;
  const double colBytes = double(g.CKK) * double(g.P) * double(sizeof(T));
  int64_t k = std::max<int64_t>(1, int64_t(double(1 << 20) / colBytes));
  k = std::min<int64_t>({k, 8, std::max<int64_t>(1, g.N / (2 * int64_t(poolThreads())))});
  return k;
}

template <typename T>
void convForward(const T* x, const T* w, const T* bias, int64_t biasStride, T* out, const Geom& g) {
  if (g.N == 0 || g.O == 0 || g.P == 0) return;
  auto addBias = [&](T* o, int64_t oc) {
    if (bias == nullptr) return;
    const T b = bias[oc * biasStride];
    for (int64_t i = 0; i < g.P; i++) o[i] += b;
  };
  // o = src (+ bias): one pass over the plane instead of a copy then addBias's second pass; the
  // same single add per element, so the same bits.
  auto copyOut = [&](T* __restrict o, const T* __restrict src, int64_t oc) {
    if (bias == nullptr) return void(std::memcpy(o, src, size_t(g.P) * sizeof(T)));
    const T b = bias[oc * biasStride];
    for (int64_t i = 0; i < g.P; i++) o[i] = src[i] + b;
  };
  if constexpr (std::is_same_v<T, float>) {
    if (forcedSchedule() == 0 && directConvForward(x, w, bias, biasStride, out, g)) return;
  }
  if (g.CKK == 0) {  // no input channels: output is just the bias
    parallelFor(g.N * g.O, [&](int64_t t, int) {
      T* o = out + t * g.P;
      std::fill(o, o + g.P, T(0));
      addBias(o, t % g.O);
    }, true);
    return;
  }
  if (perImage(g)) {
    const bool blas = serialBlasPays(g);
    std::optional<SerialBlasScope> serial;
    if (blas) serial.emplace();
    const bool useBlas = blas && serial->active;
    const int64_t k = imagesPerTask<T>(g, useBlas);
    if (k > 1) {  // groups == 1: col [CKK, cnt·P] holds cnt images side by side
      parallelFor((g.N + k - 1) / k, [&](int64_t t, int) {
        const int64_t n0 = t * k, cnt = std::min(k, g.N - n0), ld = cnt * g.P;
        T* col = scratchOf<T>(0, g.CKK * ld);
        for (int64_t j = 0; j < cnt; j++) unfoldImage(x, g, n0 + j, 0, col + j * g.P, ld);
        T* tmp = scratchOf<T>(1, g.O * ld);
        imageGemm<T>(true, g.O, ld, g.CKK, w, g.CKK, 1, col, ld, 1, tmp, ld, false);
        for (int64_t j = 0; j < cnt; j++)
          for (int64_t oc = 0; oc < g.O; oc++) copyOut(out + ((n0 + j) * g.O + oc) * g.P, tmp + oc * ld + j * g.P, oc);
      });
      return;
    }
    forEachItem(g.N * g.groups, groupElements(g), [&](int64_t t, int) {
      const int64_t n = t / g.groups, gi = t % g.groups;
      T* col = scratchOf<T>(0, g.CKK * g.P);
      unfoldImage(x, g, n, gi, col, g.P);
      T* o = out + (n * g.O + gi * g.Og) * g.P;
      imageGemm<T>(useBlas, g.Og, g.P, g.CKK, w + gi * g.Og * g.CKK, g.CKK, 1, col, g.P, 1, o, g.P, false);
      for (int64_t oc = 0; oc < g.Og; oc++) addBias(o + oc * g.P, gi * g.Og + oc);
    }, tiny(double(g.N) * double(g.O) * double(g.P)));
    return;
  }
  const int64_t nb = chunkImages(g);
  for (int64_t n0 = 0; n0 < g.N; n0 += nb) {
    const int64_t cnt = std::min(nb, g.N - n0), ld = cnt * g.P;
    for (int64_t gi = 0; gi < g.groups; gi++) {
      T* col = scratchOf<T>(0, g.CKK * ld);
      forEachItem(cnt * g.Cg, g.kH * g.kW * g.P, [&](int64_t t, int) {
        const int64_t j = t / g.Cg, c = gi * g.Cg + t % g.Cg;
        im2colChannel(x + (n0 + j) * g.C * g.HW, g, c, col + j * g.P, ld);
      });
      const T* wg = w + gi * g.Og * g.CKK;
      if (cnt == 1) {
        T* o = out + (n0 * g.O + gi * g.Og) * g.P;
        gemm<T>(g.Og, g.P, g.CKK, wg, g.CKK, 1, col, g.P, 1, o, g.P, false);
        for (int64_t oc = 0; oc < g.Og; oc++) addBias(o + oc * g.P, gi * g.Og + oc);
        continue;
      }
      T* tmp = scratchOf<T>(1, g.Og * ld);
      gemm<T>(g.Og, ld, g.CKK, wg, g.CKK, 1, col, ld, 1, tmp, ld, false);
      forEachItem(cnt * g.Og, g.P, [&](int64_t t, int) {
        const int64_t j = t / g.Og, oc = t % g.Og;
        copyOut(out + ((n0 + j) * g.O + gi * g.Og + oc) * g.P, tmp + oc * ld + j * g.P, gi * g.Og + oc);
      });
    }
  }
}

template <typename T>
void convBackwardInput(const T* gout, const T* w, T* gin, const Geom& g) {
  if (g.N == 0 || g.C == 0 || g.HW == 0) return;
  if (g.O == 0 || g.P == 0) {
    std::fill(gin, gin + g.N * g.C * g.HW, T(0));
    return;
  }
  if constexpr (std::is_same_v<T, float>) {
    if (forcedSchedule() == 0 && directConvBackwardInput(gout, w, gin, g)) return;
  }
  if (perImage(g)) {
    const bool blas = serialBlasPays(g);
    std::optional<SerialBlasScope> serial;
    if (blas) serial.emplace();
    const bool useBlas = blas && serial->active;
    const int64_t k = imagesPerTask<T>(g, useBlas);
    if (k > 1) {  // groups == 1: gradOut of cnt images side by side, col [CKK, cnt·P] = W^T · that
      parallelFor((g.N + k - 1) / k, [&](int64_t t, int) {
        const int64_t n0 = t * k, cnt = std::min(k, g.N - n0), ld = cnt * g.P;
        T* tmp = scratchOf<T>(1, g.O * ld);
        gatherGradOut(gout, g, n0, cnt, tmp, ld);
        T* col = scratchOf<T>(0, g.CKK * ld);
        imageGemm<T>(true, g.CKK, ld, g.O, w, 1, g.CKK, tmp, ld, 1, col, ld, false);
        T* gx = gin + n0 * g.C * g.HW;
        std::fill(gx, gx + cnt * g.C * g.HW, T(0));
        for (int64_t j = 0; j < cnt; j++)
          for (int64_t c = 0; c < g.C; c++) col2imChannel(col + j * g.P, ld, g, c, gx + j * g.C * g.HW);
      });
      return;
    }
    forEachItem(g.N * g.groups, groupElements(g), [&](int64_t t, int) {
      const int64_t n = t / g.groups, gi = t % g.groups;
      // This task's channels of gradIn start at zero; col2im adds into them.
      std::fill(gin + (n * g.C + gi * g.Cg) * g.HW, gin + (n * g.C + (gi + 1) * g.Cg) * g.HW, T(0));
      T* col = scratchOf<T>(0, g.CKK * g.P);
      // col [CKK, P] = W_g^T [CKK, Og] · gradOut_g [Og, P]
      imageGemm<T>(useBlas, g.CKK, g.P, g.Og, w + gi * g.Og * g.CKK, 1, g.CKK, gout + (n * g.O + gi * g.Og) * g.P, g.P, 1,
                   col, g.P, false);
      for (int64_t c = gi * g.Cg; c < (gi + 1) * g.Cg; c++) col2imChannel(col, g.P, g, c, gin + n * g.C * g.HW);
    }, tiny(double(g.N) * double(g.C) * double(g.HW)));
    return;
  }
  forEachItem(g.N * g.C, g.HW, [&](int64_t t, int) { std::fill(gin + t * g.HW, gin + (t + 1) * g.HW, T(0)); },
              tiny(double(g.N * g.C * g.HW)));
  const int64_t nb = chunkImages(g);
  for (int64_t n0 = 0; n0 < g.N; n0 += nb) {
    const int64_t cnt = std::min(nb, g.N - n0), ld = cnt * g.P;
    for (int64_t gi = 0; gi < g.groups; gi++) {
      const T* go;
      if (cnt == 1) {
        go = gout + (n0 * g.O + gi * g.Og) * g.P;
      } else {
        T* tmp = scratchOf<T>(1, g.Og * ld);
        forEachItem(cnt * g.Og, g.P, [&](int64_t t, int) {
          const int64_t j = t / g.Og, oc = t % g.Og;
          std::memcpy(tmp + oc * ld + j * g.P, gout + ((n0 + j) * g.O + gi * g.Og + oc) * g.P, size_t(g.P) * sizeof(T));
        });
        go = tmp;
      }
      T* col = scratchOf<T>(0, g.CKK * ld);
      gemm<T>(g.CKK, ld, g.Og, w + gi * g.Og * g.CKK, 1, g.CKK, go, ld, 1, col, ld, false);
      forEachItem(cnt * g.Cg, g.kH * g.kW * g.P, [&](int64_t t, int) {
        const int64_t j = t / g.Cg, c = gi * g.Cg + t % g.Cg;
        col2imChannel(col + j * g.P, ld, g, c, gin + (n0 + j) * g.C * g.HW);
      });
    }
  }
}

template <typename T>
void convBackwardWeight(const T* x, const T* gout, T* gw, const Geom& g) {
  const int64_t wSize = g.O * g.CKK;
  std::fill(gw, gw + wSize, T(0));
  if (g.N == 0 || g.P == 0 || wSize == 0) return;
  if constexpr (std::is_same_v<T, float>) {
    if (forcedSchedule() == 0 && directConvBackwardWeight(x, gout, gw, g)) return;
  }
  if (perImage(g)) {
    // The images are split into `parts` fixed runs, each accumulated in order into its own copy of
    // gradW, and the copies summed in part order: whichever thread runs a part, the sums are the
    // same, so gradW is bit-for-bit reproducible run to run (per-thread copies filled by whichever
    // thread grabbed each image summed in a timing-dependent order). Twice as many parts as
    // threads, so a worker that wakes late still takes a share.
    // The product is computed as gradW_g^T [CKK, Og] when that wastes less of the micro-kernel's
    // tiles (e.g. 9 x 32 rather than 32 x 9 for a one-channel 3x3 conv).
    const bool transposed = tileWaste<T>(g.CKK, g.Og) < tileWaste<T>(g.Og, g.CKK);
    const bool blas = serialBlasPays(g);
    std::optional<SerialBlasScope> serial;
    if (blas) serial.emplace();
    const bool useBlas = blas && serial->active;
    const int64_t k = imagesPerTask<T>(g, useBlas);
    const bool multi = k > 1;  // groups == 1: gradW [O, CKK] += gradOut of k images [O, k·P] · their col^T
    const int64_t items = multi ? (g.N + k - 1) / k : g.N * g.groups;
    const bool serialRun = !multi && tiny(double(g.N) * double(g.C) * double(g.HW));
    const int64_t parts = serialRun ? 1 : std::min<int64_t>(items, 2 * int64_t(poolThreads()));
    T* acc = scratchOf<T>(2, parts * wSize);
    std::fill(acc, acc + parts * wSize, T(0));
    parallelFor(parts, [&](int64_t part, int) {
      T* mine = acc + part * wSize;
      for (int64_t t = items * part / parts; t < items * (part + 1) / parts; t++) {
        if (multi) {
          const int64_t n0 = t * k, cnt = std::min(k, g.N - n0), ld = cnt * g.P;
          T* col = scratchOf<T>(0, g.CKK * ld);
          for (int64_t j = 0; j < cnt; j++) unfoldImage(x, g, n0 + j, 0, col + j * g.P, ld);
          T* tmp = scratchOf<T>(1, g.O * ld);
          gatherGradOut(gout, g, n0, cnt, tmp, ld);
          imageGemm<T>(true, g.O, g.CKK, ld, tmp, ld, 1, col, 1, ld, mine, g.CKK, true);
          continue;
        }
        const int64_t n = t / g.groups, gi = t % g.groups;
        T* col = scratchOf<T>(0, g.CKK * g.P);
        unfoldImage(x, g, n, gi, col, g.P);
        const T* go = gout + (n * g.O + gi * g.Og) * g.P;
        T* a = mine + gi * g.Og * g.CKK;
        if (transposed)  // gradW_g^T [CKK, Og] += col [CKK, P] · gradOut_g^T [P, Og]
          imageGemm<T>(useBlas, g.CKK, g.Og, g.P, col, g.P, 1, go, 1, g.P, a, g.Og, true);
        else  // gradW_g [Og, CKK] += gradOut_g [Og, P] · col^T [P, CKK]
          imageGemm<T>(useBlas, g.Og, g.CKK, g.P, go, g.P, 1, col, 1, g.P, a, g.CKK, true);
      }
    }, serialRun);
    for (int64_t part = 0; part < parts; part++) {
      const T* a = acc + part * wSize;
      if (multi || !transposed) {
        for (int64_t i = 0; i < wSize; i++) gw[i] += a[i];
        continue;
      }
      for (int64_t gi = 0; gi < g.groups; gi++) {
        const T* ag = a + gi * g.Og * g.CKK;
        T* wg = gw + gi * g.Og * g.CKK;
        for (int64_t kk = 0; kk < g.CKK; kk++)
          for (int64_t o = 0; o < g.Og; o++) wg[o * g.CKK + kk] += ag[kk * g.Og + o];
      }
    }
    return;
  }
  const int64_t nb = chunkImages(g);
  for (int64_t n0 = 0; n0 < g.N; n0 += nb) {
    const int64_t cnt = std::min(nb, g.N - n0), ld = cnt * g.P;
    for (int64_t gi = 0; gi < g.groups; gi++) {
      T* col = scratchOf<T>(0, g.CKK * ld);
      forEachItem(cnt * g.Cg, g.kH * g.kW * g.P, [&](int64_t t, int) {
        const int64_t j = t / g.Cg, c = gi * g.Cg + t % g.Cg;
        im2colChannel(x + (n0 + j) * g.C * g.HW, g, c, col + j * g.P, ld);
      });
      const T* go;
      if (cnt == 1) {
        go = gout + (n0 * g.O + gi * g.Og) * g.P;
      } else {
        T* tmp = scratchOf<T>(1, g.Og * ld);
        forEachItem(cnt * g.Og, g.P, [&](int64_t t, int) {
          const int64_t j = t / g.Og, oc = t % g.Og;
          std::memcpy(tmp + oc * ld + j * g.P, gout + ((n0 + j) * g.O + gi * g.Og + oc) * g.P, size_t(g.P) * sizeof(T));
        });
        go = tmp;
      }
      gemm<T>(g.Og, g.CKK, ld, go, ld, 1, col, 1, ld, gw + gi * g.Og * g.CKK, g.CKK, true);
    }
  }
}

}  // namespace

// conv2d(x, w, bias|null, out, meta), meta = [N, C, H, W, O, C/groups, kH, kW, oH, oW, sH, sW, pH, pW,
// dH, dW, groups, xOffset, wOffset, outOffset, biasStride, biasOffset]; x, w, out contiguous.
Napi::Value conv2d(const Napi::CallbackInfo& info) {
  if (info.Length() != 5) throwType("conv2d expects 5 arguments (x, w, bias, out, meta)");
  Buf xb = getBuf(info, 0, "x"), wb = getBuf(info, 1, "w"), ob = getBuf(info, 3, "out");
  requireFloat(ob);
  requireSameDType(ob, xb);
  requireSameDType(ob, wb);
  const bool hasBias = !(info[2].IsNull() || info[2].IsUndefined());
  Buf bb;
  if (hasBias) {
    bb = getBuf(info, 2, "bias");
    requireSameDType(ob, bb);
  }
  Meta m(info, 4, "meta");
  Geom g = readGeom(m);
  int64_t xs[4] = {g.N, g.C, g.H, g.W}, ws[4] = {g.O, g.Cg, g.kH, g.kW}, os[4] = {g.N, g.O, g.oH, g.oW};
  View x = contiguousView(xb, 4, xs, m.next("x offset", 0, kMaxIndex), "x");
  View w = contiguousView(wb, 4, ws, m.next("w offset", 0, kMaxIndex), "w");
  View out = contiguousView(ob, 4, os, m.next("out offset", 0, kMaxIndex), "out");
  const int64_t biasStride = m.next("bias stride", -kMaxIndex, kMaxIndex);
  const int64_t biasOffset = m.next("bias offset", 0, kMaxIndex);
  m.expectEnd();
  View bias;
  if (hasBias) {
    int64_t bs[1] = {g.O}, bst[1] = {biasStride};
    bias = stridedView(bb, 1, bs, bst, biasOffset, "bias");
  }
  std::vector<char> t1, t2, t3;
  if (viewsOverlap(x, out)) detachFromOutput(x, t1);
  if (viewsOverlap(w, out)) detachFromOutput(w, t2);
  if (hasBias && viewsOverlap(bias, out)) detachFromOutput(bias, t3);
  withFloat(ob.dtype, [&](auto z) {
    using T = decltype(z);
    convForward<T>(x.at<T>(), w.at<T>(), hasBias ? bias.at<T>() : nullptr, biasStride, out.at<T>(), g);
  });
  return info.Env().Undefined();
}

// conv2dBackwardInput(gradOut, w, gradIn, meta), meta = [geometry..., gradOutOffset, wOffset, gradInOffset].
Napi::Value conv2dBackwardInput(const Napi::CallbackInfo& info) {
  if (info.Length() != 4) throwType("conv2dBackwardInput expects 4 arguments (gradOut, w, gradIn, meta)");
  Buf gob = getBuf(info, 0, "gradOut"), wb = getBuf(info, 1, "w"), gib = getBuf(info, 2, "gradIn");
  requireFloat(gib);
  requireSameDType(gib, gob);
  requireSameDType(gib, wb);
  Meta m(info, 3, "meta");
  Geom g = readGeom(m);
  int64_t xs[4] = {g.N, g.C, g.H, g.W}, ws[4] = {g.O, g.Cg, g.kH, g.kW}, os[4] = {g.N, g.O, g.oH, g.oW};
  View go = contiguousView(gob, 4, os, m.next("gradOut offset", 0, kMaxIndex), "gradOut");
  View w = contiguousView(wb, 4, ws, m.next("w offset", 0, kMaxIndex), "w");
  View gi = contiguousView(gib, 4, xs, m.next("gradIn offset", 0, kMaxIndex), "gradIn");
  m.expectEnd();
  std::vector<char> t1, t2;
  if (viewsOverlap(go, gi)) detachFromOutput(go, t1);
  if (viewsOverlap(w, gi)) detachFromOutput(w, t2);
  withFloat(gib.dtype, [&](auto z) {
    using T = decltype(z);
    convBackwardInput<T>(go.at<T>(), w.at<T>(), gi.at<T>(), g);
  });
  return info.Env().Undefined();
}

// conv2dBackwardWeight(x, gradOut, gradW, meta), meta = [geometry..., xOffset, gradOutOffset, gradWOffset].
Napi::Value conv2dBackwardWeight(const Napi::CallbackInfo& info) {
  if (info.Length() != 4) throwType("conv2dBackwardWeight expects 4 arguments (x, gradOut, gradW, meta)");
  Buf xb = getBuf(info, 0, "x"), gob = getBuf(info, 1, "gradOut"), gwb = getBuf(info, 2, "gradW");
  requireFloat(gwb);
  requireSameDType(gwb, xb);
  requireSameDType(gwb, gob);
  Meta m(info, 3, "meta");
  Geom g = readGeom(m);
  int64_t xs[4] = {g.N, g.C, g.H, g.W}, ws[4] = {g.O, g.Cg, g.kH, g.kW}, os[4] = {g.N, g.O, g.oH, g.oW};
  View x = contiguousView(xb, 4, xs, m.next("x offset", 0, kMaxIndex), "x");
  View go = contiguousView(gob, 4, os, m.next("gradOut offset", 0, kMaxIndex), "gradOut");
  View gw = contiguousView(gwb, 4, ws, m.next("gradW offset", 0, kMaxIndex), "gradW");
  m.expectEnd();
  std::vector<char> t1, t2;
  if (viewsOverlap(x, gw)) detachFromOutput(x, t1);
  if (viewsOverlap(go, gw)) detachFromOutput(go, t2);
  withFloat(gwb.dtype, [&](auto z) {
    using T = decltype(z);
    convBackwardWeight<T>(x.at<T>(), go.at<T>(), gw.at<T>(), g);
  });
  return info.Env().Undefined();
}

}  // namespace tsg
