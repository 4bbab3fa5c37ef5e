// A whole Elman RNN recurrence (one layer, one direction) per call: rnnSequence runs every time
// step's h_t = act(proj_t + h_{t-1}·W_hhᵀ), rnnSequenceBackward every step's backward.
//
// Why whole sequences: per step, the separate matmul and rnnCell calls cost two N-API crossings,
// a BLAS call that re-packs W_hh, and a thread hand-off for the elementwise half, each time
// (W5's [64, 128] step: about 48 us forward inside a training step against 14 here). A batch
// row's recurrence never reads another row, so the rows are split over our threads once for the
// whole sequence, with no synchronisation between steps, and W_hh is packed once (step_gemm.h).
//
// The elementwise half of each step is rnn_rows.h's, the bits of rnnCell/rnnCellBackward given the
// same product; the product is step_gemm.h's (float32 on AVX-512) or BLAS's, whose rounding
// may differ from the matmul kernel's in the last bits. Compiled with -ffp-contract=off, as rnn.cc.
#include <optional>

#include "kernels.h"
#include "rnn_rows.h"
#include "sequence.h"
#include "step_gemm.h"
#include "strided.h"

namespace tsg {
namespace {

/** The validated operands of one call; h is a contiguous [T + 1, B, H] state buffer. */
struct Sequence {
  int64_t T = 0, B = 0, H = 0;
  bool reverse = false;
  View steps;  // proj (forward) or gradH (backward): [T, B, H], unit column stride
  View whh;    // [H, H], any strides
  View h;      // [T + 1, B, H], contiguous
  /** Row of h holding the state after step t, and the one before it (see StateRows in nn). */
  int64_t cur(int64_t t) const { return reverse ? t : t + 1; }
  int64_t prev(int64_t t) const { return reverse ? t + 1 : t; }
  /** Timestep of the s-th step processed. */
  int64_t timeOf(int64_t s) const { return reverse ? T - 1 - s : s; }
  /** Multiply-adds of the whole recurrence (forEachRowRange's measure). */
  double work() const { return double(T) * double(B) * double(H) * double(H); }
  template <typename U> const U* step(int64_t t, int64_t b) const { return steps.at<const U>() + t * steps.strides[0] + b * steps.strides[1]; }
  template <typename U> U* state(int64_t row, int64_t b) const { return h.at<U>() + (row * B + b) * H; }
};

/** Reads T, B, H, reverse, the [T, B, H] steps view, W_hh and h's offset, in that order. */
Sequence readSequence(Meta& m, const Buf& steps, const Buf& whh, const Buf& h, const char* stepsName) {
  Sequence q;
  q.T = m.next("T", 0, kMaxIndex);
  q.B = m.next("B", 0, kMaxIndex);
  q.H = m.next("H", 0, kMaxIndex);
  q.reverse = m.next("reverse", 0, 1) == 1;
  const int64_t stepShape[3] = {q.T, q.B, q.H};
  const int64_t stepStrides[3] = {m.next("step stride", -kMaxIndex, kMaxIndex), m.next("row stride", -kMaxIndex, kMaxIndex), 1};
  q.steps = stridedView(steps, 3, stepShape, stepStrides, m.next("offset", 0, kMaxIndex), stepsName);
  const int64_t whhShape[2] = {q.H, q.H};
  const int64_t whhStrides[2] = {m.next("whh row stride", -kMaxIndex, kMaxIndex), m.next("whh column stride", -kMaxIndex, kMaxIndex)};
  q.whh = stridedView(whh, 2, whhShape, whhStrides, m.next("whh offset", 0, kMaxIndex), "whh");
  const int64_t hShape[3] = {checkedAdd(q.T, 1, "T + 1"), q.B, q.H};
  q.h = contiguousView(h, 3, hShape, m.next("h offset", 0, kMaxIndex), "h");
  return q;
}

/** W_hh packed as the product's [K, N] operand: its transpose forward, itself backward. */
template <typename T>
std::optional<PackedWeight<T>> packWhh(const Sequence& q, bool transposed) {
  if (!packsStepWeight<T>()) return std::nullopt;
  const int64_t rs = q.whh.strides[0], cs = q.whh.strides[1];
  return PackedWeight<T>(q.whh.at<const T>(), q.H, q.H, transposed ? cs : rs, transposed ? rs : cs);
}

template <typename T>
void runForward(const Sequence& q, bool relu) {
  const auto packed = packWhh<T>(q, true);
  const T* w = q.whh.at<const T>();
  const int64_t H = q.H;
  std::optional<SerialBlasScope> serial;
  if (!packed) serial.emplace();  // the BLAS path: one single-threaded product per thread
  forEachRowRange(q.B, q.work(), [&](int64_t b0, int64_t b1) {
    std::vector<T> gh(size_t((b1 - b0) * H));
    for (int64_t s = 0; s < q.T; s++) {
      const int64_t t = q.timeOf(s);
      const T* hp = q.state<const T>(q.prev(t), b0);
      T* hc = q.state<T>(q.cur(t), b0);
      stepProduct<T>(b1 - b0, hp, H, packed ? &*packed : nullptr, w, q.whh.strides[1], q.whh.strides[0], H, H, gh.data(), H);
      for (int64_t b = b0; b < b1; b++) rnnForwardRow(q.step<T>(t, b), gh.data() + (b - b0) * H, hc + (b - b0) * H, H, relu);
    }
  });
}

template <typename T, bool kRelu>
void runBackward(const Sequence& q, T* dPre, T* dh0) {
  const auto packed = packWhh<T>(q, false);
  const T* w = q.whh.at<const T>();
  const int64_t H = q.H, B = q.B;
  std::optional<SerialBlasScope> serial;
  if (!packed) serial.emplace();
  forEachRowRange(q.B, q.work(), [&](int64_t b0, int64_t b1) {
    std::vector<T> dhRec(size_t((b1 - b0) * H), T(0));
    for (int64_t s = q.T - 1; s >= 0; s--) {
      const int64_t t = q.timeOf(s);
      T* d = dPre + (t * B + b0) * H;
      for (int64_t b = b0; b < b1; b++)
        rnnBackwardRow<T, kRelu>(q.step<T>(t, b), dhRec.data() + (b - b0) * H, q.state<const T>(q.cur(t), b), d + (b - b0) * H, H);
      // The gradient of h_{t-1}: the next step's recurrent input, or h0's after the first step.
      T* out = s > 0 ? dhRec.data() : dh0 != nullptr ? dh0 + b0 * H : nullptr;
      if (out != nullptr) stepProduct<T>(b1 - b0, d, H, packed ? &*packed : nullptr, w, q.whh.strides[0], q.whh.strides[1], H, H, out, H);
    }
  });
}

}  // namespace

// rnnSequence(proj, whh, h, meta, relu): meta = [T, B, H, reverse, proj (step stride, row stride,
// offset), whh (row stride, column stride, offset), h offset]. h's initial row (0, or T when
// reverse) holds h0; every other row is written.
Napi::Value rnnSequence(const Napi::CallbackInfo& info) {
  if (info.Length() != 5) throwType("rnnSequence expects 5 arguments (proj, whh, h, meta, relu), got " + std::to_string(info.Length()));
  const Buf proj = getBuf(info, 0, "proj"), whh = getBuf(info, 1, "whh"), h = getBuf(info, 2, "h");
  requireOneFloat({&proj, &whh, &h});
  Meta m(info, 3, "meta");
  const Sequence q = readSequence(m, proj, whh, h, "proj");
  m.expectEnd();
  const bool relu = boolArg(info, 4, "rnnSequence", "relu");
  requireApart(q.h, q.steps, "rnnSequence");
  requireApart(q.h, q.whh, "rnnSequence");
  if (q.T == 0 || q.B == 0 || q.H == 0) return info.Env().Undefined();
  withFloat(proj.dtype, [&](auto z) { runForward<decltype(z)>(q, relu); });
  return info.Env().Undefined();
}

// rnnSequenceBackward(gradH, h, whh, dPre, dh0, meta, relu): meta = [T, B, H, reverse, gradH (step
// stride, row stride, offset), whh (row stride, column stride, offset), h offset, dPre offset,
// needH0, dh0 offset]. dPre [T, B, H] and, when needH0 is 1, dh0 [B, H] are contiguous and written.
Napi::Value rnnSequenceBackward(const Napi::CallbackInfo& info) {
  if (info.Length() != 7) throwType("rnnSequenceBackward expects 7 arguments (gradH, h, whh, dPre, dh0, meta, relu), got " + std::to_string(info.Length()));
  const Buf gradH = getBuf(info, 0, "gradH"), h = getBuf(info, 1, "h"), whh = getBuf(info, 2, "whh");
  const Buf dPreBuf = getBuf(info, 3, "dPre"), dh0Buf = getBuf(info, 4, "dh0");
  requireOneFloat({&gradH, &h, &whh, &dPreBuf, &dh0Buf});
  Meta m(info, 5, "meta");
  const Sequence q = readSequence(m, gradH, whh, h, "gradH");
  const int64_t stepShape[3] = {q.T, q.B, q.H}, rowShape[2] = {q.B, q.H};
  const View dPre = contiguousView(dPreBuf, 3, stepShape, m.next("dPre offset", 0, kMaxIndex), "dPre");
  const bool needH0 = m.next("needH0", 0, 1) == 1;
  const int64_t dh0Offset = m.next("dh0 offset", 0, kMaxIndex);
  m.expectEnd();
  const bool relu = boolArg(info, 6, "rnnSequenceBackward", "relu");
  std::optional<View> dh0;
  if (needH0) dh0 = contiguousView(dh0Buf, 2, rowShape, dh0Offset, "dh0");
  for (const View* in : {&q.steps, &q.h, &q.whh}) {
    requireApart(dPre, *in, "rnnSequenceBackward");
    if (dh0) requireApart(*dh0, *in, "rnnSequenceBackward");
  }
  if (dh0) requireApart(*dh0, dPre, "rnnSequenceBackward");
  if (q.B == 0 || q.H == 0) return info.Env().Undefined();
  withFloat(gradH.dtype, [&](auto z) {
    using T = decltype(z);
    T* d0 = dh0 ? dh0->at<T>() : nullptr;
    if (q.T == 0) {  // no step: h0's gradient is zero
      if (d0 != nullptr) std::fill(d0, d0 + q.B * q.H, T(0));
      return;
    }
    if (relu) runBackward<T, true>(q, dPre.at<T>(), d0);
    else runBackward<T, false>(q, dPre.at<T>(), d0);
  });
  return info.Env().Undefined();
}

}  // namespace tsg
