import { describe, expect, it } from 'vitest';
import { Tensor } from '@tsgrad/tensor';
import {
  Adagrad, Adam, ChainedScheduler, ConstantLR, CosineAnnealingLR, CosineAnnealingWarmRestarts, CyclicLR, ExponentialLR, LambdaLR, LinearLR, lrScheduler,
  MultiStepLR, MultiplicativeLR, OneCycleLR, PolynomialLR, ReduceLROnPlateau, SGD, SequentialLR, StepLR, type Optimizer,
} from '../index.js';

const BASES = [0.1, 0.05];

function makeOptimizer(extra: Record<string, unknown> = {}): SGD {
  const p = () => Tensor.fromBuffer(new Float64Array([1, 2]), [2]).requiresGrad_();
  return new SGD([{ params: [p()], lr: BASES[0] }, { params: [p()], lr: BASES[1] }], { lr: 1, ...extra });
}

/** getLastLr() after construction (epoch 0) and after each of `n` steps. */
function lrSequence(s: { step(): void; getLastLr(): number[] }, n: number): number[][] {
  const out = [s.getLastLr()];
  for (let i = 0; i < n; i++) { s.step(); out.push(s.getLastLr()); }
  return out;
}

function expectSequenceClose(actual: number[][], expected: (t: number, base: number, group: number) => number, tol = 1e-12): void {
  actual.forEach((lrs, t) => lrs.forEach((lr, gi) => {
    const e = expected(t, BASES[gi]!, gi);
    if (!(Math.abs(lr - e) <= tol * Math.max(1, Math.abs(e)))) throw new Error(`epoch ${t}, group ${gi}: lr ${lr}, expected ${e}`);
  }));
}

describe('schedulers follow their closed forms', () => {
  it('StepLR: base·γ^⌊t/stepSize⌋', () => {
    const opt = makeOptimizer();
    expectSequenceClose(lrSequence(new StepLR(opt, { stepSize: 3, gamma: 0.5 }), 12), (t, b) => b * 0.5 ** Math.floor(t / 3));
    expect(opt.paramGroups[0]!.lr).toBeCloseTo(0.1 * 0.5 ** 4, 14);
  });

  it('MultiStepLR: base·γ^(milestones ≤ t), repeated milestones count twice', () => {
    const ms = [2, 5, 5, 8];
    expectSequenceClose(lrSequence(new MultiStepLR(makeOptimizer(), { milestones: [8, 5, 2, 5], gamma: 0.1 }), 10), (t, b) => b * 0.1 ** ms.filter((m) => m <= t).length);
  });

  it('ConstantLR: factor·base before totalIters, base after', () => {
    expectSequenceClose(lrSequence(new ConstantLR(makeOptimizer(), { factor: 0.5, totalIters: 4 }), 8), (t, b) => (t < 4 ? 0.5 * b : b));
  });

  it('LinearLR: base·(start + (end − start)·min(t, T)/T), warming up and decaying', () => {
    expectSequenceClose(lrSequence(new LinearLR(makeOptimizer(), { startFactor: 0.25, totalIters: 4 }), 8), (t, b) => b * (0.25 + 0.75 * Math.min(t, 4) / 4));
    expectSequenceClose(lrSequence(new LinearLR(makeOptimizer(), { startFactor: 1, endFactor: 0.1, totalIters: 5 }), 8), (t, b) => b * (1 - 0.9 * Math.min(t, 5) / 5));
  });

  it('ExponentialLR: base·γᵗ', () => {
    expectSequenceClose(lrSequence(new ExponentialLR(makeOptimizer(), { gamma: 0.9 }), 10), (t, b) => b * 0.9 ** t);
  });

  it('PolynomialLR: base·(1 − min(t, T)/T)^power', () => {
    expectSequenceClose(lrSequence(new PolynomialLR(makeOptimizer(), { totalIters: 6, power: 2 }), 9), (t, b) => b * (1 - Math.min(t, 6) / 6) ** 2);
  });

  it('CosineAnnealingLR: η_min + (base − η_min)(1 + cos(πt/T))/2, also past T', () => {
    const eta = 0.001;
    expectSequenceClose(lrSequence(new CosineAnnealingLR(makeOptimizer(), { tMax: 10, etaMin: eta }), 35), (t, b) => eta + (b - eta) * (1 + Math.cos(Math.PI * t / 10)) / 2, 1e-10);
  });

  it('CosineAnnealingWarmRestarts: restarts at 0, 3, 9, 21 with tMult 2', () => {
    const eta = 0.01;
    const expected = (t: number, b: number): number => {
      let start = 0, len = 3;
      while (t >= start + len) { start += len; len *= 2; }
      return eta + (b - eta) * (1 + Math.cos(Math.PI * (t - start) / len)) / 2;
    };
    expectSequenceClose(lrSequence(new CosineAnnealingWarmRestarts(makeOptimizer(), { t0: 3, tMult: 2, etaMin: eta }), 30), expected);
    // Fractional epochs (stepping per batch), tMult 1: period 4.
    const s = new CosineAnnealingWarmRestarts(makeOptimizer(), { t0: 4 });
    for (const e of [0.5, 3.75, 4, 6.25, 9.9]) {
      s.step(e);
      expect(s.getLastLr()[0]).toBeCloseTo(0.1 * (1 + Math.cos(Math.PI * (e % 4) / 4)) / 2, 12);
    }
  });

  it('LambdaLR: base·λᵢ(t) with a lambda per group', () => {
    const l0 = (t: number) => 1 / (1 + t);
    const l1 = (t: number) => 0.5 ** t + 0.1;
    expectSequenceClose(lrSequence(new LambdaLR(makeOptimizer(), { lrLambda: [l0, l1] }), 8), (t, b, g) => b * (g === 0 ? l0(t) : l1(t)));
  });

  it('MultiplicativeLR: base·∏ λ(k) for k = 1..t', () => {
    const lam = (t: number) => 0.9 + 0.01 * t;
    expectSequenceClose(lrSequence(new MultiplicativeLR(makeOptimizer(), { lrLambda: lam }), 8), (t, b) => {
      let v = b;
      for (let k = 1; k <= t; k++) v *= lam(k);
      return v;
    });
  });

  describe('OneCycleLR', () => {
    const cosA = (s: number, e: number, pct: number) => e + (s - e) / 2 * (1 + Math.cos(Math.PI * pct));
    it('two phases, cosine, with momentum cycling inversely (SGD)', () => {
      const opt = makeOptimizer({ momentum: 0.9 });
      const maxLr = [1, 0.5];
      const s = new OneCycleLR(opt, { maxLr, totalSteps: 20, pctStart: 0.3 });
      const momenta: number[] = [opt.paramGroups[0]!.momentum];
      const lrs = [s.getLastLr()];
      for (let i = 0; i < 19; i++) { s.step(); lrs.push(s.getLastLr()); momenta.push(opt.paramGroups[0]!.momentum); }
      const up = 0.3 * 20 - 1; // the last warmup step index
      lrs.forEach((l, t) => l.forEach((lr, g) => {
        const init = maxLr[g]! / 25, min = init / 1e4;
        const e = t <= up ? cosA(init, maxLr[g]!, t / up) : cosA(maxLr[g]!, min, (t - up) / (19 - up));
        expect(lr).toBeCloseTo(e, 12);
      }));
      momenta.forEach((m, t) => expect(m).toBeCloseTo(t <= up ? cosA(0.95, 0.85, t / up) : cosA(0.85, 0.95, (t - up) / (19 - up)), 12));
      expect(lrs[19]![0]).toBeCloseTo(1 / 25 / 1e4, 15);
      expect(() => { s.step(); s.step(); }).toThrow(RangeError);
    });

    it('linear annealing, three phases, cycling Adam β1', () => {
      const p = Tensor.fromBuffer(new Float64Array([1]), [1]).requiresGrad_();
      const opt = new Adam([p], { betas: [0.9, 0.99] });
      const s = new OneCycleLR(opt, { maxLr: 0.8, epochs: 2, stepsPerEpoch: 10, annealStrategy: 'linear', threePhase: true, pctStart: 0.25 });
      const lin = (a: number, b: number, pct: number) => a + (b - a) * pct;
      const init = 0.8 / 25, min = init / 1e4;
      for (let t = 0; t < 20; t++) {
        if (t > 0) s.step();
        const [lr] = s.getLastLr();
        // phase ends at 0.25·20 − 1 = 4, 2·0.25·20 − 2 = 8, 19
        const e = t <= 4 ? lin(init, 0.8, t / 4) : t <= 8 ? lin(0.8, init, (t - 4) / 4) : lin(init, min, (t - 8) / 11);
        const eb = t <= 4 ? lin(0.95, 0.85, t / 4) : t <= 8 ? lin(0.85, 0.95, (t - 4) / 4) : 0.95;
        expect(lr).toBeCloseTo(e, 12);
        expect(opt.paramGroups[0]!.betas[0]).toBeCloseTo(eb, 12);
        expect(opt.paramGroups[0]!.betas[1]).toBe(0.99);
      }
    });
  });

  describe('CyclicLR', () => {
    it('triangular: the triangle wave of Smith (2017), momentum inverse', () => {
      const opt = makeOptimizer({ momentum: 0.9 });
      const s = new CyclicLR(opt, { baseLr: [0.01, 0.02], maxLr: [0.1, 0.05], stepSizeUp: 4 });
      const lrs = lrSequence(s, 0);
      for (let t = 0; t <= 24; t++) {
        if (t > 0) { s.step(); lrs.push(s.getLastLr()); }
        const cycle = Math.floor(1 + t / 8);
        const x = Math.abs(t / 4 - 2 * cycle + 1);
        const w = Math.max(0, 1 - x);
        expect(lrs[t]![0]).toBeCloseTo(0.01 + (0.1 - 0.01) * w, 12);
        expect(lrs[t]![1]).toBeCloseTo(0.02 + (0.05 - 0.02) * w, 12);
        expect(opt.paramGroups[0]!.momentum).toBeCloseTo(0.9 - (0.9 - 0.8) * w, 12);
      }
    });

    it('triangular2 halves the amplitude each cycle; exp_range scales by γ^t; asymmetric up/down', () => {
      const s2 = new CyclicLR(makeOptimizer(), { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 2, mode: 'triangular2' });
      const seq2 = lrSequence(s2, 12).map((l) => l[0]!);
      const tri = (t: number) => Math.max(0, 1 - Math.abs(t / 2 - 2 * Math.floor(1 + t / 4) + 1));
      seq2.forEach((lr, t) => expect(lr).toBeCloseTo(0.01 + 0.09 * tri(t) / 2 ** (Math.floor(1 + t / 4) - 1), 12));
      const se = new CyclicLR(makeOptimizer(), { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 2, mode: 'exp_range', gamma: 0.9 });
      lrSequence(se, 12).forEach((l, t) => expect(l[0]).toBeCloseTo(0.01 + 0.09 * tri(t) * 0.9 ** t, 12));
      // Up for 1 step, down for 3: 0.01, 0.1, 0.07, 0.04, 0.01, 0.1, ...
      const sa = new CyclicLR(makeOptimizer(), { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 1, stepSizeDown: 3, cycleMomentum: false });
      const expected = [0.01, 0.1, 0.07, 0.04, 0.01, 0.1, 0.07, 0.04, 0.01];
      lrSequence(sa, 8).forEach((l, t) => expect(l[0]).toBeCloseTo(expected[t]!, 12));
    });
  });

  describe('ReduceLROnPlateau', () => {
    it('reduces after more than `patience` bad epochs, honours cooldown, minLr and mode max', () => {
      const opt = makeOptimizer();
      const s = new ReduceLROnPlateau(opt, { patience: 2, factor: 0.5 });
      const metrics = [10, 9, 9, 9, 9, 8, 8, 8, 8, 8];
      const lrs = metrics.map((m) => { s.step(m); return s.getLastLr()[0]; });
      expect(lrs).toEqual([0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.025, 0.025]);

      const c = new ReduceLROnPlateau(makeOptimizer(), { patience: 2, factor: 0.5, cooldown: 2 });
      expect(metrics.map((m) => { c.step(m); return c.getLastLr()[0]; })).toEqual([0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.05, 0.025]);

      const floor = new ReduceLROnPlateau(makeOptimizer(), { patience: 0, factor: 0.1, minLr: [0.001, 0.002] });
      for (let i = 0; i < 6; i++) floor.step(1);
      // 0.1 → 0.01 → 0.001 (then clamped; a change below eps is skipped); 0.05 → 0.005 → 0.002.
      expect(floor.getLastLr()[0]).toBeCloseTo(0.001, 15);
      expect(floor.getLastLr()[1]).toBe(0.002);

      const mx = new ReduceLROnPlateau(makeOptimizer(), { mode: 'max', patience: 1, thresholdMode: 'abs', threshold: 0.5 });
      // 1 → best; 1.4 is not better by 0.5 (bad 1); 1.2 (bad 2 > 1) → reduce.
      expect([1, 1.4, 1.2].map((m) => { mx.step(m); return mx.getLastLr()[1]; })).toEqual([0.05, 0.05, 0.05 * 0.1]);
    });

    it('accepts a one-element tensor as the metric and rejects NaN-free garbage', () => {
      const s = new ReduceLROnPlateau(makeOptimizer(), { patience: 0 });
      s.step(Tensor.fromBuffer(new Float64Array([3]), []));
      expect(s.best).toBe(3);
      expect(() => s.step('x' as unknown as number)).toThrow(TypeError);
    });
  });

  it('SequentialLR: LinearLR warmup then ExponentialLR decay from its milestone', () => {
    const opt = makeOptimizer();
    const warm = new LinearLR(opt, { startFactor: 0.1, totalIters: 3 });
    const decay = new ExponentialLR(opt, { gamma: 0.5 });
    const s = new SequentialLR(opt, { schedulers: [warm, decay], milestones: [3] });
    expectSequenceClose(lrSequence(s, 8), (t, b) => (t < 3 ? b * (0.1 + 0.9 * t / 3) : b * 0.5 ** (t - 3)));
  });

  it('ChainedScheduler: the factors of ConstantLR and ExponentialLR multiply (torch docs example)', () => {
    const opt = makeOptimizer();
    const s = new ChainedScheduler([new ConstantLR(opt, { factor: 0.1, totalIters: 2 }), new ExponentialLR(opt, { gamma: 0.9 })]);
    expectSequenceClose(lrSequence(s, 6), (t, b) => b * 0.9 ** t * (t < 2 ? 0.1 : 1));
  });

  it('step(epoch) jumps with the closed form', () => {
    const s = new StepLR(makeOptimizer(), { stepSize: 2, gamma: 0.5 });
    s.step(7);
    expect(s.getLastLr()).toEqual([0.1 * 0.5 ** 3, 0.05 * 0.5 ** 3]);
    const c = new CosineAnnealingLR(makeOptimizer(), { tMax: 8 });
    c.step(2);
    expect(c.getLastLr()[0]).toBeCloseTo(0.1 * (1 + Math.cos(Math.PI / 4)) / 2, 14);
  });

  it.each([
    ['StepLR', (o: SGD) => new StepLR(o, { stepSize: 3, gamma: 0.5 })],
    ['MultiStepLR', (o: SGD) => new MultiStepLR(o, { milestones: [2, 6, 6] })],
    ['ConstantLR', (o: SGD) => new ConstantLR(o, { factor: 0.3, totalIters: 4 })],
    ['LinearLR', (o: SGD) => new LinearLR(o, { startFactor: 0.2, endFactor: 0.9, totalIters: 5 })],
    ['ExponentialLR', (o: SGD) => new ExponentialLR(o, { gamma: 0.8 })],
    ['PolynomialLR', (o: SGD) => new PolynomialLR(o, { totalIters: 7, power: 0.5 })],
    ['CosineAnnealingLR', (o: SGD) => new CosineAnnealingLR(o, { tMax: 6, etaMin: 0.01 })],
  ] as const)('%s: step(t) (closed form) agrees with t recursive steps', (_name, make) => {
    const recursive = lrSequence(make(makeOptimizer()), 15);
    for (let t = 0; t <= 15; t++) {
      const s = make(makeOptimizer());
      s.step(t);
      s.getLastLr().forEach((lr, g) => expect(lr).toBeCloseTo(recursive[t]![g]!, 12));
    }
  });

  it('the lrScheduler namespace holds every scheduler', () => {
    for (const name of ['LRScheduler', 'StepLR', 'MultiStepLR', 'ConstantLR', 'LinearLR', 'ExponentialLR', 'PolynomialLR', 'LambdaLR', 'MultiplicativeLR',
      'CosineAnnealingLR', 'CosineAnnealingWarmRestarts', 'OneCycleLR', 'CyclicLR', 'ReduceLROnPlateau', 'SequentialLR', 'ChainedScheduler']) {
      expect(typeof (lrScheduler as Record<string, unknown>)[name]).toBe('function');
    }
    expect(lrScheduler.StepLR).toBe(StepLR);
  });
});

describe('scheduler argument errors', () => {
  it('names the bad argument', () => {
    const opt = makeOptimizer();
    expect(() => new StepLR({} as Optimizer, { stepSize: 2 })).toThrow(/StepLR: optimizer must be an Optimizer/);
    expect(() => new StepLR(opt, { stepSize: 0 })).toThrow(/stepSize/);
    expect(() => new ExponentialLR(opt, { gamma: -1 })).toThrow(RangeError);
    expect(() => new LinearLR(opt, { startFactor: 0 })).toThrow(/startFactor/);
    expect(() => new ConstantLR(opt, { factor: 2 })).toThrow(/factor/);
    expect(() => new LambdaLR(opt, { lrLambda: [() => 1] })).toThrow(/2 lrLambda/);
    expect(() => new OneCycleLR(opt, { maxLr: 1 })).toThrow(/totalSteps/);
    expect(() => new OneCycleLR(opt, { maxLr: [1, 2, 3], totalSteps: 10 })).toThrow(/maxLr/);
    expect(() => new CyclicLR(opt, { baseLr: 0.1, maxLr: 1, mode: 'sawtooth' as 'triangular' })).toThrow(/mode/);
    expect(() => new ReduceLROnPlateau(opt, { factor: 1 })).toThrow(/factor must be < 1/);
    expect(() => new SequentialLR(opt, { schedulers: [new StepLR(opt, { stepSize: 1 })], milestones: [2] })).toThrow(/milestones/);
    const noMomentum = new Adagrad([Tensor.fromBuffer(new Float64Array([1]), [1]).requiresGrad_()]);
    expect(() => new OneCycleLR(noMomentum, { maxLr: 1, totalSteps: 10 })).toThrow(/momentum or betas/);
    expect(() => new CyclicLR(noMomentum, { baseLr: 0.1, maxLr: 1 })).toThrow(/momentum or betas/);
    expect(new CyclicLR(noMomentum, { baseLr: 0.1, maxLr: 1, cycleMomentum: false }).getLastLr()).toEqual([0.1]);
    const other = makeOptimizer();
    expect(() => new ChainedScheduler([new StepLR(opt, { stepSize: 1 }), new StepLR(other, { stepSize: 1 })])).toThrow(/different optimizer/);
  });
});
