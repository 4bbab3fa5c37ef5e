/**
 * The demos as functions: each takes the command-line arguments (and optionally where to write)
 * and resolves to the exit code, so they can run in-process (tests) as well as from `src/bin`.
 */
export { main as mnist, MNIST_DEFAULTS, type MnistConfig } from './mnist.js';
export { main as rnn, RNN_DEFAULTS, type RnnConfig } from './rnn.js';
export { main as predict } from './predict.js';
export { loadCheckpoint, decodeCheckpoint, encodeCheckpoint, CHECKPOINT_FORMAT, type Checkpoint, type CheckpointMeta } from './checkpoint.js';
export { captureIo, processIo, type Io } from './term.js';
