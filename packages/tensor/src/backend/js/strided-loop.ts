import type { View } from '../backend.js';

/**
 * Code generation for strided elementwise loops. Each kernel is compiled once per expression with
 * `new Function`, so V8 sees a monomorphic loop with the expression inlined (a per-element callback
 * would cost a call per element). Expressions are internal constants, never user input.
 *
 * Loops run over a collapsed shape: adjacent dims that are contiguous in every operand are merged,
 * so a contiguous tensor of any rank is one flat loop.
 */

/** Merges adjacent dims that are contiguous in every operand and drops size-1 dims. */
export function collapseDims(shape: readonly number[], strides: readonly (readonly number[])[]): { shape: number[]; strides: number[][] } {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const size = shape[d]!;
    if (size === 1) continue;
    const last = outShape.length - 1;
    let merge = last >= 0;
    if (merge) {
      for (let k = 0; k < strides.length; k++) {
        if (outStrides[k]![last] !== strides[k]![d]! * size) { merge = false; break; }
      }
    }
    if (merge) {
      outShape[last] = outShape[last]! * size;
      for (let k = 0; k < strides.length; k++) outStrides[k]![last] = strides[k]![d]!;
    } else {
      outShape.push(size);
      for (let k = 0; k < strides.length; k++) outStrides[k]!.push(strides[k]![d]!);
    }
  }
  return { shape: outShape, strides: outStrides };
}

type Helpers = Record<string, unknown>;

/**
 * Builds `kernel(O, oo, os, shape, X0, o0, s0, ..., extra...)` computing `O[...] = expr` where `expr`
 * reads `x0`, `x1`, ... (the operands' elements) and any `extra` parameter names.
 * With `accumulate`, `acc` in `expr` is the current output value (for reductions): a zero output
 * stride on the inner dim keeps the accumulator in a local. With `partialSums` (the sum reduction
 * only) that line is summed into four interleaved partial sums: one running sum waits on the
 * previous add (about 4 cycles) for every element; four independent ones run about 3× faster.
 */
function generate(arity: number, expr: string, extra: readonly string[], helpers: Helpers, accumulate: boolean, partialSums: boolean): Function {
  const xs = Array.from({ length: arity }, (_, k) => k);
  const params = ['O', 'oo', 'os', 'shape', ...xs.flatMap((k) => [`X${k}`, `o${k}`, `s${k}`]), ...extra];
  const load = (idx: (k: number) => string) => xs.map((k) => `const x${k} = X${k}[${idx(k)}];`).join(' ');
  const innerStrides = xs.map((k) => `const s${k}i = s${k}[nd - 1];`).join(' ');
  const startPtrs = xs.map((k) => `let i${k} = p${k};`).join(' ');
  const stepPtrs = xs.map((k) => `i${k} += s${k}i;`).join(' ');
  const allUnit = ['osi === 1', ...xs.map((k) => `s${k}i === 1`)].join(' && ');
  const assign = (target: string) => (accumulate ? `${target} = ${expr.replaceAll('acc', target)};` : `${target} = ${expr};`);
  const body = `
    const nd = shape.length;
    if (nd === 0) { ${load((k) => `o${k}`)} ${assign('O[oo]')} return; }
    const n = shape[nd - 1];
    const osi = os[nd - 1]; ${innerStrides}
    let outer = 1; for (let d = 0; d < nd - 1; d++) outer *= shape[d];
    const idx = new Int32Array(nd);
    let po = oo; ${xs.map((k) => `let p${k} = o${k};`).join(' ')}
    for (let q = 0; q < outer; q++) {
      let io = po; ${startPtrs}
      if (${allUnit}) {
        for (let i = 0; i < n; i++) { ${load((k) => `i${k} + i`)} ${assign('O[io + i]')} }
      } ${partialSums ? `else if (osi === 0) {
        let acc = O[io], acc1 = 0, acc2 = 0, acc3 = 0, i = 0;
        if (s0i === 1) {
          for (; i + 3 < n; i += 4) { acc += X0[i0]; acc1 += X0[i0 + 1]; acc2 += X0[i0 + 2]; acc3 += X0[i0 + 3]; i0 += 4; }
        } else {
          const s4 = 4 * s0i;
          for (; i + 3 < n; i += 4) { acc += X0[i0]; acc1 += X0[i0 + s0i]; acc2 += X0[i0 + 2 * s0i]; acc3 += X0[i0 + 3 * s0i]; i0 += s4; }
        }
        for (; i < n; i++) { acc += X0[i0]; i0 += s0i; }
        O[io] = (acc + acc1) + (acc2 + acc3);
      }` : accumulate ? `else if (osi === 0) {
        let acc = O[io];
        for (let i = 0; i < n; i++) { ${load((k) => `i${k}`)} acc = ${expr}; ${stepPtrs} }
        O[io] = acc;
      }` : ''} else {
        for (let i = 0; i < n; i++) { ${load((k) => `i${k}`)} ${assign('O[io]')} io += osi; ${stepPtrs} }
      }
      for (let d = nd - 2; d >= 0; d--) {
        po += os[d]; ${xs.map((k) => `p${k} += s${k}[d];`).join(' ')}
        if (++idx[d] < shape[d]) break;
        idx[d] = 0; po -= os[d] * shape[d]; ${xs.map((k) => `p${k} -= s${k}[d] * shape[d];`).join(' ')}
      }
    }`;
  const names = Object.keys(helpers);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function(...names, `return function kernel(${params.join(', ')}) {${body}\n};`)(...names.map((n) => helpers[n]));
}

/**
 * The same loop for the common case where every operand is contiguous: one flat pass,
 * `flat(n, O, oo, X0, o0, X1, o1, X2, o2, ...extra)` (unused operands are undefined).
 */
function generateFlat(arity: number, expr: string, extra: readonly string[], helpers: Helpers, accumulate: boolean): Function {
  const xs = Array.from({ length: arity }, (_, k) => k);
  const params = ['n', 'O', 'oo', 'X0', 'o0', 'X1', 'o1', 'X2', 'o2', ...extra];
  const step = (j: string) => {
    const load = xs.map((k) => `const x${k} = X${k}[o${k} + ${j}];`).join(' ');
    const body = accumulate ? `O[oo + ${j}] = ${expr.replaceAll('acc', `O[oo + ${j}]`)};` : `O[oo + ${j}] = ${expr};`;
    return `{ ${load} ${body} }`;
  };
  // Unrolled by four (elements still in order, so in-place aliasing behaves as before): the loop
  // overhead is a large share of a cheap op like add, about 25% on a 100-element tensor.
  const loop = `let i = 0; for (; i + 3 < n; i += 4) { ${step('i')} ${step('i + 1')} ${step('i + 2')} ${step('i + 3')} } for (; i < n; i++) ${step('i')}`;
  const names = Object.keys(helpers);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function(...names, `return function flat(${params.join(', ')}) { ${loop} };`)(...names.map((n) => helpers[n]));
}

/** Whether `strides` lay out `shape` contiguously (row-major, no gaps; size-1 dims may have any stride). */
function isDense(shape: readonly number[], strides: readonly number[]): boolean {
  let expected = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    const size = shape[d]!;
    if (size === 1) continue;
    if (strides[d] !== expected) return false;
    expected *= size;
  }
  return true;
}

export type LoopKernel = (out: View, inputs: readonly View[], e0?: number, e1?: number) => void;

type FlatFn = (n: number, O: unknown, oo: number, X0: unknown, o0: number, X1: unknown, o1: number, X2: unknown, o2: number, e0?: number, e1?: number) => void;
type StridedFn = (...args: unknown[]) => void;

/**
 * A compiled elementwise loop over `out`'s shape; `inputs` (at most three) must already have
 * out's shape (broadcast through zero strides). At most two `extra` scalars.
 */
export function compileLoop(
  arity: number, expr: string,
  opts: { extra?: readonly string[]; helpers?: Helpers; accumulate?: boolean; partialSums?: boolean } = {},
): LoopKernel {
  if (arity > 3 || (opts.extra?.length ?? 0) > 2) throw new RangeError('compileLoop: at most 3 operands and 2 extra scalars');
  const extra = opts.extra ?? [];
  const helpers = opts.helpers ?? {};
  const accumulate = opts.accumulate ?? false;
  const partialSums = opts.partialSums ?? false;
  if (partialSums && !(accumulate && arity === 1 && expr === 'acc + x0')) throw new RangeError('compileLoop: partialSums is for the sum reduction (acc + x0) only');
  const strided = generate(arity, expr, extra, helpers, accumulate, partialSums) as StridedFn;
  const flat = generateFlat(arity, expr, extra, helpers, accumulate) as FlatFn;
  return (out, inputs, e0, e1) => {
    const shape = out.shape;
    const a = inputs[0], b = inputs[1], c = inputs[2];
    // Fast path: everything contiguous (the usual case) is one flat loop, with no collapsing.
    if (isDense(shape, out.strides) && (a === undefined || isDense(shape, a.strides)) && (b === undefined || isDense(shape, b.strides)) && (c === undefined || isDense(shape, c.strides))) {
      let n = 1;
      for (let d = 0; d < shape.length; d++) n *= shape[d]!;
      flat(n, out.buffer, out.offset, a?.buffer, a?.offset ?? 0, b?.buffer, b?.offset ?? 0, c?.buffer, c?.offset ?? 0, e0, e1);
      return;
    }
    const col = collapseDims(shape, [out.strides, ...inputs.map((x) => x.strides)]);
    const args: unknown[] = [out.buffer, out.offset, col.strides[0], col.shape];
    for (let k = 0; k < inputs.length; k++) args.push(inputs[k]!.buffer, inputs[k]!.offset, col.strides[k + 1]);
    if (e0 !== undefined) args.push(e0);
    if (e1 !== undefined) args.push(e1);
    strided(...args);
  };
}

/** Flat iteration helper for kernels that are not elementwise: visits every line along `dim`. */
export function forEachLine(
  shape: readonly number[],
  stridesList: readonly (readonly number[])[],
  offsets: readonly number[],
  dim: number,
  visit: (bases: number[]) => void,
): void {
  const nd = shape.length;
  const outerDims: number[] = [];
  for (let d = 0; d < nd; d++) if (d !== dim) outerDims.push(d);
  const k = stridesList.length;
  const bases = offsets.slice();
  const idx = new Int32Array(outerDims.length);
  let total = 1;
  for (const d of outerDims) total *= shape[d]!;
  if (total === 0) return;
  for (let q = 0; q < total; q++) {
    visit(bases);
    for (let j = outerDims.length - 1; j >= 0; j--) {
      const d = outerDims[j]!;
      for (let t = 0; t < k; t++) bases[t]! += stridesList[t]![d]!;
      if (++idx[j]! < shape[d]!) break;
      idx[j] = 0;
      for (let t = 0; t < k; t++) bases[t]! -= stridesList[t]![d]! * shape[d]!;
    }
  }
}

