import { createRequire } from 'node:module';
import type { Backend, BackendInfo, PartialBackend } from './backend.js';
import { jsBackend } from './js/index.js';

/**
 * Which backend runs the kernels. `kernels.current` is read on every op, so it is a plain field.
 * A partial backend (the native addon) is completed with the pure-TS kernels: each kernel it
 * lacks, or that returns `false` for a call it declines (say, an int32 input), runs in TS instead.
 */
export const kernels: { current: Backend } = { current: jsBackend };

/** The built-in backends: 'js' (pure TypeScript) and 'native' (`@tsgrad/native`). */
export type BackendName = 'js' | 'native';

/** What `@tsgrad/native` exports (structurally: native does not depend on this package). */
interface NativeModule {
  createBackend(): PartialBackend & { info(): Record<string, unknown> };
}

interface Registry {
  readonly owner: string;
  native: { backend: Backend; info: () => Record<string, unknown> } | null;
  nativeError: string | null;
  nativeTried: boolean;
}

// Two copies of @tsgrad/tensor on disk would give two Tensor classes and two registries, and
// tensors from one would silently fail instanceof checks in the other: refuse loudly instead.
const KEY = Symbol.for('@tsgrad/tensor.registry');
const holder = globalThis as unknown as Record<symbol, Registry | undefined>;
const existing = holder[KEY];
if (existing !== undefined && existing.owner !== import.meta.url) {
  throw new Error(
    `two copies of @tsgrad/tensor are loaded (${existing.owner} and ${import.meta.url}); ` +
      'make every package resolve the same copy (e.g. `pnpm dedupe` or a single version in your lockfile)',
  );
}
const registry: Registry = existing ?? { owner: import.meta.url, native: null, nativeError: null, nativeTried: false };
holder[KEY] = registry;

/** Completes a partial backend with the pure-TS kernels, per kernel and per call. */
export function completeBackend(partial: PartialBackend): Backend {
  const out: Record<string, unknown> = { ...jsBackend, name: partial.name };
  for (const key of Object.keys(jsBackend) as (keyof Backend)[]) {
    if (key === 'name') continue;
    const own = (partial as unknown as Record<string, ((...a: unknown[]) => unknown) | undefined>)[key];
    if (typeof own !== 'function') continue;
    const fallback = jsBackend[key] as (...a: unknown[]) => unknown;
    // Fixed arity (every kernel takes at most seven arguments, the LSTM step kernels): a rest
    // parameter would allocate an array per call, measurable on a 100-element add (W6).
    out[key] = (a: unknown, b: unknown, c: unknown, d: unknown, e: unknown, f: unknown, g: unknown) => {
      if (own(a, b, c, d, e, f, g) === false) fallback(a, b, c, d, e, f, g);
    };
  }
  return out as unknown as Backend;
}

function tryLoadNative(): void {
  if (registry.nativeTried) return;
  registry.nativeTried = true;
  try {
    const mod = createRequire(import.meta.url)('@tsgrad/native') as NativeModule;
    const partial = mod.createBackend();
    registry.native = { backend: completeBackend(partial), info: () => partial.info() };
  } catch (e) {
    registry.nativeError = e instanceof Error ? e.message.split('\n')[0]! : String(e);
  }
}

/** Selects the backend for every op that follows. */
export function setBackend(name: BackendName): void {
  if (name === 'js') {
    kernels.current = jsBackend;
    return;
  }
  if (name !== 'native') throw new TypeError(`unknown backend ${JSON.stringify(name)}: expected 'js' or 'native'`);
  tryLoadNative();
  if (registry.native === null) {
    throw new Error(
      `the native backend is not available: install @tsgrad/native (pnpm add @tsgrad/native) and make sure it built (${registry.nativeError ?? 'not found'})`,
    );
  }
  kernels.current = registry.native.backend;
}

/** The backend in use (`.name` is 'js' or 'native'). */
export function getBackend(): Backend {
  return kernels.current;
}

/** The backend in use and, for native, its BLAS library, version and thread count. */
export function backendInfo(): BackendInfo {
  const name = kernels.current.name;
  tryLoadNative(); // so nativeAvailable/nativeError are accurate even when TSGRAD_BACKEND=js skipped loading
  if (name === 'native' && registry.native !== null) return { ...registry.native.info(), name };
  return { name, nativeAvailable: registry.native !== null, nativeError: registry.nativeError };
}

/** Registers a custom backend under its name and makes it current (tests, experiments). */
export function useBackend(partial: PartialBackend): Backend {
  const b = completeBackend(partial);
  kernels.current = b;
  return b;
}

// TSGRAD_BACKEND=js|native picks the backend; unset means native when it is installed and loads.
const requested = process.env['TSGRAD_BACKEND'];
if (requested === 'native') setBackend('native');
else if (requested === undefined || requested === '') {
  tryLoadNative();
  if (registry.native !== null) kernels.current = registry.native.backend;
} else if (requested !== 'js') {
  throw new Error(`TSGRAD_BACKEND must be 'js' or 'native', got ${JSON.stringify(requested)}`);
}
