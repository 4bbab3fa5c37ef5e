// Arguments and row splitting shared by the fused recurrent step kernels (lstm.cc, rnn.cc): each
// takes N 2-D views [B, H] or [B, 4H] with unit column stride, given as N typed arrays and a meta
// array [B, H, then the row stride and offset of each view], and runs one batch row at a time.
#pragma once
#include <algorithm>
#include <string>

#include "args.h"
#include "strided.h"
#include "threadpool.h"

namespace tsg {

/** The N validated views of one call (unit column stride, any row stride). */
template <int N>
struct StepViews {
  View v[N];
  int64_t B = 0, H = 0;
  /** Row b of view k. */
  template <typename T> T* row(int k, int64_t b) const { return v[k].template at<T>() + b * v[k].strides[0]; }
};

/** What one kernel's N views are called, which are [B, 4H] (else [B, H]), which it writes. */
template <int N>
struct StepSignature {
  const char* kernel;
  const char* names[N];
  bool wide[N];
  bool output[N];
  /** What follows meta, for the argument-count error ("relu"), or "". */
  const char* extra = "";
};

/**
 * Reads info[0..N) (N typed arrays) and info[N] = meta = [B, H, then row stride and offset of each
 * view]: one float dtype, every element inside its buffer, and no written view repeating elements
 * or sharing memory with another view (the row loops read and write through separate pointers).
 * `extraArgs` further arguments follow meta (the caller reads them); the count must match.
 */
template <int N>
StepViews<N> readStepViews(const Napi::CallbackInfo& info, const StepSignature<N>& sig, size_t extraArgs = 0) {
  if (info.Length() != N + 1 + extraArgs) {
    static const char* const kWords[] = {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight"};
    throwType(std::string(sig.kernel) + " expects " + std::to_string(N + 1 + extraArgs) + " arguments (" + (N <= 8 ? kWords[N] : "N") + " views and meta" +
              (extraArgs ? std::string(", then ") + sig.extra : std::string()) + "), got " + std::to_string(info.Length()));
  }
  Buf bufs[N];
  for (int k = 0; k < N; k++) bufs[k] = getBuf(info, size_t(k), sig.names[k]);
  requireFloat(bufs[0]);
  for (int k = 1; k < N; k++) requireSameDType(bufs[0], bufs[k]);
  Meta meta(info, N, "meta");
  StepViews<N> s;
  s.B = meta.next("B", 0, kMaxIndex);
  s.H = meta.next("H", 0, kMaxIndex / 4);
  for (int k = 0; k < N; k++) {
    const int64_t shape[2] = {s.B, sig.wide[k] ? 4 * s.H : s.H};
    const int64_t strides[2] = {meta.next("row stride", -kMaxIndex, kMaxIndex), 1};
    const int64_t offset = meta.next("offset", 0, kMaxIndex);
    s.v[k] = stridedView(bufs[k], 2, shape, strides, offset, sig.names[k]);
  }
  meta.expectEnd();
  for (int k = 0; k < N; k++) {
    if (!sig.output[k]) continue;
    requireNotRepeating(s.v[k], sig.names[k]);
    for (int j = 0; j < N; j++) {
      if (j != k && viewsOverlap(s.v[k], s.v[j]))
        throwRange(std::string(sig.names[k]) + " and " + sig.names[j] + " overlap: " + sig.kernel + " writes " + sig.names[k] +
                   ", which must not share memory with another view");
    }
  }
  return s;
}

/**
 * body(b) for every row b in [0, B), split into contiguous row ranges over our threads when the
 * work (costPerRow in strided.h's units: an add is 1, a float32 tanh about 6) reaches
 * kParallelElements, as an elementwise kernel of that much work would be.
 */
template <typename F>
void forEachRow(int64_t B, int64_t costPerRow, F body) {
  const int64_t threads = poolThreads();
  if (B < 2 || threads <= 1 || B * costPerRow < kParallelElements) {
    for (int64_t b = 0; b < B; b++) body(b);
    return;
  }
  const int64_t tasks = std::min(B, threads);
  parallelFor(tasks, [&](int64_t t, int) {
    for (int64_t b = B * t / tasks; b < B * (t + 1) / tasks; b++) body(b);
  });
}

}  // namespace tsg
