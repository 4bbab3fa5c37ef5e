import { pathToFileURL } from 'node:url';
import { isAbsolute } from 'node:path';
import type { MapDataset } from '../dataset.js';

/**
 * How a worker thread builds its own copy of a dataset: a module to import and one of its exports.
 * The export may be a dataset object, a function returning one (or a promise of one), or a class;
 * functions and classes receive `args` (which must be structured-cloneable).
 */
export interface WorkerDatasetSpec {
  /** A file URL or absolute path (`new URL('./my-data.ts', import.meta.url)`), or a package specifier. */
  module: string | URL;
  /** Export name; default `'default'`. */
  export?: string;
  args?: unknown[];
}

export function specifierOf(module: string | URL): string {
  if (module instanceof URL) return module.href;
  if (isAbsolute(module)) return pathToFileURL(module).href;
  if (module.startsWith('.')) {
    throw new TypeError(`workerDataset.module ${JSON.stringify(module)} is relative; pass new URL(${JSON.stringify(module)}, import.meta.url), an absolute path, or a package name`);
  }
  return module;
}

/** Imports the spec's module and builds the dataset (used inside workers, and by tests). */
export async function buildDatasetFromSpec(spec: WorkerDatasetSpec): Promise<MapDataset<unknown>> {
  const specifier = specifierOf(spec.module);
  const mod = (await import(specifier)) as Record<string, unknown>;
  const name = spec.export ?? 'default';
  if (!(name in mod)) {
    throw new TypeError(`worker dataset: module ${specifier} has no export named '${name}' (exports: ${Object.keys(mod).join(', ') || 'none'})`);
  }
  const exp = mod[name];
  const args = spec.args ?? [];
  let ds: unknown;
  if (typeof exp === 'function') {
    const isClass = /^class[\s{]/.test(Function.prototype.toString.call(exp));
    ds = isClass ? new (exp as new (...a: unknown[]) => unknown)(...args) : await (exp as (...a: unknown[]) => unknown)(...args);
  } else {
    ds = exp;
  }
  const d = ds as MapDataset<unknown>;
  if (typeof d !== 'object' || d === null || typeof d.get !== 'function' || typeof d.length !== 'number') {
    throw new TypeError(`worker dataset: export '${name}' of ${specifier} did not give a map-style dataset (an object with length and get)`);
  }
  return d;
}
