#!/usr/bin/env node
// Entry point of `pnpm rnn` (run from source with tsx: see the root package.json).
import { main } from '../rnn.js';

process.exitCode = await main(process.argv.slice(2));
