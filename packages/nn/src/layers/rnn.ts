import { type DType, Tensor, empty, stack, cat, zeros, fusedLinear } from '@tsgrad/tensor';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { dropout } from '../functional/dropout.js';
import { checkPositiveInt, checkProbability, shapeStr } from '../functional/util.js';
import { uniform_ } from '../init.js';
import { recurrence } from './recurrence.js';

/**
 * Recurrent layers with PyTorch's parameter names, layouts, gate order and initialisation:
 * weight_ih_l{k}[_reverse] [gates * hidden, input], weight_hh_l{k} [gates * hidden, hidden],
 * bias_ih_l{k}, bias_hh_l{k}; gates i, f, g, o (LSTM) and r, z, n (GRU); all U(-1/sqrt(H), 1/sqrt(H)).
 *
 * For speed the input projection x W_ih^T + b for every timestep is one matmul per layer and
 * direction; each step then only computes h W_hh^T and the gate nonlinearities.
 */
export type RNNMode = 'RNN_TANH' | 'RNN_RELU' | 'LSTM' | 'GRU';

const GATES: Record<RNNMode, number> = { RNN_TANH: 1, RNN_RELU: 1, LSTM: 4, GRU: 3 };

interface StepWeights {
  whhT: Tensor;
  /** bias_hh kept apart (GRU: it sits inside r * (W_hn h + b_hn)); null when folded or absent. */
  bhh: Tensor | null;
}

/**
 * One recurrence step from the precomputed input projection `gi` [B, gates*H].
 * Returns the new h (and c for LSTM).
 */
function step(mode: RNNMode, gi: Tensor, h: Tensor, c: Tensor | null, w: StepWeights, H: number): [Tensor, Tensor | null] {
  let gh = h.matmul(w.whhT);
  if (w.bhh !== null) gh = gh.add(w.bhh);
  switch (mode) {
    case 'RNN_TANH': return [gi.add(gh).tanh(), null];
    case 'RNN_RELU': return [gi.add(gh).relu(), null];
    case 'LSTM': {
      const gates = gi.add(gh);
      const sig = gates.sigmoid();
      const i = sig.narrow(1, 0, H);
      const f = sig.narrow(1, H, H);
      const g = gates.narrow(1, 2 * H, H).tanh();
      const o = sig.narrow(1, 3 * H, H);
      const c2 = f.mul(c!).add(i.mul(g));
      return [o.mul(c2.tanh()), c2];
    }
    case 'GRU': {
      const rz = gi.narrow(1, 0, 2 * H).add(gh.narrow(1, 0, 2 * H)).sigmoid();
      const r = rz.narrow(1, 0, H);
      const z = rz.narrow(1, H, H);
      const n = gi.narrow(1, 2 * H, H).add(r.mul(gh.narrow(1, 2 * H, H))).tanh();
      // h' = (1 - z) * n + z * h = n + z * (h - n)
      return [n.add(z.mul(h.sub(n))), null];
    }
  }
}

/**
 * Options of the recurrent layers: `numLayers`, `bias`, `batchFirst`, `dropout`, `bidirectional`, `dtype`.
 */
export interface RNNOptions {
  numLayers?: number;
  bias?: boolean;
  /** Input and output are [batch, seq, feature] instead of [seq, batch, feature]. */
  batchFirst?: boolean;
  /** Dropout on the outputs of every layer but the last, while training. */
  dropout?: number;
  bidirectional?: boolean;
  dtype?: DType;
}

/** Shared machinery of RNN, LSTM and GRU (torch.nn.RNNBase). */
export abstract class RNNBase extends Module {
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  /**
   * Run each layer and direction as one autograd op with a hand-written backward pass (default;
   * much faster to train). Set false to record every step's ops instead, e.g. to differentiate twice.
   */
  fused = true;

  constructor(readonly mode: RNNMode, readonly inputSize: number, readonly hiddenSize: number, opts: RNNOptions = {}) {
    super();
    const name = new.target.name;
    checkPositiveInt(inputSize, `${name}: inputSize`);
    checkPositiveInt(hiddenSize, `${name}: hiddenSize`);
    this.numLayers = checkPositiveInt(opts.numLayers ?? 1, `${name}: numLayers`);
    this.bias = opts.bias ?? true;
    this.batchFirst = opts.batchFirst ?? false;
    this.dropout = opts.dropout ?? 0;
    checkProbability(this.dropout, `${name}: dropout`);
    this.bidirectional = opts.bidirectional ?? false;
    const dtype = opts.dtype ?? 'float32';
    const G = GATES[mode] * hiddenSize;
    const D = this.bidirectional ? 2 : 1;
    for (let l = 0; l < this.numLayers; l++) {
      const layerInput = l === 0 ? inputSize : hiddenSize * D;
      for (let d = 0; d < D; d++) {
        const sfx = `_l${l}${d === 1 ? '_reverse' : ''}`;
        this.registerParameter(`weight_ih${sfx}`, new Parameter(empty([G, layerInput], { dtype })));
        this.registerParameter(`weight_hh${sfx}`, new Parameter(empty([G, hiddenSize], { dtype })));
        if (this.bias) {
          this.registerParameter(`bias_ih${sfx}`, new Parameter(empty([G], { dtype })));
          this.registerParameter(`bias_hh${sfx}`, new Parameter(empty([G], { dtype })));
        }
      }
    }
    this.resetParameters();
  }

  get numDirections(): number {
    return this.bidirectional ? 2 : 1;
  }

  resetParameters(): void {
    const bound = 1 / Math.sqrt(this.hiddenSize);
    for (const p of this.parameters()) uniform_(p, -bound, bound);
  }

  /** Looked up by name on every call: `to()` replaces parameters. */
  protected param(name: string): Parameter | null {
    const p = (this as unknown as Record<string, unknown>)[name];
    return p instanceof Parameter ? p : null;
  }

  protected checkHidden(h: Tensor, batch: number | null, what: string, input: Tensor): void {
    const expected = batch === null ? [this.numLayers * this.numDirections, this.hiddenSize] : [this.numLayers * this.numDirections, batch, this.hiddenSize];
    if (!(h instanceof Tensor) || h.ndim !== expected.length || h.shape.some((s, i) => s !== expected[i])) {
      throw new RangeError(`${this.constructor.name}: expected ${what} of shape ${shapeStr(expected)} for input ${shapeStr(input.shape)}, got ${h instanceof Tensor ? shapeStr(h.shape) : typeof h}`);
    }
    if (h.dtype !== input.dtype) throw new TypeError(`${this.constructor.name}: ${what} is ${h.dtype} but the input is ${input.dtype}`);
  }

  /**
   * Runs all layers. `input` is [T, B, I] (after batchFirst / unbatched handling), h0 and c0
   * [L*D, B, H]. Returns output [T, B, D*H], hN and cN [L*D, B, H].
   */
  protected run(input: Tensor, h0: Tensor, c0: Tensor | null): { output: Tensor; hN: Tensor; cN: Tensor | null } {
    const [T, B] = input.shape as [number, number];
    const H = this.hiddenSize;
    const D = this.numDirections;
    const G = GATES[this.mode] * H;
    const hs: Tensor[] = [];
    const cs: Tensor[] = [];
    let layerInput = input;
    for (let l = 0; l < this.numLayers; l++) {
      const dirOutputs: Tensor[] = [];
      const inFeatures = layerInput.shape[2]!;
      const flatInput = layerInput.reshape(T * B, inFeatures);
      for (let d = 0; d < D; d++) {
        const sfx = `_l${l}${d === 1 ? '_reverse' : ''}`;
        const wih = this.param(`weight_ih${sfx}`)!;
        const whh = this.param(`weight_hh${sfx}`)!;
        const bih = this.param(`bias_ih${sfx}`);
        const bhh = this.param(`bias_hh${sfx}`);
        // Input projection for all timesteps at once; bias_hh folds in except for GRU.
        const projBias = bih === null ? null : this.mode === 'GRU' || bhh === null ? bih : bih.add(bhh);
        // One op: x W_ih^T + b, the weight read transposed in place.
        const proj = fusedLinear(flatInput, wih, projBias).reshape(T, B, G);
        let h = h0.select(0, l * D + d);
        let c = c0 === null ? null : c0.select(0, l * D + d);
        if (this.fused) {
          const r = recurrence(this.mode, proj, h, c, whh, this.mode === 'GRU' ? bhh : null, d === 1);
          dirOutputs.push(r.output);
          h = r.hN;
          c = r.cN;
        } else {
          const w: StepWeights = { whhT: whh.t(), bhh: this.mode === 'GRU' ? bhh : null };
          const outs: Tensor[] = new Array<Tensor>(T);
          for (let k = 0; k < T; k++) {
            const t = d === 0 ? k : T - 1 - k;
            [h, c] = step(this.mode, proj.select(0, t), h, c, w, H);
            outs[t] = h;
          }
          dirOutputs.push(T > 0 ? stack(outs, 0) : zeros([0, B, H], { dtype: input.dtype }));
        }
        hs.push(h);
        if (c !== null) cs.push(c);
      }
      layerInput = D === 1 ? dirOutputs[0]! : cat(dirOutputs, 2);
      if (this.dropout > 0 && this.training && l < this.numLayers - 1) layerInput = dropout(layerInput, this.dropout, true);
    }
    return { output: layerInput, hN: stack(hs, 0), cN: c0 === null ? null : stack(cs, 0) };
  }

  /** Normalises the input to [T, B, I]; returns it with the batch size (null when unbatched). */
  protected prepareInput(input: Tensor): { x: Tensor; batch: number | null } {
    if (!(input instanceof Tensor)) throw new TypeError(`${this.constructor.name}: input must be a Tensor`);
    if (input.dtype !== 'float32' && input.dtype !== 'float64') throw new TypeError(`${this.constructor.name}: input must be floating point, got ${input.dtype}`);
    if (input.ndim !== 2 && input.ndim !== 3) {
      throw new RangeError(`${this.constructor.name}: expected input of 2 dims (unbatched [seq, feature]) or 3 dims (${this.batchFirst ? '[batch, seq, feature]' : '[seq, batch, feature]'}), got shape ${shapeStr(input.shape)}`);
    }
    if (input.shape[input.ndim - 1] !== this.inputSize) {
      throw new RangeError(`${this.constructor.name}: input.size(-1) must be inputSize=${this.inputSize}, got shape ${shapeStr(input.shape)}`);
    }
    const weight = this.param('weight_ih_l0')!;
    if (input.dtype !== weight.dtype) throw new TypeError(`${this.constructor.name}: input is ${input.dtype} but the parameters are ${weight.dtype} (convert one with .to())`);
    if (input.ndim === 2) return { x: input.unsqueeze(1), batch: null };
    const x = this.batchFirst ? input.transpose(0, 1) : input;
    return { x, batch: x.shape[1]! };
  }

  protected finishOutput(output: Tensor, batch: number | null): Tensor {
    if (batch === null) return output.squeeze(1);
    return this.batchFirst ? output.transpose(0, 1) : output;
  }

  protected initialState(hx: Tensor | undefined | null, batch: number | null, x: Tensor, what: string): Tensor {
    const B = x.shape[1]!;
    if (hx === undefined || hx === null) return zeros([this.numLayers * this.numDirections, B, this.hiddenSize], { dtype: x.dtype });
    this.checkHidden(hx, batch, what, x);
    return batch === null ? hx.unsqueeze(1) : hx;
  }

  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (this.numLayers !== 1) s += `, numLayers=${this.numLayers}`;
    if (this.mode === 'RNN_RELU') s += `, nonlinearity='relu'`;
    if (!this.bias) s += ', bias=false';
    if (this.batchFirst) s += ', batchFirst=true';
    if (this.dropout !== 0) s += `, dropout=${this.dropout}`;
    if (this.bidirectional) s += ', bidirectional=true';
    return s;
  }
}

/** Elman RNN: h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (or relu). Returns [output, hN]. */
export class RNN extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, opts: RNNOptions & { nonlinearity?: 'tanh' | 'relu' } = {}) {
    const nl = opts.nonlinearity ?? 'tanh';
    if (nl !== 'tanh' && nl !== 'relu') throw new RangeError(`RNN: nonlinearity must be 'tanh' or 'relu', got ${JSON.stringify(nl)}`);
    super(nl === 'tanh' ? 'RNN_TANH' : 'RNN_RELU', inputSize, hiddenSize, opts);
  }

  get nonlinearity(): 'tanh' | 'relu' {
    return this.mode === 'RNN_RELU' ? 'relu' : 'tanh';
  }

  forward(input: Tensor, hx?: Tensor | null): [Tensor, Tensor] {
    const { x, batch } = this.prepareInput(input);
    const h0 = this.initialState(hx, batch, x, 'hx');
    const { output, hN } = this.run(x, h0, null);
    return [this.finishOutput(output, batch), batch === null ? hN.squeeze(1) : hN];
  }
}

/** GRU (gates r, z, n). Returns [output, hN]. */
export class GRU extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, opts: RNNOptions = {}) {
    super('GRU', inputSize, hiddenSize, opts);
  }

  forward(input: Tensor, hx?: Tensor | null): [Tensor, Tensor] {
    const { x, batch } = this.prepareInput(input);
    const h0 = this.initialState(hx, batch, x, 'hx');
    const { output, hN } = this.run(x, h0, null);
    return [this.finishOutput(output, batch), batch === null ? hN.squeeze(1) : hN];
  }
}

/** LSTM (gates i, f, g, o). Returns [output, [hN, cN]]. */
export class LSTM extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, opts: RNNOptions = {}) {
    super('LSTM', inputSize, hiddenSize, opts);
  }

  forward(input: Tensor, hx?: readonly [Tensor, Tensor] | null): [Tensor, [Tensor, Tensor]] {
    const { x, batch } = this.prepareInput(input);
    if (hx !== undefined && hx !== null && (!Array.isArray(hx) || hx.length !== 2)) throw new TypeError('LSTM: hx must be a pair [h0, c0]');
    const h0 = this.initialState(hx?.[0], batch, x, 'h0');
    const c0 = this.initialState(hx?.[1], batch, x, 'c0');
    const { output, hN, cN } = this.run(x, h0, c0);
    const unb = (t: Tensor) => (batch === null ? t.squeeze(1) : t);
    return [this.finishOutput(output, batch), [unb(hN), unb(cN!)]];
  }
}

// ---- cells ------------------------------------------------------------------------------------

abstract class CellBase extends Module {
  weight_ih: Parameter;
  weight_hh: Parameter;
  bias_ih: Parameter | null;
  bias_hh: Parameter | null;

  constructor(readonly mode: RNNMode, readonly inputSize: number, readonly hiddenSize: number, opts: { bias?: boolean; dtype?: DType }) {
    super();
    checkPositiveInt(inputSize, `${new.target.name}: inputSize`);
    checkPositiveInt(hiddenSize, `${new.target.name}: hiddenSize`);
    const G = GATES[mode] * hiddenSize;
    const dtype = opts.dtype ?? 'float32';
    this.weight_ih = new Parameter(empty([G, inputSize], { dtype }));
    this.weight_hh = new Parameter(empty([G, hiddenSize], { dtype }));
    const bias = opts.bias ?? true;
    this.bias_ih = bias ? new Parameter(empty([G], { dtype })) : null;
    this.bias_hh = bias ? new Parameter(empty([G], { dtype })) : null;
    this.resetParameters();
  }

  resetParameters(): void {
    const bound = 1 / Math.sqrt(this.hiddenSize);
    for (const p of this.parameters()) uniform_(p, -bound, bound);
  }

  /** input [B, I] or [I]; state [B, H] or [H]. Returns the 2-D input and whether it was 1-D. */
  protected prepare(input: Tensor): [Tensor, boolean] {
    if (!(input instanceof Tensor) || (input.ndim !== 1 && input.ndim !== 2) || input.shape[input.ndim - 1] !== this.inputSize) {
      throw new RangeError(`${this.constructor.name}: expected input [batch, ${this.inputSize}] or [${this.inputSize}], got ${input instanceof Tensor ? shapeStr(input.shape) : typeof input}`);
    }
    return input.ndim === 1 ? [input.unsqueeze(0), true] : [input, false];
  }

  protected state(s: Tensor | null | undefined, x: Tensor, unbatched: boolean, what: string): Tensor {
    const B = x.shape[0]!;
    if (s === undefined || s === null) return zeros([B, this.hiddenSize], { dtype: x.dtype });
    const expected = unbatched ? [this.hiddenSize] : [B, this.hiddenSize];
    if (!(s instanceof Tensor) || s.ndim !== expected.length || s.shape.some((d, i) => d !== expected[i])) {
      throw new RangeError(`${this.constructor.name}: expected ${what} of shape ${shapeStr(expected)}, got ${s instanceof Tensor ? shapeStr(s.shape) : typeof s}`);
    }
    return unbatched ? s.unsqueeze(0) : s;
  }

  protected cellStep(x: Tensor, h: Tensor, c: Tensor | null): [Tensor, Tensor | null] {
    let gi = x.matmul(this.weight_ih.t());
    const fold = this.mode !== 'GRU';
    if (this.bias_ih !== null) gi = gi.add(fold && this.bias_hh !== null ? this.bias_ih.add(this.bias_hh) : this.bias_ih);
    return step(this.mode, gi, h, c, { whhT: this.weight_hh.t(), bhh: fold ? null : this.bias_hh }, this.hiddenSize);
  }

  override extraRepr(): string {
    return `${this.inputSize}, ${this.hiddenSize}${this.bias_ih === null ? ', bias=false' : ''}${this.mode === 'RNN_RELU' ? ", nonlinearity='relu'" : ''}`;
  }
}

/** One Elman RNN step: h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (or relu). */
export class RNNCell extends CellBase {
  constructor(inputSize: number, hiddenSize: number, opts: { bias?: boolean; nonlinearity?: 'tanh' | 'relu'; dtype?: DType } = {}) {
    const nl = opts.nonlinearity ?? 'tanh';
    if (nl !== 'tanh' && nl !== 'relu') throw new RangeError(`RNNCell: nonlinearity must be 'tanh' or 'relu', got ${JSON.stringify(nl)}`);
    super(nl === 'tanh' ? 'RNN_TANH' : 'RNN_RELU', inputSize, hiddenSize, opts);
  }

  forward(input: Tensor, hx?: Tensor | null): Tensor {
    const [x, unb] = this.prepare(input);
    const [h] = this.cellStep(x, this.state(hx, x, unb, 'hx'), null);
    return unb ? h.squeeze(0) : h;
  }
}

/** One GRU step. */
export class GRUCell extends CellBase {
  constructor(inputSize: number, hiddenSize: number, opts: { bias?: boolean; dtype?: DType } = {}) {
    super('GRU', inputSize, hiddenSize, opts);
  }

  forward(input: Tensor, hx?: Tensor | null): Tensor {
    const [x, unb] = this.prepare(input);
    const [h] = this.cellStep(x, this.state(hx, x, unb, 'hx'), null);
    return unb ? h.squeeze(0) : h;
  }
}

/** One LSTM step: returns [h', c']. */
export class LSTMCell extends CellBase {
  constructor(inputSize: number, hiddenSize: number, opts: { bias?: boolean; dtype?: DType } = {}) {
    super('LSTM', inputSize, hiddenSize, opts);
  }

  forward(input: Tensor, hx?: readonly [Tensor, Tensor] | null): [Tensor, Tensor] {
    const [x, unb] = this.prepare(input);
    const h0 = this.state(hx?.[0], x, unb, 'h0');
    const c0 = this.state(hx?.[1], x, unb, 'c0');
    const [h, c] = this.cellStep(x, h0, c0);
    return unb ? [h.squeeze(0), c!.squeeze(0)] : [h, c!];
  }
}
