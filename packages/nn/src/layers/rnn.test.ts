import { describe, expect, it } from 'vitest';
import { type Tensor, randn, manualSeed, assertClose, chunk, stack, cat, zeros } from '@tsgrad/tensor';
import { gradcheck, gradgradcheck, grad } from '@tsgrad/autograd';
import { RNN, LSTM, GRU, RNNCell, LSTMCell, GRUCell, type RNNBase, Parameter } from '../index.js';

type Kind = 'tanh' | 'relu' | 'lstm' | 'gru';

const p = (m: object, name: string): Tensor | null => {
  const v = (m as Record<string, unknown>)[name];
  return v instanceof Parameter ? v : null;
};

/** x W^T + b, b optional. */
const affine = (x: Tensor, w: Tensor, b: Tensor | null) => (b === null ? x.matmul(w.t()) : x.matmul(w.t()).add(b));

/**
 * One step written straight from PyTorch's documented equations, gate by gate (no fused
 * projections): returns [h', c'].
 */
function refStep(kind: Kind, x: Tensor, h: Tensor, c: Tensor | null, wih: Tensor, whh: Tensor, bih: Tensor | null, bhh: Tensor | null): [Tensor, Tensor | null] {
  const G = kind === 'lstm' ? 4 : kind === 'gru' ? 3 : 1;
  const Wi = chunk(wih, G, 0);
  const Wh = chunk(whh, G, 0);
  const Bi = bih === null ? new Array<null>(G).fill(null) : chunk(bih, G, 0);
  const Bh = bhh === null ? new Array<null>(G).fill(null) : chunk(bhh, G, 0);
  const gate = (k: number) => affine(x, Wi[k]!, Bi[k]!).add(affine(h, Wh[k]!, Bh[k]!));
  if (kind === 'tanh') return [gate(0).tanh(), null];
  if (kind === 'relu') return [gate(0).relu(), null];
  if (kind === 'lstm') {
    const i = gate(0).sigmoid();
    const f = gate(1).sigmoid();
    const g = gate(2).tanh();
    const o = gate(3).sigmoid();
    const c2 = f.mul(c!).add(i.mul(g));
    return [o.mul(c2.tanh()), c2];
  }
  const r = gate(0).sigmoid();
  const z = gate(1).sigmoid();
  const n = affine(x, Wi[2]!, Bi[2]!).add(r.mul(affine(h, Wh[2]!, Bh[2]!))).tanh();
  return [z.neg().add(1).mul(n).add(z.mul(h)), null];
}

/** The whole multi-layer, (bi)directional recurrence, unrolled timestep by timestep. Input [T, B, I]. */
function reference(kind: Kind, m: RNNBase, x: Tensor, h0: Tensor, c0: Tensor | null): { out: Tensor; hN: Tensor; cN: Tensor | null } {
  const T = x.shape[0]!;
  const D = m.bidirectional ? 2 : 1;
  const hs: Tensor[] = [];
  const cs: Tensor[] = [];
  let input = x;
  for (let l = 0; l < m.numLayers; l++) {
    const dirs: Tensor[] = [];
    for (let d = 0; d < D; d++) {
      const sfx = `_l${l}${d ? '_reverse' : ''}`;
      let h = h0.select(0, l * D + d);
      let c = c0 === null ? null : c0.select(0, l * D + d);
      const outs: Tensor[] = new Array(T);
      const order = [...Array(T).keys()];
      if (d === 1) order.reverse();
      for (const t of order) {
        [h, c] = refStep(kind, input.select(0, t), h, c, p(m, `weight_ih${sfx}`)!, p(m, `weight_hh${sfx}`)!, p(m, `bias_ih${sfx}`), p(m, `bias_hh${sfx}`));
        outs[t] = h;
      }
      dirs.push(stack(outs, 0));
      hs.push(h);
      if (c !== null) cs.push(c);
    }
    input = cat(dirs, 2);
  }
  return { out: input, hN: stack(hs, 0), cN: c0 === null ? null : stack(cs, 0) };
}

function make(kind: Kind, I: number, H: number, opts: { numLayers: number; bidirectional: boolean; batchFirst: boolean; bias?: boolean }): RNNBase {
  const o = { ...opts, dtype: 'float64' as const };
  if (kind === 'lstm') return new LSTM(I, H, o);
  if (kind === 'gru') return new GRU(I, H, o);
  return new RNN(I, H, { ...o, nonlinearity: kind });
}

describe('RNN / LSTM / GRU against an explicit unrolled implementation', () => {
  const T = 4, B = 3, I = 3, H = 4;
  for (const kind of ['tanh', 'relu', 'lstm', 'gru'] as const) {
    for (const numLayers of [1, 2]) {
      for (const bidirectional of [false, true]) {
        for (const [batchFirst, fused] of [[false, true], [true, true], [false, false], [true, false]] as const) {
          const withState = (numLayers + (bidirectional ? 1 : 0)) % 2 === 0;
          const bias = !(numLayers === 2 && (kind === 'relu' || (bidirectional && !batchFirst)));
          it(`${kind} numLayers=${numLayers} bidirectional=${bidirectional} batchFirst=${batchFirst}${withState ? ' with initial state' : ''}${bias ? '' : ' bias=false'}${fused ? '' : ' (unfused)'}`, () => {
            manualSeed(100 + numLayers * 10 + (bidirectional ? 2 : 0) + (batchFirst ? 1 : 0));
            const m = make(kind, I, H, { numLayers, bidirectional, batchFirst, bias });
            m.fused = fused;
            const D = bidirectional ? 2 : 1;
            const xTB = randn([T, B, I], { dtype: 'float64' });
            const h0 = withState ? randn([numLayers * D, B, H], { dtype: 'float64' }) : zeros([numLayers * D, B, H], { dtype: 'float64' });
            const c0 = kind === 'lstm' ? (withState ? randn([numLayers * D, B, H], { dtype: 'float64' }) : zeros([numLayers * D, B, H], { dtype: 'float64' })) : null;
            const ref = reference(kind, m, xTB, h0, c0);
            const x = batchFirst ? xTB.transpose(0, 1).contiguous() : xTB;
            let out: Tensor, hN: Tensor, cN: Tensor | null = null;
            if (kind === 'lstm') {
              const r = (m as LSTM).call(x, withState ? [h0, c0!] : undefined);
              [out, [hN, cN]] = r;
            } else {
              [out, hN] = (m as RNN).call(x, withState ? h0 : undefined);
            }
            const expectedOut = batchFirst ? ref.out.transpose(0, 1) : ref.out;
            expect(out.shape).toEqual(batchFirst ? [B, T, D * H] : [T, B, D * H]);
            assertClose(out, expectedOut, { atol: 1e-12, rtol: 1e-10 });
            assertClose(hN, ref.hN, { atol: 1e-12, rtol: 1e-10 });
            if (kind === 'lstm') assertClose(cN!, ref.cN!, { atol: 1e-12, rtol: 1e-10 });
          });
        }
      }
    }
  }
});

describe('recurrent layers: parameters, shapes, modes, gradients', () => {
  it("names and lays out parameters as PyTorch, initialised U(-1/sqrt(H), 1/sqrt(H))", () => {
    const lstm = new LSTM(3, 5, { numLayers: 2, bidirectional: true });
    const names = lstm.namedParameters().map(([n]) => n);
    expect(names.slice(0, 8)).toEqual([
      'weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0',
      'weight_ih_l0_reverse', 'weight_hh_l0_reverse', 'bias_ih_l0_reverse', 'bias_hh_l0_reverse',
    ]);
    expect(p(lstm, 'weight_ih_l0')!.shape).toEqual([20, 3]);
    expect(p(lstm, 'weight_ih_l1')!.shape).toEqual([20, 10]);
    expect(p(lstm, 'weight_hh_l1_reverse')!.shape).toEqual([20, 5]);
    expect(p(new GRU(3, 5), 'weight_ih_l0')!.shape).toEqual([15, 3]);
    const bound = 1 / Math.sqrt(5);
    for (const q of lstm.parameters()) expect(q.abs().amax().item()).toBeLessThanOrEqual(bound);
    expect(new RNN(2, 3, { bias: false }).namedParameters().map(([n]) => n)).toEqual(['weight_ih_l0', 'weight_hh_l0']);
    expect(lstm.toString()).toBe('LSTM(3, 5, numLayers=2, bidirectional=true)');
  });

  it('accepts unbatched input and checks the initial state shape', () => {
    manualSeed(1);
    const gru = new GRU(2, 3, { numLayers: 2 });
    const x = randn(5, 2);
    const [out, h] = gru.call(x);
    expect(out.shape).toEqual([5, 3]);
    expect(h.shape).toEqual([2, 3]);
    const [outB, hB] = gru.call(x.unsqueeze(1));
    assertClose(out, outB.squeeze(1));
    assertClose(h, hB.squeeze(1));
    expect(() => gru.call(randn(5, 4, 2), randn(1, 4, 3))).toThrow(/expected hx of shape \[2, 4, 3\]/);
    expect(() => gru.call(randn(5, 4, 3))).toThrow(/input\.size\(-1\) must be inputSize=2/);
    expect(() => new LSTM(2, 3).call(randn(5, 4, 2), [randn(1, 4, 3), randn(1, 3, 3)])).toThrow(/expected c0 of shape \[1, 4, 3\]/);
  });

  it('applies dropout between layers only in training mode', () => {
    manualSeed(2);
    const m = new LSTM(3, 4, { numLayers: 2, dropout: 0.5 });
    const x = randn(6, 2, 3);
    const [a] = m.call(x);
    const [b] = m.call(x);
    expect(a.sub(b).abs().amax().item()).toBeGreaterThan(1e-4);
    m.eval();
    const [e1] = m.call(x);
    const noDrop = new LSTM(3, 4, { numLayers: 2 });
    noDrop.loadStateDict(m.stateDict());
    const [e2] = noDrop.call(x);
    assertClose(e1, e2, { atol: 0, rtol: 0 });
  });

  it('gradchecks LSTM, GRU and RNN in float64 (inputs, initial state and weights)', () => {
    manualSeed(3);
    const x = randn([3, 2, 2], { dtype: 'float64' }).requiresGrad_(true);
    const h0 = randn([2, 2, 2], { dtype: 'float64' }).requiresGrad_(true);
    const c0 = randn([2, 2, 2], { dtype: 'float64' }).requiresGrad_(true);
    const lstm = new LSTM(2, 2, { bidirectional: true, dtype: 'float64' });
    expect(gradcheck((a, b, c) => { const [o, [h, cc]] = lstm.call(a!, [b!, c!]); return [o, h, cc]; }, [x, h0, c0, ...lstm.parameters()], { atol: 1e-6, rtol: 1e-4 })).toBe(true);
    const gru = new GRU(2, 2, { numLayers: 2, dtype: 'float64' });
    expect(gradcheck((a, b) => gru.call(a!, b!), [x, h0, ...gru.parameters()], { atol: 1e-6, rtol: 1e-4 })).toBe(true);
    const rnn = new RNN(2, 2, { batchFirst: true, dtype: 'float64' });
    expect(gradcheck((a) => rnn.call(a!)[0], [x, ...rnn.parameters()], { atol: 1e-6, rtol: 1e-4 })).toBe(true);
  });

  it('fused forward on sizes the native kernels take (4H·B >= 512) matches the step-by-step ops, float32 and float64', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      for (const kind of ['tanh', 'lstm'] as const) {
        manualSeed(9);
        const m: RNNBase = kind === 'lstm' ? new LSTM(5, 32, { dtype }) : new RNN(5, 32, { dtype, nonlinearity: 'tanh' });
        const x = randn([3, 8, 5], { dtype }).mul(3);
        const run = (fused: boolean) => {
          m.fused = fused;
          return kind === 'lstm' ? (m as LSTM).call(x)[0] : (m as RNN).call(x)[0];
        };
        assertClose(run(true), run(false), dtype === 'float32' ? { atol: 1e-6, rtol: 1e-5 } : { atol: 1e-14, rtol: 1e-12 });
      }
    }
  });

  it('the fused backward matches the step-by-step graph (gradients of inputs, state and every weight)', () => {
    for (const kind of ['tanh', 'relu', 'lstm', 'gru'] as const) {
      manualSeed(5);
      const m = make(kind, 3, 4, { numLayers: 2, bidirectional: true, batchFirst: false });
      const x = randn([5, 2, 3], { dtype: 'float64' });
      const h0 = randn([4, 2, 4], { dtype: 'float64' });
      const c0 = randn([4, 2, 4], { dtype: 'float64' });
      const w = randn([5, 2, 8], { dtype: 'float64' });
      const grads = (fused: boolean) => {
        m.fused = fused;
        m.zeroGrad();
        const xs = x.clone().requiresGrad_(true), hs = h0.clone().requiresGrad_(true), cs = c0.clone().requiresGrad_(true);
        let loss: Tensor;
        if (kind === 'lstm') {
          const [o, [h, c]] = (m as LSTM).call(xs, [hs, cs]);
          loss = o.mul(w).sum().add(h.square().sum()).add(c.sin().sum());
        } else {
          const [o, h] = (m as RNN).call(xs, hs);
          loss = o.mul(w).sum().add(h.square().sum());
        }
        loss.backward();
        return [xs.grad!, hs.grad!, ...(kind === 'lstm' ? [cs.grad!] : []), ...m.parameters().map((q) => q.grad!)];
      };
      const a = grads(true);
      const b = grads(false);
      a.forEach((g, i) => assertClose(g, b[i]!, { atol: 1e-12, rtol: 1e-10 }));
    }
  });

  it('refuses an input whose dtype differs from the parameters', () => {
    expect(() => new LSTM(3, 4).call(randn([5, 2, 3], { dtype: 'float64' }))).toThrow(/LSTM: input is float64 but the parameters are float32/);
  });

  it('a retained graph backpropagates twice to the same gradients (the backward leaves its saved buffers intact)', () => {
    for (const kind of ['tanh', 'lstm', 'gru'] as const) {
      manualSeed(8);
      const m = make(kind, 3, 4, { numLayers: 1, bidirectional: true, batchFirst: true });
      const x = randn([2, 5, 3], { dtype: 'float64' }).requiresGrad_(true);
      const [o] = (m as RNN).call(x);
      const loss = o.square().sum();
      loss.backward(undefined, { retainGraph: true });
      const first = [x.grad!.clone(), ...m.parameters().map((q) => q.grad!.clone())];
      loss.backward();
      const twice = [x.grad!, ...m.parameters().map((q) => q.grad!)];
      first.forEach((g, i) => assertClose(twice[i]!, g.mul(2), { atol: 1e-12, rtol: 1e-12 }));
    }
  });

  it('one-step sequences, and initial states of which only some require grad, match the step-by-step graph', () => {
    for (const kind of ['tanh', 'relu', 'lstm', 'gru'] as const) {
      for (const T of [1, 3]) {
        manualSeed(9);
        const m = make(kind, 3, 4, { numLayers: 1, bidirectional: true, batchFirst: false });
        const x = randn([T, 2, 3], { dtype: 'float64' });
        const h0 = randn([2, 2, 4], { dtype: 'float64' });
        const c0 = randn([2, 2, 4], { dtype: 'float64' });
        const grads = (fused: boolean) => {
          m.fused = fused;
          m.zeroGrad();
          const xs = x.clone().requiresGrad_(true), cs = c0.clone().requiresGrad_(true);
          const [o, rest] = kind === 'lstm' ? (m as LSTM).call(xs, [h0, cs]) : (m as RNN).call(xs, h0);
          const hN = Array.isArray(rest) ? rest[0] : rest;
          o.sin().sum().add(hN.square().sum()).backward();
          return [xs.grad!, ...(kind === 'lstm' ? [cs.grad!] : []), ...m.parameters().map((q) => q.grad!)];
        };
        const a = grads(true);
        const b = grads(false);
        a.forEach((g, i) => assertClose(g, b[i]!, { atol: 1e-12, rtol: 1e-10 }));
      }
    }
  });

  it('double backward needs fused = false', () => {
    manualSeed(6);
    const m = new GRU(2, 2, { dtype: 'float64' });
    const x = randn([3, 1, 2], { dtype: 'float64' }).requiresGrad_(true);
    const run = () => {
      const [o] = m.call(x);
      const [g] = grad([o.square().sum()], [x], { createGraph: true });
      return g!.sum();
    };
    expect(run).toThrow(/double backward .* set `fused = false`/);
    m.fused = false;
    expect(gradgradcheck((a) => m.call(a!)[0], [x])).toBe(true);
    expect(run().requiresGrad).toBe(true);
  });

  it('cells compute one step of the documented equations', () => {
    manualSeed(4);
    const x = randn([3, 2], { dtype: 'float64' });
    const h = randn([3, 4], { dtype: 'float64' });
    const c = randn([3, 4], { dtype: 'float64' });
    const lc = new LSTMCell(2, 4, { dtype: 'float64' });
    const [h1, c1] = lc.call(x, [h, c]);
    const [rh, rc] = refStep('lstm', x, h, c, lc.weight_ih, lc.weight_hh, lc.bias_ih, lc.bias_hh);
    assertClose(h1, rh, { atol: 1e-12 });
    assertClose(c1, rc!, { atol: 1e-12 });
    const gc = new GRUCell(2, 4, { dtype: 'float64' });
    assertClose(gc.call(x, h), refStep('gru', x, h, null, gc.weight_ih, gc.weight_hh, gc.bias_ih, gc.bias_hh)[0], { atol: 1e-12 });
    const rc2 = new RNNCell(2, 4, { nonlinearity: 'relu', bias: false, dtype: 'float64' });
    assertClose(rc2.call(x, h), refStep('relu', x, h, null, rc2.weight_ih, rc2.weight_hh, null, null)[0], { atol: 1e-12 });
    // Unbatched, and a missing state means zeros.
    assertClose(gc.call(x.select(0, 1)), gc.call(x, zeros([3, 4], { dtype: 'float64' })).select(0, 1), { atol: 1e-12 });
    expect(gradcheck((a, b) => gc.call(a!, b!), [x.requiresGrad_(true), h.requiresGrad_(true), ...gc.parameters()])).toBe(true);
  });
});
