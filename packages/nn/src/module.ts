import { type DType, Tensor } from '@tsgrad/tensor';
import { Parameter } from './parameter.js';
import { withoutGrad } from './grad-mode.js';
import { type LoadStateDictOptions, type LoadStateDictResult, type StateDict, loadStateDictInto, stateDictOf } from './state-dict.js';

/** What one module holds directly (not its descendants), in declaration order. */
export interface LocalMembers {
  parameters: [string, Parameter][];
  /** [name, tensor, persistent] */
  buffers: [string, Tensor, boolean][];
  children: [string, Module][];
}

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/** Called before `forward` with the module and its inputs; returning an array replaces the inputs. */
export type ForwardPreHook = (module: Module, inputs: unknown[]) => unknown;
/**
 * Called after `forward` with the module, its inputs and output; returning a value replaces the output.
 */
export type ForwardHook = (module: Module, inputs: unknown[], output: unknown) => unknown;

function addHook<H>(list: H[], hook: H): () => void {
  if (typeof hook !== 'function') throw new TypeError(`a hook must be a function, got ${typeof hook}`);
  list.push(hook);
  return () => {
    const i = list.indexOf(hook);
    if (i >= 0) list.splice(i, 1);
  };
}

/**
 * Base class of every layer (torch.nn.Module).
 *
 * Parameters and submodules are found by assigning them to fields: `this.weight = new Parameter(w)`,
 * `this.fc = new Linear(4, 2)`. Traversal looks at the module's own enumerable properties in
 * declaration order (no Proxy, so TypeScript class fields work as they are). Buffers (state that
 * is saved but not trained, such as running statistics) are plain tensors, so they must be
 * declared with `registerBuffer(name, tensor)`; they can then be read and reassigned as fields.
 * `registerParameter` and `registerModule` do the same for names chosen at run time.
 */
export abstract class Module {
  /** Training mode (true) or evaluation mode (false); set with `train()` / `eval()`. */
  training = true;
  /** Buffer names declared with registerBuffer, mapped to whether they are persistent. */
  readonly #buffers = new Map<string, boolean>();

  /** The computation of this module. Subclasses declare their own signature. */
  abstract forward(...args: any[]): unknown;

  readonly #preHooks: ForwardPreHook[] = [];
  readonly #hooks: ForwardHook[] = [];

  /** Runs `forward` (PyTorch's `module(x)`), with any registered forward hooks around it. */
  call(...args: Parameters<this['forward']>): ReturnType<this['forward']> {
    if (this.#preHooks.length === 0 && this.#hooks.length === 0) return this.forward(...args) as ReturnType<this['forward']>;
    let input: unknown[] = args;
    for (const hook of [...this.#preHooks]) {
      const r = hook(this, input);
      if (r !== undefined) input = Array.isArray(r) ? r : [r];
    }
    let output = this.forward(...input);
    for (const hook of [...this.#hooks]) {
      const r = hook(this, input, output);
      if (r !== undefined) output = r;
    }
    return output as ReturnType<this['forward']>;
  }

  /**
   * Registers `hook(module, inputs)`, run by `call()` before `forward`; it may return replacement
   * inputs (an array, or a single value). Returns a function that removes the hook.
   */
  registerForwardPreHook(hook: ForwardPreHook): () => void {
    return addHook(this.#preHooks, hook);
  }

  /**
   * Registers `hook(module, inputs, output)`, run by `call()` after `forward`; it may return a
   * replacement output. Returns a function that removes the hook.
   */
  registerForwardHook(hook: ForwardHook): () => void {
    return addHook(this.#hooks, hook);
  }

  // ---- registration -------------------------------------------------------------------------

  #checkName(name: string, kind: string): void {
    if (typeof name !== 'string' || name === '') throw new TypeError(`${kind} name must be a non-empty string, got ${JSON.stringify(name)}`);
    if (name.includes('.')) throw new RangeError(`${kind} name can't contain ".", got ${JSON.stringify(name)}`);
    if (!Object.prototype.hasOwnProperty.call(this, name) && name in this) {
      throw new RangeError(`${kind} name ${JSON.stringify(name)} clashes with a method or property of ${this.constructor.name}`);
    }
  }

  #define(name: string, value: unknown): void {
    Object.defineProperty(this, name, { value, writable: true, enumerable: true, configurable: true });
  }

  /** Adds a parameter under `name` (null declares an absent one, like a disabled bias). */
  registerParameter(name: string, param: Parameter | null): void {
    this.#checkName(name, 'parameter');
    if (param !== null && !(param instanceof Parameter)) {
      throw new TypeError(`registerParameter(${JSON.stringify(name)}): expected a Parameter or null; wrap tensors with new Parameter(t)`);
    }
    if (this.#buffers.has(name)) throw new RangeError(`registerParameter: ${JSON.stringify(name)} is already a buffer`);
    this.#define(name, param);
  }

  /**
   * Adds a buffer: a tensor that is part of the module's state (saved in `stateDict` unless
   * `persistent` is false, converted by `to()`) but is not a parameter.
   */
  registerBuffer(name: string, tensor: Tensor | null, opts: { persistent?: boolean } = {}): void {
    this.#checkName(name, 'buffer');
    if (tensor !== null && !(tensor instanceof Tensor)) throw new TypeError(`registerBuffer(${JSON.stringify(name)}): expected a Tensor or null`);
    if (tensor instanceof Parameter) throw new TypeError(`registerBuffer(${JSON.stringify(name)}): a Parameter can't be a buffer; use registerParameter`);
    const current = (this as Record<string, unknown>)[name];
    if (current instanceof Parameter || current instanceof Module) {
      throw new RangeError(`registerBuffer: ${JSON.stringify(name)} is already a ${current instanceof Module ? 'submodule' : 'parameter'}`);
    }
    this.#buffers.set(name, opts.persistent ?? true);
    this.#define(name, tensor);
  }

  /** Adds a submodule under `name` (null declares an absent one). */
  registerModule(name: string, module: Module | null): void {
    this.#checkName(name, 'module');
    if (module !== null && !(module instanceof Module)) throw new TypeError(`registerModule(${JSON.stringify(name)}): expected a Module or null`);
    if (this.#buffers.has(name)) throw new RangeError(`registerModule: ${JSON.stringify(name)} is already a buffer`);
    this.#define(name, module);
  }

  /**
   * The [name, value] pairs this module holds directly. Containers whose keys may look like
   * integers (ModuleDict) override this to keep insertion order.
   */
  protected localEntries(): Iterable<[string, unknown]> {
    return Object.entries(this);
  }

  /** This module's own parameters, buffers and children (not recursive), in declaration order. */
  localMembers(): LocalMembers {
    const out: LocalMembers = { parameters: [], buffers: [], children: [] };
    for (const [name, value] of this.localEntries()) {
      const persistent = this.#buffers.get(name);
      if (persistent !== undefined) {
        if (value instanceof Tensor) out.buffers.push([name, value, persistent]);
      } else if (value instanceof Parameter) out.parameters.push([name, value]);
      else if (value instanceof Module) out.children.push([name, value]);
    }
    return out;
  }

  /** Replaces a parameter or buffer held directly by this module (used by `to()`). */
  protected setLocal(name: string, value: Tensor): void {
    (this as Record<string, unknown>)[name] = value;
  }

  // ---- traversal ----------------------------------------------------------------------------

  /** Direct submodules with their names (each module once). */
  namedChildren(): [string, Module][] {
    const seen = new Set<Module>();
    return this.localMembers().children.filter(([, m]) => (seen.has(m) ? false : (seen.add(m), true)));
  }

  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /** This module and all its descendants, pre-order, with dotted names ('' for this module); each module once. */
  namedModules(prefix = '', memo: Set<Module> = new Set()): [string, Module][] {
    if (memo.has(this)) return [];
    memo.add(this);
    const out: [string, Module][] = [[prefix, this]];
    for (const [name, child] of this.localMembers().children) {
      out.push(...child.namedModules(prefix === '' ? name : `${prefix}.${name}`, memo));
    }
    return out;
  }

  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /** Parameters with dotted names ('0.weight', 'encoder.bias'); a shared parameter is listed once. */
  namedParameters(opts: { prefix?: string; recurse?: boolean } = {}): [string, Parameter][] {
    const prefix = opts.prefix ?? '';
    const mods: [string, Module][] = opts.recurse === false ? [[prefix, this]] : this.namedModules(prefix);
    const seen = new Set<Parameter>();
    const out: [string, Parameter][] = [];
    for (const [modName, m] of mods) {
      for (const [name, p] of m.localMembers().parameters) {
        if (seen.has(p)) continue;
        seen.add(p);
        out.push([modName === '' ? name : `${modName}.${name}`, p]);
      }
    }
    return out;
  }

  parameters(opts: { recurse?: boolean } = {}): Parameter[] {
    return this.namedParameters(opts).map(([, p]) => p);
  }

  /** Buffers with dotted names ('0.running_mean'); each buffer once. */
  namedBuffers(opts: { prefix?: string; recurse?: boolean } = {}): [string, Tensor][] {
    const prefix = opts.prefix ?? '';
    const mods: [string, Module][] = opts.recurse === false ? [[prefix, this]] : this.namedModules(prefix);
    const seen = new Set<Tensor>();
    const out: [string, Tensor][] = [];
    for (const [modName, m] of mods) {
      for (const [name, b] of m.localMembers().buffers) {
        if (seen.has(b)) continue;
        seen.add(b);
        out.push([modName === '' ? name : `${modName}.${name}`, b]);
      }
    }
    return out;
  }

  buffers(opts: { recurse?: boolean } = {}): Tensor[] {
    return this.namedBuffers(opts).map(([, b]) => b);
  }

  /** The submodule at a dotted path ('encoder.layers.0'); '' is this module. */
  getSubmodule(target: string): Module {
    if (target === '') return this;
    let m: Module = this;
    const parts = target.split('.');
    for (let i = 0; i < parts.length; i++) {
      const found = m.localMembers().children.find(([n]) => n === parts[i]);
      if (found === undefined) {
        throw new RangeError(`${m.constructor.name} has no submodule ${JSON.stringify(parts[i])} (looking up ${JSON.stringify(target)})`);
      }
      m = found[1];
    }
    return m;
  }

  // ---- modes and bulk operations ------------------------------------------------------------

  /** Sets training mode on this module and every descendant. */
  train(mode = true): this {
    if (typeof mode !== 'boolean') throw new TypeError(`train(mode): mode must be a boolean, got ${typeof mode}`);
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /** Evaluation mode: Dropout is off, BatchNorm uses its running statistics. */
  eval(): this {
    return this.train(false);
  }

  /** Resets every parameter's gradient: to null (default, as PyTorch) or to zeros in place. */
  zeroGrad(setToNone = true): void {
    for (const p of this.parameters()) {
      if (p.grad === null) continue;
      if (setToNone) p.grad = null;
      else {
        const g = p.grad;
        withoutGrad(() => g.mul_(0));
      }
    }
  }

  /** Calls `fn` on every descendant (children first) and then on this module, as torch's apply. */
  apply(fn: (m: Module) => void): this {
    for (const child of this.children()) child.apply(fn);
    fn(this);
    return this;
  }

  /**
   * Casts floating point parameters and buffers (and their gradients) to `dtype`, in place on the
   * module: parameters are replaced by new Parameters of the new dtype (so create optimizers after
   * calling `to()`). Integer buffers such as num_batches_tracked keep their type, as in PyTorch.
   */
  to(dtype: DType): this {
    if (dtype !== 'float32' && dtype !== 'float64') {
      throw new TypeError(`Module.to(dtype): only floating point dtypes (float32, float64) are supported, got ${JSON.stringify(dtype)}`);
    }
    // One conversion per tensor, so a parameter shared by two modules (tied weights) stays shared.
    const converted = new Map<Tensor, Tensor>();
    const convert = <T extends Tensor>(t: T, make: () => T): T => {
      let c = converted.get(t) as T | undefined;
      if (c === undefined) { c = make(); converted.set(t, c); }
      return c;
    };
    withoutGrad(() => {
      for (const m of this.modules()) {
        const local = m.localMembers();
        for (const [name, p] of local.parameters) {
          if (p.dtype === dtype || (p.dtype !== 'float32' && p.dtype !== 'float64')) continue;
          m.setLocal(name, convert(p, () => {
            const np = new Parameter(p.detach().to(dtype), p.requiresGrad);
            if (p.grad !== null) np.grad = p.grad.to(dtype);
            return np;
          }));
        }
        for (const [name, b] of local.buffers) {
          if (b.dtype === dtype || (b.dtype !== 'float32' && b.dtype !== 'float64')) continue;
          m.setLocal(name, convert(b, () => b.to(dtype)));
        }
      }
    });
    return this;
  }

  double(): this {
    return this.to('float64');
  }

  float(): this {
    return this.to('float32');
  }

  /** Sets `requiresGrad` on every parameter (e.g. false to freeze a pretrained part). */
  requiresGrad_(flag = true): this {
    for (const p of this.parameters()) p.requiresGrad_(flag);
    return this;
  }

  /** Number of parameter elements (shared parameters counted once). */
  numParameters(opts: { trainableOnly?: boolean } = {}): number {
    let n = 0;
    for (const p of this.parameters()) if (!opts.trainableOnly || p.requiresGrad) n += p.numel();
    return n;
  }

  // ---- state dict ---------------------------------------------------------------------------

  /**
   * Parameters and persistent buffers by dotted name, with PyTorch's keys ('0.weight',
   * 'bn.running_mean'). Values share storage with the module (detached from the graph).
   */
  stateDict(opts: { prefix?: string } = {}): StateDict {
    return stateDictOf(this, opts.prefix ?? '');
  }

  /**
   * Copies values from `dict` into this module's parameters and buffers in place. With `strict`
   * (default) missing or unexpected keys are an error; a shape mismatch always is. Nothing is
   * modified when an error is thrown.
   */
  loadStateDict(dict: StateDict, opts: LoadStateDictOptions = {}): LoadStateDictResult {
    return loadStateDictInto(this, dict, opts);
  }

  // ---- printing -----------------------------------------------------------------------------

  /** Extra text inside the parentheses of this module's line (e.g. "inFeatures=4, outFeatures=2"). */
  extraRepr(): string {
    return '';
  }

  /** A tree like PyTorch's module repr. */
  toString(): string {
    const extra = this.extraRepr();
    const extraLines = extra === '' ? [] : extra.split('\n');
    const childLines = this.localMembers().children.map(([name, child]) => `(${name}): ${indent(child.toString(), 2)}`);
    const lines = [...extraLines, ...childLines];
    let s = `${this.constructor.name}(`;
    if (lines.length > 0) {
      if (extraLines.length === 1 && childLines.length === 0) s += extra;
      else s += `\n  ${lines.join('\n  ')}\n`;
    }
    return `${s})`;
  }

  [INSPECT](): string {
    return this.toString();
  }
}

function indent(s: string, n: number): string {
  const lines = s.split('\n');
  if (lines.length === 1) return s;
  const pad = ' '.repeat(n);
  return [lines[0], ...lines.slice(1).map((l) => pad + l)].join('\n');
}

/** Number of parameter elements of a module (torch users write sum(p.numel() for p in m.parameters())). */
export function countParameters(model: Module, opts: { trainableOnly?: boolean } = {}): number {
  return model.numParameters(opts);
}
