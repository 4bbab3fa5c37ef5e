// The fused Elman RNN step kernels: rnnCell (one time step's elementwise forward, h =
// tanh(proj + gh) or relu(proj + gh)) and rnnCellBackward (its backward, dPre = (gradH +
// gradHRec)·(1 - h·h) or ·(h > 0)), each one call over a [B, H] step instead of two elementwise
// calls plus the backward's whole-sequence derivative buffer. Rows of the batch are independent,
// so a large step is split by rows over our threads.
//
// Same bits as the unfused native kernels: every operation is evaluated in the element type, in
// the order of the unfused sequence. This file is compiled with -ffp-contract=off
// (CMakeLists.txt), as lstm.cc: contracting dh·(1 - h·h) into an FMA would round once where the
// unfused kernels round twice. The row arithmetic is rnn_rows.h's (shared with rnn_sequence.cc).
#include "kernels.h"
#include "rnn_rows.h"
#include "step_views.h"

namespace tsg {
namespace {

using CellViews = StepViews<3>;
using BackwardViews = StepViews<4>;

// Work per row, in strided.h's units (see forEachRow): an add and a tanh or a relu per hidden
// unit forward, four cheap operations backward. The tanh step counts 8 (a float32 tanh measured
// about six adds, plus the add and the pass), so the bench's [64, 128] step is split over two
// threads: 10.0 -> 7.5 us per call.
constexpr int64_t kTanhCellCost = 8;
constexpr int64_t kReluCellCost = 2;
constexpr int64_t kBackwardCost = 4;

/** Reads the boolean relu argument at info[i]. */
bool reluArg(const Napi::CallbackInfo& info, size_t i, const char* kernel) {
  if (!info[i].IsBoolean()) throwType(std::string(kernel) + ": relu must be a boolean");
  return info[i].As<Napi::Boolean>().Value();
}

const StepSignature<3> kCell = {"rnnCell", {"proj", "gh", "h"}, {false, false, false}, {false, false, true}, "relu"};
const StepSignature<4> kBackward = {
    "rnnCellBackward", {"gradH", "gradHRec", "h", "dPre"}, {false, false, false, false}, {false, false, false, true}, "relu"};

}  // namespace

// rnnCell(proj, gh, h, meta, relu): meta = [B, H, (row stride, offset) of each view].
Napi::Value rnnCell(const Napi::CallbackInfo& info) {
  const CellViews s = readStepViews(info, kCell, 1);
  const bool relu = reluArg(info, 4, "rnnCell");
  withFloat(s.v[0].buf.dtype, [&](auto z) {
    using T = decltype(z);
    if (relu) {
      forEachRow(s.B, kReluCellCost * s.H, [&](int64_t b) { reluAddRow(s.row<const T>(0, b), s.row<const T>(1, b), s.row<T>(2, b), s.H); });
    } else {
      forEachRow(s.B, kTanhCellCost * s.H, [&](int64_t b) { addTanhRow(s.row<const T>(0, b), s.row<const T>(1, b), s.row<T>(2, b), s.H); });
    }
  });
  return info.Env().Undefined();
}

// rnnCellBackward(gradH, gradHRec, h, dPre, meta, relu): meta as rnnCell's.
Napi::Value rnnCellBackward(const Napi::CallbackInfo& info) {
  const BackwardViews s = readStepViews(info, kBackward, 1);
  const bool relu = reluArg(info, 5, "rnnCellBackward");
  withFloat(s.v[0].buf.dtype, [&](auto z) {
    using T = decltype(z);
    auto row = [&](int64_t b, auto relu) {
      rnnBackwardRow<T, decltype(relu)::value>(s.row<const T>(0, b), s.row<const T>(1, b), s.row<const T>(2, b), s.row<T>(3, b), s.H);
    };
    if (relu) forEachRow(s.B, kBackwardCost * s.H, [&](int64_t b) { row(b, std::true_type{}); });
    else forEachRow(s.B, kBackwardCost * s.H, [&](int64_t b) { row(b, std::false_type{}); });
  });
  return info.Env().Undefined();
}

}  // namespace tsg
