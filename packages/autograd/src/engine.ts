import { type BackwardOptions, type GradEngine, Tensor, onesLike } from '@tsgrad/tensor';
import { withGradMode } from './grad-mode.js';
import { isFresh, unmarkFresh } from './fresh.js';
import { AccumulateGrad, type AnyNode, type AutogradMeta, type GradFormula, type InputMeta, Node, type TensorHook } from './node.js';

/**
 * The autograd engine. `record` runs after every differentiable op that has an input requiring
 * grad and links a Node into the graph; `runBackward` walks the graph from the roots with an
 * explicit stack (no recursion, so a 100,000-op chain is fine), in topological order, summing the
 * gradients that reach each node before calling its formula.
 */

const formulas = new Map<string, GradFormula>();

/** Registers the gradient formula of op `op` (done by the files in grads/, or for a custom op). */
export function registerGradient(op: string, formula: GradFormula): void {
  if (typeof op !== 'string' || op.length === 0) throw new TypeError('registerGradient: op must be a non-empty string');
  if (formula === null || typeof formula !== 'object' || typeof formula.backward !== 'function' || typeof formula.name !== 'string') {
    throw new TypeError(`registerGradient('${op}'): formula must be { name, saveInputs, saveOutput, backward(grad, ctx, needs) }`);
  }
  if (formulas.has(op)) throw new Error(`a gradient formula for op '${op}' is already registered`);
  formulas.set(op, formula);
}

/** Whether a gradient formula is registered for the op `op`. */
export function hasGradient(op: string): boolean {
  return formulas.has(op);
}

function describe(t: Tensor): string {
  return `${t.dtype} [${t.shape.join(', ')}]`;
}

/** The accumulator node of a leaf that requires grad (created once, shared by every use). */
function accumulatorOf(leaf: Tensor): AccumulateGrad {
  let meta = leaf.autogradMeta as AutogradMeta | undefined;
  if (meta === undefined || meta === null) meta = leaf.autogradMeta = { accumulate: null };
  return (meta.accumulate ??= new AccumulateGrad(leaf));
}

/** The node gradients for `t` flow into. */
function nodeOf(t: Tensor): AnyNode {
  return t.gradFn !== null ? (t.gradFn as AnyNode) : accumulatorOf(t);
}

const NO_INPUTS: readonly Tensor[] = [];

/** Shapes and dtypes only, so a node whose formula does not read its inputs does not keep them alive. */
function shapesOf(inputs: readonly Tensor[]): InputMeta[] {
  const meta = new Array<InputMeta>(inputs.length);
  for (let i = 0; i < inputs.length; i++) meta[i] = { shape: inputs[i]!.shape, dtype: inputs[i]!.dtype };
  return meta;
}

function record(op: string, inputs: readonly Tensor[], output: Tensor, attrs: unknown): void {
  const formula = formulas.get(op);
  if (formula === undefined) {
    throw new Error(
      `autograd: op '${op}' has no registered gradient formula, so it cannot be differentiated; ` +
        `run it on tensors that do not require grad, inside noGrad(), or register one with registerGradient('${op}', ...)`,
    );
  }
  const n = inputs.length;
  const next = new Array<AnyNode | null>(n);
  const saveInputs = formula.saveInputs;
  const versions = saveInputs || formula.saveOutput ? new Array<number>(saveInputs ? n + 1 : 1) : null;
  for (let i = 0; i < n; i++) {
    const t = inputs[i]!;
    next[i] = t.requiresGrad ? (t.gradFn !== null ? (t.gradFn as AnyNode) : accumulatorOf(t)) : null;
    if (saveInputs) versions![i] = t.version;
  }
  if (versions !== null) versions[versions.length - 1] = output.version;
  const meta = saveInputs ? inputs : shapesOf(inputs);
  output.gradFn = new Node(formula, saveInputs ? inputs : NO_INPUTS, meta, formula.saveOutput ? output : null, attrs, next, versions);
  output.requiresGrad = true;
}

function checkVersions(node: Node): void {
  const v = node.versions;
  if (v === null) return;
  const { inputs, formula } = node;
  if (formula.saveInputs) {
    for (let i = 0; i < inputs.length; i++) {
      if (inputs[i]!.version !== v[i]) throw versionError(node, `input ${i}`, inputs[i]!, v[i]!);
    }
  }
  const out = node.output;
  if (out !== null && out.version !== v[v.length - 1]) throw versionError(node, 'its output', out, v[v.length - 1]!);
}

function versionError(node: Node, which: string, t: Tensor, expected: number): Error {
  return new Error(
    `one of the tensors needed for gradient computation has been modified by an inplace operation: ` +
      `${which} of ${node.name} (${describe(t)}) is at version ${t.version}; expected version ${expected} instead. ` +
      `Hint: use the out-of-place op (e.g. mul instead of mul_) or clone() the tensor before modifying it.`,
  );
}

function freedError(node: Node): Error {
  return new Error(
    `Trying to backward through the graph a second time: the saved tensors and edges of ${node.name} were freed ` +
      `by an earlier backward() or grad(). Pass { retainGraph: true } to the first call if you need to backward through the graph again.`,
  );
}

function applyHooks(hooks: TensorHook[] | null, grad: Tensor): Tensor {
  if (hooks === null) return grad;
  for (const hook of hooks.slice()) {
    const r = hook(grad);
    if (r !== undefined && r !== null) {
      if (!(r instanceof Tensor)) throw new TypeError(`a tensor hook must return a Tensor or nothing, got ${typeof r}`);
      if (r.shape.length !== grad.shape.length || r.shape.some((d, i) => d !== grad.shape[i])) {
        throw new RangeError(`a tensor hook returned a gradient of shape [${r.shape.join(', ')}], expected [${grad.shape.join(', ')}]`);
      }
      grad = r;
    }
  }
  return grad;
}

/** Adds `g` into `t.grad` (leaves, and non-leaves that retain their gradient). */
function accumulateInto(t: Tensor, g: Tensor, createGraph: boolean, adopt = false): void {
  if (g.dtype !== t.dtype) g = g.to(t.dtype);
  const prev = t.grad;
  if (prev === null) {
    // Own the memory: g may be a broadcast view or shared with another input's gradient (unless
    // a formula handed it over whole, see fresh.ts).
    if (!createGraph && adopt && isFresh(g)) {
      unmarkFresh(g);
      t.grad = g;
      return;
    }
    t.grad = createGraph ? g : g.clone();
  } else if (!createGraph && !prev.requiresGrad && prev.base === null && prev.isContiguous()) {
    prev.add_(g);
  } else {
    t.grad = prev.add(g);
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export interface RunOptions {
  retainGraph: boolean;
  createGraph: boolean;
  /** grad(): the nodes whose incoming gradient is returned instead of accumulated into `.grad`. */
  capture: AnyNode[] | null;
}

/**
 * Back-propagates `grads` from `roots`. In accumulate mode (capture null) leaves get `.grad`;
 * in capture mode the gradient reaching each captured node is returned and `.grad` is untouched.
 */
export function runBackward(
  roots: readonly Tensor[],
  grads: readonly Tensor[],
  opts: RunOptions,
): { grads: (Tensor | null)[]; freedError: Error | null } {
  const rootNodes = roots.map((r, i) => {
    if (!r.requiresGrad) throw new Error(`element ${i} of the outputs does not require grad and has no gradFn: nothing to differentiate`);
    return nodeOf(r);
  });

  // 1. Reachable nodes and how many edges point at each (iterative DFS).
  const deps = new Map<AnyNode, number>();
  const stack: AnyNode[] = [];
  let freedReached: Node | null = null;
  for (const n of rootNodes) if (!deps.has(n)) { deps.set(n, 0); stack.push(n); }
  while (stack.length > 0) {
    const node = stack.pop()!;
    // A freed node has no edges left; it is an error only if a gradient has to go through it.
    if (!(node instanceof Node)) continue;
    if (node.freed) { freedReached ??= node; continue; }
    for (const child of node.next) {
      if (child === null) continue;
      const d = deps.get(child);
      if (d === undefined) { deps.set(child, 1); stack.push(child); } else deps.set(child, d + 1);
    }
  }

  // 2. In capture mode run only the nodes on a path to a captured node.
  const capture = opts.capture;
  const captured = capture === null ? null : new Map<AnyNode, Tensor | null>(capture.map((n) => [n, null]));
  const needed = captured === null ? null : neededNodes(rootNodes, deps, captured);

  // 3. Execute in topological order (Kahn): a node runs once every edge into it has delivered.
  const buffers = new Map<AnyNode, Tensor>();
  for (let i = 0; i < rootNodes.length; i++) { unmarkFresh(grads[i]!); addGrad(buffers, rootNodes[i]!, grads[i]!); }
  const ready: AnyNode[] = [];
  for (const n of rootNodes) if (deps.get(n) === 0 && !ready.includes(n)) ready.push(n);
  const { retainGraph, createGraph } = opts;

  withGradMode(createGraph, () => {
    while (ready.length > 0) {
      const node = ready.pop()!;
      let g = buffers.get(node);
      buffers.delete(node);
      if (node instanceof AccumulateGrad) {
        if (g === undefined) continue;
        if (captured !== null) {
          unmarkFresh(g);
          if (captured.has(node)) captured.set(node, applyHooks(node.hooks, g));
        } else {
          accumulateInto(node.leaf, applyHooks(node.hooks, g), createGraph, node.hooks === null);
        }
        continue;
      }
      const next = node.next;
      if (g !== undefined && (needed === null || needed.has(node))) {
        if (node.preHooks !== null || node.retained !== null || captured !== null) unmarkFresh(g);
        g = applyHooks(node.preHooks, g);
        if (node.retained !== null && captured === null) for (const t of node.retained) accumulateInto(t, g, createGraph);
        if (captured !== null && captured.has(node)) captured.set(node, g);
      }
      // The formula runs when some input needs a gradient (in capture mode: leads to a captured node).
      const run = g !== undefined && (needed === null || next.some((c) => c !== null && needed.has(c)));
      if (run) {
        if (node.freed) throw freedError(node);
        checkVersions(node);
        const needs = next.map((c) => c !== null && (needed === null || needed.has(c)));
        const inputGrads = node.formula.backward(g!, node, needs);
        // A gradient returned for two inputs has two holders: neither may adopt it.
        for (let i = 0; i < inputGrads.length; i++) {
          const gi = inputGrads[i];
          if (gi === null || gi === undefined || !isFresh(gi)) continue;
          for (let j = i + 1; j < inputGrads.length; j++) if (inputGrads[j] === gi) unmarkFresh(gi);
        }
        for (let i = 0; i < next.length; i++) {
          const child = next[i];
          if (child === null || child === undefined) continue;
          if (!needs[i]) continue;
          let gi = inputGrads[i];
          if (gi === null || gi === undefined) continue;
          const input = node.meta[i]!;
          if (!sameShape(gi.shape, input.shape)) {
            throw new Error(`autograd internal error: ${node.name} returned a gradient of shape [${gi.shape.join(', ')}] for input ${i} of shape [${input.shape.join(', ')}]`);
          }
          if (gi.dtype !== input.dtype) gi = gi.to(input.dtype);
          addGrad(buffers, child, gi);
        }
      }
      for (let i = 0; i < next.length; i++) {
        const child = next[i];
        if (child === null || child === undefined) continue;
        const d = deps.get(child)! - 1;
        deps.set(child, d);
        if (d === 0) ready.push(child);
      }
      if (!retainGraph && run) node.release();
    }
  });

  if (capture === null) return { grads: [], freedError: null };
  const result = capture.map((n) => captured!.get(n) ?? null);
  // An input may not have been reached because a freed node cut the path: grad() reports that
  // rather than "unused".
  return { grads: result, freedError: freedReached === null ? null : freedError(freedReached) };
}

function addGrad(buffers: Map<AnyNode, Tensor>, node: AnyNode, g: Tensor): void {
  const prev = buffers.get(node);
  buffers.set(node, prev === undefined ? g : prev.add(g));
}

/** Nodes from which a captured node can be reached (computed in reverse topological order). */
function neededNodes(rootNodes: readonly AnyNode[], allDeps: Map<AnyNode, number>, captured: Map<AnyNode, unknown>): Set<AnyNode> {
  const deps = new Map(allDeps);
  const order: AnyNode[] = [];
  const ready = rootNodes.filter((n, i) => deps.get(n) === 0 && rootNodes.indexOf(n) === i);
  while (ready.length > 0) {
    const node = ready.pop()!;
    order.push(node);
    if (!(node instanceof Node)) continue;
    for (const child of node.next) {
      if (child === null) continue;
      const d = deps.get(child)! - 1;
      deps.set(child, d);
      if (d === 0) ready.push(child);
    }
  }
  const needed = new Set<AnyNode>();
  for (let i = order.length - 1; i >= 0; i--) {
    const node = order[i]!;
    if (captured.has(node)) { needed.add(node); continue; }
    if (node instanceof Node && node.next.some((c) => c !== null && needed.has(c))) needed.add(node);
  }
  return needed;
}

/** The gradient to start from: `gradient` checked against `root`, or 1 for a one-element root. */
export function rootGradient(root: Tensor, gradient: Tensor | null | undefined, what: string): Tensor {
  if (gradient === undefined || gradient === null) {
    if (root.numel() !== 1) {
      throw new Error(`${what}: grad can be implicitly created only for scalar outputs; this output has shape [${root.shape.join(', ')}], pass a gradient of that shape`);
    }
    return onesLike(root);
  }
  if (!(gradient instanceof Tensor)) throw new TypeError(`${what}: the gradient must be a Tensor, got ${typeof gradient}`);
  if (!sameShape(gradient.shape, root.shape)) {
    throw new RangeError(`${what}: the gradient has shape [${gradient.shape.join(', ')}] but the output has shape [${root.shape.join(', ')}]`);
  }
  return gradient.dtype === root.dtype ? gradient : gradient.to(root.dtype);
}

function backward(root: Tensor, gradient: Tensor | undefined, options: BackwardOptions): void {
  const createGraph = options?.createGraph ?? false;
  const retainGraph = options?.retainGraph ?? createGraph;
  if (!root.requiresGrad) {
    throw new Error('backward(): this tensor does not require grad and has no gradFn (did you forget requiresGrad: true, or compute it under noGrad?)');
  }
  runBackward([root], [rootGradient(root, gradient, 'backward()')], { retainGraph, createGraph, capture: null });
}

function retainGrad(t: Tensor): void {
  if (!t.requiresGrad) throw new Error("retainGrad(): can't retain the gradient of a tensor that does not require grad");
  if (t.gradFn === null) return; // leaves keep .grad anyway
  const node = t.gradFn as Node;
  node.retained ??= [];
  if (!node.retained.includes(t)) node.retained.push(t);
}

function registerHook(t: Tensor, hook: TensorHook): () => void {
  if (typeof hook !== 'function') throw new TypeError(`registerHook expects a function, got ${typeof hook}`);
  if (!t.requiresGrad) throw new Error("registerHook(): can't register a hook on a tensor that does not require grad");
  const owner = t.gradFn === null ? accumulatorOf(t) : (t.gradFn as Node);
  const list = owner instanceof AccumulateGrad ? (owner.hooks ??= []) : (owner.preHooks ??= []);
  list.push(hook);
  return () => {
    const i = list.indexOf(hook);
    if (i >= 0) list.splice(i, 1);
  };
}

export { nodeOf };

/** The engine this package installs into `@tsgrad/tensor` on import (exported for tests and tools). */
export const engine: GradEngine = { record, backward, retainGrad, registerHook };
