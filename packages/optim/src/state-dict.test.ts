import { describe, expect, it } from 'vitest';
import { Tensor } from '@tsgrad/tensor';
import {
  Adadelta, Adagrad, Adam, Adamax, AdamW, ChainedScheduler, ConstantLR, CosineAnnealingLR, CosineAnnealingWarmRestarts, CyclicLR, ExponentialLR,
  LambdaLR, LBFGS, LinearLR, MultiStepLR, NAdam, OneCycleLR, RAdam, ReduceLROnPlateau, RMSprop, SGD, SequentialLR, StepLR, stateDictToJSON,
  type Optimizer, type OptimizerStateDict,
} from './index.js';
import { initialValues, makeParams, setGrads, values } from './test-utils/problem.js';

type Make = (params: Tensor[]) => Optimizer<any>;
interface Sched { step(): void; stateDict(): Record<string, unknown>; loadStateDict(sd: Record<string, unknown>): void }

const OPTIMIZERS: [string, Make][] = [
  ['SGD nesterov', (p) => new SGD(p, { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01 })],
  ['Adam amsgrad', (p) => new Adam(p, { lr: 0.05, amsgrad: true })],
  ['AdamW', (p) => new AdamW(p, { lr: 0.05 })],
  ['RMSprop centered momentum', (p) => new RMSprop(p, { centered: true, momentum: 0.5 })],
  ['Adagrad', (p) => new Adagrad(p, { lr: 0.1, lrDecay: 0.05 })],
  ['Adadelta', (p) => new Adadelta(p)],
  ['Adamax', (p) => new Adamax(p)],
  ['NAdam', (p) => new NAdam(p, { lr: 0.05 })],
  ['RAdam', (p) => new RAdam(p, { lr: 0.05, betas: [0.9, 0.9] })],
  ['SGD two groups', (p) => new SGD([{ params: [p[0]!], lr: 0.1, momentum: 0.5 }, { params: [p[1]!] }], { lr: 0.02, momentum: 0.9 })],
];

const SCHEDULERS: [string, (o: Optimizer<any>) => Sched][] = [
  ['StepLR', (o) => new StepLR(o, { stepSize: 2, gamma: 0.5 })],
  ['MultiStepLR', (o) => new MultiStepLR(o, { milestones: [1, 4] })],
  ['ExponentialLR', (o) => new ExponentialLR(o, { gamma: 0.8 })],
  ['CosineAnnealingLR', (o) => new CosineAnnealingLR(o, { tMax: 5 })],
  ['CosineAnnealingWarmRestarts', (o) => new CosineAnnealingWarmRestarts(o, { t0: 2, tMult: 2 })],
  ['LinearLR', (o) => new LinearLR(o, { totalIters: 6 })],
  ['ConstantLR', (o) => new ConstantLR(o, { totalIters: 5 })],
  ['LambdaLR', (o) => new LambdaLR(o, { lrLambda: (t) => 1 / (1 + t) })],
  ['OneCycleLR', (o) => new OneCycleLR(o, { maxLr: 0.2, totalSteps: 12, cycleMomentum: 'betas' in o.defaults || 'momentum' in o.defaults })],
  ['CyclicLR', (o) => new CyclicLR(o, { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 3 })],
  ['SequentialLR', (o) => new SequentialLR(o, { schedulers: [new LinearLR(o, { startFactor: 0.2, totalIters: 3 }), new ExponentialLR(o, { gamma: 0.7 })], milestones: [3] })],
  ['ChainedScheduler', (o) => new ChainedScheduler([new ConstantLR(o, { factor: 0.5, totalIters: 4 }), new ExponentialLR(o, { gamma: 0.9 })])],
];

/** A JSON round trip, as when a checkpoint is written to disk. */
const viaJSON = <T>(x: T): T => JSON.parse(JSON.stringify(stateDictToJSON(x)));

function resumeMatches(make: Make, makeSched: ((o: Optimizer<any>) => Sched) | null, json: boolean, total = 10, cut = 4): void {
  // Uninterrupted run.
  const a = makeParams();
  const optA = make(a);
  const schedA = makeSched?.(optA) ?? null;
  const full: number[][][] = [];
  for (let s = 0; s < total; s++) { setGrads(a); optA.step(); schedA?.step(); full.push(values(a)); }

  // Run to `cut`, checkpoint, continue in a fresh optimizer built from the checkpoint.
  const b = makeParams();
  const optB = make(b);
  const schedB = makeSched?.(optB) ?? null;
  for (let s = 0; s < cut; s++) { setGrads(b); optB.step(); schedB?.step(); }
  let optState: OptimizerStateDict = optB.stateDict();
  let schedState = schedB?.stateDict() ?? null;
  const paramState = values(b);
  // Keep stepping the old optimizer: a snapshot must not alias the live state.
  for (let s = 0; s < 2; s++) { setGrads(b); optB.step(); }
  if (json) { optState = viaJSON(optState); schedState = viaJSON(schedState); }

  const c = makeParams('float64', paramState);
  const optC = make(c);
  const schedC = makeSched?.(optC) ?? null;
  optC.loadStateDict(optState);
  if (schedState !== null) schedC!.loadStateDict(schedState);
  for (let s = cut; s < total; s++) {
    setGrads(c); optC.step(); schedC?.step();
    expect(values(c)).toEqual(full[s]);
  }
  expect(optC.paramGroups.map((g) => g.lr)).toEqual(optA.paramGroups.map((g) => g.lr));
}

describe('resuming from a state dict gives the uninterrupted trajectory exactly', () => {
  it.each(OPTIMIZERS)('%s', (_n, make) => resumeMatches(make, null, false));
  it.each(OPTIMIZERS)('%s after JSON serialisation', (_n, make) => resumeMatches(make, null, true));
  it.each(SCHEDULERS)('Adam with %s (JSON)', (_n, sched) => resumeMatches((p) => new Adam(p, { lr: 0.05 }), sched, true));
  it.each(SCHEDULERS)('SGD momentum with %s', (_n, sched) => resumeMatches((p) => new SGD(p, { lr: 0.05, momentum: 0.9 }), sched, false));

  it('ReduceLROnPlateau (JSON, with an infinite initial best)', () => {
    const run = (metrics: number[], s: ReduceLROnPlateau) => metrics.map((m) => { s.step(m); return s.getLastLr()[0]; });
    const metrics = [5, 4, 4, 4, 4, 3, 3, 3, 3, 3, 3];
    const a = new ReduceLROnPlateau(new SGD(makeParams(), { lr: 1 }), { patience: 1, cooldown: 1 });
    const full = run(metrics, a);
    const fresh = new ReduceLROnPlateau(new SGD(makeParams(), { lr: 1 }), { mode: 'min', patience: 1, cooldown: 1 });
    const restored = new ReduceLROnPlateau(new SGD(makeParams(), { lr: 1 }), { patience: 1, cooldown: 1 });
    restored.loadStateDict(viaJSON(fresh.stateDict()));
    expect(restored.best).toBe(Infinity);
    const optB = new SGD(makeParams(), { lr: 1 });
    const b = new ReduceLROnPlateau(optB, { patience: 1, cooldown: 1 });
    run(metrics.slice(0, 5), b);
    const saved = viaJSON({ opt: optB.stateDict(), sched: b.stateDict() });
    const optC = new SGD(makeParams(), { lr: 1 });
    const c = new ReduceLROnPlateau(optC, { patience: 1, cooldown: 1 });
    optC.loadStateDict(saved.opt);
    c.loadStateDict(saved.sched);
    expect(run(metrics.slice(5), c)).toEqual(full.slice(5));
  });

  it('LBFGS (history, direction and counters) after JSON', () => {
    const closureFor = (ps: Tensor[]) => () => { setGrads(ps); return ps.reduce((s, p) => s + Array.from(p.toTypedArray()).reduce((a, v) => a + v * v, 0), 0); };
    const make = (ps: Tensor[]) => new LBFGS(ps, { maxIter: 3, historySize: 4 });
    const a = makeParams();
    const optA = make(a);
    const full: number[][][] = [];
    for (let s = 0; s < 6; s++) { optA.step(closureFor(a)); full.push(values(a)); }
    const b = makeParams();
    const optB = make(b);
    for (let s = 0; s < 3; s++) optB.step(closureFor(b));
    const saved = viaJSON(optB.stateDict());
    const c = makeParams('float64', values(b));
    const optC = make(c);
    optC.loadStateDict(saved);
    for (let s = 3; s < 6; s++) { optC.step(closureFor(c)); expect(values(c)).toEqual(full[s]); }
  });
});

describe('state dict format', () => {
  it('references parameters by index across groups and holds tensor copies', () => {
    const [p0, p1] = makeParams();
    const opt = new Adam([{ params: [p0!] }, { params: [p1!], lr: 0.5 }]);
    setGrads([p0!, p1!]);
    opt.step();
    const sd = opt.stateDict();
    expect(sd.paramGroups.map((g) => g.params)).toEqual([[0], [1]]);
    expect(sd.paramGroups[1]!.lr).toBe(0.5);
    expect(Object.keys(sd.state)).toEqual(['0', '1']);
    const m = sd.state['1']!.expAvg as Tensor;
    expect(m).toBeInstanceOf(Tensor);
    expect(m).not.toBe(opt.state.get(p1!)!.expAvg);
    expect(sd.state['0']!.step).toBe(1);
    const json = JSON.parse(JSON.stringify(stateDictToJSON(sd)));
    expect(json.state['1'].expAvg).toMatchObject({ __tensor__: true, dtype: 'float64', shape: [4] });
  });

  it('casts loaded state to the parameter dtype and rejects mismatched structure', () => {
    const a = makeParams('float64');
    const opt = new Adam(a);
    setGrads(a);
    opt.step();
    const sd = opt.stateDict();
    const b = makeParams('float32');
    const optB = new Adam(b);
    optB.loadStateDict(sd);
    expect((optB.state.get(b[0]!)!.expAvg as Tensor).dtype).toBe('float32');
    expect(() => new Adam([b[0]!]).loadStateDict(sd)).toThrow(/2 parameters in the state dict, 1 in this optimizer/);
    expect(() => new Adam([{ params: [b[0]!] }, { params: [b[1]!] }]).loadStateDict(sd)).toThrow(/1 parameter groups/);
    // Parameters swapped: the saved moments do not fit.
    expect(() => new Adam([b[1]!, b[0]!]).loadStateDict(sd)).toThrow(/state 'expAvg' has shape \[2, 3\], its parameter has shape \[4\]/);
  });

  it('loading restores hyper-parameters, including a changed lr', () => {
    const opt = new SGD(makeParams(), { lr: 0.1 });
    opt.paramGroups[0]!.lr = 0.01;
    const other = new SGD(makeParams(), { lr: 0.1 });
    other.loadStateDict(viaJSON(opt.stateDict()));
    expect(other.paramGroups[0]!.lr).toBe(0.01);
    expect(initialValues().length).toBe(2);
  });
});
