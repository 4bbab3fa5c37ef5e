import { checkNumber, checkPositive } from '../validate.js';
import { type AnyOptimizer, LRScheduler, perGroup } from './scheduler.js';

/**
 * The amplitude policy of `CyclicLR`: constant ('triangular'), halved each cycle ('triangular2'), or scaled by gamma^iteration ('exp_range').
 */
export type CyclicMode = 'triangular' | 'triangular2' | 'exp_range';

/**
 * Options of `CyclicLR` (camelCase versions of torch's): `baseLr`, `maxLr`, `stepSizeUp`/`stepSizeDown`, `mode`, `gamma`, a custom `scaleFn`, momentum cycling.
 */
export interface CyclicOptions {
  baseLr: number | readonly number[];
  maxLr: number | readonly number[];
  stepSizeUp?: number;
  stepSizeDown?: number;
  mode?: CyclicMode;
  gamma?: number;
  /** A custom amplitude scale (replaces `mode`); not saved in the state dict. */
  scaleFn?: (x: number) => number;
  scaleMode?: 'cycle' | 'iterations';
  cycleMomentum?: boolean;
  baseMomentum?: number | readonly number[];
  maxMomentum?: number | readonly number[];
}

/**
 * Cyclical learning rates (Smith): the lr cycles between `baseLr` and `maxLr` with a triangular
 * wave (halved each cycle for 'triangular2', scaled by γ^iteration for 'exp_range'); momentum
 * cycles inversely. Stepped once per batch.
 */
export class CyclicLR extends LRScheduler {
  readonly maxLrs: number[];
  readonly totalSize: number;
  readonly stepRatio: number;
  readonly mode: CyclicMode;
  readonly gamma: number;
  readonly scaleMode: 'cycle' | 'iterations';
  readonly customScaleFn: ((x: number) => number) | null;
  readonly cycleMomentum: boolean;
  readonly useBeta1: boolean;
  readonly baseMomentums: number[];
  readonly maxMomentums: number[];

  constructor(optimizer: AnyOptimizer, options: CyclicOptions) {
    // torch sets each group's lr to baseLr before the base class records initialLr.
    if (typeof options !== 'object' || options === null) throw new TypeError('CyclicLR: options { baseLr, maxLr, ... } are required');
    if (typeof optimizer === 'object' && optimizer !== null && Array.isArray((optimizer as AnyOptimizer).paramGroups)) {
      const base = perGroup(options.baseLr, optimizer, 'CyclicLR: baseLr');
      optimizer.paramGroups.forEach((g, i) => { g.lr = base[i]!; });
    }
    super(optimizer);
    const o = options;
    this.baseLrs = perGroup(o.baseLr, this.optimizer, 'CyclicLR: baseLr');
    this.maxLrs = perGroup(o.maxLr, this.optimizer, 'CyclicLR: maxLr');
    const up = checkPositive(o.stepSizeUp ?? 2000, 'CyclicLR: stepSizeUp');
    const down = o.stepSizeDown === undefined ? up : checkPositive(o.stepSizeDown, 'CyclicLR: stepSizeDown');
    this.totalSize = up + down;
    this.stepRatio = up / this.totalSize;
    const mode = o.mode ?? 'triangular';
    if (mode !== 'triangular' && mode !== 'triangular2' && mode !== 'exp_range') {
      throw new RangeError(`CyclicLR: mode must be 'triangular', 'triangular2' or 'exp_range', got ${JSON.stringify(mode)}`);
    }
    this.mode = mode;
    this.gamma = checkNumber(o.gamma ?? 1, 'CyclicLR: gamma');
    this.customScaleFn = o.scaleFn ?? null;
    if (this.customScaleFn !== null && typeof this.customScaleFn !== 'function') throw new TypeError('CyclicLR: scaleFn must be a function');
    this.scaleMode = this.customScaleFn !== null ? (o.scaleMode ?? 'cycle') : mode === 'exp_range' ? 'iterations' : 'cycle';
    if (this.scaleMode !== 'cycle' && this.scaleMode !== 'iterations') throw new RangeError(`CyclicLR: scaleMode must be 'cycle' or 'iterations'`);
    this.cycleMomentum = o.cycleMomentum ?? true;
    const defaults = this.optimizer.defaults as Record<string, unknown>;
    if (this.cycleMomentum && !('momentum' in defaults) && !('betas' in defaults)) {
      throw new TypeError('CyclicLR: optimizer must support momentum or betas with cycleMomentum enabled');
    }
    this.useBeta1 = this.cycleMomentum && 'betas' in defaults;
    this.baseMomentums = this.cycleMomentum ? perGroup(o.baseMomentum ?? 0.8, this.optimizer, 'CyclicLR: baseMomentum') : [];
    this.maxMomentums = this.cycleMomentum ? perGroup(o.maxMomentum ?? 0.9, this.optimizer, 'CyclicLR: maxMomentum') : [];
    if (this.cycleMomentum) this.groups.forEach((g, i) => this.setMomentum(g as Record<string, unknown>, this.maxMomentums[i]!));
    this.initialStep();
  }

  private setMomentum(g: Record<string, unknown>, m: number): void {
    if (this.useBeta1) g.betas = [m, (g.betas as number[])[1]!];
    else g.momentum = m;
  }

  /** The amplitude scale at cycle number / iteration `x`. */
  scaleFn(x: number): number {
    if (this.customScaleFn !== null) return this.customScaleFn(x);
    if (this.mode === 'triangular') return 1;
    if (this.mode === 'triangular2') return 1 / 2 ** (x - 1);
    return this.gamma ** x;
  }

  getLr(): number[] {
    const cycle = Math.floor(1 + this.lastEpoch / this.totalSize);
    const x = 1 + this.lastEpoch / this.totalSize - cycle;
    const scaleFactor = x <= this.stepRatio ? x / this.stepRatio : (x - 1) / (this.stepRatio - 1);
    const scale = this.scaleFn(this.scaleMode === 'cycle' ? cycle : this.lastEpoch);
    const lrs = this.baseLrs.map((b, i) => b + (this.maxLrs[i]! - b) * scaleFactor * scale);
    if (this.cycleMomentum) {
      this.groups.forEach((g, i) => {
        const height = (this.maxMomentums[i]! - this.baseMomentums[i]!) * scaleFactor;
        this.setMomentum(g as Record<string, unknown>, this.maxMomentums[i]! - height * scale);
      });
    }
    return lrs;
  }
}
