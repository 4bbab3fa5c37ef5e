import { Module } from './module.js';

function assertModule(m: unknown, where: string): asserts m is Module {
  if (!(m instanceof Module)) throw new TypeError(`${where}: expected a Module, got ${m === null ? 'null' : typeof m}`);
}

function normalizeIndex(i: number, length: number, where: string): number {
  if (!Number.isInteger(i)) throw new TypeError(`${where}: index must be an integer, got ${i}`);
  const j = i < 0 ? i + length : i;
  if (j < 0 || j >= length) throw new RangeError(`${where}: index ${i} is out of range for ${length} modules`);
  return j;
}

/**
 * Modules held under the names '0', '1', ... (the keys PyTorch uses, so state dicts match).
 * Integer-like own keys enumerate in ascending order, so declaration order is index order.
 */
abstract class IndexedModules extends Module {
  #length = 0;

  get length(): number {
    return this.#length;
  }

  protected setItems(items: readonly Module[], where: string): void {
    items.forEach((m, i) => assertModule(m, `${where}[${i}]`));
    for (let i = 0; i < this.#length; i++) delete (this as Record<string, unknown>)[String(i)];
    items.forEach((m, i) => this.registerModule(String(i), m));
    this.#length = items.length;
  }

  /** The module at index `i` (negative counts from the end). */
  at(i: number): Module {
    return (this as unknown as Record<string, Module>)[String(normalizeIndex(i, this.#length, `${this.constructor.name}.at`))]!;
  }

  toArray(): Module[] {
    return Array.from({ length: this.#length }, (_, i) => (this as unknown as Record<string, Module>)[String(i)]!);
  }

  [Symbol.iterator](): Iterator<Module> {
    return this.toArray()[Symbol.iterator]();
  }

  append(m: Module): this {
    assertModule(m, `${this.constructor.name}.append`);
    this.registerModule(String(this.#length), m);
    this.#length++;
    return this;
  }

  extend(ms: Iterable<Module>): this {
    for (const m of ms) this.append(m);
    return this;
  }

  insert(index: number, m: Module): this {
    const items = this.toArray();
    const j = index < 0 ? Math.max(0, index + items.length) : Math.min(index, items.length);
    items.splice(j, 0, m);
    this.setItems(items, `${this.constructor.name}.insert`);
    return this;
  }

  /** Removes and returns the module at `i`; later modules are renumbered, as in PyTorch. */
  pop(i = -1): Module {
    const items = this.toArray();
    const j = normalizeIndex(i, items.length, `${this.constructor.name}.pop`);
    const [removed] = items.splice(j, 1);
    this.setItems(items, `${this.constructor.name}.pop`);
    return removed!;
  }
}

/** Runs modules one after another, feeding each output to the next (torch.nn.Sequential). */
export class Sequential extends IndexedModules {
  constructor(...modules: Module[]) {
    super();
    this.setItems(modules, 'Sequential');
  }

  forward(input: unknown): any {
    // Indexed reads rather than toArray(): this runs on every step, and toArray builds an array
    // through String(i) lookups (about 1 µs for five modules).
    const items = this as unknown as Record<number, Module>;
    const n = this.length;
    let x = input;
    for (let i = 0; i < n; i++) x = items[i]!.call(x);
    return x;
  }
}

/** A list of submodules, registered so their parameters are found (torch.nn.ModuleList). */
export class ModuleList extends IndexedModules {
  constructor(modules: Iterable<Module> = []) {
    super();
    this.setItems([...modules], 'ModuleList');
  }

  forward(): never {
    throw new Error('ModuleList has no forward(): iterate over it and call its modules');
  }
}

/** Submodules by name, in insertion order (torch.nn.ModuleDict). */
export class ModuleDict extends Module {
  readonly #items = new Map<string, Module>();

  constructor(modules: Record<string, Module> | Iterable<[string, Module]> = {}) {
    super();
    const entries = Symbol.iterator in modules ? [...(modules as Iterable<[string, Module]>)] : Object.entries(modules);
    for (const [k, m] of entries) this.set(k, m);
  }

  protected override localEntries(): Iterable<[string, unknown]> {
    return [...super.localEntries(), ...this.#items];
  }

  get size(): number {
    return this.#items.size;
  }

  get(key: string): Module {
    const m = this.#items.get(key);
    if (m === undefined) throw new RangeError(`ModuleDict has no key ${JSON.stringify(key)}; keys: ${[...this.#items.keys()].map((k) => JSON.stringify(k)).join(', ')}`);
    return m;
  }

  set(key: string, m: Module): this {
    if (typeof key !== 'string' || key === '' || key.includes('.')) throw new RangeError(`ModuleDict key must be a non-empty string without ".", got ${JSON.stringify(key)}`);
    assertModule(m, `ModuleDict.set(${JSON.stringify(key)})`);
    this.#items.set(key, m);
    return this;
  }

  has(key: string): boolean {
    return this.#items.has(key);
  }

  delete(key: string): boolean {
    return this.#items.delete(key);
  }

  keys(): string[] {
    return [...this.#items.keys()];
  }

  values(): Module[] {
    return [...this.#items.values()];
  }

  entries(): [string, Module][] {
    return [...this.#items];
  }

  forward(): never {
    throw new Error('ModuleDict has no forward(): look up its modules with get(key)');
  }
}
