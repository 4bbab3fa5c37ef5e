import { Tensor, toTypedArray, zeros } from '@tsgrad/tensor';
import { grad } from './grad.js';
import { enableGrad } from './grad-mode.js';

/**
 * Tolerances and step of `gradcheck`/`gradgradcheck` (`eps`, `atol`, `rtol`), and whether a failure throws (`raiseException`).
 */
export interface GradcheckOptions {
  /** Finite-difference step (default 1e-6). */
  eps?: number;
  /** Absolute tolerance (default 1e-5). */
  atol?: number;
  /** Relative tolerance, against the numerical value (default 1e-3). */
  rtol?: number;
  /** Throw a descriptive error on mismatch (default true); false returns false instead. */
  raiseException?: boolean;
}

type Fn = (...inputs: Tensor[]) => Tensor | readonly Tensor[];

function outputsOf(r: Tensor | readonly Tensor[]): Tensor[] {
  const list = r instanceof Tensor ? [r] : Array.from(r);
  list.forEach((t, i) => { if (!(t instanceof Tensor)) throw new TypeError(`gradcheck: the function returned a non-Tensor output at position ${i}`); });
  return list.filter((t) => t.dtype === 'float32' || t.dtype === 'float64');
}

function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) { idx[d] = i % shape[d]!; i = Math.floor(i / shape[d]!); }
  return idx;
}

/** Storage position of the row-major element `i` of a (possibly non-contiguous) tensor. */
function storageIndex(t: Tensor, i: number): number {
  let pos = t.offset;
  for (let d = t.ndim - 1; d >= 0; d--) { pos += (i % t.shape[d]!) * t.strides[d]!; i = Math.floor(i / t.shape[d]!); }
  return pos;
}

/**
 * Checks the analytical gradients of `fn` at `inputs` against central finite differences
 * (torch.autograd.gradcheck): for every output element and every element of every input that
 * requires grad, |analytical - numerical| <= atol + rtol·|numerical|. Inputs that require grad
 * must be float64. Returns true, or throws naming the worst entry (which output, which input, the
 * indices, both values); with `raiseException: false` returns false instead of throwing.
 */
export function gradcheck(fn: Fn, inputs: readonly Tensor[], options: GradcheckOptions = {}): boolean {
  const eps = options.eps ?? 1e-6;
  const atol = options.atol ?? 1e-5;
  const rtol = options.rtol ?? 1e-3;
  if (!Array.isArray(inputs)) throw new TypeError('gradcheck: inputs must be an array of Tensors');
  const diff = inputs.map((t, i) => ({ t, i })).filter(({ t }) => t instanceof Tensor && t.requiresGrad);
  if (diff.length === 0) throw new Error('gradcheck: no input requires grad; create inputs with { requiresGrad: true }');
  for (const { t, i } of diff) {
    if (t.dtype !== 'float64') throw new TypeError(`gradcheck: input ${i} is ${t.dtype}; finite differences need float64 inputs (use .double())`);
  }
  const diffTensors = diff.map((d) => d.t);

  // Analytical Jacobian rows: one backward per output element.
  const outs = outputsOf(fn(...inputs));
  const analytical: Float64Array[][] = outs.map((o) => diff.map(({ t }) => new Float64Array(o.numel() * t.numel())));
  outs.forEach((o, oi) => {
    if (!o.requiresGrad) return; // its gradient is zero everywhere
    const n = o.numel();
    for (let k = 0; k < n; k++) {
      const seed = zeros(o.shape, { dtype: o.dtype });
      seed.storage.data[k] = 1;
      const gs = grad([o], diffTensors, { gradOutputs: [seed], retainGraph: true, allowUnused: true });
      gs.forEach((g, p) => {
        if (g === null) return;
        const row = toTypedArray(g);
        analytical[oi]![p]!.set(row, k * row.length);
      });
    }
  });

  // Numerical Jacobian columns: perturb one input element at a time (restored afterwards).
  let worst: { excess: number; oi: number; p: number; j: number; k: number; a: number; n: number } | null = null;
  let mismatches = 0;
  let total = 0;
  // Evaluated with grad mode as the caller has it: fn may itself differentiate (a gradient penalty).
  {
    diff.forEach(({ t }, p) => {
      const data = t.storage.data;
      for (let j = 0; j < t.numel(); j++) {
        const pos = storageIndex(t, j);
        const orig = data[pos]!;
        data[pos] = orig + eps;
        const plus = outputsOf(fn(...inputs)).map((o) => toTypedArray(o));
        data[pos] = orig - eps;
        const minus = outputsOf(fn(...inputs)).map((o) => toTypedArray(o));
        data[pos] = orig;
        outs.forEach((o, oi) => {
          const cols = t.numel();
          for (let k = 0; k < o.numel(); k++) {
            const num = (plus[oi]![k]! - minus[oi]![k]!) / (2 * eps);
            const ana = analytical[oi]![p]![k * cols + j]!;
            total++;
            const excess = Math.abs(ana - num) - (atol + rtol * Math.abs(num));
            const bad = !(excess <= 0); // NaN counts as a mismatch
            if (bad) mismatches++;
            const score = Number.isNaN(excess) ? Infinity : excess;
            if (bad && (worst === null || score > worst.excess)) worst = { excess: score, oi, p, j, k, a: ana, n: num };
          }
        });
      }
    });
  }

  if (worst === null) return true;
  const w = worst as { oi: number; p: number; j: number; k: number; a: number; n: number };
  const input = diff[w.p]!;
  const message =
    `gradcheck: Jacobian mismatch for output ${w.oi} with respect to input ${input.i}: ` +
    `at input index [${unravel(w.j, input.t.shape).join(', ')}], output index [${unravel(w.k, outs[w.oi]!.shape).join(', ')}] ` +
    `analytical ${w.a} vs numerical ${w.n} (${mismatches} of ${total} entries outside atol ${atol} + rtol ${rtol}·|numerical|, eps ${eps})`;
  if (options.raiseException === false) return false;
  throw new Error(message);
}

/** A small deterministic generator so gradgradcheck's fixed output gradients are reproducible. */
function seededValues(n: number, seed: number): Float64Array {
  const out = new Float64Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 32) * 2 - 1;
  }
  return out;
}

/**
 * Checks second derivatives (torch.autograd.gradgradcheck): gradcheck of the map
 * inputs -> grad(fn(inputs), inputs, gradOutputs v, createGraph) for fixed random v.
 */
export function gradgradcheck(fn: Fn, inputs: readonly Tensor[], options: GradcheckOptions = {}): boolean {
  const outs = outputsOf(fn(...inputs));
  const vs = outs.map((o, i) => {
    const v = zeros(o.shape, { dtype: o.dtype });
    v.storage.data.set(seededValues(o.numel(), 12345 + i));
    return v;
  });
  // Evaluated with grad on even inside gradcheck's finite differences: the map itself is a gradient.
  const firstOrder = (...xs: Tensor[]): Tensor[] => enableGrad(() => {
    const os = outputsOf(fn(...xs));
    const live = os.map((o, i) => ({ o, v: vs[i]! })).filter(({ o }) => o.requiresGrad);
    const wrt = xs.filter((x) => x.requiresGrad);
    if (live.length === 0) return wrt.map((x) => zeros(x.shape, { dtype: x.dtype }));
    const gs = grad(live.map((l) => l.o), wrt, { gradOutputs: live.map((l) => l.v), createGraph: true, allowUnused: true });
    return gs.map((g, i) => g ?? zeros(wrt[i]!.shape, { dtype: wrt[i]!.dtype }));
  });
  return gradcheck(firstOrder, inputs, options);
}
