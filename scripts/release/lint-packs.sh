#!/usr/bin/env bash
# publint (strict: warnings fail too) and @arethetypeswrong/cli over the packed tarballs, offline.
# attw uses the esm-only profile: the packages are ESM-only by design ("type": "module", an
# "import"/"default" export and no CommonJS build), so the CommonJS-resolution columns (node10,
# node16-from-CJS) are not applicable; every other rule is enforced.
#   scripts/release/lint-packs.sh [DIR]    DIR: tarballs from pack.sh (default: packs them now)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BIN="$ROOT/node_modules/.bin"
DIR="${1:-}"
if [ -z "$DIR" ]; then
  DIR="$(mktemp -d "${TMPDIR:-/tmp}/tsgrad-lint-packs.XXXXXX")"
  trap 'rm -rf "$DIR"' EXIT
  "$ROOT/scripts/release/pack.sh" "$DIR"
fi
failed=0; n=0
for t in "$DIR"/*.tgz; do
  n=$((n + 1))
  if ! out="$("$BIN/publint" run "$t" --strict --level suggestion 2>&1)" || ! grep -q 'All good!' <<<"$out"; then
    echo "publint: $(basename "$t"):"; sed 's/^/    /' <<<"$out"; failed=1
  fi
  if ! out="$("$BIN/attw" "$t" --profile esm-only --format ascii --no-color 2>&1)"; then
    echo "attw: $(basename "$t"):"; sed 's/^/    /' <<<"$out"; failed=1
  fi
done
[ "$n" -gt 0 ] || { echo "lint-packs: no tarballs in $DIR"; exit 1; }
[ $failed = 0 ] || exit 1
