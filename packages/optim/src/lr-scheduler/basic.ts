import { checkInRange, checkNonNegative, checkNumber, checkPositiveInt } from '../validate.js';
import { type AnyOptimizer, LRScheduler } from './scheduler.js';

/** Number of sorted `milestones` that are <= x (Python's bisect_right). */
export function bisectRight(milestones: readonly number[], x: number): number {
  let lo = 0, hi = milestones.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x < milestones[mid]!) hi = mid; else lo = mid + 1;
  }
  return lo;
}

/** Decays each group's lr by `gamma` every `stepSize` epochs: lr = base·γ^⌊t/stepSize⌋. */
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;
  constructor(optimizer: AnyOptimizer, options: { stepSize: number; gamma?: number }) {
    super(optimizer);
    this.stepSize = checkPositiveInt(options?.stepSize, 'StepLR: stepSize');
    this.gamma = checkNonNegative(options.gamma ?? 0.1, 'StepLR: gamma');
    this.initialStep();
  }
  getLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * this.gamma);
  }
  override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }
}

/** Decays the lr by `gamma` at each milestone epoch: lr = base·γ^(milestones passed). */
export class MultiStepLR extends LRScheduler {
  /** Sorted milestones (a repeated milestone decays that many times, as torch's Counter). */
  readonly milestones: number[];
  readonly gamma: number;
  constructor(optimizer: AnyOptimizer, options: { milestones: readonly number[]; gamma?: number }) {
    super(optimizer);
    if (!Array.isArray(options?.milestones)) throw new TypeError('MultiStepLR: milestones must be an array of epochs');
    this.milestones = options.milestones.map((m, i) => checkNumber(m, `MultiStepLR: milestones[${i}]`)).sort((a, b) => a - b);
    this.gamma = checkNonNegative(options.gamma ?? 0.1, 'MultiStepLR: gamma');
    this.initialStep();
  }
  getLr(): number[] {
    const hits = this.milestones.filter((m) => m === this.lastEpoch).length;
    if (hits === 0) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * this.gamma ** hits);
  }
  override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** bisectRight(this.milestones, this.lastEpoch));
  }
}

/** Multiplies the lr by `factor` until epoch `totalIters`, then restores it. */
export class ConstantLR extends LRScheduler {
  readonly factor: number;
  readonly totalIters: number;
  constructor(optimizer: AnyOptimizer, options: { factor?: number; totalIters?: number } = {}) {
    super(optimizer);
    this.factor = checkInRange(options.factor ?? 1 / 3, 'ConstantLR: factor', 0, 1, true);
    this.totalIters = checkPositiveInt(options.totalIters ?? 5, 'ConstantLR: totalIters');
    this.initialStep();
  }
  getLr(): number[] {
    if (this.lastEpoch === 0) return this.groups.map((g) => g.lr * this.factor);
    if (this.lastEpoch !== this.totalIters) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * (1 / this.factor));
  }
  override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * (this.factor + (this.lastEpoch >= this.totalIters ? 1 - this.factor : 0)));
  }
}

/** Scales the lr linearly from `startFactor`·base to `endFactor`·base over `totalIters` epochs (warmup). */
export class LinearLR extends LRScheduler {
  readonly startFactor: number;
  readonly endFactor: number;
  readonly totalIters: number;
  constructor(optimizer: AnyOptimizer, options: { startFactor?: number; endFactor?: number; totalIters?: number } = {}) {
    super(optimizer);
    this.startFactor = checkInRange(options.startFactor ?? 1 / 3, 'LinearLR: startFactor', 0, 1, true);
    if (this.startFactor === 0) throw new RangeError('LinearLR: startFactor must be > 0 and <= 1, got 0');
    this.endFactor = checkInRange(options.endFactor ?? 1, 'LinearLR: endFactor', 0, 1, true);
    this.totalIters = checkPositiveInt(options.totalIters ?? 5, 'LinearLR: totalIters');
    this.initialStep();
  }
  getLr(): number[] {
    if (this.lastEpoch === 0) return this.groups.map((g) => g.lr * this.startFactor);
    if (this.lastEpoch > this.totalIters) return this.groups.map((g) => g.lr);
    const delta = this.endFactor - this.startFactor;
    const ratio = 1 + delta / (this.totalIters * this.startFactor + (this.lastEpoch - 1) * delta);
    return this.groups.map((g) => g.lr * ratio);
  }
  override closedFormLr(): number[] {
    const frac = Math.min(this.totalIters, this.lastEpoch) / this.totalIters;
    return this.baseLrs.map((b) => b * (this.startFactor + (this.endFactor - this.startFactor) * frac));
  }
}

/** Decays the lr by `gamma` every epoch: lr = base·γᵗ. */
export class ExponentialLR extends LRScheduler {
  readonly gamma: number;
  constructor(optimizer: AnyOptimizer, options: { gamma: number }) {
    super(optimizer);
    this.gamma = checkNonNegative(options?.gamma, 'ExponentialLR: gamma');
    this.initialStep();
  }
  getLr(): number[] {
    if (this.lastEpoch === 0) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * this.gamma);
  }
  override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** this.lastEpoch);
  }
}

/** Polynomial decay to 0 over `totalIters` epochs: lr = base·(1 − min(t, T)/T)^power. */
export class PolynomialLR extends LRScheduler {
  readonly totalIters: number;
  readonly power: number;
  constructor(optimizer: AnyOptimizer, options: { totalIters?: number; power?: number } = {}) {
    super(optimizer);
    this.totalIters = checkPositiveInt(options.totalIters ?? 5, 'PolynomialLR: totalIters');
    this.power = checkNonNegative(options.power ?? 1, 'PolynomialLR: power');
    this.initialStep();
  }
  getLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch > this.totalIters) return this.groups.map((g) => g.lr);
    const factor = ((1 - this.lastEpoch / this.totalIters) / (1 - (this.lastEpoch - 1) / this.totalIters)) ** this.power;
    return this.groups.map((g) => g.lr * factor);
  }
  override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * (1 - Math.min(this.totalIters, this.lastEpoch) / this.totalIters) ** this.power);
  }
}

/**
 * A function of the epoch giving the multiplicative factor of the initial learning rate (LambdaLR) or of the current one (MultiplicativeLR).
 */
export type LrLambda = (epoch: number) => number;

function lambdas(optimizer: AnyOptimizer, lrLambda: LrLambda | readonly LrLambda[], who: string): LrLambda[] {
  const n = optimizer.paramGroups.length;
  const list = Array.isArray(lrLambda) ? lrLambda.slice() : new Array<LrLambda>(n).fill(lrLambda as LrLambda);
  if (list.length !== n) throw new RangeError(`${who}: expected ${n} lrLambda functions (one per param group), got ${list.length}`);
  list.forEach((f, i) => { if (typeof f !== 'function') throw new TypeError(`${who}: lrLambda${Array.isArray(lrLambda) ? `[${i}]` : ''} must be a function`); });
  return list;
}

/** lr = base·λ(t), with one λ for all groups or one per group. λ is not saved in the state dict. */
export class LambdaLR extends LRScheduler {
  readonly lrLambdas: LrLambda[];
  constructor(optimizer: AnyOptimizer, options: { lrLambda: LrLambda | readonly LrLambda[] }) {
    super(optimizer);
    this.lrLambdas = lambdas(this.optimizer, options?.lrLambda, 'LambdaLR');
    this.initialStep();
  }
  getLr(): number[] {
    return this.baseLrs.map((b, i) => b * this.lrLambdas[i]!(this.lastEpoch));
  }
  override stateDict(): Record<string, unknown> {
    const { lrLambdas: _omit, ...rest } = super.stateDict();
    return rest;
  }
}

/** Multiplies the lr by λ(t) every epoch after the first. */
export class MultiplicativeLR extends LRScheduler {
  readonly lrLambdas: LrLambda[];
  constructor(optimizer: AnyOptimizer, options: { lrLambda: LrLambda | readonly LrLambda[] }) {
    super(optimizer);
    this.lrLambdas = lambdas(this.optimizer, options?.lrLambda, 'MultiplicativeLR');
    this.initialStep();
  }
  getLr(): number[] {
    if (this.lastEpoch <= 0) return this.groups.map((g) => g.lr);
    return this.groups.map((g, i) => g.lr * this.lrLambdas[i]!(this.lastEpoch));
  }
  override stateDict(): Record<string, unknown> {
    const { lrLambdas: _omit, ...rest } = super.stateDict();
    return rest;
  }
}
