import { type Tensor, softmax, toTypedArray } from '@tsgrad/tensor';
import { noGrad } from '@tsgrad/autograd';
import type * as nn from '@tsgrad/nn';
import { framed, renderImage, sideBySide } from './ascii.js';
import { type FlagSpec, UsageError, flagBool, flagInt, flagString } from './cli.js';
import { loadCheckpoint } from './checkpoint.js';
import { applyBackend, describeBackend, runDemo } from './common.js';
import { type DigitData, loadDigitData } from './digits.js';
import { type InputLayout, gatherBatch } from './digits-task.js';
import { buildDigitModel, layoutOf } from './mnist.js';
import type { MnistConfig } from './mnist.js';
import { SequenceClassifier } from './models.js';
import type { RnnConfig } from './rnn.js';
import { type Io, formatPercent, paint, processIo, visibleLength } from './term.js';

export const PREDICT_FLAGS: FlagSpec[] = [
  { name: 'checkpoint', type: 'string', metavar: 'FILE', help: 'a checkpoint written by pnpm mnist --save or pnpm rnn --save (digits task)' },
  { name: 'count', type: 'int', min: 1, help: 'how many held-out digits to classify', defaultText: '8' },
  { name: 'start', type: 'int', min: 0, help: 'index of the first held-out digit shown', defaultText: '0' },
  { name: 'errors', type: 'bool', help: 'show only digits the model gets wrong' },
  { name: 'data', type: 'string', metavar: 'DIR', help: "IDX directory to take the held-out images from (default: the checkpoint's data)" },
  { name: 'backend', type: 'enum', choices: ['js', 'native'], help: 'compute backend (same as TSGRAD_BACKEND)' },
];

const USAGE = {
  command: 'pnpm predict',
  summary: 'Loads a checkpoint and classifies digits from the held-out set, drawing each one in the terminal\nwith the predicted label, its probability and the true label.',
  flags: PREDICT_FLAGS,
  examples: ['pnpm mnist --save runs/mlp.safetensors && pnpm predict --checkpoint runs/mlp.safetensors', 'pnpm predict --checkpoint runs/mlp.safetensors --count 12 --errors'],
};

/** `pnpm predict`: returns the process exit code (0 ok, 2 usage, 1 error). */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  return runDemo(argv, io, USAGE, async (flags) => {
    const file = flagString(flags, 'checkpoint');
    if (file === undefined) throw new UsageError('--checkpoint FILE is required');
    applyBackend(flags);
    const ckpt = loadCheckpoint(file);
    let model: nn.Module;
    let layout: InputLayout;
    let dataDir: string | null;
    let what: string;
    if (ckpt.meta.demo === 'mnist') {
      const c = ckpt.meta.config as unknown as MnistConfig;
      model = buildDigitModel(c.model);
      layout = layoutOf(c.model);
      dataDir = c.data;
      what = c.model;
    } else if (ckpt.meta.demo === 'rnn' && (ckpt.meta.config as unknown as RnnConfig).task === 'digits') {
      const c = ckpt.meta.config as unknown as RnnConfig;
      model = new SequenceClassifier(c.cell, 28, c.hidden, 10);
      layout = 'rows';
      dataDir = c.data;
      what = `${c.cell} ${c.hidden} (rows as a sequence)`;
    } else {
      throw new UsageError(`${file} is a character-level language model; predict classifies digits (continue it with pnpm rnn --resume ${file})`);
    }
    model.loadStateDict(ckpt.model);
    model.eval();
    const data: DigitData = loadDigitData(flagString(flags, 'data') ?? dataDir);
    const count = flagInt(flags, 'count', 8);
    const start = flagInt(flags, 'start', 0);
    const onlyErrors = flagBool(flags, 'errors');
    if (start >= data.test.count) throw new UsageError(`--start ${start} is past the ${data.test.count} held-out ${data.itemName}`);

    // Classify from `start` on, in chunks, until `count` digits are chosen.
    const chosen: { index: number; pred: number; prob: number; label: number }[] = [];
    noGrad(() => {
      for (let s = start; s < data.test.count && chosen.length < count; s += 200) {
        const e = Math.min(data.test.count, s + 200);
        const [x, y] = gatherBatch(data.test, null, s, e, layout);
        const probs = toTypedArray(softmax(model.forward(x) as Tensor, 1));
        const labels = toTypedArray(y);
        const k = data.classes.length;
        for (let i = 0; i < e - s && chosen.length < count; i++) {
          let best = 0;
          for (let j = 1; j < k; j++) if (probs[i * k + j]! > probs[i * k + best]!) best = j;
          const label = labels[i]!;
          if (onlyErrors && best === label) continue;
          chosen.push({ index: s + i, pred: best, prob: probs[i * k + best]!, label });
        }
      }
    });

    const out = io.out;
    out.write(`${paint(out, 'bold', `tsgrad · predict · ${what}`)}  ${paint(out, 'gray', `${file}, trained ${ckpt.meta.progress.epoch} epochs · backend ${describeBackend()}`)}\n\n`);
    if (chosen.length === 0) {
      out.write(onlyErrors ? `no misclassified ${data.itemName} from index ${start} on\n` : 'nothing to show\n');
      return 0;
    }
    const blocks = chosen.map((c) => {
      const px = data.test.images.subarray(c.index * 784, c.index * 784 + 784);
      const ok = c.pred === c.label;
      const caption1 = `#${c.index}  pred ${paint(out, 'bold', data.classes[c.pred]!)} ${paint(out, 'gray', formatPercent(c.prob, 1))}`;
      const caption2 = `${ok ? paint(out, 'green', '✓') : paint(out, 'red', '✗')} true ${data.classes[c.label]!}`;
      return [...framed(renderImage(px)), caption1, caption2];
    });
    const perRow = Math.max(1, Math.floor((out.columns + 2) / 33));
    for (let i = 0; i < blocks.length; i += perRow) {
      out.write(sideBySide(blocks.slice(i, i + perRow), 3, visibleLength).join('\n') + '\n\n');
    }
    const right = chosen.filter((c) => c.pred === c.label).length;
    out.write(`${right}/${chosen.length} correct (held-out ${data.itemName} ${chosen[0]!.index}..${chosen[chosen.length - 1]!.index} of ${data.test.count})\n`);
    return 0;
  });
}
