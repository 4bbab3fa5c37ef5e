// Compile-time check, run by `pnpm --filter @tsgrad/native typecheck` (tsconfig.test.json): the
// structural types native declares for itself still fit @tsgrad/tensor's Backend contract.
import type {
  AdamParams as TensorAdamParams, Backend, Conv2dParams as TensorConv2dParams, PartialBackend, SgdMomentumParams as TensorSgdParams, View as TensorView,
} from '../../tensor/src/backend/backend.js';
import type { AdamParams, Conv2dParams, NativeBackend, SgdMomentumParams, View } from '../src/types.js';

export const asPartialBackend = (b: NativeBackend): PartialBackend => b;
export const viewFromTensor = (v: TensorView): View => v;
export const viewToTensor = (v: View): TensorView => v;
export const paramsFromTensor = (p: TensorConv2dParams): Conv2dParams => p;
export const sgdParamsFromTensor = (p: TensorSgdParams): SgdMomentumParams => p;
export const adamParamsFromTensor = (p: TensorAdamParams): AdamParams => p;
export const matmulFits = (b: NativeBackend): Backend['matmul'] => b.matmul;
export const lstmCellFits = (b: NativeBackend): Backend['lstmCell'] => b.lstmCell;
export const lstmCellBackwardFits = (b: NativeBackend): Backend['lstmCellBackward'] => b.lstmCellBackward;
export const rnnCellFits = (b: NativeBackend): Backend['rnnCell'] => b.rnnCell;
export const rnnCellBackwardFits = (b: NativeBackend): Backend['rnnCellBackward'] => b.rnnCellBackward;
export const rnnSequenceFits = (b: NativeBackend): Backend['rnnSequence'] => b.rnnSequence;
export const rnnSequenceBackwardFits = (b: NativeBackend): Backend['rnnSequenceBackward'] => b.rnnSequenceBackward;
export const lstmSequenceFits = (b: NativeBackend): Backend['lstmSequence'] => b.lstmSequence;
export const lstmSequenceBackwardFits = (b: NativeBackend): Backend['lstmSequenceBackward'] => b.lstmSequenceBackward;
