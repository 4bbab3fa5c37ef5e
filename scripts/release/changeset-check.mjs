#!/usr/bin/env node
// CI check: every publishable package whose shipped files changed carries a pending changeset.
//
// Which changes count is decided against a base, chosen so that a fresh clone with a single
// branch (CI clones only the submitted main) never fails spuriously:
//
//   1. CHANGESET_BASE=<rev> (env), when set: changes in <merge-base(rev, HEAD)>..working tree, and
//      the changesets added in that range must cover them (a PR/submission range).
//   2. Else, on a branch other than config.baseBranch when that branch (or origin/<it>) exists:
//      the same with base = merge-base(baseBranch, HEAD) (a feature branch).
//   3. Else (on the base branch itself, detached, or a single-branch clone): per package, changes
//      since its last release, i.e. the last commit that touched its CHANGELOG.md (written by
//      `changeset version`; never released: its whole history), must be covered by a changeset
//      pending in .changeset/. This needs no other branch and no remote.
//
// Changes that ship count: files under the package directory except tests (*.test.ts, test/,
// src/**/test-utils/), benchmarks (bench/), docs (*.md) and CHANGELOG.md; the same rule is in
// .changeset/config.json "changedFilePatterns" so `changeset status` agrees. A package named in a
// changeset with any bump (`none` included: "changed, no release needed") is covered, and an empty
// changeset (`changeset add --empty`) covers everything in its range.
// In a shallow clone, a package whose last release is beyond the history is skipped with a note.
//
// It then runs `changeset status` (which parses every changeset and assembles the release plan,
// failing on unknown packages or bad bumps). Prints one line on success; exits 1 with the reasons.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const config = JSON.parse(readFileSync(join(root, '.changeset/config.json'), 'utf8'));
const baseBranch = config.baseBranch ?? 'main';
const ignored = new Set(config.ignore ?? []);

const git = (...args) => execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
const tryGit = (...args) => { try { return git(...args); } catch { return null; } };
const lines = (s) => (s ? s.split('\n').filter(Boolean) : []);

/** Does this path (relative to the package directory) ship, i.e. need a changeset when it changes? */
export function ships(rel) {
  if (/(^|\/)node_modules\//.test(rel) || /^(dist|build[^/]*)\//.test(rel)) return false; // build output
  if (/\.test\.[cm]?[jt]sx?$/.test(rel) || /^test\//.test(rel) || /(^|\/)test-utils\//.test(rel)) return false;
  if (/^bench\//.test(rel)) return false;
  if (/\.md$/i.test(rel)) return false;
  return true;
}

// Publishable workspace packages.
const packages = [];
for (const dir of readdirSync(join(root, 'packages'))) {
  const pj = join(root, 'packages', dir, 'package.json');
  if (!existsSync(pj)) continue;
  const { name, private: priv } = JSON.parse(readFileSync(pj, 'utf8'));
  if (!priv && !ignored.has(name)) packages.push({ name, dir: `packages/${dir}` });
}
const known = new Set(packages.map((p) => p.name));

/** Parses a changeset's front matter: package -> bump ({} for an empty changeset). */
function parseChangeset(file) {
  const text = readFileSync(join(root, file), 'utf8');
  const m = /^---\r?\n([\s\S]*?)\r?\n?---/.exec(text);
  if (!m) throw new Error(`${file}: no front matter`);
  const bumps = {};
  for (const line of lines(m[1])) {
    const e = /^\s*["']?([^"':]+)["']?\s*:\s*(major|minor|patch|none)\s*$/.exec(line);
    if (!e) throw new Error(`${file}: cannot read front matter line ${JSON.stringify(line)}`);
    bumps[e[1]] = e[2];
  }
  return bumps;
}
const pendingFiles = () => readdirSync(join(root, '.changeset')).filter((f) => f.endsWith('.md') && f !== 'README.md').map((f) => `.changeset/${f}`);

// ---- choose the mode
const shallow = tryGit('rev-parse', '--is-shallow-repository') === 'true';
let base = null;
let how = '';
if (process.env.CHANGESET_BASE) {
  const mb = tryGit('merge-base', process.env.CHANGESET_BASE, 'HEAD');
  if (!mb) { console.error(`changeset-check: CHANGESET_BASE=${process.env.CHANGESET_BASE} has no merge base with HEAD`); process.exit(1); }
  base = mb; how = `since CHANGESET_BASE (${mb.slice(0, 8)})`;
} else {
  const branch = tryGit('symbolic-ref', '--short', '-q', 'HEAD');
  if (branch && branch !== baseBranch) {
    for (const ref of [baseBranch, `origin/${baseBranch}`]) {
      const mb = tryGit('rev-parse', '--verify', '-q', ref) && tryGit('merge-base', ref, 'HEAD');
      if (mb) { base = mb; how = `since ${ref} (${mb.slice(0, 8)})`; break; }
    }
  }
}
if (!base) how = 'since each package\'s last release';

/** Files changed since `rev` (committed, staged, unstaged and, outside CI, untracked), relative to the repo. */
function changedSince(rev, dir) {
  const tracked = rev ? lines(git('diff', '--name-only', rev, '--', dir)) : lines(git('ls-files', '--', dir));
  // Untracked files count locally (a new source file not yet added); in CI they can only be
  // artefacts of earlier steps (tests, builds), so there only tracked files count.
  const untracked = process.env.CI === 'true' ? [] : lines(git('ls-files', '--others', '--exclude-standard', '--', dir));
  return [...tracked, ...untracked];
}

// ---- changesets that count
const covering = base
  ? [...new Set([...lines(git('diff', '--name-only', '--diff-filter=d', base, '--', '.changeset')), ...lines(git('ls-files', '--others', '--exclude-standard', '--', '.changeset'))])]
      .filter((f) => f.endsWith('.md') && !f.endsWith('README.md') && existsSync(join(root, f)))
  : pendingFiles();
const problems = [];
const covered = new Set();
let empty = false;
for (const f of covering) {
  let bumps;
  try { bumps = parseChangeset(f); } catch (e) { problems.push(e.message); continue; }
  if (Object.keys(bumps).length === 0) empty = true;
  for (const name of Object.keys(bumps)) {
    covered.add(name);
    if (!known.has(name) && !ignored.has(name)) problems.push(`${f} names ${name}, which is not a publishable workspace package`);
  }
}

// ---- packages that changed
const notes = [];
const changed = [];
for (const p of packages) {
  let rev = base;
  if (!base) {
    const last = tryGit('log', '-1', '--format=%H', '--', `${p.dir}/CHANGELOG.md`);
    if (last) rev = last;
    else if (shallow && existsSync(join(root, p.dir, 'CHANGELOG.md'))) { notes.push(`${p.name}: last release beyond the shallow history, skipped`); continue; }
  }
  const files = changedSince(rev, p.dir).map((f) => f.slice(p.dir.length + 1)).filter(ships);
  if (files.length > 0) changed.push({ ...p, files });
}
for (const p of changed) {
  if (!covered.has(p.name) && !empty) {
    problems.push(`${p.name} changed (${p.files.slice(0, 3).join(', ')}${p.files.length > 3 ? `, +${p.files.length - 3} more` : ''}) but no changeset names it: run \`pnpm changeset\` (or \`pnpm changeset --empty\` if no release is needed)`);
  }
}

// ---- changesets' own status (parses all changesets, assembles the release plan)
// Without --since it diffs against config.baseBranch, which a detached clone may not have.
let sinceArg = [];
if (base) sinceArg = [`--since=${base}`];
else if (!tryGit('rev-parse', '--verify', '-q', baseBranch)) sinceArg = ['--since=HEAD'];
const bin = join(root, 'node_modules/.bin/changeset');
const st = spawnSync(bin, ['status', ...sinceArg], { cwd: root, encoding: 'utf8' });
if (st.status !== 0) problems.push(`changeset status failed:\n${(st.stdout + st.stderr).trim()}`);

for (const n of notes) console.error(`changeset-check: note: ${n}`);
if (problems.length > 0) {
  console.error(`changeset-check: FAIL (${how})`);
  for (const p of problems) console.error(`  - ${p}`);
  process.exit(1);
}
console.log(`changeset-check: ok (${how}: ${changed.length} changed package(s), all with changesets; ${covering.length} changeset(s))`);
