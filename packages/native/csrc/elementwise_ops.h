// Op codes of the native elementwise kernels. src/ops.ts lists the same names in the same order.
#pragma once

namespace tsg {

enum class UnaryCode {
  identity, neg, abs, sign, square, reciprocal, sqrt, rsqrt, relu, floor, ceil, round, exp, log, tanh, sigmoid,
  count
};

enum class BinaryCode { add, sub, mul, div, maximum, minimum, count };

}  // namespace tsg
