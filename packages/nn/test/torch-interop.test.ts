import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Tensor, assertClose, flatten } from '@tsgrad/tensor';
import {
  Module, Sequential, Linear, BatchNorm1d, BatchNorm2d, ReLU, Conv2d, GroupNorm, ConvTranspose2d, AdaptiveAvgPool2d,
  LSTM, GRU, RNN, Embedding, LayerNorm, Bilinear, F, load, loadFile, loadFileWithMetadata, serializeSafetensors, parseSafetensors,
} from '../src/index.js';

// Fixtures written by ./fixtures/make_fixtures.py from PyTorch 1.13 (see that script).
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const io = (name: string) => loadFile(fixture(`${name}.io.safetensors`));
const T = (d: Record<string, Tensor>, k: string): Tensor => {
  const t = d[k];
  if (t === undefined) throw new Error(`fixture has no ${k}`);
  return t;
};

describe('PyTorch checkpoints load into the equivalent tsgrad model', () => {
  it('MLP with BatchNorm1d (eval mode, running stats, int64 num_batches_tracked)', () => {
    const model = new Sequential(new Linear(4, 8), new BatchNorm1d(8), new ReLU(), new Linear(8, 3));
    const { metadata } = loadFileWithMetadata(fixture('mlp.state.safetensors'));
    expect(metadata).toEqual({ format: 'pt' });
    load(model, fixture('mlp.state.safetensors'));
    const nbt = model.stateDict()['1.num_batches_tracked']!;
    expect(nbt.dtype).toBe('int32');
    expect(nbt.item()).toBe(3);
    model.eval();
    const d = io('mlp');
    const out = model.call(T(d, 'input'));
    assertClose(out, T(d, 'output'), { atol: 1e-5, rtol: 1e-5 });
    assertClose(F.crossEntropy(out, T(d, 'labels')), T(d, 'ce'), { atol: 1e-5 });
    assertClose(F.crossEntropy(out, T(d, 'labels'), { labelSmoothing: 0.1 }), T(d, 'ce_smooth'), { atol: 1e-5 });
  });

  it('re-serialising a PyTorch-layout file reproduces it byte for byte', () => {
    for (const name of ['mlp', 'cnn', 'lstm', 'gru', 'misc']) {
      const bytes = readFileSync(fixture(`${name}.state.safetensors`));
      const again = serializeSafetensors(parseSafetensors(bytes), { metadata: { format: 'pt' } });
      expect(Buffer.compare(again, bytes), name).toBe(0);
    }
  });

  it('CNN: conv (padding, same, groups, dilation, stride), pools, GroupNorm, ConvTranspose2d, BatchNorm2d', () => {
    class CNN extends Module {
      c1 = new Conv2d(2, 4, 3, { padding: 1 });
      c2 = new Conv2d(4, 4, 3, { padding: 'same', groups: 2, dilation: 2 });
      c3 = new Conv2d(4, 6, [3, 2], { stride: [2, 1], bias: false });
      gn = new GroupNorm(2, 6);
      up = new ConvTranspose2d(6, 3, 3, { stride: 2, padding: 1, outputPadding: 1 });
      bn = new BatchNorm2d(3);
      pool = new AdaptiveAvgPool2d([2, 3]);
      fc = new Linear(18, 5);

      forward(x: Tensor): Tensor {
        let h = F.relu(this.c1.call(x));
        h = F.maxPool2d(F.gelu(this.c2.call(h)), 2, { stride: 1 });
        h = this.gn.call(this.c3.call(h));
        h = this.bn.call(this.up.call(F.avgPool2d(h, 2, { stride: 1, padding: 1 })));
        return this.fc.call(flatten(this.pool.call(F.silu(h)), 1));
      }
    }
    const d = io('cnn');
    const model = new CNN();
    load(model, fixture('cnn.state.safetensors'));
    // Eval mode uses the checkpoint's running statistics; training mode the batch's own.
    model.eval();
    assertClose(model.call(T(d, 'input')), T(d, 'output_eval'), { atol: 1e-5, rtol: 1e-4 });
    model.train();
    assertClose(model.call(T(d, 'input')), T(d, 'output_train'), { atol: 1e-5, rtol: 1e-4 });
  });

  it('LSTM (2 layers, bidirectional, batchFirst) with initial state', () => {
    const d = io('lstm');
    const lstm = new LSTM(3, 4, { numLayers: 2, bidirectional: true, batchFirst: true });
    expect(Object.keys(lstm.stateDict()).sort()).toEqual(Object.keys(loadFile(fixture('lstm.state.safetensors'))).sort());
    load(lstm, fixture('lstm.state.safetensors'));
    const [out, [h, c]] = lstm.call(T(d, 'input'), [T(d, 'h0'), T(d, 'c0')]);
    assertClose(out, T(d, 'output'), { atol: 1e-5 });
    assertClose(h, T(d, 'hN'), { atol: 1e-5 });
    assertClose(c, T(d, 'cN'), { atol: 1e-5 });
  });

  it('GRU (2 layers, bidirectional) and RNN (relu)', () => {
    const dg = io('gru');
    const gru = new GRU(3, 4, { numLayers: 2, bidirectional: true });
    load(gru, fixture('gru.state.safetensors'));
    const [go, gh] = gru.call(T(dg, 'input'), T(dg, 'h0'));
    assertClose(go, T(dg, 'output'), { atol: 1e-5 });
    assertClose(gh, T(dg, 'hN'), { atol: 1e-5 });

    const dr = io('rnn');
    const rnn = new RNN(3, 4, { nonlinearity: 'relu' });
    load(rnn, fixture('rnn.state.safetensors'));
    const [ro, rh] = rnn.call(T(dr, 'input'));
    assertClose(ro, T(dr, 'output'), { atol: 1e-5 });
    assertClose(rh, T(dr, 'hN'), { atol: 1e-5 });
  });

  it('Embedding (paddingIdx), LayerNorm, Bilinear', () => {
    class Misc extends Module {
      emb = new Embedding(10, 6, { paddingIdx: 0 });
      ln = new LayerNorm(6);
      bil = new Bilinear(6, 6, 2);

      forward(idx: Tensor): Tensor {
        const e = this.ln.call(this.emb.call(idx));
        return this.bil.call(e, e.tanh());
      }
    }
    const d = io('misc');
    const m = new Misc();
    load(m, fixture('misc.state.safetensors'));
    assertClose(m.call(T(d, 'input')), T(d, 'output'), { atol: 1e-5 });
  });
});

describe('losses and activations match PyTorch (float64)', () => {
  const d = io('losses');
  const close = (a: Tensor, k: string) => assertClose(a, T(d, k), { atol: 1e-10, rtol: 1e-9 });
  const logits = T(d, 'logits');
  const target = T(d, 'target');
  const probs = T(d, 'probs');
  const weight = T(d, 'weight');
  const pred = T(d, 'pred');
  const tgt = T(d, 'tgt');
  const binT = T(d, 'bin_t');

  it('cross entropy: reductions, class weights, label smoothing, ignoreIndex, probabilities, K-dim', () => {
    close(F.crossEntropy(logits, target), 'ce');
    close(F.crossEntropy(logits, target, { reduction: 'sum' }), 'ce_sum');
    close(F.crossEntropy(logits, target, { reduction: 'none' }), 'ce_none');
    close(F.crossEntropy(logits, target, { weight }), 'ce_w');
    close(F.crossEntropy(logits, target, { weight, labelSmoothing: 0.2 }), 'ce_w_smooth');
    close(F.crossEntropy(logits, target, { labelSmoothing: 0.3, reduction: 'none' }), 'ce_smooth_none');
    close(F.crossEntropy(logits, target.clamp(0), { ignoreIndex: 1 }), 'ce_ignore1');
    close(F.crossEntropy(logits, probs), 'ce_probs');
    close(F.crossEntropy(logits, probs, { weight, labelSmoothing: 0.1 }), 'ce_probs_w_smooth');
    close(F.crossEntropy(T(d, 'seg_logits'), T(d, 'seg_target')), 'ce_seg');
    close(F.nllLoss(logits.logSoftmax(1), target, { weight, reduction: 'sum' }), 'nll_w_sum');
  });

  it('regression, binary and KL losses', () => {
    close(F.mseLoss(pred, tgt), 'mse');
    close(F.l1Loss(pred, tgt, { reduction: 'sum' }), 'l1_sum');
    close(F.smoothL1Loss(pred, tgt, { beta: 0.5 }), 'smooth_l1');
    close(F.huberLoss(pred, tgt, { delta: 0.7 }), 'huber');
    close(F.binaryCrossEntropy(pred.sigmoid(), binT), 'bce');
    close(F.binaryCrossEntropyWithLogits(pred.mul(5), binT, { posWeight: T(d, 'pos_weight') }), 'bce_logits_pw');
    close(F.binaryCrossEntropyWithLogits(pred, binT, { weight: T(d, 'pos_weight'), reduction: 'none' }), 'bce_logits_w_none');
    close(F.klDiv(pred.logSoftmax(1), probs.narrow(0, 0, 3), { reduction: 'batchmean' }), 'kl_batchmean');
    close(F.klDiv(pred.logSoftmax(1), probs.narrow(0, 0, 3).log(), { reduction: 'sum', logTarget: true }), 'kl_logt');
  });

  it('activations', () => {
    close(F.gelu(pred, 'tanh'), 'gelu_tanh');
    close(F.elu(pred.mul(3), 0.7), 'elu');
    close(F.softplus(pred.mul(20), 2, 15), 'softplus');
    close(F.leakyRelu(pred, 0.2), 'leaky');
    close(F.logSigmoid(pred.mul(30)), 'logsigmoid');
  });
});
