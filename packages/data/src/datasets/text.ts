import { readFileSync } from 'node:fs';
import { Tensor } from '@tsgrad/tensor';
import { Dataset } from '../dataset.js';
import { checkIndex } from '../errors.js';
import { DataFormatError } from '../formats/files.js';

/** Maps characters (Unicode code points) to ids 0..size-1 and back. */
export class CharVocab {
  readonly chars: readonly string[];
  private readonly index: Map<string, number>;

  /** The sorted distinct characters of `text` (or exactly `chars`, when given a list). */
  constructor(textOrChars: string | readonly string[]) {
    const chars = typeof textOrChars === 'string' ? [...new Set(Array.from(textOrChars))].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!) : [...textOrChars];
    this.index = new Map();
    chars.forEach((c, i) => {
      if (Array.from(c).length !== 1) throw new RangeError(`CharVocab: entry ${i} (${JSON.stringify(c)}) is not a single character`);
      if (this.index.has(c)) throw new RangeError(`CharVocab: character ${JSON.stringify(c)} appears twice (entries ${this.index.get(c)} and ${i})`);
      this.index.set(c, i);
    });
    this.chars = chars;
  }

  get size(): number {
    return this.chars.length;
  }

  /** Ids of the characters of `text`; an unknown character is an error naming it and its position. */
  encode(text: string): Int32Array {
    const cs = Array.from(text);
    const out = new Int32Array(cs.length);
    cs.forEach((c, i) => {
      const id = this.index.get(c);
      if (id === undefined) throw new RangeError(`CharVocab.encode: character ${JSON.stringify(c)} at position ${i} is not in the vocabulary`);
      out[i] = id;
    });
    return out;
  }

  /** The text for a list of ids (an array, typed array or int tensor). */
  decode(ids: ArrayLike<number> | Tensor): string {
    const xs = ids instanceof Tensor ? ids.toTypedArray() : ids;
    let s = '';
    for (let i = 0; i < xs.length; i++) {
      const c = this.chars[xs[i]!];
      if (c === undefined) throw new RangeError(`CharVocab.decode: id ${xs[i]} at position ${i} is out of range for a vocabulary of ${this.size}`);
      s += c;
    }
    return s;
  }
}

/** Options of `CharDataset`: the sequence length, the stride between samples and the vocabulary. */
export interface CharDatasetOptions {
  /** Characters per sample. */
  seqLen: number;
  /** Distance between the starts of consecutive samples; default 1 (every position), seqLen gives disjoint windows. */
  stride?: number;
  /** Reuse a vocabulary (e.g. the training set's for a validation set). Default: built from the text. */
  vocab?: CharVocab;
}

/**
 * Character-level language-model data: sample i is (input, target), both int32 [seqLen], where
 * target is input shifted by one character: input = text[s .. s+seqLen), target = text[s+1 .. s+seqLen].
 */
export class CharDataset extends Dataset<[Tensor, Tensor]> {
  readonly vocab: CharVocab;
  readonly ids: Int32Array;
  readonly seqLen: number;
  readonly stride: number;
  readonly length: number;

  constructor(text: string, options: CharDatasetOptions) {
    super();
    const { seqLen } = options;
    this.stride = options.stride ?? 1;
    if (!Number.isInteger(seqLen) || seqLen <= 0) throw new RangeError(`CharDataset: seqLen must be a positive integer, got ${seqLen}`);
    if (!Number.isInteger(this.stride) || this.stride <= 0) throw new RangeError(`CharDataset: stride must be a positive integer, got ${this.stride}`);
    this.vocab = options.vocab ?? new CharVocab(text);
    this.ids = this.vocab.encode(text);
    this.seqLen = seqLen;
    if (this.ids.length < seqLen + 1) throw new RangeError(`CharDataset: the text has ${this.ids.length} characters; seqLen ${seqLen} needs at least ${seqLen + 1}`);
    this.length = Math.floor((this.ids.length - seqLen - 1) / this.stride) + 1;
  }

  /** Reads a UTF-8 text file. */
  static fromFile(path: string, options: CharDatasetOptions): CharDataset {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw new DataFormatError(path, `cannot read text file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    if (text.length === 0) throw new DataFormatError(path, 'the text file is empty');
    return new CharDataset(text, options);
  }

  get vocabSize(): number {
    return this.vocab.size;
  }

  encode(text: string): Int32Array {
    return this.vocab.encode(text);
  }

  decode(ids: ArrayLike<number> | Tensor): string {
    return this.vocab.decode(ids);
  }

  get(index: number): [Tensor, Tensor] {
    checkIndex(index, this.length, 'CharDataset');
    const s = index * this.stride;
    return [Tensor.fromBuffer(this.ids.slice(s, s + this.seqLen), [this.seqLen], 'int32'), Tensor.fromBuffer(this.ids.slice(s + 1, s + 1 + this.seqLen), [this.seqLen], 'int32')];
  }
}
