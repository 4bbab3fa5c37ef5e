/**
 * End-to-end runs of the demos on small slices (a few batches), in-process through their exported
 * `main(argv, io)`, under whichever backend TSGRAD_BACKEND selects: each trains, writes its
 * checkpoint and SVG chart, and resumes from the checkpoint. One test spawns the real CLI and
 * sends it SIGINT.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { assertClose, getBackend, setBackend, type BackendName } from '@tsgrad/tensor';
import { loadCheckpoint } from './checkpoint.js';
import { main as mnist } from './mnist.js';
import { main as rnn } from './rnn.js';
import { main as predict } from './predict.js';
import { captureIo } from './term.js';

const dir = mkdtempSync(join(tmpdir(), 'tsgrad-examples-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// The demos' --backend flag changes the process-wide backend: pass the one under test explicitly.
const backend = getBackend().name as BackendName;
afterAll(() => setBackend(backend));
const here = dirname(fileURLToPath(import.meta.url));
const f = (name: string) => join(dir, name);

async function run(fn: typeof mnist, argv: string[], ctx: { stopAfterBatches?: number } = {}) {
  const io = captureIo({ columns: 120 });
  const code = await fn([...argv, '--backend', backend], io, ctx);
  return { code, out: io.stdout(), err: io.stderr() };
}

describe('mnist', () => {
  it('trains the mlp, writes checkpoint + chart + confusion matrix, and resumes', async () => {
    const ck = f('mlp.safetensors');
    const a = await run(mnist, ['--epochs', '2', '--limit-batches', '4', '--batch-size', '32', '--save', ck]);
    expect(a.err).toBe('');
    expect(a.code).toBe(0);
    expect(a.out).toContain(`backend`);
    expect(a.out).toMatch(/109,386 trainable parameters/);
    expect(a.out).toMatch(/epoch 1\/2 ━+ 4\/4 .*loss \d\.\d{4}\s+acc \d+\.\d\d%.*samples\/s/);
    expect(a.out).toMatch(/test loss \d\.\d{4}\s+acc/);
    expect(a.out).toContain('confusion matrix');
    expect(a.out).toMatch(/done: test accuracy \d+\.\d\d% \(\d+\/128\)/);
    expect(existsSync(ck)).toBe(true);
    const svg = readFileSync(f('mlp.svg'), 'utf8');
    expect(svg).toContain('<svg');
    expect(svg).toContain('>Accuracy<');

    const saved = loadCheckpoint(ck);
    expect(saved.meta.demo).toBe('mnist');
    expect(saved.meta.progress).toMatchObject({ epoch: 2, batch: 0, step: 8 });
    expect(saved.meta.history.epochs.length).toBe(2);
    expect(Object.keys(saved.model).sort()).toEqual(['0.bias', '0.weight', '2.bias', '2.weight', '4.bias', '4.weight']);

    const b = await run(mnist, ['--resume', ck, '--epochs', '3', '--limit-batches', '4', '--save', ck]);
    expect(b.err).toBe('');
    expect(b.code).toBe(0);
    expect(b.out).toContain('resumed');
    expect(b.out).toMatch(/epoch 3\/3/);
    expect(b.out).not.toMatch(/epoch 1\/3/);
    const again = loadCheckpoint(ck);
    expect(again.meta.progress).toMatchObject({ epoch: 3, step: 12 });
    expect(again.meta.history.epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
  });

  it('an interrupted run resumed from its checkpoint ends with the same weights as an uninterrupted one', async () => {
    const argv = ['--epochs', '2', '--limit-batches', '3', '--batch-size', '16', '--optimizer', 'sgd', '--seed', '5'];
    const whole = await run(mnist, [...argv, '--save', f('whole.safetensors'), '--quiet']);
    expect(whole.code).toBe(0);
    expect(whole.out).toMatch(/^done: test accuracy/);
    const cut = await run(mnist, [...argv, '--save', f('cut.safetensors'), '--quiet'], { stopAfterBatches: 4 });
    expect(cut.code).toBe(130);
    expect(loadCheckpoint(f('cut.safetensors')).meta.progress).toMatchObject({ epoch: 1, batch: 1, step: 4 });
    const rest = await run(mnist, ['--resume', f('cut.safetensors'), '--save', f('cut.safetensors'), '--limit-batches', '3', '--quiet']);
    expect(rest.code).toBe(0);
    const x = loadCheckpoint(f('whole.safetensors'));
    const y = loadCheckpoint(f('cut.safetensors'));
    expect(y.meta.progress).toMatchObject({ epoch: 2, batch: 0, step: 6 });
    for (const k of Object.keys(x.model)) assertClose(y.model[k]!, x.model[k]!, { rtol: 1e-5, atol: 1e-6 });
    expect(y.meta.history.epochs[1]!.trainLoss).toBeCloseTo(x.meta.history.epochs[1]!.trainLoss, 4);
  });

  it('trains the cnn a few batches and resumes', async () => {
    const ck = f('cnn.safetensors');
    const a = await run(mnist, ['--model', 'cnn', '--epochs', '1', '--limit-batches', '2', '--batch-size', '16', '--save', ck]);
    expect(a.err).toBe('');
    expect(a.code).toBe(0);
    expect(a.out).toContain('Conv2d');
    expect(existsSync(f('cnn.svg'))).toBe(true);
    const b = await run(mnist, ['--resume', ck, '--epochs', '2', '--limit-batches', '2', '--save', ck, '--quiet']);
    expect(b.code).toBe(0);
    expect(loadCheckpoint(ck).meta.progress).toMatchObject({ epoch: 2, step: 4 });
  });

  it('refuses bad flags and missing data with the usage and exit code 2', async () => {
    const bad = await run(mnist, ['--modle', 'cnn']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/unknown flag --modle \(did you mean --model\?\)/);
    expect(bad.err).toContain('usage: pnpm mnist [flags]');
    const missing = await run(mnist, ['--data', f('no-such-dir')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('no-such-dir');
    expect(missing.err).toContain('usage: pnpm mnist');
    const noCkpt = await run(mnist, ['--resume', f('nothing.safetensors')]);
    expect(noCkpt.code).toBe(2);
    expect(noCkpt.err).toMatch(/does not exist/);
    const conflict = await run(mnist, ['--resume', f('mlp.safetensors'), '--model', 'cnn']);
    expect(conflict.code).toBe(2);
    expect(conflict.err).toMatch(/--model cnn differs from the checkpoint's mlp/);
  });
});

describe('predict', () => {
  it('draws held-out digits with predicted and true labels', async () => {
    const r = await run(predict, ['--checkpoint', f('mlp.safetensors'), '--count', '3']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out.match(/pred \d \d+\.\d%/g)?.length).toBe(3);
    expect(r.out.match(/[✓✗] true \d/g)?.length).toBe(3);
    expect(r.out).toContain('┌────────────────────────────┐');
    expect(r.out).toMatch(/\d\/3 correct/);
    const none = await run(predict, []);
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/--checkpoint FILE is required/);
  });
});

describe('rnn', () => {
  it('classifies digits row by row with an lstm, and resumes', async () => {
    const ck = f('lstm.safetensors');
    const a = await run(rnn, ['--epochs', '1', '--limit-batches', '2', '--batch-size', '16', '--hidden', '32', '--save', ck]);
    expect(a.err).toBe('');
    expect(a.code).toBe(0);
    expect(a.out).toContain('LSTM');
    expect(a.out).toContain('confusion matrix');
    expect(existsSync(f('lstm.svg'))).toBe(true);
    const b = await run(rnn, ['--resume', ck, '--epochs', '2', '--limit-batches', '2', '--save', ck, '--quiet']);
    expect(b.code).toBe(0);
    expect(b.out).toMatch(/done: test accuracy/);
    expect(loadCheckpoint(ck).meta.progress).toMatchObject({ epoch: 2, step: 4 });
    const p = await run(predict, ['--checkpoint', ck, '--count', '2']);
    expect(p.code).toBe(0);
    expect(p.out.match(/pred \d/g)?.length).toBe(2);
  });

  it('learns a small text: the loss falls, samples are printed, and it resumes', async () => {
    const text = f('tiny.txt');
    writeFileSync(text, 'the cat sat on the mat. the dog sat on the log. '.repeat(40));
    const ck = f('chars.safetensors');
    const common = ['--task', 'chars', '--text', text, '--hidden', '32', '--seq-len', '16', '--batch-size', '16', '--steps-per-epoch', '20', '--lr', '0.01', '--sample-length', '40'];
    const a = await run(rnn, [...common, '--epochs', '2', '--save', ck]);
    expect(a.err).toBe('');
    expect(a.code).toBe(0);
    expect(a.out).toContain('sample after epoch 2:');
    expect(a.out).toMatch(/ppl \d+\.\d\d/);
    const h = loadCheckpoint(ck).meta.history;
    const firstSteps = h.steps.slice(0, 3).reduce((s, p) => s + p.loss, 0) / 3;
    const last = h.epochs[h.epochs.length - 1]!;
    // Uniform guessing over the 14 distinct characters costs ln 14 ≈ 2.64 nats.
    expect(firstSteps).toBeGreaterThan(2.3);
    expect(last.trainLoss).toBeLessThan(firstSteps * 0.6);
    expect(last.testLoss!).toBeLessThan(firstSteps * 0.6);
    const b = await run(rnn, ['--resume', ck, '--epochs', '3', '--save', ck, '--quiet']);
    expect(b.code).toBe(0);
    expect(b.out).toMatch(/done: held-out loss/);
    expect(loadCheckpoint(ck).meta.progress).toMatchObject({ epoch: 3, step: 60 });
  });
});

describe('the CLI process', () => {
  it('stops cleanly on Ctrl-C (SIGINT) and saves a resumable checkpoint', async () => {
    const ck = f('sigint.safetensors');
    const root = resolve(here, '../../..');
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'apps/examples/src/bin/mnist.ts', '--epochs', '1', '--batch-size', '1', '--save', ck, '--backend', backend], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let scheduled = false;
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((done) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        // The banner ends with the training line; interrupt shortly after training starts. Batch
        // size 1 makes the epoch 8,000 steps: over a second even on the native backend, whose
        // 1,000-step epoch at batch size 8 ended within 0.6 s, before a later signal.
        if (out.includes('training ') && !scheduled) {
          scheduled = true;
          setTimeout(() => child.kill('SIGINT'), 300);
        }
      });
      child.on('exit', (c) => done(c));
    });
    expect(err).toMatch(/stopping after the current batch/);
    expect(code).toBe(130);
    expect(out).toMatch(/stopped at epoch 1, batch \d+\/8000/);
    const saved = loadCheckpoint(ck);
    expect(saved.meta.progress.epoch).toBe(0);
    expect(saved.meta.progress.batch).toBeGreaterThan(0);
  });
});
