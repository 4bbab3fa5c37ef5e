#include <vector>

#include "gemm.h"
#include "kernels.h"
#include "strided.h"
#include "threadpool.h"

namespace tsg {

template <typename T>
static void runMatmul(const View& a, const View& b, const View& out, int64_t K) {
  const int nd = out.nd;
  const int64_t M = out.shape[nd - 2], N = out.shape[nd - 1];
  int64_t batch = 1;
  for (int d = 0; d < nd - 2; d++) batch *= out.shape[d];
  if (batch == 0 || M == 0 || N == 0) return;
  const T* A = a.buf.as<T>();
  const T* B = b.buf.as<T>();
  T* C = out.buf.as<T>();
  const int64_t ars = a.strides[nd - 2], acs = a.strides[nd - 1];
  const int64_t brs = b.strides[nd - 2], bcs = b.strides[nd - 1];
  const int64_t crs = out.strides[nd - 2], ccs = out.strides[nd - 1];
  const bool cRowMajor = ccs == 1 && (M == 1 || crs >= N);
  const int64_t ldc = M == 1 ? N : crs;

  // Offsets of batch q in a, b and out (batch dims may have stride 0 in a and b: broadcast).
  auto offsets = [&](int64_t q, int64_t& ao, int64_t& bo, int64_t& co) {
    ao = a.offset, bo = b.offset, co = out.offset;
    for (int d = nd - 3; d >= 0; d--) {
      int64_t i = q % out.shape[d];
      q /= out.shape[d];
      ao += i * a.strides[d];
      bo += i * b.strides[d];
      co += i * out.strides[d];
    }
  };

  // Many small products: one per task on our threads, each with the serial bundled GEMM.
  bool outDistinct = cRowMajor;
  int64_t expect = M * (M == 1 ? N : crs);
  for (int d = nd - 3; d >= 0 && outDistinct; d--) {
    if (out.shape[d] != 1 && out.strides[d] < expect) outDistinct = false;
    expect *= out.shape[d];
  }
  if (batch > 1 && outDistinct && double(M) * double(N) * double(K) < 48.0 * 48 * 48) {
    parallelFor(batch, [&](int64_t q, int) {
      int64_t ao, bo, co;
      offsets(q, ao, bo, co);
      bundledGemm<T>(M, N, K, A + ao, ars, acs, B + bo, brs, bcs, C + co, ldc, false, false);
    }, double(batch) * double(M) * double(N) * double(K) < 32768.0);
    return;
  }

  std::vector<T> tmpC;
  if (!cRowMajor) tmpC.resize(size_t(M * N));
  for (int64_t q = 0; q < batch; q++) {
    int64_t ao, bo, co;
    offsets(q, ao, bo, co);
    if (cRowMajor) {
      gemm<T>(M, N, K, A + ao, ars, acs, B + bo, brs, bcs, C + co, ldc, false);
    } else {
      gemm<T>(M, N, K, A + ao, ars, acs, B + bo, brs, bcs, tmpC.data(), N, false);
      for (int64_t i = 0; i < M; i++)
        for (int64_t j = 0; j < N; j++) C[co + i * crs + j * ccs] = tmpC[size_t(i * N + j)];
    }
  }
}

// matmul(a, b, out, meta) with meta = [nd, ...outShape, K, ...aStrides, aOffset, ...bStrides, bOffset,
// ...outStrides, outOffset]; a is [...B, M, K], b [...B, K, N], out [...B, M, N].
Napi::Value matmul(const Napi::CallbackInfo& info) {
  if (info.Length() != 4) throwType("matmul expects 4 arguments (a, b, out, meta), got " + std::to_string(info.Length()));
  Buf ab = getBuf(info, 0, "a"), bb = getBuf(info, 1, "b"), ob = getBuf(info, 2, "out");
  requireFloat(ob);
  requireSameDType(ob, ab);
  requireSameDType(ob, bb);
  Meta meta(info, 3, "meta");
  const int nd = int(meta.next("matmul ndim", 2, kMaxDims));
  int64_t shape[kMaxDims];
  for (int d = 0; d < nd; d++) shape[d] = meta.next("out shape", 0, kMaxIndex);
  const int64_t K = meta.next("K", 0, kMaxIndex);
  int64_t aShape[kMaxDims], bShape[kMaxDims];
  for (int d = 0; d < nd - 2; d++) aShape[d] = bShape[d] = shape[d];
  aShape[nd - 2] = shape[nd - 2];
  aShape[nd - 1] = K;
  bShape[nd - 2] = K;
  bShape[nd - 1] = shape[nd - 1];
  View a = readStrided(ab, nd, aShape, meta, "a");
  View b = readStrided(bb, nd, bShape, meta, "b");
  View out = readStrided(ob, nd, shape, meta, "out");
  meta.expectEnd();
  requireNotRepeating(out, "out");  // also bounds the loops: a zero-stride out of 2^31 rows would spin
  std::vector<char> ta, tb;
  if (viewsOverlap(a, out)) detachFromOutput(a, ta);
  if (viewsOverlap(b, out)) detachFromOutput(b, tb);
  if (out.buf.dtype == DType::f32) runMatmul<float>(a, b, out, K);
  else runMatmul<double>(a, b, out, K);
  return info.Env().Undefined();
}

// gemmDebug(a, b, c, meta) with meta = [M, N, K, ars, acs, aOffset, brs, bcs, bOffset, accumulate]:
// the bundled GEMM alone into c, row-major [M, N] at offset 0, even when a BLAS is linked, so tests
// cover the fallback GEMM in every build.
Napi::Value gemmDebug(const Napi::CallbackInfo& info) {
  if (info.Length() != 4) throwType("gemmDebug expects 4 arguments (a, b, c, meta)");
  Buf ab = getBuf(info, 0, "a"), bb = getBuf(info, 1, "b"), cb = getBuf(info, 2, "c");
  requireFloat(cb);
  requireSameDType(cb, ab);
  requireSameDType(cb, bb);
  Meta meta(info, 3, "meta");
  int64_t M = meta.next("M", 0, kMaxIndex), N = meta.next("N", 0, kMaxIndex), K = meta.next("K", 0, kMaxIndex);
  int64_t as[2] = {M, K}, bs[2] = {K, N}, cs[2] = {M, N};
  View a = readStrided(ab, 2, as, meta, "a");
  View b = readStrided(bb, 2, bs, meta, "b");
  View c = contiguousView(cb, 2, cs, 0, "c");
  bool accumulate = meta.next("accumulate", 0, 1) == 1;
  meta.expectEnd();
  std::vector<char> ta, tb;
  if (viewsOverlap(a, c)) detachFromOutput(a, ta);
  if (viewsOverlap(b, c)) detachFromOutput(b, tb);
  withFloat(cb.dtype, [&](auto z) {
    using T = decltype(z);
    bundledGemm<T>(M, N, K, a.at<T>(), a.strides[0], a.strides[1], b.at<T>(), b.strides[0], b.strides[1], c.buf.as<T>(), N,
                   accumulate, true);
  });
  return info.Env().Undefined();
}

}  // namespace tsg
