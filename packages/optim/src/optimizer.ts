import { Tensor, type TypedArray, type View, getBackend, isFloating } from '@tsgrad/tensor';
import { withGrad, withoutGrad } from './no-grad.js';
import { isTensorJSON, mapTensors, tensorFromJSON, type TensorJSON } from './state-json.js';

/** Hyper-parameters every optimizer has; the rest are per optimizer. */
export interface BaseHyper {
  lr: number;
}

/**
 * One parameter group: its tensors and its own copy of every hyper-parameter. Schedulers may add
 * keys (`initialLr`, `maxMomentum`, ...), as torch's schedulers add `initial_lr`.
 */
export type ParamGroup<H extends BaseHyper = BaseHyper> = H & { params: Tensor[]; [extra: string]: unknown };

/** A group as passed by the user: hyper-parameters left out take the optimizer's defaults. */
export type ParamGroupInput<H extends BaseHyper = BaseHyper> = Partial<H> & { params: Iterable<Tensor> } & Record<string, unknown>;

/** What optimizers accept: tensors (one group), or groups with per-group hyper-parameters. */
export type ParamsInput<H extends BaseHyper = BaseHyper> = Iterable<Tensor> | Iterable<ParamGroupInput<H>>;

/** A value in per-parameter state: tensors for buffers, numbers for counters. */
export type StateValue = Tensor | TensorJSON | number | boolean | null | StateValue[];
/** Per-parameter optimizer state (momentum buffers, step counts...), by name. */
export type ParamState = Record<string, StateValue>;

/** `optimizer.stateDict()`: state keyed by the parameter's index across groups (as torch). */
export interface OptimizerStateDict {
  state: Record<string, ParamState>;
  paramGroups: (Record<string, unknown> & { params: number[] })[];
}

/** A closure re-evaluates the model and returns the loss (after calling backward()). */
export type Closure = () => Tensor | number;

/** The typed array of a float tensor and where its elements start (they are contiguous). */
export type FloatBuffer = TypedArray;

/**
 * Base class of the optimizers (torch.optim.Optimizer): parameter groups with per-group
 * hyper-parameters, per-parameter state, and state dicts that reference parameters by index.
 */
export abstract class Optimizer<H extends BaseHyper = BaseHyper> {
  readonly defaults: H;
  readonly paramGroups: ParamGroup<H>[] = [];
  /** Per-parameter state, created on a parameter's first step. */
  state = new Map<Tensor, ParamState>();

  constructor(params: ParamsInput<H>, defaults: H) {
    this.defaults = defaults;
    this.validateHyper(defaults, 'defaults');
    if (params === null || params === undefined || typeof (params as Iterable<unknown>)[Symbol.iterator] !== 'function') {
      throw new TypeError(`params must be an iterable of Tensors or of parameter groups, got ${params === null ? 'null' : typeof params}`);
    }
    const list = [...(params as Iterable<unknown>)];
    if (list.length === 0) throw new RangeError('params: optimizer got an empty parameter list');
    if (list[0] instanceof Tensor) {
      this.addParamGroup({ params: list as Tensor[] } as unknown as ParamGroupInput<H>);
    } else {
      list.forEach((g, i) => {
        if (g instanceof Tensor || typeof g !== 'object' || g === null) {
          throw new TypeError(`params[${i}]: expected a parameter group { params, ... } (params must be all Tensors or all groups), got ${g instanceof Tensor ? 'a Tensor' : g === null ? 'null' : typeof g}`);
        }
        this.addParamGroup(g as ParamGroupInput<H>);
      });
    }
  }

  /** Checks one group's hyper-parameters; throws TypeError/RangeError naming the bad one. */
  protected abstract validateHyper(h: H, where: string): void;

  /** Adds a group (e.g. layers unfrozen during fine-tuning); missing hyper-parameters take the defaults. */
  addParamGroup(group: ParamGroupInput<H>): void {
    const where = `param group ${this.paramGroups.length}`;
    if (typeof group !== 'object' || group === null) throw new TypeError(`${where} must be an object { params, ... }`);
    const raw = group.params as unknown;
    if (raw instanceof Tensor) throw new TypeError(`${where}: params must be an iterable of Tensors, not a single Tensor; wrap it in an array`);
    if (raw === null || raw === undefined || typeof (raw as Iterable<unknown>)[Symbol.iterator] !== 'function') {
      throw new TypeError(`${where}: params must be an iterable of Tensors`);
    }
    const params = [...(raw as Iterable<unknown>)];
    if (params.length === 0) throw new RangeError(`${where}: optimizer got an empty parameter list`);
    const seen = new Set<Tensor>();
    params.forEach((p, i) => {
      if (!(p instanceof Tensor)) throw new TypeError(`${where}: params[${i}] must be a Tensor, got ${p === null ? 'null' : typeof p}`);
      if (p.gradFn !== null) throw new TypeError(`${where}: params[${i}] is not a leaf tensor (it has gradFn ${p.gradFn.name}); optimizers can only update leaves`);
      if (!isFloating(p.dtype)) throw new TypeError(`${where}: params[${i}] has dtype ${p.dtype}; only float32/float64 parameters can be optimized`);
      if (seen.has(p)) throw new RangeError(`${where}: params[${i}] appears twice in the same group`);
      seen.add(p);
      for (let g = 0; g < this.paramGroups.length; g++) {
        if (this.paramGroups[g]!.params.includes(p)) throw new RangeError(`${where}: params[${i}] is already in param group ${g}; a parameter can be in only one group`);
      }
    });
    const merged = { ...cloneDefaults(this.defaults), ...group, params: params as Tensor[] } as ParamGroup<H>;
    this.validateHyper(merged, where);
    this.paramGroups.push(merged);
  }

  /** Clears gradients: to null (default, as torch 2) or, with `setToNone: false`, to zeros in place. */
  zeroGrad(options: { setToNone?: boolean } = {}): void {
    const setToNone = options.setToNone ?? true;
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        const g = p.grad;
        if (g === null) continue;
        if (setToNone) {
          p.grad = null;
        } else {
          // As torch: a gradient built with createGraph leaves the graph before it is zeroed.
          g.detach_();
          getBackend().fill(g, 0);
          g.bumpVersion();
        }
      }
    }
  }

  /**
   * Performs one update. `closure`, when given, re-evaluates the model (it is called with grad mode
   * on) and returns the loss, which step returns.
   */
  abstract step(closure?: Closure): Tensor | number | undefined;

  /** A snapshot of the optimizer: hyper-parameters per group and state keyed by parameter index. */
  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    let next = 0;
    const paramGroups = this.paramGroups.map((g) => {
      const { params, ...hyper } = g;
      return { ...(mapTensors(hyper, (t) => t.clone()) as Record<string, unknown>), params: params.map((p) => { index.set(p, next); return next++; }) };
    });
    const state: Record<string, ParamState> = {};
    for (const [p, st] of this.state) {
      const i = index.get(p);
      if (i !== undefined) state[String(i)] = mapTensors(st, (t) => t.clone()) as ParamState;
    }
    return { state, paramGroups };
  }

  /**
   * Restores a snapshot from `stateDict()` (or its `stateDictToJSON` form) taken from an optimizer
   * with the same group structure. State tensors are copied (and cast to their parameter's dtype).
   */
  loadStateDict(stateDict: OptimizerStateDict): void {
    if (typeof stateDict !== 'object' || stateDict === null || !Array.isArray(stateDict.paramGroups) || typeof stateDict.state !== 'object') {
      throw new TypeError('loadStateDict: expected { state, paramGroups } as returned by stateDict()');
    }
    const saved = stateDict.paramGroups;
    if (saved.length !== this.paramGroups.length) {
      throw new RangeError(`loadStateDict: the state dict has ${saved.length} parameter groups, this optimizer has ${this.paramGroups.length}`);
    }
    const byIndex = new Map<number, Tensor>();
    saved.forEach((sg, gi) => {
      const mine = this.paramGroups[gi]!.params;
      if (!Array.isArray(sg.params) || sg.params.length !== mine.length) {
        throw new RangeError(`loadStateDict: parameter group ${gi} has ${Array.isArray(sg.params) ? sg.params.length : 'no'} parameters in the state dict, ${mine.length} in this optimizer`);
      }
      sg.params.forEach((id, k) => byIndex.set(id, mine[k]!));
    });
    const state = new Map<Tensor, ParamState>();
    for (const [key, st] of Object.entries(stateDict.state)) {
      const p = byIndex.get(Number(key));
      if (p === undefined) throw new RangeError(`loadStateDict: state for parameter index ${key}, which no group lists`);
      state.set(p, this.decodeState(st, p));
    }
    saved.forEach((sg, gi) => {
      const group = this.paramGroups[gi]!;
      const { params: _ids, ...hyper } = sg;
      const restored = decodeValue(hyper, null) as Record<string, unknown>;
      for (const k of Object.keys(group)) if (k !== 'params' && !(k in restored)) delete (group as Record<string, unknown>)[k];
      Object.assign(group, restored);
    });
    this.state = state;
  }

  /** Decodes one parameter's saved state; buffers take the parameter's dtype (counters stay numbers). */
  protected decodeState(st: ParamState, p: Tensor): ParamState {
    return decodeValue(st, p) as ParamState;
  }
}

/**
 * An optimizer whose update is elementwise (all but LBFGS). Subclasses provide `initState` (the
 * buffers a parameter needs) and `updateParam`, which applies the update in place over the
 * contiguous typed arrays of the parameter, its gradient and its state; this class handles
 * strided tensors, grad mode and version counters.
 */
export abstract class ElementwiseOptimizer<H extends BaseHyper = BaseHyper> extends Optimizer<H> {
  /**
   * Performs one update. `closure`, when given, is called with grad mode on to recompute the loss
   * (and gradients) first; its result is returned.
   */
  override step(closure?: Closure): Tensor | number | undefined {
    const loss = closure === undefined ? undefined : withGrad(closure);
    withoutGrad(() => {
      for (const group of this.paramGroups) {
        for (const p of group.params) if (p.grad !== null) this.stepParam(group, p, p.grad);
      }
    });
    return loss;
  }

  /** The state of `p`, created by `initState` on first use. */
  protected stateOf(p: Tensor, group: ParamGroup<H>): ParamState {
    let st = this.state.get(p);
    if (st === undefined) {
      st = this.initState(p, group);
      this.state.set(p, st);
    }
    return st;
  }

  private stepParam(group: ParamGroup<H>, p: Tensor, grad: Tensor): void {
    if (grad.shape.length !== p.shape.length || grad.shape.some((d, i) => d !== p.shape[i])) {
      throw new RangeError(`gradient of shape [${grad.shape.join(', ')}] does not match its parameter of shape [${p.shape.join(', ')}]`);
    }
    const st = this.stateOf(p, group);
    const n = p.numel();
    // Fast path: parameters and gradients are normally contiguous; the update then runs in one
    // loop over their typed arrays. A strided tensor is gathered into a contiguous scratch buffer
    // (kept per parameter, so later steps allocate nothing either) and the result scattered back.
    const pc = p.isContiguous() ? p : this.scratch(p, 0, p);
    const gc = grad.isContiguous() ? grad : this.scratch(p, 1, grad);
    this.updateParam(group, st, p, pc.storage.data, pc.offset, gc.storage.data, gc.offset, n);
    if (pc !== p) getBackend().copy(pc, p);
    p.bumpVersion();
  }

  /** Contiguous copies of strided parameters (slot 0) and gradients (slot 1), reused across steps. */
  private readonly scratchBuffers = new WeakMap<Tensor, [Tensor | null, Tensor | null]>();

  /** A contiguous tensor holding the values of `src` (a strided parameter or gradient of `p`). */
  private scratch(p: Tensor, slot: 0 | 1, src: Tensor): Tensor {
    let pair = this.scratchBuffers.get(p);
    if (pair === undefined) { pair = [null, null]; this.scratchBuffers.set(p, pair); }
    let t = pair[slot];
    if (t === null || t.dtype !== src.dtype) { t = Tensor.empty(src.shape, src.dtype); pair[slot] = t; }
    getBackend().copy(src, t);
    return t;
  }

  /** Loaded buffers must be shaped like their parameter: the update loops assume it. */
  protected override decodeState(st: ParamState, p: Tensor): ParamState {
    const out = super.decodeState(st, p);
    for (const [k, v] of Object.entries(out)) {
      if (v instanceof Tensor && (v.shape.length !== p.shape.length || v.shape.some((d, i) => d !== p.shape[i]))) {
        throw new RangeError(`loadStateDict: state '${k}' has shape [${v.shape.join(', ')}], its parameter has shape [${p.shape.join(', ')}]`);
      }
    }
    return out;
  }

  /** The initial state of a parameter (buffers as zero tensors shaped like it, counters). */
  protected abstract initState(p: Tensor, group: ParamGroup<H>): ParamState;

  /**
   * Updates `n` contiguous elements of parameter `p` in place: `param[po + i]` with gradient
   * `grad[go + i]` and the state's buffers (contiguous, starting at 0).
   */
  protected abstract updateParam(group: ParamGroup<H>, state: ParamState, p: Tensor, param: FloatBuffer, po: number, grad: FloatBuffer, go: number, n: number): void;
}

/** Decodes a saved state value: tensors copied (cast to `like`'s float dtype when given). */
export function decodeValue(v: unknown, like: Tensor | null): unknown {
  if (v instanceof Tensor || isTensorJSON(v)) {
    const t = v instanceof Tensor ? v.clone() : tensorFromJSON(v);
    return like !== null && isFloating(t.dtype) && t.dtype !== like.dtype ? t.to(like.dtype) : t;
  }
  if (Array.isArray(v)) return v.map((x) => decodeValue(x, like));
  if (typeof v === 'object' && v !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = decodeValue(x, like);
    return out;
  }
  return v;
}

function cloneDefaults<H>(h: H): H {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(h as Record<string, unknown>)) out[k] = Array.isArray(v) ? v.slice() : v;
  return out as H;
}

/** A zero tensor shaped like `p`, contiguous, of its dtype (for moment buffers). */
export function zerosLikeParam(p: Tensor): Tensor {
  return Tensor.empty(p.shape, p.dtype);
}

/** `a[offset .. offset + n)` as the 1-D contiguous view the backend's fused update kernels take. */
export function flatView(a: FloatBuffer, offset: number, n: number): View {
  return { buffer: a, shape: [n], strides: [1], offset };
}

/** The typed array of a (contiguous, offset-0) state buffer. */
export function buf(state: ParamState, key: string): FloatBuffer {
  return (state[key] as Tensor).storage.data;
}
