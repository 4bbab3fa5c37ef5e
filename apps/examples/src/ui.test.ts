import { describe, expect, it } from 'vitest';
import { tensor, toArray, Tensor } from '@tsgrad/tensor';
import { type FlagSpec, UsageError, formatUsage, parseFlags } from './cli.js';
import { captureIo, formatDuration, visibleLength } from './term.js';
import { ProgressBar, renderProgress } from './progress.js';
import { niceTicks, renderTrainingChart } from './chart.js';
import { ConfusionMatrix } from './confusion.js';
import { framed, renderImage, sideBySide } from './ascii.js';
import { Rng, epochPermutation, sampleIndex } from './rng.js';
import { joinTensors, splitTensors } from './state-tree.js';
import { StopRequest, onInterrupt } from './interrupt.js';

const specs: FlagSpec[] = [
  { name: 'epochs', type: 'int', min: 1, help: 'epochs' },
  { name: 'lr', type: 'float', min: 0, exclusiveMin: true, help: 'learning rate' },
  { name: 'optimizer', type: 'enum', choices: ['sgd', 'adam', 'adamw'], help: 'optimizer' },
  { name: 'save', type: 'string', metavar: 'FILE', help: 'checkpoint' },
  { name: 'quiet', type: 'bool', help: 'quiet' },
];

describe('parseFlags', () => {
  it('parses every flag type in both spellings', () => {
    const f = parseFlags(['--epochs', '3', '--lr=0.5', '--optimizer', 'adamw', '--save=a.safetensors', '--quiet'], specs);
    expect(f).toEqual({ epochs: 3, lr: 0.5, optimizer: 'adamw', save: 'a.safetensors', quiet: true });
    expect(parseFlags(['--no-quiet'], specs)).toEqual({ quiet: false });
    expect(parseFlags(['-h'], specs)).toEqual({ help: true });
  });

  it('rejects mistakes with a message naming the flag', () => {
    const bad: [string[], RegExp][] = [
      [['--epoch', '3'], /unknown flag --epoch \(did you mean --epochs\?\)/],
      [['--epochs', 'three'], /--epochs expects a number/],
      [['--epochs', '2.5'], /--epochs expects an integer/],
      [['--epochs', '0'], /--epochs must be at least 1/],
      [['--lr', '0'], /--lr must be greater than 0/],
      [['--optimizer', 'rmsprop'], /--optimizer must be one of sgd, adam, adamw/],
      [['--save'], /--save needs a value \(FILE\)/],
      [['--save', '--quiet'], /--save needs a value/],
      [['--epochs', '1', '--epochs', '2'], /given twice/],
      [['train'], /unexpected argument "train"/],
      [['--quiet=yes'], /is a switch/],
    ];
    for (const [argv, msg] of bad) {
      let err: unknown;
      try {
        parseFlags(argv, specs);
      } catch (e) {
        err = e;
      }
      expect(err, argv.join(' ')).toBeInstanceOf(UsageError);
      expect((err as UsageError).exitCode).toBe(2);
      expect((err as Error).message).toMatch(msg);
    }
  });

  it('formats a usage with aligned flags and defaults', () => {
    const u = formatUsage('pnpm demo', 'Trains things.', [{ ...specs[0]!, defaultText: '5' }, specs[2]!], ['pnpm demo --epochs 2']);
    expect(u).toContain('usage: pnpm demo [flags]');
    expect(u).toMatch(/--epochs N\s+epochs \(default: 5\)/);
    expect(u).toMatch(/--optimizer sgd\|adam\|adamw\s+optimizer/);
    expect(u).toContain('  pnpm demo --epochs 2');
  });
});

describe('progress bar', () => {
  it('renders the running metrics and fits the terminal width', () => {
    const io = captureIo({ columns: 120 });
    const line = renderProgress(io.out, { label: 'epoch 1/3', done: 50, total: 100, elapsedSeconds: 5, loss: 0.12345, accuracy: 0.9512, samplesPerSecond: 1280 });
    expect(line).toContain('epoch 1/3');
    expect(line).toContain(' 50/100');
    expect(line).toContain('ETA 5.0s');
    expect(line).toContain('loss 0.1235');
    expect(line).toContain('acc 95.12%');
    expect(line).toContain('1,280 samples/s');
    expect(line).toContain('━'.repeat(10));
    expect(visibleLength(line)).toBeLessThanOrEqual(120);
  });

  it('redraws in place on a terminal, writes only the final line elsewhere', () => {
    let t = 0;
    const tty = captureIo({ isTTY: true, color: true });
    const bar = new ProgressBar(tty.out, true, () => t);
    bar.update({ label: 'e', done: 1, total: 4, elapsedSeconds: 1 });
    t = 10; // throttled: too soon after the last draw
    bar.update({ label: 'e', done: 2, total: 4, elapsedSeconds: 1 });
    t = 200;
    bar.update({ label: 'e', done: 3, total: 4, elapsedSeconds: 1 });
    bar.finish({ label: 'e', done: 4, total: 4, elapsedSeconds: 2 });
    expect(tty.stdout().split('\r\x1b[K').length - 1).toBe(3);
    expect(tty.stdout()).toContain('\x1b[');
    expect(tty.stdout().endsWith('\n')).toBe(true);

    const pipe = captureIo();
    const bar2 = new ProgressBar(pipe.out, true);
    bar2.update({ label: 'e', done: 1, total: 4, elapsedSeconds: 1 });
    expect(pipe.stdout()).toBe('');
    bar2.finish({ label: 'e', done: 4, total: 4, elapsedSeconds: 2, loss: 1 });
    expect(pipe.stdout()).toMatch(/^e ━+ 4\/4 2\.0s\s+loss 1\.0000\n$/);
    expect(pipe.stdout()).not.toContain('\x1b');
  });

  it('formats durations', () => {
    expect(formatDuration(3.21)).toBe('3.2s');
    expect(formatDuration(42.4)).toBe('42s');
    expect(formatDuration(185)).toBe('3m05s');
    expect(formatDuration(3725)).toBe('1h02m');
  });
});

describe('chart', () => {
  it('picks round ticks covering the range', () => {
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0.13, 2.31, 5)).toEqual([0, 0.5, 1, 1.5, 2, 2.5]);
    expect(niceTicks(3, 3, 4).length).toBeGreaterThan(1);
  });

  it('draws one polyline per series with one point per value', () => {
    const svg = renderTrainingChart(
      {
        steps: [{ epoch: 0.5, loss: 2 }, { epoch: 1, loss: 1 }, { epoch: 1.5, loss: 0.6 }, { epoch: 2, loss: 0.5 }],
        epochs: [
          { epoch: 1, trainLoss: 1.4, trainAccuracy: 0.6, testLoss: 0.9, testAccuracy: 0.7 },
          { epoch: 2, trainLoss: 0.55, trainAccuracy: 0.85, testLoss: 0.5, testAccuracy: 0.88 },
        ],
      },
      'MNIST <mlp> & friends',
    );
    expect(svg.startsWith('<?xml')).toBe(true);
    expect(svg).toContain('<svg xmlns="http://www.w3.org/2000/svg"');
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('MNIST &lt;mlp&gt; &amp; friends');
    const series = [...svg.matchAll(/data-series="([^"]+)" points="([^"]+)"/g)].map((m) => [m[1], m[2]!.split(' ').length]);
    expect(series).toEqual([
      ['train (per step)', 4],
      ['train (epoch)', 2],
      ['test', 2],
      ['train', 2],
      ['test', 2],
    ]);
    // Every coordinate is a finite number inside the drawing.
    for (const m of svg.matchAll(/points="([^"]+)"/g)) {
      for (const xy of m[1]!.split(' ')) {
        const [x, y] = xy.split(',').map(Number);
        expect(Number.isFinite(x) && Number.isFinite(y)).toBe(true);
        expect(x).toBeGreaterThanOrEqual(0);
        expect(y).toBeGreaterThanOrEqual(0);
      }
    }
  });

  it('omits the accuracy panel when there is no accuracy', () => {
    const svg = renderTrainingChart({ steps: [{ epoch: 0.5, loss: 3 }], epochs: [{ epoch: 1, trainLoss: 2.5 }] }, 'chars');
    expect(svg).not.toContain('>Accuracy<');
    expect(svg).toContain('>Loss<');
  });
});

describe('confusion matrix', () => {
  it('counts, scores and renders', () => {
    const cm = new ConfusionMatrix(['0', '1', '2']);
    cm.add([0, 0, 1, 1, 1, 2, 2, 2], [0, 1, 1, 1, 2, 2, 0, 0]);
    expect(cm.counts).toEqual([[1, 1, 0], [0, 2, 1], [2, 0, 1]]);
    expect(cm.accuracy()).toBeCloseTo(4 / 8);
    expect(cm.recall()).toEqual([0.5, 2 / 3, 1 / 3]);
    expect(cm.topConfusions(2)).toEqual([[2, 0, 2], [0, 1, 1]]);
    const text = cm.render(captureIo().out);
    const rows = text.split('\n');
    expect(rows.find((r) => r.startsWith('2 '))).toMatch(/^2\s+│\s+2\s+0\s+1 │\s+33\.3%$/);
    expect(text).toContain('most confused: 2 → 0 (2), 0 → 1 (1), 1 → 2 (1)');
    expect(() => cm.add([3], [0])).toThrow(RangeError);
  });
});

describe('ascii digits', () => {
  it('maps intensity to characters, two pixel rows per line', () => {
    const px = new Float32Array(28 * 28);
    for (let y = 4; y < 24; y++) px[y * 28 + 14] = 1; // a vertical stroke
    const lines = renderImage(px);
    expect(lines.length).toBe(14);
    expect(lines.every((l) => l.length === 28)).toBe(true);
    expect(lines[0]).toBe(' '.repeat(28));
    expect(lines[5]![14]).toBe('@');
    expect(lines[5]!.replace('@', '').trim()).toBe('');
    expect(() => renderImage(new Float32Array(10))).toThrow(/10 pixels/);
  });

  it('lays blocks side by side', () => {
    expect(sideBySide([['ab', 'c'], ['x']], 1)).toEqual(['ab x', 'c']);
    expect(framed(['ab'])).toEqual(['┌──┐', '│ab│', '└──┘']);
  });
});

describe('rng', () => {
  it('is deterministic per (seed, epoch) and gives permutations', () => {
    const a = epochPermutation(100, 7, 1);
    expect([...a].sort((x, y) => x - y)).toEqual([...Array(100).keys()]);
    expect([...epochPermutation(100, 7, 1)]).toEqual([...a]);
    expect([...epochPermutation(100, 7, 2)]).not.toEqual([...a]);
    expect([...epochPermutation(100, 8, 1)]).not.toEqual([...a]);
  });

  it('samples in proportion to weights', () => {
    const rng = new Rng(1);
    const counts = [0, 0, 0];
    for (let i = 0; i < 3000; i++) counts[sampleIndex([1, 0, 3], rng)]!++;
    expect(counts[1]).toBe(0);
    expect(counts[2]! / counts[0]!).toBeGreaterThan(2.5);
    expect(counts[2]! / counts[0]!).toBeLessThan(3.5);
  });
});

describe('state tree', () => {
  it('round-trips nested optimizer state with tensors, Maps and infinities', () => {
    const m = tensor([1, 2, 3], { dtype: 'float32' });
    const state = { state: new Map([[0, { step: 3, expAvg: m }]]), paramGroups: [{ lr: 0.001, betas: [0.9, 0.999], best: Infinity, params: [0] }] };
    const { skeleton, tensors } = splitTensors(state, 'optim');
    expect([...tensors.keys()]).toEqual(['optim.state.0.expAvg']);
    const json = JSON.parse(JSON.stringify(skeleton));
    const back = joinTensors(json, (n) => tensors.get(n)) as typeof state;
    expect(back.state).toBeInstanceOf(Map);
    const entry = back.state.get(0)!;
    expect(entry.step).toBe(3);
    expect(entry.expAvg).toBeInstanceOf(Tensor);
    expect(toArray(entry.expAvg)).toEqual([1, 2, 3]);
    expect(back.paramGroups[0]).toEqual({ lr: 0.001, betas: [0.9, 0.999], best: Infinity, params: [0] });
    expect(() => joinTensors(json, () => undefined)).toThrow(/missing tensor "optim.state.0.expAvg"/);
  });
});

describe('interrupt', () => {
  it('first SIGINT requests a stop, the second exits with 130', () => {
    const stop = new StopRequest();
    const messages: string[] = [];
    const exits: number[] = [];
    const remove = onInterrupt(stop, (m) => messages.push(m), (c) => exits.push(c));
    try {
      process.emit('SIGINT', 'SIGINT');
      expect(stop.requested).toBe(true);
      expect(exits).toEqual([]);
      process.emit('SIGINT', 'SIGINT');
      expect(exits).toEqual([130]);
      expect(messages[0]).toMatch(/stopping after the current batch/);
    } finally {
      remove();
    }
    expect(process.listenerCount('SIGINT')).toBe(0);
  });
});

describe('augmentation, schedule, vocabulary', () => {
  it('shifts an image, filling with zeros', async () => {
    const { shiftImage } = await import('./digits-task.js');
    const src = new Float32Array(784);
    src[10 * 28 + 10] = 1;
    src[0] = 0.5;
    const out = new Float32Array(784 + 5).fill(7);
    shiftImage(src, 2, -1, out, 5);
    const lit = [...out.subarray(5)].flatMap((v, i) => (v !== 0 ? [[i, v]] : []));
    expect(lit).toEqual([[9 * 28 + 12, 1]]); // (10,10) moved right 2 and up 1; (0,0) fell off the top
    expect([...out.subarray(0, 5)]).toEqual([7, 7, 7, 7, 7]);
  });

  it('decays the learning rate along a cosine to the floor', async () => {
    const { cosineSchedule } = await import('./session.js');
    const lr = cosineSchedule(0.1, 100, 0.02);
    expect(lr(0)).toBeCloseTo(0.1);
    expect(lr(50)).toBeCloseTo(0.1 * (0.02 + 0.98 * 0.5));
    expect(lr(100)).toBeCloseTo(0.002);
    expect(lr(150)).toBeCloseTo(0.002);
    expect(lr(30)).toBeGreaterThan(lr(31));
  });

  it('encodes and decodes text, mapping unknown characters to the first one', async () => {
    const { Vocabulary } = await import('./chars.js');
    const v = Vocabulary.fromText('hello → world');
    expect(v.chars).toEqual([' ', 'd', 'e', 'h', 'l', 'o', 'r', 'w', '→']);
    expect(v.decode(v.encode('hello → world'))).toBe('hello → world');
    expect(v.decode(v.encode('hex'))).toBe('he ');
  });
});
