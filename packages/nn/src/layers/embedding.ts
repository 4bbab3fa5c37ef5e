import { type DType, Tensor, empty } from '@tsgrad/tensor';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { embedding } from '../functional/norm.js';
import { checkPositiveInt, shapeStr } from '../functional/util.js';
import { normal_ } from '../init.js';
import { withoutGrad } from '../grad-mode.js';

/** Options of `Embedding`: `paddingIdx` (its row gets no gradient) and `dtype`. */
export interface EmbeddingOptions {
  /** This row is initialised to zeros and gets no gradient (PyTorch's padding_idx); negative counts from the end. */
  paddingIdx?: number | null;
  dtype?: DType;
}

/** A lookup table [numEmbeddings, embeddingDim] indexed by int32 tensors (torch.nn.Embedding); N(0, 1) init. */
export class Embedding extends Module {
  weight: Parameter;
  readonly paddingIdx: number | null;

  constructor(readonly numEmbeddings: number, readonly embeddingDim: number, opts: EmbeddingOptions & { _weight?: Tensor } = {}) {
    super();
    checkPositiveInt(numEmbeddings, 'Embedding: numEmbeddings');
    checkPositiveInt(embeddingDim, 'Embedding: embeddingDim');
    let pad = opts.paddingIdx ?? null;
    if (pad !== null) {
      if (!Number.isInteger(pad) || pad >= numEmbeddings || pad < -numEmbeddings) throw new RangeError(`Embedding: paddingIdx ${pad} must be within numEmbeddings (${numEmbeddings})`);
      if (pad < 0) pad += numEmbeddings;
    }
    this.paddingIdx = pad;
    if (opts._weight !== undefined) {
      const w = opts._weight;
      if (w.ndim !== 2 || w.shape[0] !== numEmbeddings || w.shape[1] !== embeddingDim) throw new RangeError(`Embedding: weight must have shape [${numEmbeddings}, ${embeddingDim}], got ${shapeStr(w.shape)}`);
      this.weight = new Parameter(w.detach().clone());
    } else {
      this.weight = new Parameter(empty([numEmbeddings, embeddingDim], { dtype: opts.dtype ?? 'float32' }));
      this.resetParameters();
    }
  }

  /** An Embedding holding a copy of `weights` [num, dim]; frozen (no grad) unless freeze is false. */
  static fromPretrained(weights: Tensor, opts: { freeze?: boolean; paddingIdx?: number | null } = {}): Embedding {
    if (!(weights instanceof Tensor) || weights.ndim !== 2) throw new RangeError('Embedding.fromPretrained: weights must be a 2-D tensor');
    const e = new Embedding(weights.shape[0]!, weights.shape[1]!, { paddingIdx: opts.paddingIdx ?? null, _weight: weights });
    e.weight.requiresGrad_(!(opts.freeze ?? true));
    return e;
  }

  resetParameters(): void {
    normal_(this.weight);
    if (this.paddingIdx !== null) {
      const row = this.weight.select(0, this.paddingIdx);
      withoutGrad(() => row.fill_(0));
    }
  }

  forward(input: Tensor): Tensor {
    return embedding(input, this.weight, { paddingIdx: this.paddingIdx });
  }

  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx !== null ? `, paddingIdx=${this.paddingIdx}` : ''}`;
  }
}
