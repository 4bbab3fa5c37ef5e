import { AsyncLocalStorage, createHook } from 'node:async_hooks';
import { gradState } from '@tsgrad/tensor';

/**
 * Grad mode: whether ops record the graph. Every op reads `gradState.enabled`, so that stays a plain
 * data field, always (an accessor would also push the object into slow dictionary mode for good).
 * A sync scope (`noGrad(() => ...)`) sets the field and puts it back. An async scope cannot do that
 * alone: after its first `await`, other code runs while the field would still be set, and its own
 * continuation would run after the field was restored. So the mode of an async scope also lives in
 * an AsyncLocalStorage, and while at least one async scope is pending an async hook sets the field
 * to the mode of each callback's context as the callback starts and restores it as it ends. With no
 * async scope pending the hook is disabled and costs nothing.
 */
const scopeMode = new AsyncLocalStorage<boolean>();
let pendingAsyncScopes = 0;
/** Field values to restore when hooked callbacks end (they can nest). */
const restoreStack: boolean[] = [];

const contextSwitch = createHook({
  before() {
    restoreStack.push(gradState.enabled);
    const mode = scopeMode.getStore();
    if (mode !== undefined) gradState.enabled = mode;
  },
  after() {
    const prev = restoreStack.pop();
    if (prev !== undefined) gradState.enabled = prev;
  },
});

function asyncScopeStarted(): void {
  if (pendingAsyncScopes++ === 0) contextSwitch.enable();
}

function asyncScopeSettled(): void {
  if (--pendingAsyncScopes > 0) return;
  contextSwitch.disable();
  // Disabled from inside a hooked callback, whose `after` will not run: restore what it saved.
  if (restoreStack.length > 0) gradState.enabled = restoreStack[0]!;
  restoreStack.length = 0;
}

/**
 * Runs a sync `fn` with grad mode set to `enabled`, restoring the previous mode afterwards (also
 * when it throws). The engine uses this around backward.
 */
export function withGradMode<T>(enabled: boolean, fn: () => T): T {
  const prev = gradState.enabled;
  gradState.enabled = enabled;
  try {
    return fn();
  } finally {
    gradState.enabled = prev;
  }
}

function isAsyncFunction(fn: unknown): boolean {
  const name = (fn as { constructor?: { name?: string } }).constructor?.name;
  return name === 'AsyncFunction';
}

function runScope<T>(enabled: boolean, fn: () => T, what: string): T {
  if (typeof fn !== 'function') throw new TypeError(`${what} expects a function, got ${typeof fn}`);
  if (!isAsyncFunction(fn)) return withGradMode(enabled, fn);
  // fn runs inside the async context `enabled`, so its continuations (after each await) carry that
  // mode; they run after this returns, by which time the context-switch hook is enabled.
  const prev = gradState.enabled;
  gradState.enabled = enabled;
  let result: T;
  try {
    result = scopeMode.run(enabled, fn);
  } finally {
    gradState.enabled = prev;
  }
  asyncScopeStarted();
  return Promise.resolve(result).then(
    (v) => { asyncScopeSettled(); return v; },
    (e: unknown) => { asyncScopeSettled(); throw e; },
  ) as unknown as T;
}

/**
 * Runs `fn` without recording gradients (torch.no_grad). For an `async` function the mode holds
 * across its awaits, and only there: code running concurrently keeps its own mode. (A plain
 * function that returns a promise is treated as sync: write it as an `async` function.)
 */
export function noGrad<T>(fn: () => T): T {
  return runScope(false, fn, 'noGrad');
}

/** Runs `fn` with gradient recording on, e.g. inside a `noGrad` scope (torch.enable_grad). */
export function enableGrad<T>(fn: () => T): T {
  return runScope(true, fn, 'enableGrad');
}

/**
 * Sets grad mode for the code that follows (torch.set_grad_enabled). Inside an async `noGrad` /
 * `enableGrad` scope it changes the mode of that scope only.
 */
export function setGradEnabled(enabled: boolean): void {
  if (typeof enabled !== 'boolean') throw new TypeError(`setGradEnabled expects a boolean, got ${typeof enabled}`);
  if (pendingAsyncScopes > 0 && scopeMode.getStore() !== undefined) scopeMode.enterWith(enabled);
  gradState.enabled = enabled;
}

/** Whether ops are currently recorded for backward. */
export function isGradEnabled(): boolean {
  return gradState.enabled;
}
