// Scenario 1 (TypeScript): the same through the published .d.ts files, type-checked by tsc.
import { tensor, arange, backendInfo, matmul, type Tensor, type DType } from '@tsgrad/tensor';

const a: Tensor = tensor([[1, 2], [3, 4]], { dtype: 'float32' });
const b: Tensor = a.add(a).mul(2).sub(1);
const dtype: DType = b.dtype;
const shape: readonly number[] = matmul(a, a).shape;
const total: number = arange(0, 5).sum().item() as number;
// @ts-expect-error: proves the types are real (a dtype is not any string)
const bad: DType = 'float16';
void bad;
if (JSON.stringify(b.toArray()) !== '[[3,7],[11,15]]' || total !== 10 || dtype !== 'float32' || shape.join() !== '2,2') {
  throw new Error(`wrong results: ${JSON.stringify(b.toArray())} ${total} ${dtype} ${shape.join()}`);
}
if (backendInfo().name !== 'js') throw new Error(`expected the js backend, got ${backendInfo().name}`);
console.log('ok: tensor (ts) on js');
