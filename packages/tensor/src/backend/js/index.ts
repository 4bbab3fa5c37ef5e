import type { Backend } from '../backend.js';
import { binary, binaryScalar, clamp, copy, fill, reluBackward, unary, where } from './elementwise.js';
import { argReduce, cumsum, reduce, softmax } from './reduce.js';
import { matmul } from './matmul.js';
import { conv2d, conv2dBackwardInput, conv2dBackwardWeight } from './conv.js';
import { avgPool2d, avgPool2dBackward, maxPool2d, maxPool2dBackward } from './pool.js';
import { gather, indexAdd, indexSelect, scatter } from './indexing.js';
import { adam, sgdMomentum } from './optim.js';
import { lstmCell, lstmCellBackward } from './lstm.js';
import { rnnCell, rnnCellBackward } from './rnn.js';
import { rnnSequence, rnnSequenceBackward } from './rnn-sequence.js';
import { lstmSequence, lstmSequenceBackward } from './lstm-sequence.js';

/** The pure-TypeScript backend: implements every kernel and is the reference for the others. */
export const jsBackend: Backend = {
  name: 'js',
  copy, fill, unary, binary, binaryScalar, reluBackward, where, clamp,
  reduce, argReduce, cumsum, softmax,
  matmul,
  conv2d, conv2dBackwardInput, conv2dBackwardWeight,
  maxPool2d, maxPool2dBackward, avgPool2d, avgPool2dBackward,
  gather, scatter, indexSelect, indexAdd,
  sgdMomentum, adam,
  lstmCell, lstmCellBackward,
  rnnCell, rnnCellBackward,
  rnnSequence, rnnSequenceBackward,
  lstmSequence, lstmSequenceBackward,
};
