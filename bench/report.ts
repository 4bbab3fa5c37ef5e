/** Renders a bench report (run.ts) as a markdown table of figures, ratios tsgrad/PyTorch and targets. */
interface Summary { median: number; min: number; max: number; n: number }
type Side = 'tsgrad-native' | 'tsgrad-js' | 'pytorch';
interface Report { machine: Record<string, unknown>; results: Record<string, Record<string, unknown[]>> }

interface Row {
  figure: string;
  unit: string;
  values: Partial<Record<Side | 'numpy', number>>;
  spread: Partial<Record<Side | 'numpy', string>>;
  /** Which ratio the targets are stated on: "lower" (time) or "higher" (throughput) is better. */
  better: 'lower' | 'higher';
  target?: { native?: number; js?: number; absoluteJs?: number; absoluteNative?: number; against?: 'numpy' | 'pytorch' };
}

const nth = (x: unknown[] | undefined, k: number): Record<string, unknown> | undefined => (x?.[k] as Record<string, unknown> | undefined);
const isErr = (x: unknown) => x !== undefined && typeof x === 'object' && x !== null && 'error' in x;
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2; };
/** Seconds per epoch: median of the epochs after the first (the first includes JIT warm-up) when there are several. */
const epochSeconds = (r: Record<string, unknown>) => { const e = r['epochSeconds'] as number[]; return median(e.length > 1 ? e.slice(1) : e); };
const fmt = (v: number | undefined, digits = 3) => (v === undefined || !Number.isFinite(v) ? '–' : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toPrecision(digits));

/**
 * The rows of a run. With several rounds (`--rounds N`) each figure is the median of the rounds'
 * figures, and its small print the range over the rounds (for RSS and accuracy, round 1's
 * per-epoch and per-seed detail stays), so one noisy round cannot decide a ratio.
 */
function rows(report: Report): Row[] {
  const rounds = Math.max(1, ...Object.values(report.results).flatMap((bySide) => Object.values(bySide).map((runs) => runs.length)));
  const per = Array.from({ length: rounds }, (_, k) => rowsOfRound(report, k));
  if (rounds === 1) return per[0]!;
  return per[0]!.map((row) => {
    const merged: Row = { ...row, values: {}, spread: { ...row.spread } };
    for (const s of ['tsgrad-native', 'tsgrad-js', 'pytorch', 'numpy'] as const) {
      const vs = per.map((p) => p.find((r) => r.figure === row.figure)?.values[s]).filter((v): v is number => v !== undefined);
      if (vs.length === 0) continue;
      merged.values[s] = median(vs);
      if (row.unit !== 'MB' && row.unit !== '%') merged.spread[s] = `${vs.length} rounds ${fmt(Math.min(...vs))}–${fmt(Math.max(...vs))}`;
    }
    return merged;
  });
}

function rowsOfRound(report: Report, round: number): Row[] {
  const out: Row[] = [];
  const R = report.results;
  const sides: Side[] = ['tsgrad-native', 'tsgrad-js', 'pytorch'];
  const get = (w: string, side: string) => { const r = nth(R[w]?.[side], round); return r && !isErr(r) ? r : undefined; };

  if (R['w1']) {
    const torchRes = get('w1', 'pytorch') as Record<string, { torch: Summary; numpy: Summary }> | undefined;
    const ns = new Set<string>();
    for (const s of sides) for (const k of Object.keys(get('w1', s) ?? {})) ns.add(k);
    // Keys are sizes ("256") or "<size> reused output" (the product into one output buffer reused
    // every call, without a target: it shows what the kernel does apart from output allocation).
    for (const n of [...ns].sort((a, b) => parseInt(a) - parseInt(b) || a.length - b.length)) {
      const size = parseInt(n), reused = n.includes('reused');
      const gf = (t: number) => (2 * size ** 3) / t / 1e9;
      const row: Row = { figure: `W1 GEMM n=${n}`, unit: 'GFLOPS', values: {}, spread: {}, better: 'higher',
        target: size >= 256 && !reused ? { native: 0.95, against: 'numpy', ...(size === 512 ? { absoluteJs: 5 } : {}) } : undefined };
      for (const s of ['tsgrad-native', 'tsgrad-js'] as const) {
        const r = (get('w1', s) as Record<string, { tsgrad: Summary }> | undefined)?.[n];
        if (r) { row.values[s] = gf(r.tsgrad.median); row.spread[s] = `${fmt(gf(r.tsgrad.max))}–${fmt(gf(r.tsgrad.min))}`; }
      }
      if (torchRes?.[n]) {
        row.values.pytorch = gf(torchRes[n]!.torch.median);
        row.values.numpy = gf(torchRes[n]!.numpy.median);
      }
      out.push(row);
    }
  }
  if (R['w2']) {
    for (const c of ['a', 'b'] as const) {
      for (const k of ['fwd', 'fwdbwd'] as const) {
        const row: Row = { figure: `W2${c} ${k === 'fwd' ? 'forward' : 'forward+backward'}`, unit: 'ms', values: {}, spread: {}, better: 'lower',
          target: k === 'fwdbwd' ? { native: 1.0 } : undefined };
        for (const s of sides) {
          const r = (get('w2', s) as Record<string, Record<string, Summary>> | undefined)?.[c]?.[k];
          if (r) { row.values[s] = r.median * 1e3; row.spread[s] = `${fmt(r.min * 1e3)}–${fmt(r.max * 1e3)}`; }
        }
        out.push(row);
      }
    }
  }
  const training: [string, string, Row['target']][] = [
    ['w3', 'W3 MLP epoch', { native: 0.7, absoluteJs: 1.1 }],
    ['w4', 'W4 CNN epoch', { native: 0.8, absoluteJs: 60 }],
    ['w5rnn', 'W5 RNN epoch', { native: 0.7 }],
    ['w5lstm', 'W5 LSTM epoch', { native: 0.7 }],
  ];
  for (const [w, label, target] of training) {
    if (!R[w]) continue;
    const model = label.split(' epoch')[0];
    const time: Row = { figure: label, unit: 's', values: {}, spread: {}, better: 'lower', target };
    const acc: Row = { figure: `${model} test accuracy`, unit: '%', values: {}, spread: {}, better: 'higher' };
    const rss: Row = { figure: `${model} peak RSS`, unit: 'MB', values: {}, spread: {}, better: 'lower' };
    const gc: Row = { figure: `${model} time in GC pauses`, unit: '% of epoch', values: {}, spread: {}, better: 'lower' };
    for (const s of sides) {
      const r = get(w, s);
      if (!r) continue;
      time.values[s] = epochSeconds(r);
      const e = r['epochSeconds'] as number[];
      time.spread[s] = `${fmt(Math.min(...e))}–${fmt(Math.max(...e))}`;
      acc.values[s] = 100 * (r['testAccuracy'] as number);
      // Over several seeds (see models.ts overSeeds) the value is the mean; show the range and count.
      const accs = r['testAccuracies'] as number[] | undefined;
      if (accs) acc.spread[s] = `${fmt(100 * Math.min(...accs))}–${fmt(100 * Math.max(...accs))}, ${accs.length} seeds`;
      rss.values[s] = r['peakRssMB'] as number;
      const per = r['rssAfterEpochMB'] as number[];
      rss.spread[s] = per.map((v) => v.toFixed(0)).join('/');
      // tsgrad only (PyTorch frees by reference counting): the share of each epoch spent in V8's
      // GC pauses, as the epoch time, the median of the epochs after the first; small print: ms per epoch.
      const gcMs = r['gcMsPerEpoch'] as number[] | undefined;
      if (gcMs) {
        const shares = gcMs.map((ms, i) => (100 * ms) / (1000 * e[i]!));
        gc.values[s] = median(shares.length > 1 ? shares.slice(1) : shares);
        gc.spread[s] = `${gcMs.map((v) => v.toFixed(0)).join('/')} ms`;
      }
    }
    out.push(time, acc, rss);
    if (Object.keys(gc.values).length > 0) out.push(gc);
  }
  if (R['w6']) {
    const defs: [string, string, string, Row['target']][] = [
      ['addUs', 'W6 add [10,10]', 'µs', { absoluteNative: 0.5, absoluteJs: 0.5 }],
      ['addGradUs', 'W6 add [10,10] requiresGrad', 'µs', undefined],
      ['mlpForwardUs', 'W6 MLP forward, batch 1', 'µs', undefined],
      ['trainStepMs', 'W6 MLP train step, batch 64', 'ms', { native: 0.7 }],
    ];
    for (const [key, label, unit, target] of defs) {
      const row: Row = { figure: label, unit, values: {}, spread: {}, better: 'lower', target };
      for (const s of sides) {
        const r = (get('w6', s) as Record<string, Summary> | undefined)?.[key];
        if (r) { row.values[s] = r.median; row.spread[s] = `${fmt(r.min)}–${fmt(r.max)}`; }
      }
      out.push(row);
    }
  }
  return out;
}

function verdict(row: Row, side: 'tsgrad-native' | 'tsgrad-js'): string {
  const v = row.values[side];
  if (v === undefined || row.target === undefined) return '';
  const t = row.target;
  const ref = t.against === 'numpy' ? row.values.numpy : row.values.pytorch;
  const parts: string[] = [];
  const ratioTarget = side === 'tsgrad-native' ? t.native : t.js;
  if (ratioTarget !== undefined && ref !== undefined) {
    const ratio = v / ref;
    const ok = row.better === 'lower' ? ratio <= ratioTarget : ratio >= ratioTarget;
    parts.push(`${ratio.toFixed(2)} (${row.better === 'lower' ? '≤' : '≥'}${ratioTarget}) ${ok ? '✓' : '✗'}`);
  }
  const abs = side === 'tsgrad-native' ? t.absoluteNative : t.absoluteJs;
  if (abs !== undefined) {
    const ok = row.better === 'lower' ? v <= abs : v >= abs;
    parts.push(`${row.better === 'lower' ? '≤' : '≥'}${abs} ${row.unit} ${ok ? '✓' : '✗'}`);
  }
  return parts.join('; ');
}

export function renderMarkdown(report: Report): string {
  const m = report.machine;
  const lines = [
    `### tsgrad vs PyTorch — ${String(m['date']).slice(0, 10)}`,
    '',
    `${m['cpu']} · ${m['cores']} cores · ${m['memGiB']} GiB · Node ${m['node']} · ${m['threads']} threads · git ${m['gitRev']}${Array.isArray(m['loadAvg']) ? ` · load average ${(m['loadAvg'] as number[]).join(' / ')}` : ''}`,
    `PyTorch: ${JSON.stringify(m['torch'])}`,
    `tsgrad: ${JSON.stringify(m['tsgrad'])}`,
    ...(m['nodeFlags'] ? [`Node flags of the tsgrad workers: ${JSON.stringify(m['nodeFlags'])}`] : []),
    '',
    '| figure | unit | tsgrad native | tsgrad js | PyTorch | numpy | native vs target | js vs target |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows(report)) {
    const cell = (s: Side | 'numpy') => (r.values[s] === undefined ? '–' : `${fmt(r.values[s])}${r.spread[s] ? ` <sub>${r.spread[s]}</sub>` : ''}`);
    lines.push(`| ${r.figure} | ${r.unit} | ${cell('tsgrad-native')} | ${cell('tsgrad-js')} | ${cell('pytorch')} | ${cell('numpy')} | ${verdict(r, 'tsgrad-native')} | ${verdict(r, 'tsgrad-js')} |`);
  }
  lines.push('', 'Medians; small print is the spread (min–max; for RSS, the RSS after each epoch; a test accuracy with seeds is their mean). Ratios are tsgrad/PyTorch (W1: tsgrad/numpy GFLOPS). With several rounds (alternating sides), a figure is the median of the rounds and its small print their range.');
  return lines.join('\n') + '\n';
}
