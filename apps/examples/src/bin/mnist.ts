#!/usr/bin/env node
// Entry point of `pnpm mnist` (run from source with tsx: see the root package.json).
import { main } from '../mnist.js';

process.exitCode = await main(process.argv.slice(2));
