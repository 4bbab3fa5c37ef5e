// A whole LSTM recurrence (one layer, one direction) per call: lstmSequence runs every time step's
// gates = proj_t + h_{t-1}·W_hhᵀ and lstmCell's elementwise work, lstmSequenceBackward every
// step's lstmCellBackward and recurrent product dhRec = dPre_t·W_hh.
//
// Why whole sequences, as rnn_sequence.cc: per step, the separate matmul and lstmCell calls cost
// two N-API crossings, a BLAS call that re-packs W_hh and a thread hand-off for the elementwise
// half, each time (W5's T=28, B=64, H=128 float32 layer direction on 2 cores: forward 2.4-2.7 ms
// that way against 2.2 here, backward 2.2 against 1.6). A batch row's recurrence never reads
// another row, so the rows are split over our threads once for the whole sequence (sequence.h),
// and W_hh is packed once (step_gemm.h): forward as W_hhᵀ [H, 4H], backward as W_hh [4H, H].
//
// The elementwise half of each step is lstm_rows.h's, the bits of lstmCell/lstmCellBackward given
// the same product; the product is step_gemm.h's (float32 on AVX-512) or BLAS's, whose rounding
// may differ from the matmul kernel's in the last bits. Compiled with -ffp-contract=off, as lstm.cc.
#include <optional>

#include "kernels.h"
#include "lstm_rows.h"
#include "sequence.h"
#include "step_gemm.h"
#include "strided.h"

namespace tsg {
namespace {

/** The validated operands of one call; act, c, tc (and h forward) are contiguous. */
struct LstmSequence {
  int64_t T = 0, B = 0, H = 0;
  bool reverse = false;
  View steps;  // proj [T, B, 4H] (forward) or gradH [T, B, H] (backward), unit column stride
  View whh;    // [4H, H], any strides
  View act;    // [T, B, 4H] activated gates
  View c;      // [T + 1, B, H] cell states
  View tc;     // [T, B, H] tanh(c_t)
  /** Row of a state buffer holding the state after step t, and the one before it (see StateRows in nn). */
  int64_t cur(int64_t t) const { return reverse ? t : t + 1; }
  int64_t prev(int64_t t) const { return reverse ? t + 1 : t; }
  /** Timestep of the s-th step processed. */
  int64_t timeOf(int64_t s) const { return reverse ? T - 1 - s : s; }
  /** Multiply-adds of the whole recurrence's products (forEachRowRange's measure). */
  double work() const { return double(T) * double(B) * double(4 * H) * double(H); }
  template <typename U> const U* step(int64_t t, int64_t b) const { return steps.at<const U>() + t * steps.strides[0] + b * steps.strides[1]; }
  template <typename U> U* gates(int64_t t, int64_t b) const { return act.at<U>() + (t * B + b) * 4 * H; }
  /** Row b of row `row` of a contiguous [rows, B, H] buffer (c, tc, h). */
  template <typename U> U* state(const View& v, int64_t row, int64_t b) const { return v.at<U>() + (row * B + b) * H; }
};

/**
 * Reads T, B, H, reverse, the steps view (width 4H forward, H backward), W_hh and the offsets of
 * act, c and tc, in that order.
 */
LstmSequence readLstmSequence(Meta& m, const Buf& steps, bool wideSteps, const Buf& whh, const Buf& act, const Buf& c, const Buf& tc,
                              const char* stepsName) {
  LstmSequence q;
  q.T = m.next("T", 0, kMaxIndex);
  q.B = m.next("B", 0, kMaxIndex);
  q.H = m.next("H", 0, kMaxIndex / 4);
  q.reverse = m.next("reverse", 0, 1) == 1;
  const int64_t G = 4 * q.H;
  const int64_t stepShape[3] = {q.T, q.B, wideSteps ? G : q.H};
  const int64_t stepStrides[3] = {m.next("step stride", -kMaxIndex, kMaxIndex), m.next("row stride", -kMaxIndex, kMaxIndex), 1};
  q.steps = stridedView(steps, 3, stepShape, stepStrides, m.next("offset", 0, kMaxIndex), stepsName);
  const int64_t whhShape[2] = {G, q.H};
  const int64_t whhStrides[2] = {m.next("whh row stride", -kMaxIndex, kMaxIndex), m.next("whh column stride", -kMaxIndex, kMaxIndex)};
  q.whh = stridedView(whh, 2, whhShape, whhStrides, m.next("whh offset", 0, kMaxIndex), "whh");
  const int64_t actShape[3] = {q.T, q.B, G}, stateShape[3] = {checkedAdd(q.T, 1, "T + 1"), q.B, q.H}, tcShape[3] = {q.T, q.B, q.H};
  q.act = contiguousView(act, 3, actShape, m.next("act offset", 0, kMaxIndex), "act");
  q.c = contiguousView(c, 3, stateShape, m.next("c offset", 0, kMaxIndex), "c");
  q.tc = contiguousView(tc, 3, tcShape, m.next("tc offset", 0, kMaxIndex), "tc");
  return q;
}

/** RangeError unless no view in `written` shares memory with an input or with another written one. */
void requireWrittenApart(std::initializer_list<const View*> written, std::initializer_list<const View*> inputs, const char* kernel) {
  for (auto out = written.begin(); out != written.end(); ++out) {
    for (const View* in : inputs) requireApart(**out, *in, kernel);
    for (auto other = written.begin(); other != out; ++other) requireApart(**out, **other, kernel);
  }
}

/** W_hh packed as the product's [K, N] operand: its transpose [H, 4H] forward, itself [4H, H] backward. */
template <typename T>
std::optional<PackedWeight<T>> packWhh(const LstmSequence& q, bool transposed) {
  if (!packsStepWeight<T>()) return std::nullopt;
  const int64_t rs = q.whh.strides[0], cs = q.whh.strides[1];
  if (transposed) return PackedWeight<T>(q.whh.at<const T>(), q.H, 4 * q.H, cs, rs);
  return PackedWeight<T>(q.whh.at<const T>(), 4 * q.H, q.H, rs, cs);
}

template <typename T>
void runForward(const LstmSequence& q, const View& h) {
  const auto packed = packWhh<T>(q, true);
  const T* w = q.whh.at<const T>();
  const int64_t H = q.H, G = 4 * H;
  std::optional<SerialBlasScope> serial;
  if (!packed) serial.emplace();  // the BLAS path: one single-threaded product per thread
  forEachRowRange(q.B, q.work(), [&](int64_t b0, int64_t b1) {
    std::vector<T> gh(size_t((b1 - b0) * G));
    for (int64_t s = 0; s < q.T; s++) {
      const int64_t t = q.timeOf(s), prev = q.prev(t), cur = q.cur(t);
      stepProduct<T>(b1 - b0, q.state<const T>(h, prev, b0), H, packed ? &*packed : nullptr, w, q.whh.strides[1], q.whh.strides[0], H, G, gh.data(), G);
      for (int64_t b = b0; b < b1; b++)
        lstmCellRow(q.step<T>(t, b), gh.data() + (b - b0) * G, q.gates<T>(t, b), q.state<const T>(q.c, prev, b), q.state<T>(q.c, cur, b),
                    q.state<T>(q.tc, t, b), q.state<T>(h, cur, b), H);
    }
  });
}

template <typename T>
void runBackward(const LstmSequence& q, T* dc, T* dPre, T* dh0) {
  const auto packed = packWhh<T>(q, false);
  const T* w = q.whh.at<const T>();
  const int64_t H = q.H, G = 4 * H, B = q.B;
  std::optional<SerialBlasScope> serial;
  if (!packed) serial.emplace();
  forEachRowRange(q.B, q.work(), [&](int64_t b0, int64_t b1) {
    std::vector<T> dhRec(size_t((b1 - b0) * H), T(0));
    for (int64_t s = q.T - 1; s >= 0; s--) {
      const int64_t t = q.timeOf(s);
      T* d = dPre + (t * B + b0) * G;
      // dc goes in as the gradient of c_t and comes out as that of c_{t-1}.
      for (int64_t b = b0; b < b1; b++)
        lstmBackwardRow(q.step<T>(t, b), dhRec.data() + (b - b0) * H, q.gates<const T>(t, b), q.state<const T>(q.c, q.prev(t), b),
                        q.state<const T>(q.tc, t, b), dc + b * H, d + (b - b0) * G, H);
      // The gradient of h_{t-1}: the next step's recurrent input, or h0's after the first step.
      T* out = s > 0 ? dhRec.data() : dh0 != nullptr ? dh0 + b0 * H : nullptr;
      if (out != nullptr) stepProduct<T>(b1 - b0, d, G, packed ? &*packed : nullptr, w, q.whh.strides[0], q.whh.strides[1], G, H, out, H);
    }
  });
}

}  // namespace

// lstmSequence(proj, whh, act, c, tc, h, meta): meta = [T, B, H, reverse, proj (step stride, row
// stride, offset), whh (row stride, column stride, offset), act offset, c offset, tc offset,
// h offset]. The initial rows of c and h (0, or T when reverse) hold c0 and h0; act, tc and every
// other row of c and h are written.
Napi::Value lstmSequence(const Napi::CallbackInfo& info) {
  if (info.Length() != 7) throwType("lstmSequence expects 7 arguments (proj, whh, act, c, tc, h, meta), got " + std::to_string(info.Length()));
  const Buf proj = getBuf(info, 0, "proj"), whh = getBuf(info, 1, "whh"), act = getBuf(info, 2, "act");
  const Buf c = getBuf(info, 3, "c"), tc = getBuf(info, 4, "tc"), hBuf = getBuf(info, 5, "h");
  requireOneFloat({&proj, &whh, &act, &c, &tc, &hBuf});
  Meta m(info, 6, "meta");
  const LstmSequence q = readLstmSequence(m, proj, true, whh, act, c, tc, "proj");
  const int64_t stateShape[3] = {q.T + 1, q.B, q.H};
  const View h = contiguousView(hBuf, 3, stateShape, m.next("h offset", 0, kMaxIndex), "h");
  m.expectEnd();
  requireWrittenApart({&q.act, &q.c, &q.tc, &h}, {&q.steps, &q.whh}, "lstmSequence");
  if (q.T == 0 || q.B == 0 || q.H == 0) return info.Env().Undefined();
  withFloat(proj.dtype, [&](auto z) { runForward<decltype(z)>(q, h); });
  return info.Env().Undefined();
}

// lstmSequenceBackward(gradH, act, c, tc, whh, dc, dPre, dh0, meta): meta = [T, B, H, reverse,
// gradH (step stride, row stride, offset), whh (row stride, column stride, offset), act offset,
// c offset, tc offset, dc offset, dPre offset, needH0, dh0 offset]. dc [B, H] (the final c's
// gradient in, c0's out), dPre [T, B, 4H] and, when needH0 is 1, dh0 [B, H] are contiguous and written.
Napi::Value lstmSequenceBackward(const Napi::CallbackInfo& info) {
  if (info.Length() != 9)
    throwType("lstmSequenceBackward expects 9 arguments (gradH, act, c, tc, whh, dc, dPre, dh0, meta), got " + std::to_string(info.Length()));
  const Buf gradH = getBuf(info, 0, "gradH"), act = getBuf(info, 1, "act"), c = getBuf(info, 2, "c"), tc = getBuf(info, 3, "tc");
  const Buf whh = getBuf(info, 4, "whh"), dcBuf = getBuf(info, 5, "dc"), dPreBuf = getBuf(info, 6, "dPre"), dh0Buf = getBuf(info, 7, "dh0");
  requireOneFloat({&gradH, &act, &c, &tc, &whh, &dcBuf, &dPreBuf, &dh0Buf});
  Meta m(info, 8, "meta");
  const LstmSequence q = readLstmSequence(m, gradH, false, whh, act, c, tc, "gradH");
  const int64_t rowShape[2] = {q.B, q.H}, dPreShape[3] = {q.T, q.B, 4 * q.H};
  const View dc = contiguousView(dcBuf, 2, rowShape, m.next("dc offset", 0, kMaxIndex), "dc");
  const View dPre = contiguousView(dPreBuf, 3, dPreShape, m.next("dPre offset", 0, kMaxIndex), "dPre");
  const bool needH0 = m.next("needH0", 0, 1) == 1;
  const int64_t dh0Offset = m.next("dh0 offset", 0, kMaxIndex);
  m.expectEnd();
  std::optional<View> dh0;
  if (needH0) dh0 = contiguousView(dh0Buf, 2, rowShape, dh0Offset, "dh0");
  const std::initializer_list<const View*> inputs = {&q.steps, &q.act, &q.c, &q.tc, &q.whh};
  if (dh0) requireWrittenApart({&dc, &dPre, &*dh0}, inputs, "lstmSequenceBackward");
  else requireWrittenApart({&dc, &dPre}, inputs, "lstmSequenceBackward");
  if (q.B == 0 || q.H == 0) return info.Env().Undefined();
  withFloat(gradH.dtype, [&](auto z) {
    using T = decltype(z);
    T* d0 = dh0 ? dh0->at<T>() : nullptr;
    if (q.T == 0) {  // no step: h0's gradient is zero, c0's the final c's
      if (d0 != nullptr) std::fill(d0, d0 + q.B * q.H, T(0));
      return;
    }
    runBackward<T>(q, dc.at<T>(), dPre.at<T>(), d0);
  });
  return info.Env().Undefined();
}

}  // namespace tsg
