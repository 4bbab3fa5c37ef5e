// The sigmoid/tanh passes of the fused LSTM and RNN steps (lstm.cc, rnn.cc), one batch row at a time.
//
// They live in lstm_act.cc, compiled with elementwise.cc's flags, so they evaluate vmath.h's
// float32 polynomials exactly as the unary kernel does: GCC contracts their multiply-adds into
// FMAs there, and would not in lstm.cc, which needs -ffp-contract=off for its own arithmetic.
// The calls are per row (H or 4H elements), so the split costs nothing measurable.
#pragma once
#include <cstdint>

namespace tsg {

/**
 * act[j] = sigmoid(proj[j] + gh[j]) for the i, f and o gates and tanh(proj[j] + gh[j]) for g
 * (j in [0, 4H), gate order i, f, g, o), the sum rounded to the element type first, as the
 * unfused add kernel stores it. act must not overlap proj or gh.
 */
void lstmGateActivations(const float* proj, const float* gh, float* act, int64_t H);
void lstmGateActivations(const double* proj, const double* gh, double* act, int64_t H);

/** out[j] = tanh(x[j]) for j in [0, n) (the unary kernel's tanh); out must not overlap x. */
void lstmTanhRow(const float* x, float* out, int64_t n);
void lstmTanhRow(const double* x, double* out, int64_t n);

/**
 * out[j] = tanh(a[j] + b[j]) for j in [0, n), the sum rounded to the element type first, as the
 * unfused add kernel stores it (the RNN step's forward); out must not overlap a or b.
 */
void addTanhRow(const float* a, const float* b, float* out, int64_t n);
void addTanhRow(const double* a, const double* b, double* out, int64_t n);

}  // namespace tsg
