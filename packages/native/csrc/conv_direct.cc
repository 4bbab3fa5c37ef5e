// Direct float32 convolution on AVX-512: unit stride and dilation, one group (the 3x3 "same"
// convs of a CNN), without im2col.
//
// im2col + GEMM copies every input element kH·kW times into a column matrix, has BLAS pack that
// matrix again, and (for the input gradient) scatters the product back with col2im; on W2b's
// shape ([64, 32, 14, 14], 64 filters 3x3) the copies and packing were a third of the time of
// forward + backward. Here the kernels read a zero-padded copy of each image straight from L1:
//
//  - forward and input gradient: registers hold a block of 8 output channels x 3 output rows x 16
//    output columns (24 vectors); for every input channel and kernel tap, 3 input rows are loaded
//    and each of the 8 weights broadcast into 24 multiply-adds. The input gradient of a unit-stride
//    conv is the conv of gradOut with the flipped, transposed weights and padding k - 1 - p, so it
//    is the same kernel with the weights packed differently.
//  - weight gradient: registers hold 64 output channels x 6 (input channel, tap) entries, summed
//    over every output pixel: per pixel, 4 vectors of gradOut (laid out pixel-major, one copy per
//    image) and 6 broadcast inputs feed 24 multiply-adds.
//
// Sums run in a fixed order that does not depend on the thread count or timing (the weight
// gradient sums fixed runs of images, then the runs in order), so results are reproducible run
// to run; they differ from the im2col path's only by rounding.
#include "conv_direct.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "threadpool.h"

#ifdef __AVX512F__
#include <immintrin.h>
#endif

namespace tsg {

#ifndef __AVX512F__

bool directConvCompiled() { return false; }
bool directConvForward(const float*, const float*, const float*, int64_t, float*, const Geom&) { return false; }
bool directConvBackwardInput(const float*, const float*, float*, const Geom&) { return false; }
bool directConvBackwardWeight(const float*, const float*, float*, const Geom&) { return false; }

#else

namespace {

constexpr int kOB = 8;    // output channels per register block (forward / input gradient)
constexpr int kRows = 3;  // output rows per register block
constexpr int kLanes = 16;
constexpr int kWgVecs = 4;     // weight gradient: output-channel vectors per register block
constexpr int kWgEntries = 6;  // weight gradient: (input channel, tap) entries per register block

// A padded image or a packed operand larger than this leaves L2 between uses: im2col + BLAS,
// which blocks for the caches, is the better choice there.
constexpr double kMaxImageBytes = 1 << 20;

float* grow(std::vector<float>& v, int64_t n) {
  if (int64_t(v.size()) < n) v.resize(size_t(n));
  return v.data();
}

// Work (multiply-adds) under which one thread does it all: a parallel region costs a few
// microseconds to start and finish, more than splitting such a conv saves.
bool tinyWork(double macs) { return macs < double(1 << 18); }

bool unitStrideOneGroup(const Geom& g) { return g.groups == 1 && g.sH == 1 && g.sW == 1 && g.dH == 1 && g.dW == 1; }


/** Copies C planes of H x W into Hp x Wp planes, at row pH and column pW, with zero borders. */
void padPlanes(const float* src, int64_t C, int64_t H, int64_t W, int64_t pH, int64_t pW, int64_t Hp, int64_t Wp, float* dst) {
  for (int64_t c = 0; c < C; c++) {
    float* d = dst + c * Hp * Wp;
    std::memset(d, 0, size_t(pH * Wp) * sizeof(float));
    for (int64_t h = 0; h < H; h++) {
      float* row = d + (pH + h) * Wp;
      std::memset(row, 0, size_t(pW) * sizeof(float));
      std::memcpy(row + pW, src + (c * H + h) * W, size_t(W) * sizeof(float));
      std::memset(row + pW + W, 0, size_t(Wp - pW - W) * sizeof(float));
    }
    std::memset(d + (pH + H) * Wp, 0, size_t((Hp - pH - H) * Wp) * sizeof(float));
  }
}

/**
 * One register block of the forward kernel: output channels [0, nOc) of `wb`'s block (nOc <= 8),
 * rows oh..oh+R-1, the columns of `m` from ow0. xp holds C padded planes (HpWp apart, rows Wp
 * apart); wb is [C][kH][kW][8]; out points at the block's first output channel.
 */
template <int R, int KW>
__attribute__((noinline)) void convTile(const float* xp, int64_t C, int64_t HpWp, int64_t Wp, int64_t kH, int64_t kWRuntime, const float* wb, int64_t oh,
              int64_t ow0, __mmask16 m, float* out, int64_t P, int64_t Wo, int nOc, const float* bias8) {
  __m512 acc[R][kOB];
#pragma GCC unroll 8
  for (int o = 0; o < kOB; o++) {
    const __m512 b = _mm512_set1_ps(bias8[o]);
#pragma GCC unroll 4
    for (int r = 0; r < R; r++) acc[r][o] = b;
  }
  // KW > 0: the kernel width as a constant (3x3 convs), so the tap loop unrolls.
  const int64_t kW = KW > 0 ? KW : kWRuntime;
  const int64_t KK = kH * kW;
  for (int64_t c = 0; c < C; c++) {
    const float* xc = xp + c * HpWp + oh * Wp + ow0;
    const float* wc = wb + c * KK * kOB;
    for (int64_t kh = 0; kh < kH; kh++) {
      const float* xr = xc + kh * Wp;
      const float* wk = wc + kh * kW * kOB;
#pragma GCC unroll 3
      for (int64_t kw = 0; kw < kW; kw++, wk += kOB) {
        __m512 v[R];
#pragma GCC unroll 4
        for (int r = 0; r < R; r++) v[r] = _mm512_maskz_loadu_ps(m, xr + r * Wp + kw);
#pragma GCC unroll 8
        for (int o = 0; o < kOB; o++) {
          const __m512 wv = _mm512_set1_ps(wk[o]);
#pragma GCC unroll 4
          for (int r = 0; r < R; r++) acc[r][o] = _mm512_fmadd_ps(v[r], wv, acc[r][o]);
        }
      }
    }
  }
#pragma GCC unroll 8
  for (int o = 0; o < nOc; o++)
#pragma GCC unroll 4
    for (int r = 0; r < R; r++) _mm512_mask_storeu_ps(out + o * P + (oh + r) * Wo + ow0, m, acc[r][o]);
}

/**
 * out [N, Cout, Ho, Wo] = the unit-stride conv of in [N, Cin, Hin, Win], padded by (pH, pW), with
 * packed weights wp [ceil(Cout/8)][Cin][kH][kW][8] and per-channel biases b8 (zero-padded to a
 * multiple of 8). Ho = Hin + 2pH - kH + 1, Wo likewise.
 */
void directConv(const float* in, int64_t N, int64_t Cin, int64_t Hin, int64_t Win, int64_t pH, int64_t pW, int64_t kH,
                int64_t kW, const float* wp, const float* b8, float* out, int64_t Cout, int64_t Ho, int64_t Wo) {
  const int64_t Hp = Hin + 2 * pH, Wp = Win + 2 * pW, P = Ho * Wo;
  const int64_t blocks = (Cout + kOB - 1) / kOB;
  // Images are the tasks; with fewer images than two per thread, each image's output-channel
  // blocks are split too (each task pads its image: a few µs against a block's tens).
  const int64_t threads = poolThreads();
  const int64_t splits = N >= 2 * threads ? 1 : std::min(blocks, (2 * threads + N - 1) / N);
  const double macs = double(N) * double(Cout) * double(P) * double(Cin * kH * kW);
  parallelFor(N * splits, [&](int64_t t, int) {
    thread_local std::vector<float> padded;
    const int64_t n = t / splits, s = t % splits;
    float* xp = grow(padded, Cin * Hp * Wp);
    padPlanes(in + n * Cin * Hin * Win, Cin, Hin, Win, pH, pW, Hp, Wp, xp);
    for (int64_t b = blocks * s / splits; b < blocks * (s + 1) / splits; b++) {
      const float* wb = wp + b * Cin * kH * kW * kOB;
      float* o = out + (n * Cout + b * kOB) * P;
      const int nOc = int(std::min<int64_t>(kOB, Cout - b * kOB));
      for (int64_t oh = 0; oh < Ho; oh += kRows) {
        const int64_t rows = std::min<int64_t>(kRows, Ho - oh);
        for (int64_t ow0 = 0; ow0 < Wo; ow0 += kLanes) {
          const __mmask16 m = __mmask16((1u << std::min<int64_t>(kLanes, Wo - ow0)) - 1u);
          const float* bb = b8 + b * kOB;
          if (kW == 3) {
            if (rows == 3) convTile<3, 3>(xp, Cin, Hp * Wp, Wp, kH, kW, wb, oh, ow0, m, o, P, Wo, nOc, bb);
            else if (rows == 2) convTile<2, 3>(xp, Cin, Hp * Wp, Wp, kH, kW, wb, oh, ow0, m, o, P, Wo, nOc, bb);
            else convTile<1, 3>(xp, Cin, Hp * Wp, Wp, kH, kW, wb, oh, ow0, m, o, P, Wo, nOc, bb);
          } else {
            if (rows == 3) convTile<3, 0>(xp, Cin, Hp * Wp, Wp, kH, kW, wb, oh, ow0, m, o, P, Wo, nOc, bb);
            else if (rows == 2) convTile<2, 0>(xp, Cin, Hp * Wp, Wp, kH, kW, wb, oh, ow0, m, o, P, Wo, nOc, bb);
            else convTile<1, 0>(xp, Cin, Hp * Wp, Wp, kH, kW, wb, oh, ow0, m, o, P, Wo, nOc, bb);
          }
        }
      }
    }
  }, tinyWork(macs));
}

/** Packs weights for directConv: wp[b][c][kh][kw][j] = weight(b·8 + j, c, kh, kw), 0 past Cout. */
template <typename Weight>
float* packWeights(std::vector<float>& buf, int64_t Cout, int64_t Cin, int64_t kH, int64_t kW, Weight weight) {
  const int64_t blocks = (Cout + kOB - 1) / kOB;
  float* wp = grow(buf, blocks * Cin * kH * kW * kOB);
  float* d = wp;
  for (int64_t b = 0; b < blocks; b++)
    for (int64_t c = 0; c < Cin; c++)
      for (int64_t kh = 0; kh < kH; kh++)
        for (int64_t kw = 0; kw < kW; kw++)
          for (int64_t j = 0; j < kOB; j++, d++) {
            const int64_t o = b * kOB + j;
            *d = o < Cout ? weight(o, c, kh, kw) : 0.0f;
          }
  return wp;
}

// Whether directConv suits a conv of Cin -> Cout channels over padded Hp x Wp images: enough
// output channels to fill a register block, and an image and a weight block that stay in cache.
bool directConvSuits(int64_t Cin, int64_t Cout, int64_t Hp, int64_t Wp, int64_t kH, int64_t kW) {
  return Cout >= kOB && double(Cin) * double(Hp) * double(Wp) * 4.0 <= kMaxImageBytes &&
         double(Cin) * double(kH * kW) * kOB * 4.0 <= 128.0 * 1024.0;
}

/**
 * One register block of the weight gradient: acc [E][Opad] (from its first vector) += over every
 * output pixel p = (oh, ow), gradOut^T row p (V vectors from goT + p·Opad) times the input at
 * entry e's tap, xp[xoff[e] + oh·Wp + ow].
 */
template <int V, int E>
void weightGradTile(const float* goT, int64_t Opad, const float* xp, const int64_t* xoff, int64_t Ho, int64_t Wo,
                    int64_t Wp, float* acc) {
  __m512 a[E][V];
#pragma GCC unroll 6
  for (int e = 0; e < E; e++)
#pragma GCC unroll 4
    for (int v = 0; v < V; v++) a[e][v] = _mm512_loadu_ps(acc + e * Opad + v * kLanes);
  const float* x[E];
#pragma GCC unroll 6
  for (int e = 0; e < E; e++) x[e] = xp + xoff[e];
  for (int64_t oh = 0; oh < Ho; oh++) {
    const float* gRow = goT + oh * Wo * Opad;
    const int64_t q0 = oh * Wp;
    for (int64_t ow = 0; ow < Wo; ow++) {
      __m512 gv[V];
#pragma GCC unroll 4
      for (int v = 0; v < V; v++) gv[v] = _mm512_loadu_ps(gRow + ow * Opad + v * kLanes);
#pragma GCC unroll 6
      for (int e = 0; e < E; e++) {
        const __m512 xv = _mm512_set1_ps(x[e][q0 + ow]);
#pragma GCC unroll 4
        for (int v = 0; v < V; v++) a[e][v] = _mm512_fmadd_ps(gv[v], xv, a[e][v]);
      }
    }
  }
#pragma GCC unroll 6
  for (int e = 0; e < E; e++)
#pragma GCC unroll 4
    for (int v = 0; v < V; v++) _mm512_storeu_ps(acc + e * Opad + v * kLanes, a[e][v]);
}

template <int V>
void weightGradTileE(int E, const float* goT, int64_t Opad, const float* xp, const int64_t* xoff, int64_t Ho, int64_t Wo,
                     int64_t Wp, float* acc) {
  switch (E) {
    case 6: return weightGradTile<V, 6>(goT, Opad, xp, xoff, Ho, Wo, Wp, acc);
    case 5: return weightGradTile<V, 5>(goT, Opad, xp, xoff, Ho, Wo, Wp, acc);
    case 4: return weightGradTile<V, 4>(goT, Opad, xp, xoff, Ho, Wo, Wp, acc);
    case 3: return weightGradTile<V, 3>(goT, Opad, xp, xoff, Ho, Wo, Wp, acc);
    case 2: return weightGradTile<V, 2>(goT, Opad, xp, xoff, Ho, Wo, Wp, acc);
    default: return weightGradTile<V, 1>(goT, Opad, xp, xoff, Ho, Wo, Wp, acc);
  }
}

}  // namespace

bool directConvCompiled() { return true; }

bool directConvForward(const float* x, const float* w, const float* bias, int64_t biasStride, float* out, const Geom& g) {
  if (!unitStrideOneGroup(g) || g.N == 0 || g.C == 0 || g.P == 0) return false;
  if (!directConvSuits(g.C, g.O, g.H + 2 * g.pH, g.W + 2 * g.pW, g.kH, g.kW)) return false;
  thread_local std::vector<float> packed, biases;
  const int64_t CKK = g.CKK, kk = g.kH * g.kW;
  const float* wp = packWeights(packed, g.O, g.C, g.kH, g.kW,
                                [&](int64_t o, int64_t c, int64_t kh, int64_t kw) { return w[o * CKK + c * kk + kh * g.kW + kw]; });
  const int64_t blockedO = (g.O + kOB - 1) / kOB * kOB;
  float* b8 = grow(biases, blockedO);
  for (int64_t o = 0; o < blockedO; o++) b8[o] = bias != nullptr && o < g.O ? bias[o * biasStride] : 0.0f;
  directConv(x, g.N, g.C, g.H, g.W, g.pH, g.pW, g.kH, g.kW, wp, b8, out, g.O, g.oH, g.oW);
  return true;
}

bool directConvBackwardInput(const float* gradOut, const float* w, float* gradIn, const Geom& g) {
  if (!unitStrideOneGroup(g) || g.N == 0 || g.O == 0 || g.HW == 0) return false;
  // gradIn = conv(gradOut, flipped transposed w) padded by k - 1 - p: needs p <= k - 1.
  const int64_t qH = g.kH - 1 - g.pH, qW = g.kW - 1 - g.pW;
  if (qH < 0 || qW < 0 || g.P == 0) return false;
  if (!directConvSuits(g.O, g.C, g.oH + 2 * qH, g.oW + 2 * qW, g.kH, g.kW)) return false;
  thread_local std::vector<float> packed, zeros;
  const int64_t CKK = g.CKK, kk = g.kH * g.kW;
  const float* wp = packWeights(packed, g.C, g.O, g.kH, g.kW, [&](int64_t ic, int64_t oc, int64_t kh, int64_t kw) {
    return w[oc * CKK + ic * kk + (g.kH - 1 - kh) * g.kW + (g.kW - 1 - kw)];
  });
  const int64_t blockedC = (g.C + kOB - 1) / kOB * kOB;
  float* b8 = grow(zeros, blockedC);
  std::fill(b8, b8 + blockedC, 0.0f);
  directConv(gradOut, g.N, g.O, g.oH, g.oW, qH, qW, g.kH, g.kW, wp, b8, gradIn, g.C, g.H, g.W);
  return true;
}

bool directConvBackwardWeight(const float* x, const float* gradOut, float* gradW, const Geom& g) {
  if (!unitStrideOneGroup(g) || g.N == 0 || g.P == 0 || g.CKK == 0 || g.O < kLanes) return false;
  const int64_t Hp = g.H + 2 * g.pH, Wp = g.W + 2 * g.pW, Opad = (g.O + kLanes - 1) / kLanes * kLanes;
  if (double(g.C) * double(Hp) * double(Wp) * 4.0 > kMaxImageBytes || double(g.P) * double(Opad) * 4.0 > kMaxImageBytes)
    return false;
  const int64_t CKK = g.CKK, kk = g.kH * g.kW, vecs = Opad / kLanes;
  // Fixed runs of images (parts), each summed in order into its own accumulator, then the parts in
  // order: reproducible whichever thread runs what. With fewer parts than two per thread, the
  // (channel, tap) entries are split between tasks too.
  const int64_t threads = poolThreads();
  const int64_t parts = std::min<int64_t>(g.N, 2 * threads);
  const int64_t entryBlocks = (CKK + kWgEntries - 1) / kWgEntries;
  const int64_t splits = parts >= 2 * threads ? 1 : std::min(entryBlocks, (2 * threads + parts - 1) / parts);
  thread_local std::vector<float> accBuf;
  float* acc = grow(accBuf, parts * CKK * Opad);
  std::fill(acc, acc + parts * CKK * Opad, 0.0f);
  const double macs = double(g.N) * double(g.O) * double(g.P) * double(CKK);
  parallelFor(parts * splits, [&](int64_t t, int) {
    thread_local std::vector<float> padded, transposed;
    const int64_t part = t / splits, s = t % splits;
    const int64_t e0 = entryBlocks * s / splits * kWgEntries, e1 = std::min(CKK, entryBlocks * (s + 1) / splits * kWgEntries);
    float* xp = grow(padded, g.C * Hp * Wp);
    float* goT = grow(transposed, g.P * Opad);
    float* mine = acc + part * CKK * Opad;
    for (int64_t n = g.N * part / parts; n < g.N * (part + 1) / parts; n++) {
      padPlanes(x + n * g.C * g.HW, g.C, g.H, g.W, g.pH, g.pW, Hp, Wp, xp);
      const float* go = gradOut + n * g.O * g.P;
      for (int64_t p = 0; p < g.P; p++) {
        float* row = goT + p * Opad;
        for (int64_t o = 0; o < g.O; o++) row[o] = go[o * g.P + p];
        for (int64_t o = g.O; o < Opad; o++) row[o] = 0.0f;
      }
      for (int64_t v0 = 0; v0 < vecs; v0 += kWgVecs) {
        const int V = int(std::min<int64_t>(kWgVecs, vecs - v0));
        for (int64_t e = e0; e < e1; e += kWgEntries) {
          const int E = int(std::min<int64_t>(kWgEntries, e1 - e));
          int64_t xoff[kWgEntries];
          for (int j = 0; j < E; j++) {
            const int64_t c = (e + j) / kk, tap = (e + j) % kk;
            xoff[j] = c * Hp * Wp + (tap / g.kW) * Wp + tap % g.kW;
          }
          const float* gv = goT + v0 * kLanes;
          float* a = mine + e * Opad + v0 * kLanes;
          switch (V) {
            case 4: weightGradTileE<4>(E, gv, Opad, xp, xoff, g.oH, g.oW, Wp, a); break;
            case 3: weightGradTileE<3>(E, gv, Opad, xp, xoff, g.oH, g.oW, Wp, a); break;
            case 2: weightGradTileE<2>(E, gv, Opad, xp, xoff, g.oH, g.oW, Wp, a); break;
            default: weightGradTileE<1>(E, gv, Opad, xp, xoff, g.oH, g.oW, Wp, a); break;
          }
        }
      }
    }
  }, tinyWork(macs));
  for (int64_t o = 0; o < g.O; o++)
    for (int64_t e = 0; e < CKK; e++) {
      float s = acc[e * Opad + o];
      for (int64_t part = 1; part < parts; part++) s += acc[(part * CKK + e) * Opad + o];
      gradW[o * CKK + e] = s;
    }
  return true;
}

#endif  // __AVX512F__

}  // namespace tsg
