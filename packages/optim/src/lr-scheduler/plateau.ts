import { checkNonNegative, checkNumber } from '../validate.js';
import { type AnyOptimizer, type SchedulerStateDict, checkOptimizer, loadSchedulerStateDict, perGroup, schedulerStateDict } from './scheduler.js';

/**
 * Options of `ReduceLROnPlateau` (camelCase versions of torch's): `mode` ('min'/'max'), `factor`, `patience`, `threshold`, `thresholdMode`, `cooldown`, `minLr`, `eps`.
 */
export interface ReduceLROnPlateauOptions {
  /** 'min': the metric should decrease (a loss); 'max': increase (an accuracy). */
  mode?: 'min' | 'max';
  factor?: number;
  patience?: number;
  threshold?: number;
  thresholdMode?: 'rel' | 'abs';
  cooldown?: number;
  minLr?: number | readonly number[];
  eps?: number;
}

/**
 * Multiplies the lr by `factor` when the metric passed to `step(metric)` has not improved for more
 * than `patience` epochs, then waits `cooldown` epochs (torch.optim.lr_scheduler.ReduceLROnPlateau).
 */
export class ReduceLROnPlateau {
  readonly optimizer: AnyOptimizer;
  readonly mode: 'min' | 'max';
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: 'rel' | 'abs';
  readonly cooldown: number;
  readonly minLrs: number[];
  readonly eps: number;
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  lastEpoch = 0;
  private lastLr: number[];

  constructor(optimizer: AnyOptimizer, options: ReduceLROnPlateauOptions = {}) {
    this.optimizer = checkOptimizer(optimizer, 'ReduceLROnPlateau');
    this.factor = checkNonNegative(options.factor ?? 0.1, 'ReduceLROnPlateau: factor');
    if (this.factor >= 1) throw new RangeError(`ReduceLROnPlateau: factor must be < 1, got ${this.factor}`);
    this.mode = options.mode ?? 'min';
    if (this.mode !== 'min' && this.mode !== 'max') throw new RangeError(`ReduceLROnPlateau: mode must be 'min' or 'max', got ${JSON.stringify(this.mode)}`);
    this.thresholdMode = options.thresholdMode ?? 'rel';
    if (this.thresholdMode !== 'rel' && this.thresholdMode !== 'abs') throw new RangeError(`ReduceLROnPlateau: thresholdMode must be 'rel' or 'abs', got ${JSON.stringify(this.thresholdMode)}`);
    this.patience = checkNonNegative(options.patience ?? 10, 'ReduceLROnPlateau: patience');
    this.threshold = checkNonNegative(options.threshold ?? 1e-4, 'ReduceLROnPlateau: threshold');
    this.cooldown = checkNonNegative(options.cooldown ?? 0, 'ReduceLROnPlateau: cooldown');
    this.minLrs = perGroup(options.minLr ?? 0, this.optimizer, 'ReduceLROnPlateau: minLr');
    this.eps = checkNonNegative(options.eps ?? 1e-8, 'ReduceLROnPlateau: eps');
    this.best = this.modeWorse;
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr as number);
  }

  private get modeWorse(): number {
    return this.mode === 'min' ? Infinity : -Infinity;
  }

  /** Whether `a` improves on the best value by more than the threshold. */
  isBetter(a: number, best: number): boolean {
    if (this.mode === 'min') return this.thresholdMode === 'rel' ? a < best * (1 - this.threshold) : a < best - this.threshold;
    return this.thresholdMode === 'rel' ? a > best * (this.threshold + 1) : a > best + this.threshold;
  }

  get inCooldown(): boolean {
    return this.cooldownCounter > 0;
  }

  /** Records this epoch's metric (a number or a one-element tensor) and reduces the lr if it plateaued. */
  step(metric: number | { item(): number }): void {
    const current = typeof metric === 'number' ? metric : typeof metric === 'object' && metric !== null && typeof metric.item === 'function' ? metric.item() : NaN;
    checkNumber(current, 'ReduceLROnPlateau.step: metric');
    this.lastEpoch += 1;
    if (this.isBetter(current, this.best)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.inCooldown) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      this.reduceLr();
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr as number);
  }

  private reduceLr(): void {
    this.optimizer.paramGroups.forEach((g, i) => {
      const old = g.lr as number;
      const next = Math.max(old * this.factor, this.minLrs[i]!);
      if (old - next > this.eps) g.lr = next;
    });
  }

  getLastLr(): number[] {
    return this.lastLr.slice();
  }

  stateDict(): SchedulerStateDict {
    return schedulerStateDict(this);
  }

  /** Accepts its own state dict, also after JSON (where an infinite `best` became null). */
  loadStateDict(stateDict: SchedulerStateDict): void {
    loadSchedulerStateDict(this, stateDict);
    if (this.best === null || this.best === undefined) this.best = this.modeWorse;
  }
}
