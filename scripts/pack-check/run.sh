#!/usr/bin/env bash
# Install-only-what-you-need check: packs the @tsgrad packages (`pnpm pack`, as they would be
# published), installs the tarballs into fresh projects outside the workspace, offline, and runs
# each scenario from ESM and from TypeScript (type-checked with tsc against the installed .d.ts):
#
#   tensor-js      @tsgrad/tensor alone (optional deps omitted) does arithmetic on the js backend
#   tensor-native  @tsgrad/tensor + @tsgrad/native (addon compiled by its install script from the
#                  tarball) runs native under TSGRAD_BACKEND=native and js under TSGRAD_BACKEND=js
#   train          @tsgrad/nn + @tsgrad/optim + @tsgrad/data train small models
#
# Run after `pnpm build`. Nothing is downloaded: @tsgrad dependencies resolve to the packed
# tarballs and third-party ones to tarballs of the workspace's installed copies, both through npm
# "overrides" (see lib/vendor.mjs); typescript and @types/node are the workspace's own.
#
#   scripts/pack-check/run.sh [scenario...]      default: all three
#   PACK_CHECK_TARBALLS=DIR   use tarballs already packed in DIR instead of packing
#   PACK_CHECK_KEEP=1         keep the temp dir (printed) for inspection
#   PACK_CHECK_NATIVE_BUILD=0 tensor-native: do not compile the addon from the tarball (the slow
#                             part), use the workspace's build/Release/tsgrad_native.node instead
#
# Prints one PASS/FAIL line per scenario (with the log's path on failure); exits 1 if any failed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/scripts/pack-check"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/tsgrad-pack-check.XXXXXX")"
cleanup() { if [ "${PACK_CHECK_KEEP:-0}" = 1 ] || [ "${failed:-0}" != 0 ]; then echo "pack-check: files kept in $WORK"; else rm -rf "$WORK"; fi; }
trap cleanup EXIT
failed=0

scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=(tensor-js tensor-native train)

TSC="$ROOT/node_modules/typescript/bin/tsc"
TYPES_NODE="$(node -e 'console.log(require("fs").realpathSync(process.argv[1]))' "$ROOT/node_modules/@types/node")"
[ -f "$TSC" ] || { echo "pack-check: FAIL setup (no $TSC: run pnpm install)"; exit 1; }

# 1. Tarballs.
PACKS="${PACK_CHECK_TARBALLS:-}"
if [ -z "$PACKS" ]; then
  PACKS="$WORK/packs"
  mkdir -p "$PACKS"
  for p in tensor autograd nn optim data native; do
    [ -f "$ROOT/packages/$p/dist/index.js" ] || { echo "pack-check: FAIL setup (packages/$p/dist missing: run pnpm build)"; exit 1; }
    (cd "$ROOT/packages/$p" && pnpm pack --pack-destination "$PACKS" >"$WORK/pack-$p.log" 2>&1) \
      || { echo "pack-check: FAIL setup (pnpm pack $p: see $WORK/pack-$p.log)"; failed=1; exit 1; }
  done
fi

# 2. Overrides: our tarballs + vendored third-party dependencies.
node "$HERE/lib/vendor.mjs" "$ROOT" "$WORK/vendor" "$PACKS"/tsgrad-*.tgz >"$WORK/overrides.json" 2>"$WORK/vendor.log" \
  || { echo "pack-check: FAIL setup (vendoring dependencies: $(tail -1 "$WORK/vendor.log"))"; failed=1; exit 1; }

# make_project DIR PKG... : package.json depending on the tarballs of PKG..., with the overrides.
make_project() {
  local dir="$1"; shift
  mkdir -p "$dir"
  node - "$dir" "$WORK/overrides.json" "$@" <<'JS'
const fs = require('fs');
const [dir, ovFile, ...pkgs] = process.argv.slice(2);
const overrides = JSON.parse(fs.readFileSync(ovFile, 'utf8'));
const dependencies = Object.fromEntries(pkgs.map((p) => [`@tsgrad/${p}`, overrides[`@tsgrad/${p}`]]));
fs.writeFileSync(`${dir}/package.json`, JSON.stringify({ name: 'pack-check', private: true, type: 'module', dependencies, overrides }, null, 2));
fs.writeFileSync(`${dir}/tsconfig.json`, JSON.stringify({
  compilerOptions: { target: 'ES2022', lib: ['ES2022'], module: 'NodeNext', moduleResolution: 'NodeNext', strict: true,
    skipLibCheck: false, types: ['node'], outDir: 'out', rootDir: '.' },
  files: ['main.ts'],
}, null, 2));
JS
}

# npm_install DIR [npm flags...]
npm_install() {
  local dir="$1"; shift
  (cd "$dir" && npm install --offline --no-audit --no-fund --loglevel=error --cache "$WORK/npm-cache" "$@")
  # tsc type-checks against the workspace's @types/node (linked after npm, which would prune it).
  mkdir -p "$dir/node_modules/@types"
  ln -sfn "$TYPES_NODE" "$dir/node_modules/@types/node"
}

scenario_tensor_js() {
  local d="$WORK/tensor-js"
  make_project "$d" tensor
  cp "$HERE/scenarios/tensor-js/"* "$d/"
  npm_install "$d" --omit=optional
  [ ! -e "$d/node_modules/@tsgrad/native" ] || { echo "@tsgrad/native was installed"; return 1; }
  (cd "$d" && node main.mjs && node "$TSC" -p . && node out/main.js)
}

scenario_tensor_native() {
  local d="$WORK/tensor-native"
  make_project "$d" tensor native
  cp "$HERE/scenarios/tensor-native/"* "$d/"
  if [ "${PACK_CHECK_NATIVE_BUILD:-1}" = 1 ]; then
    # Compile on every core (cmake-js builds serially otherwise); a failed build fails the install.
    CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}" TSGRAD_NATIVE_STRICT=1 npm_install "$d"
  else
    # Faster: skip the compile and put the workspace's addon where the package looks for it.
    TSGRAD_SKIP_NATIVE_BUILD=1 npm_install "$d"
    mkdir -p "$d/node_modules/@tsgrad/native/build/Release"
    cp "$ROOT/packages/native/build/Release/tsgrad_native.node" "$d/node_modules/@tsgrad/native/build/Release/"
  fi
  [ -f "$d/node_modules/@tsgrad/native/build/Release/tsgrad_native.node" ] || { echo "the addon was not built at install"; return 1; }
  (cd "$d" && node "$TSC" -p . \
    && TSGRAD_BACKEND=native node main.mjs && TSGRAD_BACKEND=js node main.mjs \
    && TSGRAD_BACKEND=native node out/main.js && TSGRAD_BACKEND=js node out/main.js)
}

scenario_train() {
  local d="$WORK/train"
  make_project "$d" nn optim data
  cp "$HERE/scenarios/train/"* "$d/"
  npm_install "$d" --omit=optional
  (cd "$d" && node main.mjs && node "$TSC" -p . && node out/main.js)
}

for s in "${scenarios[@]}"; do
  fn="scenario_${s//-/_}"
  declare -F "$fn" >/dev/null || { echo "pack-check: unknown scenario $s"; failed=1; continue; }
  start=$SECONDS
  log="$WORK/$s.log"
  # The scenario's environment: no backend choice or addon path leaking in from the caller.
  set +e
  (set -e; unset TSGRAD_BACKEND TSGRAD_NATIVE_PATH TSGRAD_SKIP_NATIVE_BUILD; "$fn") >"$log" 2>&1
  rc=$?
  set -e
  if [ $rc = 0 ]; then
    echo "pack-check: PASS $s ($((SECONDS - start))s)"
  else
    echo "pack-check: FAIL $s ($((SECONDS - start))s; log: $log)"
    sed 's/^/    /' "$log" | tail -15
    failed=1
  fi
done
exit $failed
