import { checkNonNegative, checkNumber, checkPositiveInt } from '../validate.js';
import { type AnyOptimizer, LRScheduler } from './scheduler.js';

/**
 * Cosine annealing from the base lr to `etaMin` over `tMax` epochs (SGDR without restarts):
 * lr = etaMin + (base − etaMin)·(1 + cos(π·t/tMax))/2. Past `tMax` the cosine continues (rises again).
 */
export class CosineAnnealingLR extends LRScheduler {
  readonly tMax: number;
  readonly etaMin: number;
  constructor(optimizer: AnyOptimizer, options: { tMax: number; etaMin?: number }) {
    super(optimizer);
    this.tMax = checkPositiveInt(options?.tMax, 'CosineAnnealingLR: tMax');
    this.etaMin = checkNumber(options.etaMin ?? 0, 'CosineAnnealingLR: etaMin');
    this.initialStep();
  }
  getLr(): number[] {
    const t = this.lastEpoch, T = this.tMax, eta = this.etaMin;
    if (t === 0) return this.groups.map((g) => g.lr);
    if ((t - 1 - T) % (2 * T) === 0) {
      return this.groups.map((g, i) => g.lr + ((this.baseLrs[i]! - eta) * (1 - Math.cos(Math.PI / T))) / 2);
    }
    return this.groups.map((g) => ((1 + Math.cos((Math.PI * t) / T)) / (1 + Math.cos((Math.PI * (t - 1)) / T))) * (g.lr - eta) + eta);
  }
  override closedFormLr(): number[] {
    return this.baseLrs.map((b) => this.etaMin + ((b - this.etaMin) * (1 + Math.cos((Math.PI * this.lastEpoch) / this.tMax))) / 2);
  }
}

/**
 * Cosine annealing with warm restarts (SGDR): lr = etaMin + (base − etaMin)·(1 + cos(π·Tcur/Ti))/2,
 * restarting when Tcur reaches Ti, with Ti = t0·tMult^k. `step(epoch)` accepts fractional epochs
 * (e.g. `epoch + batch / batches`).
 */
export class CosineAnnealingWarmRestarts extends LRScheduler {
  readonly t0: number;
  readonly tMult: number;
  readonly etaMin: number;
  tI: number;
  tCur: number;
  constructor(optimizer: AnyOptimizer, options: { t0: number; tMult?: number; etaMin?: number }) {
    super(optimizer);
    this.t0 = checkPositiveInt(options?.t0, 'CosineAnnealingWarmRestarts: t0');
    this.tMult = checkPositiveInt(options.tMult ?? 1, 'CosineAnnealingWarmRestarts: tMult');
    this.etaMin = checkNumber(options.etaMin ?? 0, 'CosineAnnealingWarmRestarts: etaMin');
    this.tI = this.t0;
    this.tCur = this.lastEpoch;
    this.initialStep();
  }
  getLr(): number[] {
    return this.baseLrs.map((b) => this.etaMin + ((b - this.etaMin) * (1 + Math.cos((Math.PI * this.tCur) / this.tI))) / 2);
  }
  override step(epoch?: number): void {
    if (epoch === undefined && this.lastEpoch < 0) epoch = 0;
    if (epoch === undefined) {
      epoch = this.lastEpoch + 1;
      this.tCur += 1;
      if (this.tCur >= this.tI) {
        this.tCur -= this.tI;
        this.tI *= this.tMult;
      }
    } else {
      checkNonNegative(epoch, 'CosineAnnealingWarmRestarts.step: epoch');
      if (epoch >= this.t0) {
        if (this.tMult === 1) {
          this.tCur = epoch % this.t0;
        } else {
          const n = Math.floor(Math.log((epoch / this.t0) * (this.tMult - 1) + 1) / Math.log(this.tMult));
          this.tCur = epoch - (this.t0 * (this.tMult ** n - 1)) / (this.tMult - 1);
          this.tI = this.t0 * this.tMult ** n;
        }
      } else {
        this.tI = this.t0;
        this.tCur = epoch;
      }
    }
    this.stepCount++;
    this.lastEpoch = Math.floor(epoch);
    const values = this.getLr();
    this.groups.forEach((g, i) => { g.lr = values[i]!; });
    this.lastLr = this.groups.map((g) => g.lr);
  }
}
