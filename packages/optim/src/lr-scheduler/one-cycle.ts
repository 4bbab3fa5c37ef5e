import { checkBool, checkInRange, checkNonNegative, checkPositive, checkPositiveInt } from '../validate.js';
import { type AnyOptimizer, LRScheduler, perGroup } from './scheduler.js';

/**
 * Options of `OneCycleLR` (camelCase versions of torch's): `maxLr`, `totalSteps` or `epochs` and `stepsPerEpoch`, `pctStart`, `annealStrategy`, `divFactor`, `finalDivFactor`, momentum cycling.
 */
export interface OneCycleOptions {
  maxLr: number | readonly number[];
  /** Total number of steps; or give `epochs` and `stepsPerEpoch`. */
  totalSteps?: number;
  epochs?: number;
  stepsPerEpoch?: number;
  pctStart?: number;
  annealStrategy?: 'cos' | 'linear';
  cycleMomentum?: boolean;
  baseMomentum?: number | readonly number[];
  maxMomentum?: number | readonly number[];
  divFactor?: number;
  finalDivFactor?: number;
  threePhase?: boolean;
}

interface Phase { endStep: number; startLr: string; endLr: string; startMomentum: string; endMomentum: string }

/** Cosine interpolation from `start` (pct 0) to `end` (pct 1). */
export function annealCos(start: number, end: number, pct: number): number {
  return end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1);
}
export function annealLinear(start: number, end: number, pct: number): number {
  return (end - start) * pct + start;
}

/**
 * The 1cycle policy (Smith & Topin): lr rises from maxLr/divFactor to maxLr over `pctStart` of the
 * steps, then anneals to maxLr/(divFactor·finalDivFactor); momentum (or Adam's β1) moves inversely.
 * Stepped once per batch.
 */
export class OneCycleLR extends LRScheduler {
  readonly totalSteps: number;
  readonly phases: Phase[];
  readonly annealStrategy: 'cos' | 'linear';
  readonly cycleMomentum: boolean;
  readonly useBeta1: boolean;

  constructor(optimizer: AnyOptimizer, options: OneCycleOptions) {
    OneCycleLR.prepare(optimizer, options);
    super(optimizer);
    const o = options;
    if (o.totalSteps !== undefined) this.totalSteps = checkPositiveInt(o.totalSteps, 'OneCycleLR: totalSteps');
    else if (o.epochs !== undefined && o.stepsPerEpoch !== undefined) {
      this.totalSteps = checkPositiveInt(o.epochs, 'OneCycleLR: epochs') * checkPositiveInt(o.stepsPerEpoch, 'OneCycleLR: stepsPerEpoch');
    } else throw new TypeError('OneCycleLR: give totalSteps, or both epochs and stepsPerEpoch');
    const pct = checkInRange(o.pctStart ?? 0.3, 'OneCycleLR: pctStart', 0, 1, true);
    const strategy = o.annealStrategy ?? 'cos';
    if (strategy !== 'cos' && strategy !== 'linear') throw new RangeError(`OneCycleLR: annealStrategy must be 'cos' or 'linear', got ${JSON.stringify(strategy)}`);
    this.annealStrategy = strategy;
    const T = this.totalSteps;
    this.phases = o.threePhase
      ? [
          { endStep: pct * T - 1, startLr: 'initialLr', endLr: 'maxLr', startMomentum: 'maxMomentum', endMomentum: 'baseMomentum' },
          { endStep: 2 * pct * T - 2, startLr: 'maxLr', endLr: 'initialLr', startMomentum: 'baseMomentum', endMomentum: 'maxMomentum' },
          { endStep: T - 1, startLr: 'initialLr', endLr: 'minLr', startMomentum: 'maxMomentum', endMomentum: 'maxMomentum' },
        ]
      : [
          { endStep: pct * T - 1, startLr: 'initialLr', endLr: 'maxLr', startMomentum: 'maxMomentum', endMomentum: 'baseMomentum' },
          { endStep: T - 1, startLr: 'maxLr', endLr: 'minLr', startMomentum: 'baseMomentum', endMomentum: 'maxMomentum' },
        ];
    this.cycleMomentum = o.cycleMomentum ?? true;
    this.useBeta1 = this.cycleMomentum && 'betas' in this.optimizer.defaults;
    this.initialStep();
  }

  /** Writes the per-group lr bounds and momenta before the base class records `initialLr`. */
  private static prepare(optimizer: AnyOptimizer, o: OneCycleOptions): void {
    if (typeof o !== 'object' || o === null) throw new TypeError('OneCycleLR: options { maxLr, totalSteps, ... } are required');
    if (typeof optimizer !== 'object' || optimizer === null || !Array.isArray((optimizer as AnyOptimizer).paramGroups)) return;
    const maxLrs = perGroup(o.maxLr, optimizer, 'OneCycleLR: maxLr');
    const div = checkPositive(o.divFactor ?? 25, 'OneCycleLR: divFactor');
    const finalDiv = checkPositive(o.finalDivFactor ?? 1e4, 'OneCycleLR: finalDivFactor');
    if (o.threePhase !== undefined) checkBool(o.threePhase, 'OneCycleLR: threePhase');
    optimizer.paramGroups.forEach((g, i) => {
      const initialLr = maxLrs[i]! / div;
      g.initialLr = initialLr;
      g.maxLr = maxLrs[i]!;
      g.minLr = initialLr / finalDiv;
    });
    if (o.cycleMomentum ?? true) {
      const defaults = optimizer.defaults as Record<string, unknown>;
      if (!('momentum' in defaults) && !('betas' in defaults)) {
        throw new TypeError('OneCycleLR: optimizer must support momentum or betas with cycleMomentum enabled');
      }
      const useBeta1 = 'betas' in defaults;
      const base = perGroup(o.baseMomentum ?? 0.85, optimizer, 'OneCycleLR: baseMomentum');
      const max = perGroup(o.maxMomentum ?? 0.95, optimizer, 'OneCycleLR: maxMomentum');
      optimizer.paramGroups.forEach((g, i) => {
        checkNonNegative(base[i], 'OneCycleLR: baseMomentum');
        if (useBeta1) g.betas = [max[i]!, (g.betas as number[])[1]!];
        else g.momentum = max[i]!;
        g.maxMomentum = max[i]!;
        g.baseMomentum = base[i]!;
      });
    }
  }

  getLr(): number[] {
    const stepNum = this.lastEpoch;
    if (stepNum > this.totalSteps) {
      throw new RangeError(`OneCycleLR: tried to step ${stepNum} times; the total number of steps is ${this.totalSteps}`);
    }
    const anneal = this.annealStrategy === 'cos' ? annealCos : annealLinear;
    return this.groups.map((group) => {
      const g = group as Record<string, unknown>;
      let startStep = 0;
      let lr = 0;
      for (let i = 0; i < this.phases.length; i++) {
        const phase = this.phases[i]!;
        if (stepNum <= phase.endStep || i === this.phases.length - 1) {
          const pct = (stepNum - startStep) / (phase.endStep - startStep);
          lr = anneal(g[phase.startLr] as number, g[phase.endLr] as number, pct);
          if (this.cycleMomentum) {
            const m = anneal(g[phase.startMomentum] as number, g[phase.endMomentum] as number, pct);
            if (this.useBeta1) g.betas = [m, (g.betas as number[])[1]!];
            else g.momentum = m;
          }
          break;
        }
        startStep = phase.endStep;
      }
      return lr;
    });
  }
}
