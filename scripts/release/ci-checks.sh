#!/usr/bin/env bash
# Release-engineering checks for CI, one line per check (details only on failure):
#   changesets   every changed publishable package carries a changeset (changeset-check.mjs)
#   build        pnpm build (turbo; cached when the tests already built)
#   pack-lint    publint --strict and attw (esm-only profile) on the `pnpm pack` tarballs
#   pack-check   fresh offline installs of the tarballs: tensor alone, tensor+native, nn+optim+data
#   publish      changeset version + changeset publish against a local recording registry
#   docs         every public export has a doc comment; typedoc for all packages, warnings as
#                errors (docs/api)
# Offline; needs `pnpm install` done. Exits 1 if any check failed (all checks run regardless).
#   bash scripts/release/ci-checks.sh [check...]     default: all, in the order above
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/tsgrad-ci-checks.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
R="$ROOT/scripts/release"
checks=("$@")
[ ${#checks[@]} -gt 0 ] || checks=(changesets build pack-lint pack-check publish docs)

c_changesets() { node "$R/changeset-check.mjs"; }
c_build() { pnpm build --output-logs=errors-only; }
packs() { [ -d "$WORK/packs" ] || "$R/pack.sh" "$WORK/packs"; }
c_pack_lint() { packs && "$R/lint-packs.sh" "$WORK/packs"; }
c_pack_check() { packs && PACK_CHECK_TARBALLS="$WORK/packs" "$ROOT/scripts/pack-check/run.sh"; }
c_publish() { "$R/publish-dry-run.sh"; }
c_docs() { node "$R/check-doc-comments.mjs" && pnpm run docs; }

status=0
for c in "${checks[@]}"; do
  fn="c_${c//-/_}"
  declare -F "$fn" >/dev/null || { echo "ci-checks: unknown check $c"; status=1; continue; }
  start=$SECONDS
  set +e
  (set -e; "$fn") >"$WORK/$c.log" 2>&1
  rc=$?
  set -e
  if [ $rc = 0 ]; then
    echo "ci-checks: ok   $c ($((SECONDS - start))s)"
  else
    echo "ci-checks: FAIL $c ($((SECONDS - start))s):"
    tail -40 "$WORK/$c.log" | sed 's/^/    /'
    status=1
  fi
done
exit $status
