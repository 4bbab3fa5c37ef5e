import { bisectRight } from './basic.js';
import { type AnyOptimizer, LRScheduler, type SchedulerStateDict, checkOptimizer, loadSchedulerStateDict, schedulerStateDict } from './scheduler.js';

const CHILDREN = new Set(['schedulers']);

function checkSchedulers(schedulers: unknown, who: string): LRScheduler[] {
  if (!Array.isArray(schedulers) || schedulers.length === 0) throw new TypeError(`${who}: schedulers must be a non-empty array of LRSchedulers`);
  schedulers.forEach((s, i) => {
    if (!(s instanceof LRScheduler)) throw new TypeError(`${who}: schedulers[${i}] must be an LRScheduler (ReduceLROnPlateau cannot be composed)`);
  });
  return schedulers as LRScheduler[];
}

/**
 * Runs `schedulers` one after another, switching at each milestone (e.g. LinearLR warmup for 5
 * epochs, then CosineAnnealingLR). Each scheduler restarts from its epoch 0 at its milestone.
 */
export class SequentialLR {
  readonly optimizer: AnyOptimizer;
  readonly schedulers: LRScheduler[];
  readonly milestones: number[];
  lastEpoch: number;
  private lastLr: number[];

  constructor(optimizer: AnyOptimizer, options: { schedulers: LRScheduler[]; milestones: readonly number[] }) {
    this.optimizer = checkOptimizer(optimizer, 'SequentialLR');
    this.schedulers = checkSchedulers(options?.schedulers, 'SequentialLR');
    if (!Array.isArray(options.milestones) || options.milestones.length !== this.schedulers.length - 1) {
      throw new RangeError(`SequentialLR: expected ${this.schedulers.length - 1} milestones (one fewer than schedulers), got ${Array.isArray(options.milestones) ? options.milestones.length : typeof options.milestones}`);
    }
    this.schedulers.forEach((s, i) => {
      if (s.optimizer !== this.optimizer) throw new RangeError(`SequentialLR: schedulers[${i}] belongs to a different optimizer`);
    });
    this.milestones = options.milestones.slice();
    this.lastEpoch = 0;
    // Each scheduler stepped once when built; undo that and restart the first from the initial lrs.
    for (const g of this.optimizer.paramGroups) g.lr = g.initialLr as number;
    for (const s of this.schedulers) s.lastEpoch -= 1;
    this.schedulers[0]!.initialStep();
    this.lastLr = this.schedulers[0]!.getLastLr();
  }

  step(): void {
    this.lastEpoch += 1;
    const idx = bisectRight(this.milestones, this.lastEpoch);
    const s = this.schedulers[idx]!;
    if (idx > 0 && this.milestones[idx - 1] === this.lastEpoch) s.step(0);
    else s.step();
    this.lastLr = s.getLastLr();
  }

  getLastLr(): number[] {
    return this.lastLr.slice();
  }

  stateDict(): SchedulerStateDict {
    return { ...schedulerStateDict(this, CHILDREN), schedulers: this.schedulers.map((s) => s.stateDict()) };
  }

  loadStateDict(stateDict: SchedulerStateDict): void {
    loadSchedulerStateDict(this, stateDict, CHILDREN);
    loadChildren(this.schedulers, stateDict, 'SequentialLR');
  }
}

/** Steps every scheduler each epoch, so their (chainable) factors multiply. */
export class ChainedScheduler {
  readonly optimizer: AnyOptimizer;
  readonly schedulers: LRScheduler[];
  private lastLr: number[];

  constructor(schedulers: LRScheduler[], optimizer?: AnyOptimizer) {
    this.schedulers = checkSchedulers(schedulers, 'ChainedScheduler');
    this.optimizer = optimizer === undefined ? this.schedulers[0]!.optimizer : checkOptimizer(optimizer, 'ChainedScheduler');
    this.schedulers.forEach((s, i) => {
      if (s.optimizer !== this.optimizer) throw new RangeError(`ChainedScheduler: schedulers[${i}] belongs to a different optimizer`);
    });
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr as number);
  }

  step(): void {
    for (const s of this.schedulers) s.step();
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr as number);
  }

  getLastLr(): number[] {
    return this.lastLr.slice();
  }

  stateDict(): SchedulerStateDict {
    return { ...schedulerStateDict(this, CHILDREN), schedulers: this.schedulers.map((s) => s.stateDict()) };
  }

  loadStateDict(stateDict: SchedulerStateDict): void {
    loadSchedulerStateDict(this, stateDict, CHILDREN);
    loadChildren(this.schedulers, stateDict, 'ChainedScheduler');
  }
}

function loadChildren(schedulers: LRScheduler[], stateDict: SchedulerStateDict, who: string): void {
  const saved = stateDict.schedulers;
  if (!Array.isArray(saved) || saved.length !== schedulers.length) {
    throw new RangeError(`${who}.loadStateDict: expected ${schedulers.length} scheduler state dicts`);
  }
  schedulers.forEach((s, i) => s.loadStateDict(saved[i] as SchedulerStateDict));
}
