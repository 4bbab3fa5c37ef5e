#!/usr/bin/env node
// Entry point of `pnpm predict` (run from source with tsx: see the root package.json).
import { main } from '../predict.js';

process.exitCode = await main(process.argv.slice(2));
