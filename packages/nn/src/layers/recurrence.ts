import { Tensor, stack, cat, zeros, recordOp, isGradEnabled, getBackend } from '@tsgrad/tensor';
import { hasGradient, registerGradient } from '@tsgrad/autograd';
import { withoutGrad } from '../grad-mode.js';

/**
 * One direction of one recurrent layer over a whole sequence as a single autograd op with a
 * hand-written backward pass (backpropagation through time).
 *
 * Composed from per-step tensor ops, every step's slice of the input projection would be a
 * recorded view whose gradient is a zero tensor of the whole sequence's size: O(T^2) work in the
 * backward pass. Here the forward runs without recording, keeps the gate activations it needs, and
 * the backward computes each step with elementwise ops and one [B, G] x [G, H] matmul, then the
 * gradient of W_hh for all steps with a single matmul.
 *
 * Inputs: proj [T, B, G] (x W_ih^T + b_ih, plus b_hh except for GRU), h0 [B, H], c0 [B, H] (LSTM),
 * W_hh [G, H], b_hh [G] (GRU, when there is a bias). Output: the hidden states [T, B, H] in time
 * order; for LSTM one more row holds the final cell state ([T + 1, B, H]).
 */
export type RecurrenceMode = 'RNN_TANH' | 'RNN_RELU' | 'LSTM' | 'GRU';

interface Saved {
  mode: RecurrenceMode;
  reverse: boolean;
  T: number;
  H: number;
  hasC0: boolean;
  hasBhh: boolean;
  /** h_{t-1} for each t, in time order [T, B, H]. */
  hPrev: Tensor;
  /** Hidden states h_t [T, B, H] (RNN: for the activation's derivative). */
  hs: Tensor;
  /** LSTM: sigmoid of all gate pre-activations [T, B, 4H] (slot g unused), tanh(g) [T, B, H], c_t and c_{t-1} [T, B, H]. */
  sig?: Tensor;
  g?: Tensor;
  c?: Tensor;
  cPrev?: Tensor;
  /** GRU: sigmoid(r, z) [T, B, 2H], n [T, B, H], W_hn h + b_hn [T, B, H]. */
  rz?: Tensor;
  n?: Tensor;
  ghn?: Tensor;
}

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
  const hasBhh = mode === 'GRU' && bhh !== null;
  const inputs = [proj, h0, ...(c0 !== null ? [c0] : []), whh, ...(hasBhh ? [bhh!] : [])];
  if (T === 0) return { output: zeros([0, B, H], { dtype: proj.dtype }), hN: h0, cN: c0 };

  const saved = withoutGrad(() => {
    const whhT = whh.t();
    if (mode === 'RNN_TANH' && c0 === null && proj.isContiguous() && h0.isContiguous() && proj.dtype === h0.dtype && proj.dtype === whh.dtype) {
      return rnnTanhForward(proj, h0, whhT, reverse);
    }
    if (mode === 'LSTM' && c0 !== null && proj.isContiguous() && h0.isContiguous() && c0.isContiguous() && proj.dtype === h0.dtype && proj.dtype === c0.dtype && proj.dtype === whh.dtype) {
      return lstmForward(proj, h0, c0, whhT, reverse);
    }
    const hPrev = new Array<Tensor>(T);
    const hs = new Array<Tensor>(T);
    const sig: Tensor[] = [], gs: Tensor[] = [], cs: Tensor[] = [], cPrev: Tensor[] = [];
    const rzs: Tensor[] = [], ns: Tensor[] = [], ghns: Tensor[] = [];
    let h = h0;
    let c = c0;
    for (let k = 0; k < T; k++) {
      const t = reverse ? T - 1 - k : k;
      hPrev[t] = h;
      const gi = proj.select(0, t);
      let gh = h.matmul(whhT);
      if (hasBhh) gh = gh.add(bhh!);
      if (mode === 'RNN_TANH') h = gi.add(gh).tanh();
      else if (mode === 'RNN_RELU') h = gi.add(gh).relu();
      else if (mode === 'LSTM') {
        const pre = gi.add(gh);
        const s = pre.sigmoid();
        const g = pre.narrow(1, 2 * H, H).tanh();
        cPrev[t] = c!;
        c = s.narrow(1, H, H).mul(c!).add(s.narrow(1, 0, H).mul(g));
        h = s.narrow(1, 3 * H, H).mul(c.tanh());
        sig[t] = s; gs[t] = g; cs[t] = c;
      } else {
        const rz = gi.narrow(1, 0, 2 * H).add(gh.narrow(1, 0, 2 * H)).sigmoid();
        const ghn = gh.narrow(1, 2 * H, H);
        const n = gi.narrow(1, 2 * H, H).add(rz.narrow(1, 0, H).mul(ghn)).tanh();
        h = n.add(rz.narrow(1, H, H).mul(h.sub(n)));
        rzs[t] = rz; ns[t] = n; ghns[t] = ghn;
      }
      hs[t] = h;
    }
    const s: Saved = { mode, reverse, T, H, hasC0: c0 !== null, hasBhh, hPrev: stack(hPrev, 0), hs: stack(hs, 0) };
    if (mode === 'LSTM') Object.assign(s, { sig: stack(sig, 0), g: stack(gs, 0), c: stack(cs, 0), cPrev: stack(cPrev, 0) });
    if (mode === 'GRU') Object.assign(s, { rz: stack(rzs, 0), n: stack(ns, 0), ghn: stack(ghns, 0) });
    return { s, hN: h, cN: c };
  });
  const s = saved.s;
  if (!inputs.some((t) => t.requiresGrad) || !isGradEnabled()) {
    return { output: s.hs, hN: saved.hN, cN: saved.cN };
  }
  // One recorded op; the outputs the caller sees are views of its result.
  const packed = mode === 'LSTM' ? cat([s.hs, saved.cN!.unsqueeze(0)], 0) : s.hs.clone();
  recordOp(OP, inputs, packed, s);
  const output = mode === 'LSTM' ? packed.narrow(0, 0, T) : packed;
  return { output, hN: output.select(0, reverse ? 0 : T - 1), cN: mode === 'LSTM' ? packed.select(0, T) : null };
}

/**
 * RNN_TANH forward in one pass per step: h_t = tanh(proj_t + h_{t-1} W_hh^T) written straight into
 * the [T, B, H] result (no per-step sum tensor, no stacking); the same roundings as the op-by-op
 * version (the sum is rounded to the dtype before tanh).
 */
const UNIT = [1];

function rnnTanhForward(proj: Tensor, h0: Tensor, whhT: Tensor, reverse: boolean): { s: Saved; hN: Tensor; cN: null } {
  const [T, B, H] = proj.shape as [number, number, number];
  const BH = B * H;
  const hs = Tensor.empty([T, B, H], proj.dtype);
  const hPrev = Tensor.empty([T, B, H], proj.dtype);
  const hb = hs.storage.data;
  const pb = proj.storage.data;
  const po = proj.offset;
  const hpb = hPrev.storage.data;
  const h0b = h0.storage.data;
  let h = h0;
  for (let k = 0; k < T; k++) {
    const t = reverse ? T - 1 - k : k;
    // h_{t-1} for the backward's W_hh gradient.
    if (k === 0) for (let i = 0; i < BH; i++) hpb[t * BH + i] = h0b[h0.offset + i]!;
    else hpb.set(hb.subarray((reverse ? t + 1 : t - 1) * BH, (reverse ? t + 2 : t) * BH), t * BH);
    const gh = h.matmul(whhT);
    const ghb = gh.storage.data;
    const ghOff = gh.offset;
    // Through the backend's kernels (vectorized in native: tanh was a third of an RNN epoch as
    // scalar Math.tanh calls): the sum is rounded to the dtype, then tanh in place.
    const hView = { buffer: hb, shape: [BH], strides: UNIT, offset: t * BH };
    const kern = getBackend();
    kern.binary('add', { buffer: pb, shape: [BH], strides: UNIT, offset: po + t * BH }, { buffer: ghb, shape: [BH], strides: UNIT, offset: ghOff }, hView);
    kern.unary('tanh', hView, hView);
    h = hs.select(0, t);
  }
  const s: Saved = { mode: 'RNN_TANH', reverse, T, H, hasC0: false, hasBhh: false, hPrev, hs };
  return { s, hN: h, cN: null };
}

/**
 * LSTM forward in one pass per step (after the [B, 4H] matmul), written straight into the saved
 * [T, ...] buffers. Every intermediate the op-by-op version rounds to the dtype goes through a
 * typed array of that dtype (`tmp`), so the values are the same.
 */
function lstmForward(proj: Tensor, h0: Tensor, c0: Tensor, whhT: Tensor, reverse: boolean): { s: Saved; hN: Tensor; cN: Tensor } {
  const [T, B, G] = proj.shape as [number, number, number];
  const H = G / 4;
  const BH = B * H;
  const BG = B * G;
  const dtype = proj.dtype;
  const sig = Tensor.empty([T, B, G], dtype);
  const gT = Tensor.empty([T, B, H], dtype);
  const cT = Tensor.empty([T, B, H], dtype);
  const cPrevT = Tensor.empty([T, B, H], dtype);
  const hs = Tensor.empty([T, B, H], dtype);
  const hPrev = Tensor.empty([T, B, H], dtype);
  const sb = sig.storage.data, gb = gT.storage.data, cb = cT.storage.data, cpb = cPrevT.storage.data;
  const hb = hs.storage.data, hpb = hPrev.storage.data;
  const pb = proj.storage.data;
  const po = proj.offset;
  const tmp = Tensor.empty([2], dtype).storage.data;
  const tanhC = Tensor.empty([BH], dtype).storage.data;
  const tanhCView = { buffer: tanhC, shape: [BH], strides: UNIT, offset: 0 };
  const gateShape = [B, H];
  const gateStrides = [G, 1];
  const rowStrides = [H, 1];
  let h = h0;
  let hOff = h0.offset;
  let hBuf = h0.storage.data;
  let cBuf = c0.storage.data;
  let cOff = c0.offset;
  const kern = getBackend();
  for (let k = 0; k < T; k++) {
    const t = reverse ? T - 1 - k : k;
    const gh = h.matmul(whhT);
    const sBase = t * BG;
    const hBase = t * BH;
    // The transcendental parts through the backend's kernels (vectorized in native), each value
    // rounded to the dtype where the op-by-op version rounds it: pre = proj_t + gh into sig, the
    // g gate's tanh from it, then the sigmoid of every gate in place.
    const pre = { buffer: sb, shape: [BG], strides: UNIT, offset: sBase };
    kern.binary('add', { buffer: pb, shape: [BG], strides: UNIT, offset: po + sBase }, { buffer: gh.storage.data, shape: [BG], strides: UNIT, offset: gh.offset }, pre);
    kern.unary('tanh', { buffer: sb, shape: gateShape, strides: gateStrides, offset: sBase + 2 * H }, { buffer: gb, shape: gateShape, strides: rowStrides, offset: hBase });
    kern.unary('sigmoid', pre, pre);
    for (let b = 0; b < B; b++) {
      const row = b * G;
      for (let j = 0; j < H; j++) {
        const e = hBase + b * H + j;
        const iv = sb[sBase + row + j]!, fv = sb[sBase + row + H + j]!;
        const cp = cBuf[cOff + b * H + j]!;
        hpb[e] = hBuf[hOff + b * H + j]!;
        cpb[e] = cp;
        tmp[0] = fv * cp;
        tmp[1] = iv * gb[e]!;
        cb[e] = tmp[0]! + tmp[1]!;
      }
    }
    kern.unary('tanh', { buffer: cb, shape: [BH], strides: UNIT, offset: hBase }, tanhCView);
    for (let b = 0; b < B; b++) {
      const row = sBase + b * G + 3 * H;
      for (let j = 0; j < H; j++) hb[hBase + b * H + j] = sb[row + j]! * tanhC[b * H + j]!;
    }
    h = hs.select(0, t);
    hBuf = hb;
    hOff = hBase;
    cBuf = cb;
    cOff = hBase;
  }
  const s: Saved = { mode: 'LSTM', reverse, T, H, hasC0: true, hasBhh: false, hPrev, hs, sig, g: gT, c: cT, cPrev: cPrevT };
  const last = reverse ? 0 : T - 1;
  return { s, hN: h, cN: cT.select(0, last) };
}

/**
 * RNN_TANH backward in one pass per step, writing d pre_t = (g_t + dh) (1 - h_t^2) straight into the
 * [T, B, H] gradient of proj (same roundings as the op-by-op version).
 */
function rnnTanhBackward(gH: Tensor, s: Saved, whh: Tensor, B: number): { dPre: Tensor; dh: Tensor } {
  const { T, H, reverse } = s;
  const BH = B * H;
  const f32 = gH.dtype === 'float32';
  const dPre = Tensor.empty([T, B, H], gH.dtype);
  const db = dPre.storage.data;
  const gb = gH.storage.data;
  const go = gH.offset;
  const hb = s.hs.storage.data;
  const ho = s.hs.offset;
  let dh = zeros([B, H], { dtype: gH.dtype });
  for (let k = T - 1; k >= 0; k--) {
    const t = reverse ? T - 1 - k : k;
    const dhb = dh.storage.data;
    const dho = dh.offset;
    const base = t * BH;
    if (f32) {
      for (let i = 0; i < BH; i++) {
        const hv = hb[ho + base + i]!;
        db[base + i] = Math.fround(gb[go + base + i]! + dhb[dho + i]!) * Math.fround(1 - Math.fround(hv * hv));
      }
    } else {
      for (let i = 0; i < BH; i++) {
        const hv = hb[ho + base + i]!;
        db[base + i] = (gb[go + base + i]! + dhb[dho + i]!) * (1 - hv * hv);
      }
    }
    dh = dPre.select(0, t).matmul(whh);
  }
  return { dPre, dh };
}

function backward(gPacked: Tensor, ctx: { inputs: readonly Tensor[]; attrs: any }, needs: readonly boolean[]): (Tensor | null)[] {
  if (isGradEnabled()) {
    throw new Error('double backward (createGraph) through RNN/LSTM/GRU is not supported by the fused recurrence; set `fused = false` on the layer to differentiate it twice');
  }
  const s = ctx.attrs as Saved;
  const { mode, reverse, T, H } = s;
  const whh = ctx.inputs[s.hasC0 ? 3 : 2]!;
  const gH = gPacked.narrow(0, 0, T);
  const B = gH.shape[1]!;
  if (mode === 'RNN_TANH' && gH.isContiguous() && s.hs.isContiguous() && gH.dtype === s.hs.dtype) {
    const { dPre: dPreAll, dh: dhN } = rnnTanhBackward(gH, s, whh, B);
    const G = whh.shape[0]!;
    const dWhh = needs[2] ? dPreAll.reshape(T * B, G).t().matmul(s.hPrev.reshape(T * B, H)) : null;
    return [needs[0] ? dPreAll : null, needs[1] ? dhN : null, dWhh];
  }
  let dh = zeros([B, H], { dtype: gPacked.dtype });
  let dc: Tensor | null = mode === 'LSTM' ? gPacked.select(0, T) : null;
  const dPre = new Array<Tensor>(T);
  const dGh = mode === 'GRU' ? new Array<Tensor>(T) : dPre;
  for (let k = T - 1; k >= 0; k--) {
    const t = reverse ? T - 1 - k : k;
    const dht = gH.select(0, t).add(dh);
    if (mode === 'RNN_TANH') {
      const h = s.hs.select(0, t);
      dPre[t] = dht.mul(h.mul(h).neg().add(1));
      dh = dPre[t]!.matmul(whh);
    } else if (mode === 'RNN_RELU') {
      dPre[t] = dht.mul(s.hs.select(0, t).gt(0));
      dh = dPre[t]!.matmul(whh);
    } else if (mode === 'LSTM') {
      const sg = s.sig!.select(0, t);
      const i = sg.narrow(1, 0, H), f = sg.narrow(1, H, H), o = sg.narrow(1, 3 * H, H);
      const g = s.g!.select(0, t);
      const tc = s.c!.select(0, t).tanh();
      const dcT = dc!.add(dht.mul(o).mul(tc.mul(tc).neg().add(1)));
      const dPreI = dcT.mul(g).mul(i.mul(i.neg().add(1)));
      const dPreF = dcT.mul(s.cPrev!.select(0, t)).mul(f.mul(f.neg().add(1)));
      const dPreG = dcT.mul(i).mul(g.mul(g).neg().add(1));
      const dPreO = dht.mul(tc).mul(o.mul(o.neg().add(1)));
      dPre[t] = cat([dPreI, dPreF, dPreG, dPreO], 1);
      dc = dcT.mul(f);
      dh = dPre[t]!.matmul(whh);
    } else {
      const rz = s.rz!.select(0, t);
      const r = rz.narrow(1, 0, H), z = rz.narrow(1, H, H);
      const n = s.n!.select(0, t);
      const ghn = s.ghn!.select(0, t);
      const hPrev = s.hPrev.select(0, t);
      const dPreN = dht.mul(z.neg().add(1)).mul(n.mul(n).neg().add(1));
      const dPreR = dPreN.mul(ghn).mul(r.mul(r.neg().add(1)));
      const dPreZ = dht.mul(hPrev.sub(n)).mul(z.mul(z.neg().add(1)));
      dPre[t] = cat([dPreR, dPreZ, dPreN], 1);
      dGh[t] = cat([dPreR, dPreZ, dPreN.mul(r)], 1);
      dh = dht.mul(z).add(dGh[t]!.matmul(whh));
    }
  }
  const G = whh.shape[0]!;
  const dProj = needs[0] ? stack(dPre, 0) : null;
  const dGhAll = mode === 'GRU' ? stack(dGh, 0) : dProj ?? stack(dPre, 0);
  const iW = s.hasC0 ? 3 : 2;
  const dWhh = needs[iW] ? dGhAll.reshape(T * B, G).t().matmul(s.hPrev.reshape(T * B, H)) : null;
  const out: (Tensor | null)[] = [dProj, needs[1] ? dh : null];
  if (s.hasC0) out.push(needs[2] ? dc : null);
  out.push(dWhh);
  if (s.hasBhh) out.push(needs[iW + 1] ? dGhAll.sum([0, 1]) : null);
  return out;
}

if (!hasGradient(OP)) {
  registerGradient(OP, { name: 'RecurrenceBackward', saveInputs: true, saveOutput: false, backward });
}
