// Scenario 2 (TypeScript): the native package's own types, and the backend picked by TSGRAD_BACKEND.
import { backendInfo, matmul, ones, type BackendInfo } from '@tsgrad/tensor';
import { createBackend, addonPath, type NativeBackend } from '@tsgrad/native';

const info: BackendInfo = backendInfo();
if (info.name !== process.env['TSGRAD_BACKEND']) throw new Error(`expected ${process.env['TSGRAD_BACKEND']}, got ${info.name}`);
const native: NativeBackend = createBackend();
const path: string = addonPath();
const out = matmul(ones(3, 4), ones(4, 2)).toArray();
if (JSON.stringify(out) !== '[[4,4],[4,4],[4,4]]') throw new Error(`wrong matmul ${JSON.stringify(out)}`);
console.log(`ok: tensor + native (ts) on ${info.name}; addon ${path.endsWith('.node') ? 'found' : path}; ${typeof native}`);
