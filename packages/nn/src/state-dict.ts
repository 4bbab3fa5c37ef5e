import { Tensor, copy_ } from '@tsgrad/tensor';
import type { Module } from './module.js';
import { withoutGrad } from './grad-mode.js';

/**
 * A module's state by dotted name, with PyTorch's keys ('0.weight', 'encoder.layers.2.bias',
 * 'bn.running_mean', 'lstm.weight_ih_l0'), so checkpoints interoperate with PyTorch.
 */
export type StateDict = Record<string, Tensor>;

/** Options of `loadStateDict`: `strict` (default true: missing or unexpected keys are an error). */
export interface LoadStateDictOptions {
  /** Missing and unexpected keys are an error (default true). Shape mismatches always are. */
  strict?: boolean;
}

/**
 * What `loadStateDict` returns: the `missingKeys` and `unexpectedKeys` (non-empty only when not strict).
 */
export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

interface Slot {
  key: string;
  target: Tensor;
}

/**
 * Every (key, tensor) of the state of `module`, in PyTorch's order: a module's own parameters,
 * then its persistent buffers, then each child's state under its name. Like PyTorch, a module
 * reachable under two names appears under both (tied weights).
 */
function collect(module: Module, prefix: string, out: Slot[], path: Set<Module>): void {
  if (path.has(module)) throw new Error(`stateDict: module ${module.constructor.name} at "${prefix}" contains itself`);
  path.add(module);
  const local = module.localMembers();
  for (const [name, p] of local.parameters) out.push({ key: prefix + name, target: p });
  for (const [name, b, persistent] of local.buffers) if (persistent) out.push({ key: prefix + name, target: b });
  for (const [name, child] of local.children) collect(child, `${prefix}${name}.`, out, path);
  path.delete(module);
}

function slotsOf(module: Module, prefix: string): Slot[] {
  const slots: Slot[] = [];
  collect(module, prefix === '' || prefix.endsWith('.') ? prefix : `${prefix}.`, slots, new Set());
  return slots;
}

export function stateDictOf(module: Module, prefix: string): StateDict {
  const out: StateDict = {};
  for (const { key, target } of slotsOf(module, prefix)) out[key] = target.detach();
  return out;
}

const quote = (k: string) => JSON.stringify(k);
const shapeStr = (s: readonly number[]) => `[${s.join(', ')}]`;

export function loadStateDictInto(module: Module, dict: StateDict, opts: LoadStateDictOptions): LoadStateDictResult {
  if (dict === null || typeof dict !== 'object') throw new TypeError(`loadStateDict: expected an object of tensors, got ${dict === null ? 'null' : typeof dict}`);
  const strict = opts.strict ?? true;
  const slots = slotsOf(module, '');
  const expected = new Set(slots.map((s) => s.key));
  const missingKeys = slots.filter((s) => !Object.prototype.hasOwnProperty.call(dict, s.key)).map((s) => s.key);
  const unexpectedKeys = Object.keys(dict).filter((k) => !expected.has(k));
  const problems: string[] = [];
  for (const { key, target } of slots) {
    if (!Object.prototype.hasOwnProperty.call(dict, key)) continue;
    const src = dict[key];
    if (!(src instanceof Tensor)) {
      problems.push(`value for ${quote(key)} is not a Tensor (got ${src === null ? 'null' : typeof src})`);
    } else if (src.shape.length !== target.shape.length || src.shape.some((d, i) => d !== target.shape[i])) {
      problems.push(`size mismatch for ${key}: copying a param with shape ${shapeStr(src.shape)} from checkpoint, the shape in current model is ${shapeStr(target.shape)}.`);
    } else if (src.dtype === 'bool' && target.dtype !== 'bool') {
      problems.push(`dtype mismatch for ${key}: checkpoint holds bool, the model holds ${target.dtype}.`);
    }
  }
  if (strict) {
    if (missingKeys.length > 0) problems.unshift(`Missing key(s) in state_dict: ${missingKeys.map(quote).join(', ')}.`);
    if (unexpectedKeys.length > 0) problems.splice(missingKeys.length > 0 ? 1 : 0, 0, `Unexpected key(s) in state_dict: ${unexpectedKeys.map(quote).join(', ')}.`);
  }
  if (problems.length > 0) {
    throw new Error(`Error(s) in loading state_dict for ${module.constructor.name}:\n\t${problems.join('\n\t')}`);
  }
  // Everything checked: now copy (casting to the model's dtype, as PyTorch's copy_ does).
  withoutGrad(() => {
    for (const { key, target } of slots) {
      const src = dict[key];
      if (src === undefined || src === target) continue;
      copy_(target, src);
    }
  });
  return { missingKeys, unexpectedKeys };
}
