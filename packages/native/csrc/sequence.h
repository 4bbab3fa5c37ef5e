// What the whole-sequence recurrent kernels (rnn_sequence.cc, lstm_sequence.cc) share: argument
// checks that name the operand, and the split of the batch rows over our threads for a whole
// sequence.
#pragma once
#include <algorithm>
#include <initializer_list>
#include <string>

#include "args.h"
#include "threadpool.h"

namespace tsg {

inline bool boolArg(const Napi::CallbackInfo& info, size_t i, const char* kernel, const char* name) {
  if (!info[i].IsBoolean()) throwType(std::string(kernel) + ": " + name + " must be a boolean");
  return info[i].As<Napi::Boolean>().Value();
}

/** TypeError unless every buffer has the first's float dtype. */
inline void requireOneFloat(std::initializer_list<const Buf*> bufs) {
  const Buf& first = **bufs.begin();
  requireFloat(first);
  for (const Buf* b : bufs) requireSameDType(first, *b);
}

/** RangeError when the written view `out` shares memory with `other`. */
inline void requireApart(const View& out, const View& other, const char* kernel) {
  if (viewsOverlap(out, other))
    throwRange(std::string(kernel) + ": " + out.buf.name + " and " + other.buf.name + " overlap: " + kernel + " writes " + out.buf.name +
               ", which must not share memory with another operand");
}

/**
 * Runs body(b0, b1) over batch-row ranges of a multiple of four rows (step_gemm.h's tile), split
 * over our threads when the whole recurrence (`work` multiply-adds: T·B·H·H for an RNN) is worth a
 * parallel region. A batch row's recurrence never reads another row, so the ranges need no
 * synchronisation between steps. Up to four ranges per thread rather than one: a worker that wakes
 * late still takes a share.
 */
template <typename F>
void forEachRowRange(int64_t B, double work, F body) {
  const int64_t threads = work >= double(1 << 20) ? poolThreads() : 1;
  const int64_t tasks = std::min<int64_t>(4 * threads, (B + 7) / 8);
  if (threads <= 1 || tasks <= 1) {
    body(0, B);
    return;
  }
  const int64_t rows = ((B + tasks - 1) / tasks + 3) / 4 * 4;
  parallelFor((B + rows - 1) / rows, [&](int64_t i, int) { body(i * rows, std::min(B, (i + 1) * rows)); });
}

}  // namespace tsg
