#!/usr/bin/env node
// Makes every package the packed @tsgrad tarballs need installable offline: for each third-party
// runtime dependency (and theirs, recursively) it tars the copy pnpm already installed in the
// workspace, so the test projects never ask a registry for anything.
//
//   node vendor.mjs <workspace-root> <vendor-dir> <tarball>...
//
// Prints a JSON object { name: "file:/abs/path.tgz" } for npm "overrides": our own tarballs plus
// every vendored dependency. Fails if a dependency is missing from the workspace install or is
// installed in two versions (npm overrides are keyed by name).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

const [rootArg, vendorArg, ...tarballs] = process.argv.slice(2);
const root = resolve(rootArg);
const vendor = resolve(vendorArg);
mkdirSync(vendor, { recursive: true });

/** Workspace package name -> directory. */
const workspace = new Map();
for (const group of ['packages', 'apps']) {
  const base = join(root, group);
  if (!existsSync(base)) continue;
  for (const d of readdirSync(base)) {
    const pj = join(base, d, 'package.json');
    if (existsSync(pj)) workspace.set(JSON.parse(readFileSync(pj, 'utf8')).name, join(base, d));
  }
}

const overrides = {};
const thirdParty = new Map(); // name -> { version, dir }
const fail = (msg) => { console.error(`vendor: ${msg}`); process.exit(1); };

function runtimeDeps(pj) {
  return Object.keys({ ...pj.dependencies, ...pj.optionalDependencies });
}

/** Adds an installed package (its real directory) and its dependencies. */
function addInstalled(dir, neededBy) {
  const pj = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const seen = thirdParty.get(pj.name);
  if (seen) {
    if (seen.version !== pj.version) fail(`${pj.name} is installed in two versions (${seen.version}, ${pj.version}); npm overrides cannot pin both`);
    return;
  }
  thirdParty.set(pj.name, { version: pj.version, dir });
  // pnpm's layout: <store>/node_modules/<name> with its dependencies as siblings.
  const nm = pj.name.startsWith('@') ? dirname(dirname(dir)) : dirname(dir);
  for (const dep of runtimeDeps(pj)) {
    const p = join(nm, dep);
    if (existsSync(p)) addInstalled(realpathSync(p), pj.name);
    else if (!(pj.optionalDependencies && dep in pj.optionalDependencies)) fail(`${dep} (needed by ${pj.name}, needed by ${neededBy}) is not installed in the workspace`);
  }
}

for (const tgz of tarballs) {
  const pj = JSON.parse(execFileSync('tar', ['-xzOf', tgz, 'package/package.json'], { encoding: 'utf8' }));
  overrides[pj.name] = `file:${resolve(tgz)}`;
  const src = workspace.get(pj.name);
  if (!src) fail(`${pj.name} is not a workspace package`);
  for (const dep of runtimeDeps(pj)) {
    if (dep.startsWith('@tsgrad/')) continue;
    const p = join(src, 'node_modules', dep);
    if (!existsSync(p)) fail(`${dep} (a dependency of ${pj.name}) is not installed in the workspace: run pnpm install`);
    addInstalled(realpathSync(p), pj.name);
  }
}

for (const [name, { version, dir }] of thirdParty) {
  const file = join(vendor, `${name.replace('@', '').replace('/', '-')}-${version}.tgz`);
  // npm wants the files under package/ in the tarball; node_modules of the copy is not part of it.
  execFileSync('tar', ['-czf', file, '--exclude=./node_modules', '--transform', 's,^\\.,package,', '-C', dir, '.']);
  overrides[name] = `file:${file}`;
}
process.stdout.write(`${JSON.stringify(overrides, null, 2)}\n`);
if (process.env.PACK_CHECK_VERBOSE) console.error(`vendor: ${thirdParty.size} third-party packages in ${basename(vendor)}`);
