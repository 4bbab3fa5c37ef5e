// The fused LSTM step kernels: lstmCell (one time step's elementwise forward) and
// lstmCellBackward (its backward, deriving the gate factors from the saved activations), each one
// call over a [B, 4H] step instead of ten / six elementwise calls plus whole-sequence factor
// buffers. Rows of the batch are independent, so a large step is split by rows over our threads.
//
// Same bits as the unfused native kernels: every operation is evaluated in the element type, in
// the order of the unfused sequence. This file is compiled with -ffp-contract=off
// (CMakeLists.txt): contracting f·cPrev + i·g or dc + dh·dtc into an FMA would round once where
// the unfused kernels round twice. The row arithmetic is lstm_rows.h's (shared with lstm_sequence.cc).
#include "kernels.h"
#include "lstm_rows.h"
#include "step_views.h"

namespace tsg {
namespace {

constexpr int kViews = 7;
using LstmViews = StepViews<kViews>;
using LstmSignature = StepSignature<kViews>;

// Work per row, in strided.h's units (see forEachRow): five transcendental and five cheap
// operations per hidden unit forward, about twenty cheap ones backward. A step below
// kParallelElements units stays on the calling thread, as an elementwise kernel of that much work
// would.
constexpr int64_t kCellCost = 35;
constexpr int64_t kBackwardCost = 20;

const LstmSignature kCell = {
    "lstmCell",
    {"proj", "gh", "act", "cPrev", "c", "tc", "h"},
    {true, true, true, false, false, false, false},
    {false, false, true, false, true, true, true},
};

const LstmSignature kBackward = {
    "lstmCellBackward",
    {"gradH", "gradHRec", "act", "cPrev", "tc", "dc", "dPre"},
    {false, false, true, false, false, false, true},
    {false, false, false, false, false, true, true},
};

}  // namespace

// lstmCell(proj, gh, act, cPrev, c, tc, h, meta): meta = [B, H, (row stride, offset) of each view].
Napi::Value lstmCell(const Napi::CallbackInfo& info) {
  const LstmViews s = readStepViews(info, kCell);
  withFloat(s.v[0].buf.dtype, [&](auto z) {
    using T = decltype(z);
    forEachRow(s.B, kCellCost * s.H, [&](int64_t b) {
      lstmCellRow(s.row<const T>(0, b), s.row<const T>(1, b), s.row<T>(2, b), s.row<const T>(3, b), s.row<T>(4, b), s.row<T>(5, b), s.row<T>(6, b), s.H);
    });
  });
  return info.Env().Undefined();
}

// lstmCellBackward(gradH, gradHRec, act, cPrev, tc, dc, dPre, meta): meta as lstmCell's.
Napi::Value lstmCellBackward(const Napi::CallbackInfo& info) {
  const LstmViews s = readStepViews(info, kBackward);
  withFloat(s.v[0].buf.dtype, [&](auto z) {
    using T = decltype(z);
    forEachRow(s.B, kBackwardCost * s.H, [&](int64_t b) {
      lstmBackwardRow(s.row<const T>(0, b), s.row<const T>(1, b), s.row<const T>(2, b), s.row<const T>(3, b), s.row<const T>(4, b), s.row<T>(5, b),
                      s.row<T>(6, b), s.H);
    });
  });
  return info.Env().Undefined();
}

}  // namespace tsg
