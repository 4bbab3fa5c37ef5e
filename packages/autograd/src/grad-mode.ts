import { AsyncLocalStorage } from 'node:async_hooks';
import { gradState } from '@tsgrad/tensor';

/**
 * Grad mode: whether ops record the graph. Every op reads `gradState.enabled`, so on the sync path
 * that must stay a plain field read. A sync scope (`noGrad(() => ...)`) flips the field and puts it
 * back. An async scope cannot do that alone: after its first `await`, other code runs while the
 * field would still be flipped, and its own continuation would run after the field was restored.
 * So while at least one async scope is pending, `gradState.enabled` becomes a getter that asks an
 * AsyncLocalStorage for the mode of the scope the running code belongs to (falling back to the
 * global flag outside every scope), and goes back to a plain field when the last one settles.
 */
const scopeMode = new AsyncLocalStorage<boolean>();
let pendingAsyncScopes = 0;
/** The global flag while the getter is installed (the field itself otherwise). */
let globalEnabled = true;

function installGetter(): void {
  globalEnabled = gradState.enabled;
  Object.defineProperty(gradState, 'enabled', {
    configurable: true,
    enumerable: true,
    get() {
      const mode = scopeMode.getStore();
      return mode === undefined ? globalEnabled : mode;
    },
    set(v: boolean) {
      globalEnabled = v;
    },
  });
}

function removeGetter(): void {
  Object.defineProperty(gradState, 'enabled', { configurable: true, enumerable: true, writable: true, value: globalEnabled });
}

/**
 * Runs `fn` with grad mode set to `enabled`, restoring the previous mode afterwards. When `fn`
 * returns a promise, the mode holds for the whole async function (across its awaits) and only there.
 */
export function withGradMode<T>(enabled: boolean, fn: () => T): T {
  if (typeof fn !== 'function') throw new TypeError(`expected a function to run ${enabled ? 'with' : 'without'} grad, got ${typeof fn}`);
  const prev = gradState.enabled;
  if (pendingAsyncScopes === 0) {
    gradState.enabled = enabled;
    let result: T;
    try {
      result = scopeMode.run(enabled, fn);
    } finally {
      // While an async scope started inside fn is pending the field is a getter over the global flag.
      gradState.enabled = prev;
    }
    return result;
  }
  // Inside or beside a pending async scope the mode of this code comes from the async context.
  return scopeMode.run(enabled, fn);
}

function isThenable(x: unknown): x is PromiseLike<unknown> {
  return x !== null && (typeof x === 'object' || typeof x === 'function') && typeof (x as { then?: unknown }).then === 'function';
}

function runScope<T>(enabled: boolean, fn: () => T): T {
  // fn runs inside the async context `enabled`, so continuations it schedules (its awaits) carry
  // that mode. They run after this returns, once the getter consulting that context is installed.
  const result = withGradMode(enabled, fn);
  if (!isThenable(result)) return result;
  if (pendingAsyncScopes++ === 0) installGetter();
  const settle = () => { if (--pendingAsyncScopes === 0) removeGetter(); };
  return Promise.resolve(result).then(
    (v) => { settle(); return v; },
    (e: unknown) => { settle(); throw e; },
  ) as unknown as T;
}

/** Runs `fn` without recording gradients (torch.no_grad); works for sync and async functions. */
export function noGrad<T>(fn: () => T): T {
  return runScope(false, fn);
}

/** Runs `fn` with gradient recording on, e.g. inside a `noGrad` scope (torch.enable_grad). */
export function enableGrad<T>(fn: () => T): T {
  return runScope(true, fn);
}

/**
 * Sets grad mode for the code that follows (torch.set_grad_enabled). Inside an async `noGrad` /
 * `enableGrad` scope it changes the mode of that scope only.
 */
export function setGradEnabled(enabled: boolean): void {
  if (typeof enabled !== 'boolean') throw new TypeError(`setGradEnabled expects a boolean, got ${typeof enabled}`);
  if (pendingAsyncScopes > 0 && scopeMode.getStore() !== undefined) scopeMode.enterWith(enabled);
  else gradState.enabled = enabled;
}

/** Whether ops are currently recorded for backward. */
export function isGradEnabled(): boolean {
  return gradState.enabled;
}
