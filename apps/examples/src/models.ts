import type { Tensor } from '@tsgrad/tensor';
import * as nn from '@tsgrad/nn';

export type DigitModel = 'mlp' | 'cnn';
export type CellType = 'rnn' | 'lstm' | 'gru';

/** 784-128-64-10 with ReLU: the multilayer perceptron (input: [N, 784]). */
export function mlp(): nn.Module {
  return new nn.Sequential(
    new nn.Linear(784, 128),
    new nn.ReLU(),
    new nn.Linear(128, 64),
    new nn.ReLU(),
    new nn.Linear(64, 10),
  );
}

/** Two conv/ReLU/max-pool blocks, then Linear-ReLU-Dropout-Linear (input: [N, 1, 28, 28]). */
export function cnn(): nn.Module {
  return new nn.Sequential(
    new nn.Conv2d(1, 32, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Conv2d(32, 64, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Flatten(),
    new nn.Linear(64 * 7 * 7, 128),
    new nn.ReLU(),
    new nn.Dropout(0.3),
    new nn.Linear(128, 10),
  );
}

function makeCell(cell: CellType, inputSize: number, hidden: number): nn.RNN | nn.LSTM | nn.GRU {
  const opts = { batchFirst: true };
  switch (cell) {
    case 'rnn':
      return new nn.RNN(inputSize, hidden, opts);
    case 'lstm':
      return new nn.LSTM(inputSize, hidden, opts);
    case 'gru':
      return new nn.GRU(inputSize, hidden, opts);
  }
}

/**
 * Reads a sequence ([N, T, features], batch first) with a recurrent layer and classifies it from
 * the last step's hidden state: MNIST read row by row is 28 steps of 28 pixels.
 */
export class SequenceClassifier extends nn.Module {
  readonly rnn: nn.RNN | nn.LSTM | nn.GRU;
  readonly head: nn.Linear;

  constructor(cell: CellType, inputSize: number, hidden: number, classes: number) {
    super();
    this.rnn = makeCell(cell, inputSize, hidden);
    this.head = new nn.Linear(hidden, classes);
  }

  forward(x: Tensor): Tensor {
    const [out] = this.rnn.forward(x);
    return this.head.forward(out.select(1, out.shape[1]! - 1));
  }
}

/** Recurrent state carried between calls when generating text one character at a time. */
export type RecurrentState = Tensor | [Tensor, Tensor] | null;

/**
 * A character-level language model: an embedding of each character, a recurrent layer, and a
 * linear layer giving next-character logits at every step.
 */
export class CharModel extends nn.Module {
  readonly embed: nn.Embedding;
  readonly rnn: nn.RNN | nn.LSTM | nn.GRU;
  readonly head: nn.Linear;

  constructor(cell: CellType, vocab: number, hidden: number, embedding = 32) {
    super();
    this.embed = new nn.Embedding(vocab, embedding);
    this.rnn = makeCell(cell, embedding, hidden);
    this.head = new nn.Linear(hidden, vocab);
  }

  /** ids: int32 [N, T] -> logits [N, T, vocab], and the final recurrent state. */
  forward(ids: Tensor, state: RecurrentState = null): [Tensor, RecurrentState] {
    const x = this.embed.forward(ids);
    if (this.rnn instanceof nn.LSTM) {
      const [out, next] = this.rnn.forward(x, state as [Tensor, Tensor] | null);
      return [this.head.forward(out), next];
    }
    const [out, next] = this.rnn.forward(x, state as Tensor | null);
    return [this.head.forward(out), next];
  }
}
