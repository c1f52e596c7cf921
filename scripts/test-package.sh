#!/usr/bin/env bash
# Suite "package": the library as another repository gets it. Packs it (`npm pack`, which builds
# lib/ through the `prepare` script), installs the tarball into a scratch consumer project the way
# the README says, with a plain `npm install <tarball> cdk8s cdk8s-plus-28 constructs` (the newest
# versions within the package's peerDependencies ranges, from npm's cache or the registry), checks
# that the consumer has one copy of each (two copies of `constructs` break every `new X(chart, ...)`),
# type-checks and runs test/package/consumer.ts there against the installed package, and checks
# that the consumer's DemoChart equals the committed dist/ byte for byte (so lib/ ships every
# embedded file) and that its single constructs synthesize.
. "$(dirname "$0")/lib/common.sh"
cd "$REPO_ROOT"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
log "npm pack"
tarball="$(npm pack --silent --pack-destination "$tmp" 2>/dev/null | tail -n 1)"
[ -f "$tmp/$tarball" ] || { echo "test-package: npm pack produced no tarball" >&2; exit 1; }

log "installing $tarball into a scratch consumer project"
mkdir -p "$tmp/consumer"
cp test/package/consumer.ts "$tmp/consumer/"
cd "$tmp/consumer"
cat > package.json <<JSON
{ "name": "consumer", "version": "1.0.0", "private": true }
JSON
npm install --prefer-offline --no-audit --no-fund --silent "$tmp/$tarball" cdk8s cdk8s-plus-28 constructs >/dev/null
for peer in cdk8s cdk8s-plus-28 constructs; do
  copies="$(find . -path "*/node_modules/$peer/package.json" | wc -l)"
  version="$(node -p "require('$peer/package.json').version")"
  log "$peer $version in the consumer ($copies copy)"
  [ "$copies" -eq 1 ] || { echo "test-package: $copies copies of $peer in the consumer: it must be a peer dependency" >&2; find . -path "*/node_modules/$peer/package.json" >&2; exit 1; }
done

log "type-checking the consumer against the installed typings"
node "$REPO_ROOT/node_modules/typescript/bin/tsc" --strict --target ES2022 --module commonjs --esModuleInterop \
  --skipLibCheck --types node --typeRoots "$REPO_ROOT/node_modules/@types" consumer.ts

log "running the consumer"
node consumer.js "$tmp/out"

# The example apps of examples/ are consumers too: their sources, unchanged, compiled and run
# against the installed package (in the repo the package name maps to constructs/ instead).
mapfile -t examples < <(example_names)
for name in "${examples[@]}"; do
  log "example $name: type-checking and running it against the installed package"
  mkdir -p "examples/$name"
  cp "$REPO_ROOT/examples/$name"/*.ts "examples/$name/"
  node "$REPO_ROOT/node_modules/typescript/bin/tsc" --strict --target ES2022 --module commonjs --esModuleInterop \
    --skipLibCheck --types node --typeRoots "$REPO_ROOT/node_modules/@types" "examples/$name"/*.ts
  (cd "examples/$name" && CDK8S_OUTDIR="$tmp/examples/$name" node main.js)
done

passed=0; failed=0
if diff -q "$tmp/out/spark-k8s-anomaly-detection-taxi-data.k8s.yaml" "$REPO_ROOT/dist/spark-k8s-anomaly-detection-taxi-data.k8s.yaml" >/dev/null; then
  log "ok: the installed package synthesizes dist/ byte for byte"; passed=$((passed + 1))
else
  echo "FAILED: the installed package's DemoChart differs from dist/ (run \`make synth\`?)" >&2; failed=$((failed + 1))
fi
for name in "${examples[@]}"; do
  if diff -r -q "$tmp/examples/$name" "$REPO_ROOT/examples/$name/dist" >/dev/null; then
    log "ok: example $name built against the installed package synthesizes examples/$name/dist/ byte for byte"; passed=$((passed + 1))
  else
    echo "FAILED: example $name against the installed package differs from examples/$name/dist/ (run \`make synth\`?)" >&2; failed=$((failed + 1))
  fi
done
missing=""
for expect in 'kind: Deployment' 'name: minio' 'kind: SparkApplication' 'kind: HiveCluster' 'trino_admins := {"alice"}' 'def main' 'kind: SupersetCluster' '[import-assets]'; do
  grep -qF "$expect" "$tmp/out/storage.k8s.yaml" || missing="$missing [$expect]"
done
if [ -z "$missing" ]; then
  log "ok: single constructs from the package synthesize, with their embedded files"; passed=$((passed + 1))
else
  echo "FAILED: the consumer's storage chart lacks:$missing" >&2; failed=$((failed + 1))
fi
echo "package: $passed passed, $failed failed"
[ $failed -eq 0 ]
