import { describe, expect, it } from 'vitest';
import type { DType, Tensor } from '@tsgrad/tensor';
import { Adadelta, Adagrad, Adam, Adamax, AdamW, NAdam, RAdam, RMSprop, SGD, type Optimizer } from './index.js';
import { expectTrajectoriesClose, makeParams, referenceTrajectory, trajectory } from './test-utils/problem.js';
import { adadeltaRef, adagradRef, adamRef, adamaxRef, nadamRef, radamRef, rmspropRef, sgdRef } from './test-utils/reference.js';

type Opts = Record<string, unknown>;
type Ref = ReturnType<typeof sgdRef>;
interface Case { name: string; make: (params: Tensor[], o: Opts) => Optimizer<any>; ref: (o: Opts) => Ref; options: Opts[] }

/** Reference options: AdamW's doc form is Adam's with decoupled decay and its own default. */
const CASES: Case[] = [
  {
    name: 'SGD', make: (p, o) => new SGD(p, o), ref: (o) => sgdRef(o),
    options: [{ lr: 0.1 }, { lr: 0.1, momentum: 0.9 }, { lr: 0.05, momentum: 0.9, dampening: 0.3 }, { lr: 0.05, momentum: 0.9, nesterov: true },
      { lr: 0.1, momentum: 0.5, weightDecay: 0.1 }, { lr: 0.05, momentum: 0.9, weightDecay: 0.05, maximize: true }, {}],
  },
  {
    name: 'Adam', make: (p, o) => new Adam(p, o), ref: (o) => adamRef(o),
    options: [{}, { lr: 0.05 }, { lr: 0.05, amsgrad: true }, { lr: 0.05, weightDecay: 0.1 }, { lr: 0.05, maximize: true },
      { lr: 0.1, betas: [0.8, 0.9], eps: 1e-3 }, { lr: 0.05, amsgrad: true, weightDecay: 0.2, maximize: true }],
  },
  {
    name: 'AdamW', make: (p, o) => new AdamW(p, o), ref: (o) => adamRef({ weightDecay: 1e-2, ...o, decoupled: true }),
    options: [{}, { lr: 0.05, weightDecay: 0.5 }, { lr: 0.05, amsgrad: true }, { lr: 0.05, maximize: true, weightDecay: 0.1 }],
  },
  {
    name: 'RMSprop', make: (p, o) => new RMSprop(p, o), ref: (o) => rmspropRef(o),
    options: [{}, { centered: true }, { momentum: 0.9 }, { centered: true, momentum: 0.5, weightDecay: 0.1 }, { maximize: true, alpha: 0.9 }],
  },
  {
    name: 'Adagrad', make: (p, o) => new Adagrad(p, o), ref: (o) => adagradRef(o),
    options: [{}, { lr: 0.1, lrDecay: 0.1 }, { lr: 0.1, initialAccumulatorValue: 0.5, weightDecay: 0.1 }, { maximize: true, eps: 1e-3 }],
  },
  {
    name: 'Adadelta', make: (p, o) => new Adadelta(p, o), ref: (o) => adadeltaRef(o),
    options: [{}, { rho: 0.5, lr: 0.5 }, { weightDecay: 0.1 }, { maximize: true, eps: 1e-3 }],
  },
  {
    name: 'Adamax', make: (p, o) => new Adamax(p, o), ref: (o) => adamaxRef(o),
    options: [{}, { lr: 0.05, weightDecay: 0.1 }, { lr: 0.05, maximize: true, betas: [0.5, 0.8] }],
  },
  {
    name: 'NAdam', make: (p, o) => new NAdam(p, o), ref: (o) => nadamRef({ ...o, decoupled: o.decoupledWeightDecay as boolean }),
    options: [{}, { lr: 0.05, momentumDecay: 0.05 }, { lr: 0.05, weightDecay: 0.1 }, { lr: 0.05, weightDecay: 0.1, decoupledWeightDecay: true }, { maximize: true }],
  },
  {
    name: 'RAdam', make: (p, o) => new RAdam(p, o), ref: (o) => radamRef({ ...o, decoupled: o.decoupledWeightDecay as boolean }),
    // betas [0.9, 0.9] make ρₜ cross 5 at step 6, so both branches of the rectification run.
    options: [{}, { lr: 0.05, betas: [0.9, 0.9] }, { lr: 0.05, betas: [0.9, 0.9], weightDecay: 0.1 }, { lr: 0.05, betas: [0.9, 0.9], weightDecay: 0.1, decoupledWeightDecay: true }, { maximize: true, betas: [0.9, 0.9] }],
  },
];

const STEPS = 8;

describe.each(CASES)('$name trajectory against its documented update', ({ make, ref, options }) => {
  it.each(options.map((o) => [JSON.stringify(o), o] as const))('options %s (float64)', (_label, o) => {
    const params = makeParams('float64');
    const opt = make(params, o);
    const actual = trajectory(params, () => opt.step(), STEPS);
    expectTrajectoriesClose(actual, referenceTrajectory(ref(o), STEPS), 1e-10, 1e-12);
  });

  it.each(options.map((o) => [JSON.stringify(o), o] as const))('options %s (float32)', (_label, o) => {
    const params = makeParams('float32' as DType);
    const opt = make(params, o);
    const actual = trajectory(params, () => opt.step(), STEPS);
    expectTrajectoriesClose(actual, referenceTrajectory(ref(o), STEPS), 1e-4, 2e-5);
  });

  it('actually moves the parameters (the reference is not a no-op)', () => {
    const ref0 = referenceTrajectory(ref(options[0]!), 1)[0]!;
    const init = makeParams('float64').map((p) => Array.from(p.toTypedArray()));
    expect(ref0.flat().some((v, i) => Math.abs(v - init.flat()[i]!) > 1e-6)).toBe(true);
  });
});

describe('defaults match torch.optim', () => {
  const p = () => makeParams();
  it.each([
    ['SGD', () => new SGD(p()).defaults, { lr: 1e-3, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false }],
    ['Adam', () => new Adam(p()).defaults, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false }],
    ['AdamW', () => new AdamW(p()).defaults, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 1e-2, amsgrad: false }],
    ['RMSprop', () => new RMSprop(p()).defaults, { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false }],
    ['Adagrad', () => new Adagrad(p()).defaults, { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10 }],
    ['Adadelta', () => new Adadelta(p()).defaults, { lr: 1, rho: 0.9, eps: 1e-6, weightDecay: 0 }],
    ['Adamax', () => new Adamax(p()).defaults, { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0 }],
    ['NAdam', () => new NAdam(p()).defaults, { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, momentumDecay: 4e-3 }],
    ['RAdam', () => new RAdam(p()).defaults, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0 }],
  ] as const)('%s', (_name, get, expected) => {
    expect(get()).toMatchObject(expected);
  });
});
