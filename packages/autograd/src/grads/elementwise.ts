import {
  Tensor, add, cos, div, eq, erf, exp, floor, ge, gt, le, log, logicalAnd, lt, mul, neg, pow, reluBackward, sign, sin, sub, where,
} from '@tsgrad/tensor';
import { def, sumTo } from './util.js';

/**
 * Gradients of the elementwise ops in tensor's ops/elementwise.ts. Binary ops broadcast, so each
 * input's gradient is summed back to that input's shape (`sumTo`). A scalar operand arrives as a
 * 0-d tensor that does not require grad; `needs[i]` is false for it and its gradient is skipped.
 */

// ---- binary -----------------------------------------------------------------------------------

def('add', {}, (g, { meta: [a, b] }, needs) => [
  needs[0] ? sumTo(g, a!.shape) : null,
  needs[1] ? sumTo(g, b!.shape) : null,
]);

def('sub', {}, (g, { meta: [a, b] }, needs) => [
  needs[0] ? sumTo(g, a!.shape) : null,
  needs[1] ? sumTo(neg(g), b!.shape) : null,
]);

def('mul', { saveInputs: true }, (g, { inputs: [a, b] }, needs) => [
  needs[0] ? sumTo(mul(g, b!), a!.shape) : null,
  needs[1] ? sumTo(mul(g, a!), b!.shape) : null,
]);

def('div', { saveInputs: true }, (g, { inputs: [a, b] }, needs) => {
  const ga = div(g, b!);
  return [
    needs[0] ? sumTo(ga, a!.shape) : null,
    // d(a/b)/db = -a/b² = -(g/b)·a/b
    needs[1] ? sumTo(neg(mul(ga, div(a!, b!))), b!.shape) : null,
  ];
});

def('pow', { saveInputs: true }, (g, { inputs: [a, b] }, needs) => [
  // b·a^(b-1), and 0 where b == 0 (so 0^0 has gradient 0, as in torch).
  needs[0] ? sumTo(where(eq(b!, 0), 0, mul(g, mul(b!, pow(a!, sub(b!, 1))))), a!.shape) : null,
  // a^b·log(a), and 0 where a == 0 and b >= 0 (the limit; log(0) would give NaN).
  needs[1]
    ? sumTo(where(logicalAnd(eq(a!, 0), ge(b!, 0)), 0, mul(g, mul(pow(a!, b!), log(a!)))), b!.shape)
    : null,
]);

/** maximum/minimum: the gradient goes to the selected operand; ties split it evenly (torch). */
function selectGrads(g: Tensor, a: Tensor, b: Tensor, aWins: Tensor, needs: readonly boolean[]): (Tensor | null)[] {
  const dtype = g.dtype;
  const wa = add(aWins.to(dtype), mul(eq(a, b).to(dtype), 0.5));
  return [
    needs[0] ? sumTo(mul(g, wa), a.shape) : null,
    needs[1] ? sumTo(mul(g, sub(1, wa)), b.shape) : null,
  ];
}
def('maximum', { saveInputs: true }, (g, { inputs: [a, b] }, needs) => selectGrads(g, a!, b!, gt(a!, b!), needs));
def('minimum', { saveInputs: true }, (g, { inputs: [a, b] }, needs) => selectGrads(g, a!, b!, lt(a!, b!), needs));

def('atan2', { saveInputs: true }, (g, { inputs: [a, b] }, needs) => {
  // d atan2(a, b) = (b·da - a·db) / (a² + b²)
  const gr = div(g, add(mul(a!, a!), mul(b!, b!)));
  return [
    needs[0] ? sumTo(mul(gr, b!), a!.shape) : null,
    needs[1] ? sumTo(neg(mul(gr, a!)), b!.shape) : null,
  ];
});

def('remainder', { saveInputs: true }, (g, { inputs: [a, b] }, needs) => [
  // a - floor(a/b)·b: the floor is piecewise constant.
  needs[0] ? sumTo(g, a!.shape) : null,
  needs[1] ? sumTo(neg(mul(g, floor(div(a!, b!)))), b!.shape) : null,
]);

// ---- unary ------------------------------------------------------------------------------------

def('neg', {}, (g) => [neg(g)]);
def('identity', {}, (g) => [g]);
def('abs', { saveInputs: true }, (g, { inputs: [x] }) => [mul(g, sign(x!))]);
def('exp', { saveOutput: true }, (g, { output }) => [mul(g, output!)]);
def('log', { saveInputs: true }, (g, { inputs: [x] }) => [div(g, x!)]);
def('log1p', { saveInputs: true }, (g, { inputs: [x] }) => [div(g, add(x!, 1))]);
def('expm1', { saveOutput: true }, (g, { output }) => [mul(g, add(output!, 1))]);
def('sqrt', { saveOutput: true }, (g, { output }) => [div(g, mul(output!, 2))]);
// d x^(-1/2) = -½ x^(-3/2) = -½ y³
def('rsqrt', { saveOutput: true }, (g, { output: y }) => [mul(g, mul(pow(y!, 3), -0.5))]);
def('square', { saveInputs: true }, (g, { inputs: [x] }) => [mul(g, mul(x!, 2))]);
def('reciprocal', { saveOutput: true }, (g, { output: y }) => [neg(mul(g, mul(y!, y!)))]);
def('sin', { saveInputs: true }, (g, { inputs: [x] }) => [mul(g, cos(x!))]);
def('cos', { saveInputs: true }, (g, { inputs: [x] }) => [neg(mul(g, sin(x!)))]);
def('tanh', { saveOutput: true }, (g, { output: y }) => [mul(g, sub(1, mul(y!, y!)))]);
def('sigmoid', { saveOutput: true }, (g, { output: y }) => [mul(g, mul(y!, sub(1, y!)))]);
def('relu', { saveOutput: true }, (g, { output: y }) => {
  // One kernel pass (and, under createGraph, a recorded op whose own gradient is reluBackward again).
  if (g.dtype === y!.dtype && sameShape(g.shape, y!.shape)) return [reluBackward(g, y!)];
  return [where(gt(y!, 0), g, 0)];
});
// Linear in grad; piecewise constant in y (no gradient), as PyTorch's threshold_backward.
def('reluBackward', { saveInputs: true }, (gg, { inputs: [, y] }, needs) => [needs[0] ? reluBackward(gg, y!) : null, null]);

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
// gelu(x) = x·Φ(x): d = Φ(x) + x·φ(x), Φ(x) = ½(1 + erf(x/√2)), φ(x) = exp(-x²/2)/√(2π)
def('gelu', { saveInputs: true }, (g, { inputs: [x] }) => {
  const cdf = mul(add(erf(mul(x!, SQRT1_2)), 1), 0.5);
  const pdf = mul(exp(mul(mul(x!, x!), -0.5)), INV_SQRT_2PI);
  return [mul(g, add(cdf, mul(x!, pdf)))];
});
def('erf', { saveInputs: true }, (g, { inputs: [x] }) => [mul(g, mul(exp(neg(mul(x!, x!))), 2 / Math.sqrt(Math.PI)))]);

// ---- where / clamp ----------------------------------------------------------------------------

def('where', {}, (g, { meta: [a, b], attrs }, needs) => {
  const cond = (attrs as { cond: Tensor }).cond;
  return [
    needs[0] ? sumTo(where(cond, g, 0), a!.shape) : null,
    needs[1] ? sumTo(where(cond, 0, g), b!.shape) : null,
  ];
});

// The gradient passes where min <= x <= max (bounds included, as torch).
def('clamp', { saveInputs: true }, (g, { inputs: [x], attrs }) => {
  const { min, max } = attrs as { min: number; max: number };
  return [where(logicalAnd(ge(x!, min), le(x!, max)), g, 0)];
});
