// Iteration over up to four strided views of one shape (an output and its inputs), as the pure-TS
// strided loop does it: size-1 dims dropped, adjacent dims merged when every operand is contiguous
// across them, so a contiguous tensor of any rank is one flat line and a broadcast bias is a line
// with stride 0. Kernels then only write the inner line loop.
#pragma once
#include <cstdint>
#include <vector>

#include "args.h"
#include "threadpool.h"

namespace tsg {

constexpr int kMaxOperands = 4;

struct StridedIter {
  int nops = 0;
  int nd = 0;  // collapsed rank, >= 1 (a 0-d or all-size-1 view is one line of length 1)
  int64_t numel = 0;
  int64_t shape[kMaxDims] = {};
  int64_t strides[kMaxOperands][kMaxDims] = {};
  int64_t offsets[kMaxOperands] = {};
  int64_t inner() const { return shape[nd - 1]; }
  int64_t innerStride(int k) const { return strides[k][nd - 1]; }
};

/** Collapses the views (all of the same shape) into one iteration; views[0] is the output. */
inline StridedIter collapse(const View* const* views, int nops) {
  StridedIter it;
  it.nops = nops;
  const View& v0 = *views[0];
  it.numel = v0.numel;
  for (int k = 0; k < nops; k++) it.offsets[k] = views[k]->offset;
  for (int d = 0; d < v0.nd; d++) {
    const int64_t size = v0.shape[d];
    if (size == 1) continue;
    bool merge = it.nd > 0;
    for (int k = 0; merge && k < nops; k++) merge = it.strides[k][it.nd - 1] == views[k]->strides[d] * size;
    if (merge) {
      it.shape[it.nd - 1] *= size;
      for (int k = 0; k < nops; k++) it.strides[k][it.nd - 1] = views[k]->strides[d];
    } else {
      it.shape[it.nd] = size;
      for (int k = 0; k < nops; k++) it.strides[k][it.nd] = views[k]->strides[d];
      it.nd++;
    }
  }
  if (it.nd == 0) {
    it.nd = 1;
    it.shape[0] = it.numel;  // 1 (or 0 for an empty view)
    for (int k = 0; k < nops; k++) it.strides[k][0] = 1;
  }
  return it;
}

/**
 * Calls line(off[], start, n) for each inner-line segment covering the flat element range
 * [begin, end) in row-major order: off[k] is operand k's element index of the segment's first
 * element, which is at position `start` of its line.
 */
template <typename Line>
void forEachSegment(const StridedIter& it, int64_t begin, int64_t end, Line&& line) {
  if (begin >= end) return;
  const int nd = it.nd;
  const int64_t n = it.inner();
  int64_t idx[kMaxDims];
  int64_t off[kMaxOperands];
  // Unravel `begin` into a coordinate and the operands' offsets.
  int64_t rest = begin;
  for (int k = 0; k < it.nops; k++) off[k] = it.offsets[k];
  for (int d = nd - 1; d >= 0; d--) {
    idx[d] = rest % it.shape[d];
    rest /= it.shape[d];
    for (int k = 0; k < it.nops; k++) off[k] += idx[d] * it.strides[k][d];
  }
  int64_t pos = begin;
  while (pos < end) {
    const int64_t start = idx[nd - 1];
    const int64_t len = (n - start < end - pos) ? n - start : end - pos;
    line(off, start, len);
    pos += len;
    if (pos >= end) break;
    // Next line: back to the line's start, then carry into the outer dims.
    for (int k = 0; k < it.nops; k++) off[k] -= start * it.strides[k][nd - 1];
    idx[nd - 1] = 0;
    for (int d = nd - 2; d >= 0; d--) {
      for (int k = 0; k < it.nops; k++) off[k] += it.strides[k][d];
      if (++idx[d] < it.shape[d]) break;
      for (int k = 0; k < it.nops; k++) off[k] -= it.shape[d] * it.strides[k][d];
      idx[d] = 0;
    }
  }
}

// Below this much work (elements times a per-op cost: 1 for add, 4-12 for exp/tanh) a loop stays on
// the calling thread. With the pool's workers spinning between regions (threadpool.cc) a region
// starts in about a microsecond, and two cores move more memory than one (a 6.4 MB relu: 28 GB/s
// on one core, 35 on two), so every op over 64K elements is split: W4's epoch 3.15 -> 3.0 s with
// this and pooling's threshold (it was 2M elements while waking a sleeping worker took 40 us).
constexpr int64_t kParallelElements = 1 << 16;
constexpr int64_t kParallelChunk = 1 << 16;

/** Runs forEachSegment over the whole iteration, split into chunks on the pool when it is large. */
template <typename Line>
void forEachSegmentParallel(const StridedIter& it, Line&& line, int64_t costPerElement = 1) {
  const int64_t work = it.numel * costPerElement;
  if (work < kParallelElements || poolThreads() <= 1) {
    forEachSegment(it, 0, it.numel, line);
    return;
  }
  const int64_t chunk = kParallelChunk / costPerElement > 1024 ? kParallelChunk / costPerElement : 1024;
  const int64_t tasks = (it.numel + chunk - 1) / chunk;
  parallelFor(tasks, [&](int64_t t, int) {
    const int64_t b = t * chunk;
    forEachSegment(it, b, b + chunk < it.numel ? b + chunk : it.numel, line);
  });
}

/**
 * RangeError when a view has more elements than the memory it spans: it overlaps itself (an
 * output, or a reduced input, that repeats elements). Besides keeping results well defined, this
 * bounds every loop by a buffer length, so a hostile shape with zero strides cannot spin for 2^53 steps.
 */
inline void requireNotRepeating(const View& v, const char* name) {
  if (v.numel > 0 && v.numel > v.maxIndex - v.minIndex + 1)
    throwRange(std::string(name) + " has " + std::to_string(v.numel) + " elements but spans only " +
               std::to_string(v.maxIndex - v.minIndex + 1) + ": it overlaps itself");
}

/**
 * Makes input `in` safe to read while `out` is written: an input that is exactly the output
 * (same memory, same layout: an in-place op) is fine elementwise; any other overlap is read from a copy.
 */
inline void separateFromOutput(View& in, const View& out, std::vector<char>& tmp) {
  if (!viewsOverlap(in, out)) return;
  bool same = in.buf.dtype == out.buf.dtype && in.nd == out.nd &&
              in.buf.begin() + uintptr_t(in.offset) * in.buf.elemSize() == out.buf.begin() + uintptr_t(out.offset) * out.buf.elemSize();
  for (int d = 0; same && d < in.nd; d++) same = in.shape[d] == 1 || in.strides[d] == out.strides[d];
  if (!same) detachFromOutput(in, tmp);
}

}  // namespace tsg
