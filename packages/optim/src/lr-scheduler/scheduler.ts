import type { BaseHyper, Optimizer, ParamGroup } from '../optimizer.js';
import { Optimizer as OptimizerClass } from '../optimizer.js';

/** Any optimizer: schedulers only read and write `lr` (and momentum/betas) on its groups. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyOptimizer = Optimizer<any>;

/** A scheduler's state: plain numbers and arrays, JSON-serialisable. */
export type SchedulerStateDict = Record<string, unknown>;

export function checkOptimizer(optimizer: unknown, who: string): AnyOptimizer {
  if (!(optimizer instanceof OptimizerClass)) {
    throw new TypeError(`${who}: optimizer must be an Optimizer, got ${optimizer === null ? 'null' : typeof optimizer === 'object' ? (optimizer as object).constructor?.name ?? 'an object' : typeof optimizer}`);
  }
  return optimizer as AnyOptimizer;
}

/** One value per group from a number or a per-group array (torch's `max_lr`, `min_lr`, ...). */
export function perGroup(value: number | readonly number[], optimizer: AnyOptimizer, name: string): number[] {
  const n = optimizer.paramGroups.length;
  if (Array.isArray(value)) {
    if (value.length !== n) throw new RangeError(`${name}: expected ${n} values (one per param group), got ${value.length}`);
    return value.map((v, i) => { if (typeof v !== 'number' || Number.isNaN(v)) throw new TypeError(`${name}[${i}] must be a number`); return v; });
  }
  if (typeof value !== 'number' || Number.isNaN(value)) throw new TypeError(`${name} must be a number or an array of numbers, one per param group`);
  return new Array<number>(n).fill(value as number);
}

function plainCopy(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(plainCopy);
  if (v instanceof Map) return new Map(v);
  if (typeof v === 'object' && v !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (typeof x !== 'function') out[k] = plainCopy(x);
    return out;
  }
  return v;
}

/** Keys no scheduler saves: the optimizer, and functions (lambdas), which cannot be serialised. */
function savedEntries(obj: object, exclude: ReadonlySet<string>): [string, unknown][] {
  return Object.entries(obj).filter(([k, v]) => k !== 'optimizer' && !exclude.has(k) && typeof v !== 'function');
}

/** State dict of any scheduler-like object: its own fields minus the optimizer and functions. */
export function schedulerStateDict(obj: object, exclude: ReadonlySet<string> = new Set()): SchedulerStateDict {
  const out: SchedulerStateDict = {};
  for (const [k, v] of savedEntries(obj, exclude)) out[k] = plainCopy(v);
  return out;
}

export function loadSchedulerStateDict(obj: object, stateDict: SchedulerStateDict, exclude: ReadonlySet<string> = new Set()): void {
  if (typeof stateDict !== 'object' || stateDict === null) throw new TypeError('loadStateDict: expected an object as returned by stateDict()');
  const target = obj as Record<string, unknown>;
  for (const [k, v] of Object.entries(stateDict)) {
    if (k === 'optimizer' || exclude.has(k) || !(k in target) || typeof target[k] === 'function') continue;
    target[k] = plainCopy(v);
  }
}

/**
 * Base of the epoch-driven schedulers (torch.optim.lr_scheduler.LRScheduler). Construction records
 * each group's `initialLr` and takes the first step (epoch 0). `step()` advances one epoch with the
 * scheduler's recursive ("chainable") formula, which composes with other schedulers changing the
 * same lr; `step(epoch)` jumps to an epoch with the closed form when the scheduler has one.
 */
export abstract class LRScheduler {
  readonly optimizer: AnyOptimizer;
  baseLrs: number[];
  lastEpoch = -1;
  stepCount = 0;
  protected lastLr: number[] = [];

  constructor(optimizer: AnyOptimizer) {
    this.optimizer = checkOptimizer(optimizer, new.target.name);
    for (const group of this.groups) if (group.initialLr === undefined) group.initialLr = group.lr;
    this.baseLrs = this.groups.map((g) => g.initialLr as number);
  }

  protected get groups(): ParamGroup<BaseHyper>[] {
    return this.optimizer.paramGroups as ParamGroup<BaseHyper>[];
  }

  /** Takes the scheduler to epoch 0; subclasses call it at the end of their constructor. */
  initialStep(): void {
    this.stepCount = 0;
    this.step();
  }

  /** The learning rates for `lastEpoch`, computed from the groups' current lrs. */
  abstract getLr(): number[];

  /** The learning rates for `lastEpoch` from the base lrs alone, for schedulers with a closed form. */
  closedFormLr?(): number[];

  /** Advances one epoch, or with `epoch` jumps to it (using the closed form when there is one). */
  step(epoch?: number): void {
    this.stepCount++;
    let values: number[];
    if (epoch === undefined) {
      this.lastEpoch++;
      values = this.getLr();
    } else {
      if (typeof epoch !== 'number' || !Number.isFinite(epoch)) throw new TypeError(`step: epoch must be a finite number, got ${epoch}`);
      this.lastEpoch = epoch;
      values = this.closedFormLr !== undefined ? this.closedFormLr() : this.getLr();
    }
    this.groups.forEach((g, i) => { g.lr = values[i]!; });
    this.lastLr = this.groups.map((g) => g.lr);
  }

  /** The learning rates set by the last step, one per group. */
  getLastLr(): number[] {
    return this.lastLr.slice();
  }

  /** Every field but the optimizer and functions (lr lambdas are not saved, as in torch). */
  stateDict(): SchedulerStateDict {
    return schedulerStateDict(this);
  }

  loadStateDict(stateDict: SchedulerStateDict): void {
    loadSchedulerStateDict(this, stateDict);
  }
}
