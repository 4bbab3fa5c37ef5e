/**
 * A small, strict command-line parser for the demos: every flag is declared with its type, so a
 * typo, a missing value or an out-of-range number is reported by name (exit code 2 with the usage)
 * instead of being silently ignored.
 */

export type FlagType = 'int' | 'float' | 'string' | 'bool' | 'enum';

export interface FlagSpec {
  /** Long name without dashes, e.g. `batch-size`. */
  readonly name: string;
  readonly type: FlagType;
  readonly help: string;
  /** Placeholder shown in the usage (`--save FILE`). */
  readonly metavar?: string;
  readonly choices?: readonly string[];
  /** Smallest allowed value for int/float flags. */
  readonly min?: number;
  /** Whether `min` itself is excluded (a learning rate must be > 0). */
  readonly exclusiveMin?: boolean;
  /** Shown in the usage; the parser does not fill defaults (the demos decide them per model). */
  readonly defaultText?: string;
}

export type FlagValue = string | number | boolean;
export type ParsedFlags = Record<string, FlagValue | undefined>;

/** A command-line mistake: the caller prints the message and the usage, then exits with code 2. */
export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

function parseNumber(spec: FlagSpec, raw: string): number {
  const trimmed = raw.trim();
  const n = trimmed === '' ? NaN : Number(trimmed);
  if (!Number.isFinite(n)) throw new UsageError(`--${spec.name} expects a number, got ${JSON.stringify(raw)}`);
  if (spec.type === 'int' && !Number.isInteger(n)) throw new UsageError(`--${spec.name} expects an integer, got ${JSON.stringify(raw)}`);
  if (spec.min !== undefined && (spec.exclusiveMin ? n <= spec.min : n < spec.min)) {
    throw new UsageError(`--${spec.name} must be ${spec.exclusiveMin ? 'greater than' : 'at least'} ${spec.min}, got ${raw}`);
  }
  return n;
}

function closest(name: string, names: readonly string[]): string | undefined {
  // Levenshtein distance, to suggest `--epochs` for `--epoch`.
  const dist = (a: string, b: string): number => {
    const row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      let prev = row[0]!;
      row[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const cur = row[j]!;
        row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
        prev = cur;
      }
    }
    return row[b.length]!;
  };
  let best: string | undefined;
  let bestD = Infinity;
  for (const n of names) {
    const d = dist(name, n);
    if (d < bestD) { best = n; bestD = d; }
  }
  return bestD <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

/**
 * Parses `--name value`, `--name=value` and boolean `--name` / `--no-name`. `-h`/`--help` sets
 * `help`. Positional arguments are refused (the demos take none).
 */
export function parseFlags(argv: readonly string[], specs: readonly FlagSpec[]): ParsedFlags {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const out: ParsedFlags = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h' || arg === '--help') {
      out['help'] = true;
      continue;
    }
    if (!arg.startsWith('--') || arg === '--') {
      throw new UsageError(`unexpected argument ${JSON.stringify(arg)} (flags start with --)`);
    }
    const eq = arg.indexOf('=');
    let name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    let inline: string | undefined = eq >= 0 ? arg.slice(eq + 1) : undefined;
    let spec = byName.get(name);
    if (spec === undefined && name.startsWith('no-') && byName.get(name.slice(3))?.type === 'bool' && inline === undefined) {
      name = name.slice(3);
      spec = byName.get(name)!;
      inline = 'false';
    }
    if (spec === undefined) {
      const hint = closest(name, [...byName.keys()]);
      throw new UsageError(`unknown flag --${name}${hint !== undefined ? ` (did you mean --${hint}?)` : ''}`);
    }
    if (out[spec.name] !== undefined) throw new UsageError(`--${spec.name} is given twice`);
    if (spec.type === 'bool') {
      if (inline === undefined || inline === 'true') out[spec.name] = true;
      else if (inline === 'false') out[spec.name] = false;
      else throw new UsageError(`--${spec.name} is a switch: use --${spec.name} or --no-${spec.name}, not ${JSON.stringify(arg)}`);
      continue;
    }
    let raw = inline;
    if (raw === undefined) {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('--') && next.length > 2)) {
        throw new UsageError(`--${spec.name} needs a value${spec.metavar !== undefined ? ` (${spec.metavar})` : ''}`);
      }
      raw = next;
      i++;
    }
    switch (spec.type) {
      case 'int':
      case 'float':
        out[spec.name] = parseNumber(spec, raw);
        break;
      case 'enum':
        if (!spec.choices!.includes(raw)) {
          throw new UsageError(`--${spec.name} must be one of ${spec.choices!.join(', ')}; got ${JSON.stringify(raw)}`);
        }
        out[spec.name] = raw;
        break;
      case 'string':
        if (raw === '') throw new UsageError(`--${spec.name} needs a non-empty value`);
        out[spec.name] = raw;
        break;
    }
  }
  return out;
}

/** The usage text: a synopsis line, then one aligned line per flag with its default. */
export function formatUsage(command: string, summary: string, specs: readonly FlagSpec[], examples: readonly string[] = []): string {
  const left = specs.map((s) => {
    const value = s.type === 'bool' ? '' : ` ${s.metavar ?? (s.type === 'enum' ? s.choices!.join('|') : s.type === 'int' ? 'N' : s.type === 'float' ? 'X' : 'VALUE')}`;
    return `  --${s.name}${value}`;
  });
  const width = Math.max(...left.map((l) => l.length)) + 2;
  const lines = [`usage: ${command} [flags]`, '', summary, '', 'flags:'];
  specs.forEach((s, i) => {
    const dflt = s.defaultText !== undefined ? ` (default: ${s.defaultText})` : '';
    lines.push(`${left[i]!.padEnd(width)}${s.help}${dflt}`);
  });
  lines.push(`${'  -h, --help'.padEnd(width)}show this help`);
  if (examples.length > 0) lines.push('', 'examples:', ...examples.map((e) => `  ${e}`));
  return lines.join('\n') + '\n';
}

// Typed accessors: the demos read flags through these so a wrong type is a programming error.
export function flagInt(f: ParsedFlags, name: string, fallback: number): number {
  const v = f[name];
  return typeof v === 'number' ? v : fallback;
}
export function flagFloat(f: ParsedFlags, name: string, fallback: number): number {
  const v = f[name];
  return typeof v === 'number' ? v : fallback;
}
export function flagString(f: ParsedFlags, name: string): string | undefined {
  const v = f[name];
  return typeof v === 'string' ? v : undefined;
}
export function flagBool(f: ParsedFlags, name: string): boolean {
  return f[name] === true;
}
