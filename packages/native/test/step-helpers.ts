// Shared by the fused recurrent step kernels' native tests (lstm.test.ts, rnn.test.ts): native's
// unfused kernels to compare against, and comparisons over every operand of a step.
import { expect } from 'vitest';
// Imported by relative path in tests only: @tsgrad/native must not depend on @tsgrad/tensor.
import { jsBackend } from '../../tensor/src/backend/js/index.js';
import type { StepKernels } from '../../tensor/src/test-utils/lstm-reference.js';
import { expectSameBits } from '../../tensor/src/test-utils/step-views.js';
import { elementwiseKernels } from '../src/elementwise.js';
import { rawAddon } from '../src/index.js';
import type { View } from '../src/types.js';
import { skipWithoutAddon } from './helpers.js';

/**
 * Native's own elementwise kernels at every size (thresholds zero); a decline would be a silent
 * no-op, so it fails, except for the binaryScalar ops in `tsOps`, which native does not have:
 * there the TS kernel runs, as it did in the unfused recurrence.
 */
export function unfusedNativeKernels(tsOps: readonly string[] = []): StepKernels {
  if (skipWithoutAddon) return null as unknown as StepKernels;
  const ew = elementwiseKernels(rawAddon(), { cheap: 0, transcendental: 0, reduce: 0 });
  const must = (r: void | false, what: string) => {
    if (r === false) throw new Error(`native declined ${what}`);
  };
  return {
    unary: (op, x, out) => must(ew.unary(op, x, out), op),
    binary: (op, a, b, out) => must(ew.binary(op, a, b, out), op),
    binaryScalar: (op, a, s, out, rev) => (tsOps.includes(op) ? jsBackend.binaryScalar(op, a, s, out, rev) : must(ew.binaryScalar(op, a, s, out, rev), op)),
  };
}

/** Every operand of `actual` holds exactly the bits of the same operand of `expected`. */
export function expectViewsSameBits(actual: View[], expected: View[], label: string): void {
  actual.forEach((v, k) => expectSameBits(v.buffer, expected[k]!.buffer, `${label} operand ${k} `));
}

/** Every element within atol + rtol·|expected| (NaN matching NaN). */
export function expectViewsClose(actual: View[], expected: View[], rtol: number, atol: number, label: string): void {
  actual.forEach((v, k) => {
    const a = v.buffer, e = expected[k]!.buffer;
    for (let i = 0; i < a.length; i++) {
      const x = a[i]!, y = e[i]!;
      if (x === y || (Number.isNaN(x) && Number.isNaN(y))) continue;
      if (!(Math.abs(x - y) <= atol + rtol * Math.abs(y))) expect.fail(`${label} operand ${k} [${i}]: got ${x}, expected ${y}`);
    }
  });
}
