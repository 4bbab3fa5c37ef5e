#!/usr/bin/env bash
# Packs every publishable @tsgrad package with `pnpm pack` (workspace: ranges become real ones,
# exactly as published) into DIR. Run after `pnpm build`.   scripts/release/pack.sh DIR
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="$(mkdir -p "$1" && cd "$1" && pwd)"
for dir in "$ROOT"/packages/*/; do
  [ -f "$dir/package.json" ] || continue
  node -e 'process.exit(require(process.argv[1]).private ? 1 : 0)' "$dir/package.json" || continue
  [ -f "$dir/dist/index.js" ] || { echo "pack: $dir has no dist/: run pnpm build" >&2; exit 1; }
  (cd "$dir" && pnpm pack --pack-destination "$OUT" >/dev/null) || { echo "pack: pnpm pack failed in $dir" >&2; exit 1; }
done
