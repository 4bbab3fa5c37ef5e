#!/usr/bin/env bash
# Publish dry run: the real `pnpm version-packages` + `changeset publish` path, run on a copy of
# the workspace against a throwaway registry on 127.0.0.1 (dry-registry.mjs) that accepts and
# records every publish. Nothing is published and nothing in the checkout changes (no versions
# bumped, no CHANGELOGs, no git tags). Then checks what was "published": every publishable package,
# at the version the pending changesets give it, public, with no workspace: ranges left in it.
# Run after `pnpm build`. Prints one line; exits 1 with details on failure.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/tsgrad-publish-dry.XXXXXX")"
REG_PID=""
cleanup() { [ -z "$REG_PID" ] || kill "$REG_PID" 2>/dev/null || true; [ "${KEEP:-0}" = 1 ] || rm -rf "$WORK"; }
trap cleanup EXIT
fail() { echo "publish-dry-run: FAIL ($1; log: $WORK/log)"; KEEP=1; exit 1; }

# A copy of the workspace (tracked and untracked-but-not-ignored files, plus dist/), sharing the
# installed node_modules through symlinks.
COPY="$WORK/ws"
mkdir -p "$COPY"
(cd "$ROOT" && { git ls-files -co --exclude-standard; find packages -path '*/node_modules' -prune -o -path '*/dist/*' -type f -print; } \
  | sort -u | while read -r f; do [ -e "$f" ] && printf '%s\n' "$f"; done | tar -cf - -T - ) | tar -xf - -C "$COPY"
ln -s "$ROOT/node_modules" "$COPY/node_modules"
for d in "$ROOT"/packages/* "$ROOT"/apps/* "$ROOT"/bench; do
  [ -d "$d/node_modules" ] || continue
  rel="${d#"$ROOT"/}"
  ln -s "$d/node_modules" "$COPY/$rel/node_modules"
done
# changesets needs a git repository (it reads changeset commits for the changelog).
(cd "$COPY" && git init -q -b main && git add -A >/dev/null && git -c user.name=dry -c user.email=dry@localhost commit -qm snapshot) >>"$WORK/log" 2>&1 \
  || fail "could not snapshot the workspace"

# Expected versions: the release plan of the pending changesets.
(cd "$COPY" && node_modules/.bin/changeset status --output="$WORK/plan.json") >>"$WORK/log" 2>&1 || fail "changeset status"
(cd "$COPY" && node_modules/.bin/changeset version) >>"$WORK/log" 2>&1 || fail "changeset version"

node "$ROOT/scripts/release/dry-registry.mjs" "$WORK/published.json" >"$WORK/registry.url" 2>>"$WORK/log" &
REG_PID=$!
for _ in $(seq 50); do [ -s "$WORK/registry.url" ] && break; sleep 0.1; done
REG="$(head -1 "$WORK/registry.url")"
[ -n "$REG" ] || fail "the local registry did not start"
HOSTPATH="${REG#http:}"
printf 'registry=%s\n%s:_authToken=dry-run\n' "$REG" "$HOSTPATH" >"$WORK/npmrc"

(cd "$COPY" && NPM_CONFIG_USERCONFIG="$WORK/npmrc" npm_config_registry="$REG" \
  node_modules/.bin/changeset publish --no-git-tag) >>"$WORK/log" 2>&1 || fail "changeset publish"
kill "$REG_PID"; wait "$REG_PID" 2>/dev/null || true; REG_PID=""

node - "$WORK/plan.json" "$WORK/published.json" <<'JS' || fail "check of the published manifests"
const fs = require('fs');
const [planFile, pubFile] = process.argv.slice(2);
const plan = JSON.parse(fs.readFileSync(planFile, 'utf8'));
const published = JSON.parse(fs.readFileSync(pubFile, 'utf8'));
const expected = plan.releases.filter((r) => r.type !== 'none');
const problems = [];
const byName = new Map(published.map((p) => [p.name, p]));
for (const r of expected) {
  const p = byName.get(r.name);
  if (!p) { problems.push(`${r.name} was not published`); continue; }
  if (p.version !== r.newVersion) problems.push(`${r.name} published ${p.version}, plan says ${r.newVersion}`);
}
for (const p of published) {
  if (p.manifest.private) problems.push(`${p.name} is private but was published`);
  if (p.access !== 'public') problems.push(`${p.name} published with access ${p.access}`);
  for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies']) {
    for (const [dep, range] of Object.entries(p.manifest[field] ?? {})) {
      if (String(range).startsWith('workspace:')) problems.push(`${p.name} ${field}.${dep} is still ${range}`);
    }
  }
  if (p.tarballBytes === 0) problems.push(`${p.name} has an empty tarball`);
}
if (problems.length) { console.error(problems.join('\n')); process.exit(1); }
JS
echo "publish-dry-run: ok ($(node -e 'const p=require(process.argv[1]);console.log(p.length+" packages: "+p.map(x=>x.name.replace("@tsgrad/","")+"@"+x.version).join(", "))' "$WORK/published.json"))"
