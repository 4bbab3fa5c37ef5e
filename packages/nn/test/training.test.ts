import { describe, expect, it } from 'vitest';
import { type Tensor, tensor, randn, manualSeed } from '@tsgrad/tensor';
import { noGrad } from '@tsgrad/autograd';
import { Module, Sequential, Linear, Tanh, ReLU, LSTM, GRU, Conv2d, MaxPool2d, Flatten, BatchNorm1d, CrossEntropyLoss, MSELoss, F } from '../src/index.js';

/** Plain SGD written here, so these end-to-end tests depend only on nn and autograd. */
function sgdStep(model: Module, lr: number): void {
  noGrad(() => {
    for (const p of model.parameters()) if (p.grad !== null) p.sub_(p.grad.mul(lr));
  });
  model.zeroGrad();
}

describe('end-to-end training decreases the loss', () => {
  it('MLP with BatchNorm learns XOR', () => {
    manualSeed(0);
    const x = tensor([[0, 0], [0, 1], [1, 0], [1, 1]], { dtype: 'float32' }).mul(2).sub(1);
    const y = tensor([0, 1, 1, 0]);
    const model = new Sequential(new Linear(2, 16), new BatchNorm1d(16), new Tanh(), new Linear(16, 2));
    const lossFn = new CrossEntropyLoss();
    let first = 0, last = 0;
    for (let i = 0; i < 150; i++) {
      const loss = lossFn.call(model.call(x), y);
      if (i === 0) first = loss.item();
      last = loss.item();
      loss.backward();
      sgdStep(model, 0.5);
    }
    expect(last).toBeLessThan(first * 0.1);
    model.eval();
    expect(model.call(x).argmax(1).toArray()).toEqual([0, 1, 1, 0]);
  });

  it('a small CNN fits a batch', () => {
    manualSeed(1);
    const x = randn(8, 1, 8, 8);
    const y = tensor([0, 1, 2, 0, 1, 2, 0, 1]);
    const model = new Sequential(new Conv2d(1, 4, 3, { padding: 1 }), new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(64, 3));
    const first = F.crossEntropy(model.call(x), y).item();
    for (let i = 0; i < 40; i++) {
      F.crossEntropy(model.call(x), y).backward();
      sgdStep(model, 0.1);
    }
    expect(F.crossEntropy(model.call(x), y).item()).toBeLessThan(first * 0.3);
  });

  it('LSTM and GRU learn to output the running sum of their input', () => {
    for (const Cell of [LSTM, GRU]) {
      manualSeed(2);
      class Summer extends Module {
        rnn = new Cell(1, 8, { batchFirst: true });
        head = new Linear(8, 1);
        forward(x: Tensor): Tensor {
          const [out] = this.rnn.call(x);
          return this.head.call(out);
        }
      }
      const model = new Summer();
      const x = randn(16, 6, 1).mul(0.5);
      const target = x.cumsum(1);
      const mse = new MSELoss();
      const first = mse.call(model.call(x), target).item();
      for (let i = 0; i < 150; i++) {
        mse.call(model.call(x), target).backward();
        sgdStep(model, 0.1);
      }
      expect(mse.call(model.call(x), target).item(), Cell.name).toBeLessThan(first * 0.2);
    }
  });
});
