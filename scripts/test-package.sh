#!/usr/bin/env bash
# Suite "package": the library as another repository gets it. Packs it (scripts/pack.ts: lib/ and a
# package.json without scripts or devDependencies), runs the README's consumer guide verbatim in a
# scratch folder (newest peers, TypeScript and cdk8s-cli; `cdk8s synth` and `tsc && node`), installs
# the tarball into a scratch consumer project the way
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
log "packing (scripts/pack.ts)"
tarball="$(basename "$(npx --no-install ts-node --transpile-only scripts/pack.ts --pack-destination "$tmp" | tail -n 1)")"
[ -f "$tmp/$tarball" ] || { echo "test-package: scripts/pack.ts produced no tarball" >&2; exit 1; }
passed=0; failed=0
# The packed package.json: what a consumer's npm needs, no lifecycle scripts, no devDependencies.
packed_fields="$(tar -xzOf "$tmp/$tarball" package/package.json | node -e 'const m = JSON.parse(require("fs").readFileSync(0, "utf8")); console.log(Object.keys(m).join(" "))')"
case " $packed_fields " in
  *" scripts "*|*" devDependencies "*) echo "FAILED: the packed package.json has scripts or devDependencies: $packed_fields" >&2; failed=$((failed + 1)) ;;
  *) log "ok: the packed package.json has only $packed_fields"; passed=$((passed + 1)) ;;
esac

# The README's consumer guide, verbatim (test/package/consumer-guide.ts extracts its blocks).
guide="$tmp/guide"
mkdir -p "$guide"
cp "$tmp/$tarball" "$guide/"
grep -qF "./$tarball" README.md || { echo "FAILED: the README's consumer guide does not install ./$tarball (the version changed?)" >&2; failed=$((failed + 1)); }
npx --no-install ts-node --transpile-only test/package/consumer-guide.ts README.md "$guide" > "$tmp/guide.sh"
log "consumer guide: $(grep -c '^echo' "$tmp/guide.sh") commands"
if (cd "$guide" && CDK8S_CHECK_UPGRADE=false bash "$tmp/guide.sh" >"$tmp/guide.log" 2>&1) \
   && grep -q "kind: HiveCluster" "$guide/dist/lakehouse.k8s.yaml"; then
  log "ok: the consumer guide runs verbatim (TypeScript $(cd "$guide" && npx --no-install tsc --version | sed 's/Version //'), cdk8s $(cd "$guide" && node -p "require('cdk8s/package.json').version"), constructs $(cd "$guide" && node -p "require('constructs/package.json').version"))"
  passed=$((passed + 1))
else
  echo "FAILED: the README's consumer guide:" >&2; tail -n 30 "$tmp/guide.log" >&2; failed=$((failed + 1))
fi

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

# The example apps of demos/ are consumers too: their sources, unchanged, compiled and run
# against the installed package (in the repo the package name maps to constructs/ instead).
# The seed demo is the root main.ts with demos/spark-k8s-anomaly-detection-taxi-data/ (its job,
# dashboard and table contract files too); demos/lib/ is shared by the demos.
mapfile -t examples < <(example_names)
mkdir -p demos/lib demos/spark-k8s-anomaly-detection-taxi-data
cp "$REPO_ROOT"/demos/lib/*.ts demos/lib/
find "$REPO_ROOT/demos/spark-k8s-anomaly-detection-taxi-data" -maxdepth 1 -type f ! -name '*.md' -exec cp {} demos/spark-k8s-anomaly-detection-taxi-data/ \;
cp "$REPO_ROOT/main.ts" .
demo_tsc() {
  node "$REPO_ROOT/node_modules/typescript/bin/tsc" --strict --target ES2022 --module commonjs --esModuleInterop --resolveJsonModule \
    --skipLibCheck --types node --typeRoots "$REPO_ROOT/node_modules/@types" "$@"
}
log "seed demo: type-checking and running main.ts against the installed package"
demo_tsc main.ts
CDK8S_OUTDIR="$tmp/out-seed" node main.js
for name in "${examples[@]}"; do
  log "example $name: type-checking and running it against the installed package"
  mkdir -p "demos/$name"
  # every file of the app (its sources and what they read at synth time, e.g. a Spark job's script), not its README or dist/
  find "$REPO_ROOT/demos/$name" -maxdepth 1 -type f ! -name '*.md' -exec cp {} "demos/$name/" \;
  demo_tsc "demos/$name"/*.ts
  (cd "demos/$name" && CDK8S_OUTDIR="$tmp/demos/$name" node main.js)
done

# The demos' Helm values against the installed package's HelmChart: the seed's helm-values.ts
# type-checks, and trino-taxi-data's chart, made by the installed library, has the templates and
# values schema that scripts/synth-helm.ts writes in the repository.
log "Helm: the demos' helm-values.ts against the installed package's HelmChart"
demo_tsc demos/spark-k8s-anomaly-detection-taxi-data/helm-values.ts
(cd "$REPO_ROOT" && npx --no-install ts-node --transpile-only scripts/synth-helm.ts trino-taxi-data --outdir "$tmp/helm-repo" >/dev/null)
node -e '
  const { HelmChart } = require("cdk8s-stackable-demos");
  const { TAXI_DATA_VALUES } = require("./demos/trino-taxi-data/helm-values.js");
  const { TaxiDataChart } = require("./demos/trino-taxi-data/taxi-data-chart.js");
  new HelmChart({ name: "trino-taxi-data", version: "0.0.0", appVersion: "26.7", description: "consumer", values: TAXI_DATA_VALUES, props: {},
    build: (app, props) => new TaxiDataChart(app, "trino-taxi-data", props) }).writeTo(process.argv[1]);
' "$tmp/helm-consumer"
if diff -r -q "$tmp/helm-consumer/trino-taxi-data/templates" "$tmp/helm-repo/trino-taxi-data/templates" >/dev/null \
   && cmp -s "$tmp/helm-consumer/trino-taxi-data/values.schema.json" "$tmp/helm-repo/trino-taxi-data/values.schema.json"; then
  log "ok: trino-taxi-data's Helm chart from the installed package has the repository's templates and values schema"; passed=$((passed + 1))
else
  echo "FAILED: trino-taxi-data's Helm chart from the installed package differs from scripts/synth-helm.ts's" >&2; failed=$((failed + 1))
fi

if diff -r -q "$tmp/out-seed" "$REPO_ROOT/dist" >/dev/null; then
  log "ok: the seed demo built against the installed package synthesizes dist/ byte for byte"; passed=$((passed + 1))
else
  echo "FAILED: the seed demo against the installed package differs from dist/ (run \`make synth\`?)" >&2; failed=$((failed + 1))
fi
for name in "${examples[@]}"; do
  if diff -r -q "$tmp/demos/$name" "$REPO_ROOT/demos/$name/dist" >/dev/null; then
    log "ok: example $name built against the installed package synthesizes demos/$name/dist/ byte for byte"; passed=$((passed + 1))
  else
    echo "FAILED: example $name against the installed package differs from demos/$name/dist/ (run \`make synth\`?)" >&2; failed=$((failed + 1))
  fi
done
missing=""
for expect in 'kind: Deployment' 'name: minio' 'kind: SparkApplication' 'kind: HiveCluster' 'trino_admins := {"alice"}' 'kind: SupersetCluster' '[import-assets]'; do
  grep -qF "$expect" "$tmp/out/storage.k8s.yaml" || missing="$missing [$expect]"
done
if [ -z "$missing" ]; then
  log "ok: single constructs from the package synthesize, with their embedded files"; passed=$((passed + 1))
else
  echo "FAILED: the consumer's storage chart lacks:$missing" >&2; failed=$((failed + 1))
fi
echo "package: $passed passed, $failed failed"
[ $failed -eq 0 ]
