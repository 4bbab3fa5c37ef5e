import { Tensor } from '@tsgrad/tensor';

/**
 * Splits an arbitrary state tree (an optimizer's `stateDict()`: nested objects, arrays, Maps,
 * numbers, strings, tensors) into a JSON-safe skeleton and a flat list of named tensors, and puts
 * it back together. This is how a checkpoint stores optimizer state in one safetensors file
 * without knowing the optimizer's layout: tensors become `{"$tensor": "<name>"}` references.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const TENSOR = '$tensor';
const MAP = '$map';
const NUMBER = '$number';

export function splitTensors(value: unknown, prefix: string): { skeleton: Json; tensors: Map<string, Tensor> } {
  const tensors = new Map<string, Tensor>();
  const walk = (v: unknown, path: string): Json => {
    if (v instanceof Tensor) {
      const name = `${prefix}${path}`;
      tensors.set(name, v);
      return { [TENSOR]: name };
    }
    if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
    if (v === undefined) return null;
    if (typeof v === 'number') {
      // JSON has no Infinity/NaN (an AdamW's maxExpAvgSq init, a scheduler's best loss ...).
      return Number.isFinite(v) ? v : { [NUMBER]: String(v) };
    }
    if (Array.isArray(v)) return v.map((x, i) => walk(x, `${path}.${i}`));
    if (v instanceof Map) return { [MAP]: [...v.entries()].map(([k, x], i) => [walk(k, `${path}.k${i}`), walk(x, `${path}.${String(k)}`)]) };
    if (typeof v === 'object') {
      const out: { [key: string]: Json } = {};
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = walk(x, `${path}.${k}`);
      return out;
    }
    throw new TypeError(`cannot store a ${typeof v} in a checkpoint (at ${prefix}${path})`);
  };
  return { skeleton: walk(value, ''), tensors };
}

export function joinTensors(skeleton: Json, lookup: (name: string) => Tensor | undefined): unknown {
  const walk = (v: Json): unknown => {
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map(walk);
    const keys = Object.keys(v);
    if (keys.length === 1 && keys[0] === TENSOR && typeof v[TENSOR] === 'string') {
      const t = lookup(v[TENSOR]);
      if (t === undefined) throw new Error(`checkpoint is missing tensor ${JSON.stringify(v[TENSOR])}`);
      return t;
    }
    if (keys.length === 1 && keys[0] === NUMBER && typeof v[NUMBER] === 'string') return Number(v[NUMBER]);
    if (keys.length === 1 && keys[0] === MAP && Array.isArray(v[MAP])) {
      return new Map((v[MAP] as Json[]).map((pair) => {
        const [k, x] = pair as [Json, Json];
        return [walk(k), walk(x)];
      }));
    }
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = walk(x);
    return out;
  };
  return walk(skeleton);
}
