import type { DType, GradFn, Tensor } from '@tsgrad/tensor';

/**
 * A graph node: one recorded op (or a leaf's gradient accumulator). It knows its gradient formula,
 * the op's inputs when the formula needs their values (otherwise only their shapes and dtypes, so
 * the graph does not keep those tensors alive), the output when the formula needs it, the storage
 * versions of what it saved, and one edge per input: the node gradients flow to, or null when that
 * input does not require grad.
 */

/** Shape and dtype of an op input: all a formula that does not save the input may use. */
export interface InputMeta {
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/** What a formula gets besides the incoming gradient. */
export interface BackwardContext {
  /** The op's inputs (as passed to recordOp), only when the formula declared `saveInputs`. */
  readonly inputs: readonly Tensor[];
  /** Shape and dtype of every input (always set; the inputs themselves when saved). */
  readonly meta: readonly InputMeta[];
  /** The op's output; only set when the formula declared `saveOutput`. */
  readonly output: Tensor | null;
  /** The op's attributes (dims, keepdim, indices ...). */
  readonly attrs: any;
}

/**
 * A gradient formula: given dL/d(output), returns dL/d(input i) for each input (null where not
 * needed). Written with tensor ops so it runs on any backend and is recorded under createGraph.
 */
export interface GradFormula {
  /** The node name, e.g. 'MatmulBackward'. */
  readonly name: string;
  /** Whether the formula reads the input values (their versions are then checked at backward). */
  readonly saveInputs: boolean;
  /** Whether the formula reads the output value. */
  readonly saveOutput: boolean;
  /** `needs[i]`: whether input i needs a gradient (formulas return null for the others). */
  backward(grad: Tensor, ctx: BackwardContext, needs: readonly boolean[]): readonly (Tensor | null)[];
}

/** A hook on a tensor's gradient (`x.registerHook(fn)`): returning a tensor replaces the gradient. */
export type TensorHook = (grad: Tensor) => Tensor | void;

export class Node implements GradFn, BackwardContext {
  /** Edge per input: where its gradient goes (null: the input does not require grad). */
  next: (AnyNode | null)[];
  inputs: readonly Tensor[];
  meta: readonly InputMeta[];
  output: Tensor | null;
  attrs: any;
  /** Storage versions of the saved inputs (then the output), taken at record time. */
  versions: number[] | null;
  /** Hooks registered on the tensor this node produced (`registerHook` on a non-leaf). */
  preHooks: TensorHook[] | null = null;
  /** Non-leaf tensors that asked for `.grad` (retainGrad). */
  retained: Tensor[] | null = null;
  /** Set once backward released the saved tensors and edges. */
  freed = false;

  constructor(
    readonly formula: GradFormula,
    inputs: readonly Tensor[],
    meta: readonly InputMeta[],
    output: Tensor | null,
    attrs: unknown,
    next: (AnyNode | null)[],
    versions: number[] | null,
  ) {
    this.inputs = inputs;
    this.meta = meta;
    this.output = output;
    this.attrs = attrs;
    this.next = next;
    this.versions = versions;
  }

  get name(): string {
    return this.formula.name;
  }

  /** The nodes this one sends gradients to, one per input (null: no gradient), like torch's next_functions. */
  get nextFunctions(): readonly (GradFn | null)[] {
    return this.next.slice();
  }

  /** Drops saved tensors and edges so the graph's memory can be collected. */
  release(): void {
    this.inputs = EMPTY;
    this.meta = EMPTY;
    this.output = null;
    this.attrs = null;
    this.next = [];
    this.versions = null;
    this.freed = true;
  }

  toString(): string {
    return `<${this.name}>`;
  }
}

const EMPTY: readonly Tensor[] = [];

/** The node behind a leaf that requires grad: adds what reaches it into `leaf.grad`. */
export class AccumulateGrad implements GradFn {
  readonly name = 'AccumulateGrad';
  hooks: TensorHook[] | null = null;
  constructor(readonly leaf: Tensor) {}

  /** The leaf this node accumulates into (torch's AccumulateGrad.variable). */
  get variable(): Tensor {
    return this.leaf;
  }
}

export type AnyNode = Node | AccumulateGrad;

/** Engine data on a tensor (`Tensor.autogradMeta`). */
export interface AutogradMeta {
  /** For a leaf that requires grad: its accumulator node (shared by every op that uses it). */
  accumulate: AccumulateGrad | null;
}
