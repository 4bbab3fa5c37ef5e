import { Tensor, zeros, recordOp, isGradEnabled, getBackend } from '@tsgrad/tensor';
import { hasGradient, registerGradient } from '@tsgrad/autograd';
import { type StepBuffer, type StateRows } from './recurrence-views.js';
import { type RnnSaved, rnnForward, rnnBackward } from './recurrence-rnn.js';
import { type LstmSaved, lstmForward, lstmBackward } from './recurrence-lstm.js';
import { type GruSaved, gruForward, gruBackward } from './recurrence-gru.js';

/**
 * One direction of one recurrent layer over a whole sequence as a single autograd op with a
 * hand-written backward pass (backpropagation through time).
 *
 * Composed from per-step tensor ops, every step's slice of the input projection would be a
 * recorded view whose gradient is a zero tensor of the whole sequence's size: O(T^2) work in the
 * backward pass, and a dozen allocated tensors per step. Here each step is one recurrent matmul
 * plus a few backend kernel calls over views of buffers allocated once per sequence
 * (recurrence-{rnn,lstm,gru}.ts), so the elementwise work runs in the current backend's kernels
 * (vectorised in native). The backward runs one pass per step (the recurrent [B, G] x [G, H]
 * matmul and a few elementwise calls) and builds W_hh's gradient for all steps with one matmul.
 *
 * Inputs: proj [T, B, G] (x W_ih^T + b_ih, plus b_hh except for GRU), h0 [B, H], c0 [B, H] (LSTM),
 * W_hh [G, H], b_hh [G] (GRU, when there is a bias). Output: the hidden states [T, B, H] in time
 * order; for LSTM one more row holds the final cell state ([T + 1, B, H]). All one float dtype.
 */
export type RecurrenceMode = 'RNN_TANH' | 'RNN_RELU' | 'LSTM' | 'GRU';

type ModeSaved =
  | { mode: 'RNN_TANH' | 'RNN_RELU'; state: RnnSaved }
  | { mode: 'LSTM'; state: LstmSaved }
  | { mode: 'GRU'; state: GruSaved };

type Saved = ModeSaved & { hasC0: boolean; hasBhh: boolean };

const OP = 'nnRecurrence';

export interface RecurrenceResult {
  /** [T, B, H] hidden states in time order. */
  output: Tensor;
  hN: Tensor;
  cN: Tensor | null;
}

export function recurrence(mode: RecurrenceMode, proj: Tensor, h0: Tensor, c0: Tensor | null, whh: Tensor, bhh: Tensor | null, reverse: boolean): RecurrenceResult {
  const [T, B] = proj.shape as [number, number, number];
  const H = whh.shape[1]!;
  const b = mode === 'GRU' ? bhh : null;
  for (const x of [h0, c0, whh, b]) {
    if (x !== null && x.dtype !== proj.dtype) throw new TypeError(`recurrence: every input must be ${proj.dtype}, got ${x.dtype}`);
  }
  if (T === 0) return { output: zeros([0, B, H], { dtype: proj.dtype }), hN: h0, cN: c0 };
  const inputs = [proj, h0, ...(c0 !== null ? [c0] : []), whh, ...(b !== null ? [b] : [])];

  const k = getBackend();
  let saved: ModeSaved;
  if (mode === 'LSTM') {
    if (c0 === null) throw new Error('recurrence: LSTM needs an initial cell state');
    saved = { mode, state: lstmForward(k, proj, h0, c0, whh, reverse) };
  } else if (mode === 'GRU') saved = { mode, state: gruForward(k, proj, h0, whh, b, reverse) };
  else saved = { mode, state: rnnForward(k, mode === 'RNN_RELU', proj, h0, whh, reverse) };
  const { rows, h } = saved.state as { rows: StateRows; h: StepBuffer };
  const hs = h.tensorRows(rows.curStart, T);
  const cLast = saved.mode === 'LSTM' ? saved.state.c.tensor.select(0, rows.final) : null;
  if (!inputs.some((t) => t.requiresGrad) || !isGradEnabled()) {
    return { output: hs, hN: h.tensor.select(0, rows.final), cN: cLast };
  }
  // One recorded op; the outputs the caller sees are views of its result, a copy so that in-place
  // changes to them cannot reach the buffers the backward reads.
  const packed = Tensor.empty([mode === 'LSTM' ? T + 1 : T, B, H], proj.dtype);
  k.copy(hs, packed.narrow(0, 0, T));
  if (cLast !== null) k.copy(cLast, packed.select(0, T));
  recordOp(OP, inputs, packed, { ...saved, hasC0: c0 !== null, hasBhh: b !== null } satisfies Saved);
  const output = mode === 'LSTM' ? packed.narrow(0, 0, T) : packed;
  return { output, hN: output.select(0, reverse ? 0 : T - 1), cN: mode === 'LSTM' ? packed.select(0, T) : null };
}

function backward(gPacked: Tensor, ctx: { inputs: readonly Tensor[]; attrs: any }, needs: readonly boolean[]): (Tensor | null)[] {
  if (isGradEnabled()) {
    throw new Error('double backward (createGraph) through RNN/LSTM/GRU is not supported by the fused recurrence; set `fused = false` on the layer to differentiate it twice');
  }
  const s = ctx.attrs as Saved;
  const { rows, h } = s.state as { rows: StateRows; h: StepBuffer };
  const T = rows.T;
  const iW = s.hasC0 ? 3 : 2;
  const whh = ctx.inputs[iW]!;
  const gH = gPacked.narrow(0, 0, T);
  const k = getBackend();
  let dPre: StepBuffer;
  let dGh: StepBuffer;
  let dh0: Tensor | null;
  let dc0: Tensor | null = null;
  if (s.mode === 'LSTM') {
    const g = lstmBackward(k, s.state, gH, gPacked.select(0, T), whh, needs[1]!, needs[2]!);
    ({ dPre, dh0, dc0 } = g);
    dGh = dPre;
  } else if (s.mode === 'GRU') {
    ({ dPre, dGh, dh0 } = gruBackward(k, s.state, gH, whh, needs[1]!));
  } else {
    ({ dPre, dh0 } = rnnBackward(k, s.mode === 'RNN_RELU', s.state, gH, whh, needs[1]!));
    dGh = dPre;
  }
  const B = h.B, H = h.W, G = whh.shape[0]!;
  // W_hh's gradient for all steps at once: sum_t dgh_t^T h_{t-1} = dGh^T [G, T*B] x h_prev [T*B, H].
  const dGhFlat = dGh.tensor.reshape(T * B, G);
  const dWhh = needs[iW] ? dGhFlat.t().matmul(h.tensorRows(rows.prevStart, T).reshape(T * B, H)) : null;
  const out: (Tensor | null)[] = [needs[0] ? dPre.tensor : null, dh0];
  if (s.hasC0) out.push(dc0);
  out.push(dWhh);
  if (s.hasBhh) out.push(needs[iW + 1] ? dGhFlat.sum(0) : null);
  return out;
}

if (!hasGradient(OP)) {
  registerGradient(OP, { name: 'RecurrenceBackward', saveInputs: true, saveOutput: false, backward });
}
