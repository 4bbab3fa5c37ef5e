export { clipGradNorm_, clipGradValue_ } from './clip-grad.js';
export { parametersToVector, vectorToParameters } from './vector.js';
