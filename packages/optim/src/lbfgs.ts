import { Tensor, getBackend } from '@tsgrad/tensor';
import { type Closure, Optimizer, type ParamState, type ParamsInput, decodeValue } from './optimizer.js';
import { withGrad, withoutGrad } from './no-grad.js';
import { checkNonNegative, checkPositiveInt } from './validate.js';

/**
 * Hyperparameters of `LBFGS` (camelCase versions of torch.optim.LBFGS's); omitted ones take `LBFGS_DEFAULTS`.
 */
export interface LBFGSOptions {
  lr: number;
  maxIter: number;
  /** Maximum closure evaluations per step; null means ⌊maxIter·5/4⌋ (torch's default). */
  maxEval: number | null;
  toleranceGrad: number;
  toleranceChange: number;
  historySize: number;
  /** null: a fixed step `lr` (torch's default path); 'strong_wolfe': line search. */
  lineSearchFn: 'strong_wolfe' | null;
}

/** torch.optim.LBFGS's defaults. */
export const LBFGS_DEFAULTS: LBFGSOptions = { lr: 1, maxIter: 20, maxEval: null, toleranceGrad: 1e-7, toleranceChange: 1e-9, historySize: 100, lineSearchFn: null };

type Vec = Float64Array;

function dot(a: Vec, b: Vec): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
function absMax(a: Vec): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) { const v = Math.abs(a[i]!); if (v > m || Number.isNaN(v)) m = v; }
  return m;
}
function absSum(a: Vec): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]!);
  return s;
}
function scaled(a: Vec, c: number): Vec {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! * c;
  return out;
}
/** a += c·b */
function axpy(a: Vec, c: number, b: Vec): void {
  for (let i = 0; i < a.length; i++) a[i] = a[i]! + c * b[i]!;
}

/**
 * Minimiser of the cubic interpolating (x1, f1, g1) and (x2, f2, g2), clamped to `bounds`
 * (torch.optim.lbfgs._cubic_interpolate; Nocedal & Wright eq. 3.59).
 */
export function cubicInterpolate(x1: number, f1: number, g1: number, x2: number, f2: number, g2: number, bounds?: [number, number]): number {
  const [lo, hi] = bounds ?? (x1 <= x2 ? [x1, x2] : [x2, x1]);
  const d1 = g1 + g2 - (3 * (f1 - f2)) / (x1 - x2);
  const d2Square = d1 * d1 - g1 * g2;
  if (d2Square >= 0) {
    const d2 = Math.sqrt(d2Square);
    const minPos = x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2)) : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
    return Math.min(Math.max(minPos, lo), hi);
  }
  return (lo + hi) / 2;
}

/** Evaluates the objective at x + t·d: returns [loss, flat gradient]. */
export type DirectionalObjective = (x: Vec, t: number, d: Vec) => [number, Vec];

/**
 * Line search for a step satisfying the strong Wolfe conditions (torch.optim.lbfgs._strong_wolfe,
 * Nocedal & Wright algorithms 3.5 and 3.6). Returns [loss, gradient, t, evaluations].
 */
export function strongWolfe(
  obj: DirectionalObjective, x: Vec, t: number, d: Vec, f: number, g: Vec, gtd: number,
  c1 = 1e-4, c2 = 0.9, toleranceChange = 1e-9, maxLs = 25,
): [number, Vec, number, number] {
  const dNorm = absMax(d);
  let [fNew, gNew] = obj(x, t, d);
  let lsFuncEvals = 1;
  let gtdNew = dot(gNew, d);
  let tPrev = 0, fPrev = f, gPrev = g, gtdPrev = gtd;
  let done = false;
  let lsIter = 0;
  let bracket: number[] = [], bracketF: number[] = [], bracketG: Vec[] = [], bracketGtd: number[] = [];
  // Bracketing phase: find an interval containing a point that satisfies the conditions.
  while (lsIter < maxLs) {
    if (fNew > f + c1 * t * gtd || (lsIter > 1 && fNew >= fPrev)) {
      bracket = [tPrev, t]; bracketF = [fPrev, fNew]; bracketG = [gPrev, gNew.slice()]; bracketGtd = [gtdPrev, gtdNew];
      break;
    }
    if (Math.abs(gtdNew) <= -c2 * gtd) {
      bracket = [t]; bracketF = [fNew]; bracketG = [gNew]; done = true;
      break;
    }
    if (gtdNew >= 0) {
      bracket = [tPrev, t]; bracketF = [fPrev, fNew]; bracketG = [gPrev, gNew.slice()]; bracketGtd = [gtdPrev, gtdNew];
      break;
    }
    const minStep = t + 0.01 * (t - tPrev);
    const maxStep = t * 10;
    const tmp = t;
    t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, [minStep, maxStep]);
    tPrev = tmp; fPrev = fNew; gPrev = gNew.slice(); gtdPrev = gtdNew;
    [fNew, gNew] = obj(x, t, d);
    lsFuncEvals++;
    gtdNew = dot(gNew, d);
    lsIter++;
  }
  if (lsIter === maxLs) {
    bracket = [0, t]; bracketF = [f, fNew]; bracketG = [g, gNew];
  }
  // Zoom phase: shrink the bracket until a point satisfies the conditions.
  let insufProgress = false;
  let [lowPos, highPos] = bracketF[0]! <= bracketF[bracketF.length - 1]! ? [0, 1] : [1, 0];
  while (!done && lsIter < maxLs) {
    if (Math.abs(bracket[1]! - bracket[0]!) * dNorm < toleranceChange) break;
    t = cubicInterpolate(bracket[0]!, bracketF[0]!, bracketGtd[0]!, bracket[1]!, bracketF[1]!, bracketGtd[1]!);
    const bMax = Math.max(...bracket), bMin = Math.min(...bracket);
    const eps = 0.1 * (bMax - bMin);
    if (Math.min(bMax - t, t - bMin) < eps) {
      // Too close to an end of the bracket: move away unless the last step made progress.
      if (insufProgress || t >= bMax || t <= bMin) {
        t = Math.abs(t - bMax) < Math.abs(t - bMin) ? bMax - eps : bMin + eps;
        insufProgress = false;
      } else {
        insufProgress = true;
      }
    } else {
      insufProgress = false;
    }
    [fNew, gNew] = obj(x, t, d);
    lsFuncEvals++;
    gtdNew = dot(gNew, d);
    lsIter++;
    if (fNew > f + c1 * t * gtd || fNew >= bracketF[lowPos]!) {
      bracket[highPos] = t; bracketF[highPos] = fNew; bracketG[highPos] = gNew.slice(); bracketGtd[highPos] = gtdNew;
      [lowPos, highPos] = bracketF[0]! <= bracketF[1]! ? [0, 1] : [1, 0];
    } else {
      if (Math.abs(gtdNew) <= -c2 * gtd) {
        done = true;
      } else if (gtdNew * (bracket[highPos]! - bracket[lowPos]!) >= 0) {
        bracket[highPos] = bracket[lowPos]!; bracketF[highPos] = bracketF[lowPos]!; bracketG[highPos] = bracketG[lowPos]!; bracketGtd[highPos] = bracketGtd[lowPos]!;
      }
      bracket[lowPos] = t; bracketF[lowPos] = fNew; bracketG[lowPos] = gNew.slice(); bracketGtd[lowPos] = gtdNew;
    }
  }
  return [bracketF[lowPos]!, bracketG[lowPos]!, bracket[lowPos]!, lsFuncEvals];
}

const asTensor = (v: Vec): Tensor => Tensor.fromBuffer(v, [v.length]);
const asVec = (t: Tensor): Vec => (t.dtype === 'float64' && t.isContiguous() && t.offset === 0 ? t.storage.data as Vec : Float64Array.from(t.toTypedArray()));

/**
 * L-BFGS (torch.optim.LBFGS): a quasi-Newton method over all parameters flattened into one
 * vector, keeping `historySize` curvature pairs. Needs a closure; supports one parameter group.
 * The flat vectors are float64 whatever the parameters' dtype.
 */
export class LBFGS extends Optimizer<LBFGSOptions> {
  constructor(params: ParamsInput<LBFGSOptions>, options: Partial<LBFGSOptions> = {}) {
    super(params, { ...LBFGS_DEFAULTS, ...options });
    if (this.paramGroups.length !== 1) throw new RangeError("LBFGS doesn't support per-parameter options (parameter groups)");
  }

  protected validateHyper(h: LBFGSOptions, where: string): void {
    checkNonNegative(h.lr, `${where}: lr`);
    checkPositiveInt(h.maxIter, `${where}: maxIter`);
    if (h.maxEval !== null) checkPositiveInt(h.maxEval, `${where}: maxEval`);
    checkNonNegative(h.toleranceGrad, `${where}: toleranceGrad`);
    checkNonNegative(h.toleranceChange, `${where}: toleranceChange`);
    checkPositiveInt(h.historySize, `${where}: historySize`);
    if (h.lineSearchFn !== null && h.lineSearchFn !== 'strong_wolfe') {
      throw new RangeError(`${where}: lineSearchFn must be null or 'strong_wolfe', got ${JSON.stringify(h.lineSearchFn)}`);
    }
  }

  override addParamGroup(group: Parameters<Optimizer<LBFGSOptions>['addParamGroup']>[0]): void {
    if (this.paramGroups.length > 0) throw new RangeError("LBFGS doesn't support per-parameter options (parameter groups)");
    super.addParamGroup(group);
  }

  private get params(): Tensor[] {
    return this.paramGroups[0]!.params;
  }

  private numel(): number {
    let n = 0;
    for (const p of this.params) n += p.numel();
    return n;
  }

  private gatherFlatGrad(): Vec {
    const out = new Float64Array(this.numel());
    let off = 0;
    for (const p of this.params) {
      const n = p.numel();
      if (p.grad !== null) {
        const g = p.grad;
        if (g.isContiguous()) { const b = g.storage.data; for (let i = 0; i < n; i++) out[off + i] = b[g.offset + i]!; }
        else out.set(g.toTypedArray(), off);
      }
      off += n;
    }
    return out;
  }

  /** Writes `f(old value, flat index)` into every parameter element. */
  private updateParams(f: (old: number, k: number) => number): void {
    let off = 0;
    withoutGrad(() => {
      for (const p of this.params) {
        const n = p.numel();
        const c = p.isContiguous() ? p : p.clone();
        const b = c.storage.data;
        for (let i = 0; i < n; i++) b[c.offset + i] = f(b[c.offset + i]!, off + i);
        if (c !== p) getBackend().copy(c, p);
        p.bumpVersion();
        off += n;
      }
    });
  }

  private addGrad(t: number, d: Vec): void {
    this.updateParams((v, k) => v + t * d[k]!);
  }

  private cloneParams(): Vec {
    const out = new Float64Array(this.numel());
    let off = 0;
    for (const p of this.params) { out.set(p.toTypedArray(), off); off += p.numel(); }
    return out;
  }

  private setParams(x: Vec): void {
    this.updateParams((_, k) => x[k]!);
  }

  override step(closure?: Closure): Tensor | number {
    if (typeof closure !== 'function') {
      throw new TypeError('LBFGS.step(closure): closure must be a function that re-evaluates the model, calls backward() and returns the loss');
    }
    const evaluate = (): [Tensor | number, number] => {
      const out = withGrad(closure);
      return [out, typeof out === 'number' ? out : out.item()];
    };
    const group = this.paramGroups[0]!;
    const { lr, maxIter, toleranceGrad, toleranceChange, historySize, lineSearchFn } = group;
    const maxEval = group.maxEval ?? Math.floor((maxIter * 5) / 4);
    const key = this.params[0]!;
    let st = this.state.get(key);
    if (st === undefined) { st = { funcEvals: 0, nIter: 0 }; this.state.set(key, st); }

    const [origLoss, firstLoss] = evaluate();
    let loss = firstLoss;
    let currentEvals = 1;
    st.funcEvals = (st.funcEvals as number) + 1;
    let flatGrad = this.gatherFlatGrad();
    let optCond = absMax(flatGrad) <= toleranceGrad;
    if (optCond) return origLoss;

    let d: Vec | null = st.d instanceof Tensor ? asVec(st.d) : null;
    let t = (st.t as number | undefined) ?? lr;
    const oldDirs = ((st.oldDirs as Tensor[] | undefined) ?? []).map(asVec);
    const oldStps = ((st.oldStps as Tensor[] | undefined) ?? []).map(asVec);
    const ro = ((st.ro as number[] | undefined) ?? []).slice();
    let hDiag = (st.hDiag as number | undefined) ?? 1;
    let prevFlatGrad: Vec | null = st.prevFlatGrad instanceof Tensor ? asVec(st.prevFlatGrad) : null;
    let prevLoss = (st.prevLoss as number | undefined) ?? loss;

    let nIter = 0;
    while (nIter < maxIter) {
      nIter++;
      st.nIter = (st.nIter as number) + 1;
      if (st.nIter === 1 || d === null || prevFlatGrad === null) {
        d = scaled(flatGrad, -1);
        oldDirs.length = 0; oldStps.length = 0; ro.length = 0;
        hDiag = 1;
      } else {
        // Update the curvature pairs, then the two-loop recursion for d = −H·g.
        const y = flatGrad.slice();
        axpy(y, -1, prevFlatGrad);
        const s = scaled(d, t);
        const ys = dot(y, s);
        if (ys > 1e-10) {
          if (oldDirs.length === historySize) { oldDirs.shift(); oldStps.shift(); ro.shift(); }
          oldDirs.push(y); oldStps.push(s); ro.push(1 / ys);
          hDiag = ys / dot(y, y);
        }
        const numOld = oldDirs.length;
        const al = new Array<number>(numOld);
        const q = scaled(flatGrad, -1);
        for (let i = numOld - 1; i >= 0; i--) {
          al[i] = dot(oldStps[i]!, q) * ro[i]!;
          axpy(q, -al[i]!, oldDirs[i]!);
        }
        const r = scaled(q, hDiag);
        for (let i = 0; i < numOld; i++) {
          const beI = dot(oldDirs[i]!, r) * ro[i]!;
          axpy(r, al[i]! - beI, oldStps[i]!);
        }
        d = r;
      }
      prevFlatGrad = flatGrad.slice();
      prevLoss = loss;
      t = st.nIter === 1 ? Math.min(1, 1 / absSum(flatGrad)) * lr : lr;
      const gtd = dot(flatGrad, d);
      if (gtd > -toleranceChange) break;

      let lsFuncEvals = 0;
      if (lineSearchFn === 'strong_wolfe') {
        const xInit = this.cloneParams();
        const obj: DirectionalObjective = (x, tt, dd) => {
          this.addGrad(tt, dd);
          const [, l] = evaluate();
          const g = this.gatherFlatGrad();
          this.setParams(x);
          return [l, g];
        };
        [loss, flatGrad, t, lsFuncEvals] = strongWolfe(obj, xInit, t, d, loss, flatGrad, gtd);
        this.addGrad(t, d);
        optCond = absMax(flatGrad) <= toleranceGrad;
      } else {
        this.addGrad(t, d);
        if (nIter !== maxIter) {
          loss = evaluate()[1];
          flatGrad = this.gatherFlatGrad();
          optCond = absMax(flatGrad) <= toleranceGrad;
          lsFuncEvals = 1;
        }
      }
      currentEvals += lsFuncEvals;
      st.funcEvals = (st.funcEvals as number) + lsFuncEvals;

      if (nIter === maxIter) break;
      if (currentEvals >= maxEval) break;
      if (optCond) break;
      if (absMax(d) * Math.abs(t) <= toleranceChange) break;
      if (Math.abs(loss - prevLoss) < toleranceChange) break;
    }

    st.d = d === null ? null : asTensor(d);
    st.t = t;
    st.oldDirs = oldDirs.map(asTensor);
    st.oldStps = oldStps.map(asTensor);
    st.ro = ro;
    st.hDiag = hDiag;
    st.prevFlatGrad = prevFlatGrad === null ? null : asTensor(prevFlatGrad);
    st.prevLoss = prevLoss;
    return origLoss;
  }

  /** The flat history vectors stay float64 whatever the parameters' dtype. */
  protected override decodeState(st: ParamState): ParamState {
    return decodeValue(st, null) as ParamState;
  }
}
