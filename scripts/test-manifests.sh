#!/usr/bin/env bash
# Suite "manifests": checks the synthesized demo like a Kubernetes 1.35 API server would.
#   1. builds tools/kube-check (cached, keyed by the hash of its Go sources) and runs its Go tests;
#   2. synthesizes the demo into a temporary folder and runs
#        kube-check validate    (Stackable CRD schemas + strict built-in kinds, unknown fields are errors)
#        kube-check podsecurity (Pod Security "restricted", exceptions in test/manifests/podsecurity-exceptions.yaml);
#        check-manifests        (the runtime contract, test/contract/runtime-contract.ts);
#   3. checks that the committed dist/ equals that synthesis.
# The example apps of demos/ (each synthesized by scripts/synth-example.ts) go through 2 and 3 too;
# fixtures (test/trino/trino-catalogs-fixture.ts, test/nifi/nifi-manifests-fixture.ts) through 2 only.
# Usage: scripts/test-manifests.sh   (or scripts/test.sh manifests)
# The Stackable CRDs are read from $STACKABLE_CRDS_DIR, ../shared/crds or the cache of
# scripts/fetch-crds.sh (common.sh `crd_dir`).
. "$(dirname "$0")/lib/common.sh"
cd "$REPO_ROOT"

STACKABLE_CRDS_DIR="$(crd_dir test-manifests)"
export STACKABLE_CRDS_DIR

# 1. Build (once per source hash) and test the checker.
src=tools/kube-check
key="$( { go env GOVERSION; cd "$src" && find . -name '*.go' -o -name go.mod -o -name go.sum | LC_ALL=C sort | xargs sha256sum; } | sha256sum | cut -c1-16)"
bin="$DEMO_CACHE_DIR/bin/kube-check-$key/kube-check"
if [ ! -x "$bin" ]; then
  log "building kube-check ($key)"
  mkdir -p "$(dirname "$bin")"
  (cd "$src" && go build -o "$bin.tmp" .)
  mv "$bin.tmp" "$bin"
fi
log "go test ./... in $src"
(cd "$src" && go test ./...)

# 2. Synthesize and check.
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# The default demo (what dist/ holds), and a variant with its own Namespace object and the
# NetworkPolicies, so that every kind the library can write is validated.
log "synthesizing the demo into $tmp"
npx --no-install ts-node --transpile-only scripts/synth.ts --outdir "$tmp/dist" >/dev/null
npx --no-install ts-node --transpile-only scripts/synth.ts --outdir "$tmp/variant" --namespace taxi-demo --network-policies >/dev/null
# The example apps (demos/<name>/, each with its own dist/), through the same checks.
mapfile -t examples < <(example_names)
outs=(dist variant)
for name in "${examples[@]}"; do
  log "synthesizing the example $name"
  npx --no-install ts-node --transpile-only scripts/synth-example.ts "$name" --outdir "$tmp/demos/$name/dist" >/dev/null
  outs+=("demos/$name/dist")
done

# Fixtures for what no demo uses (every Trino catalog connector, the stacks' TrinoCluster settings).
log "synthesizing the Trino catalogs fixture"
npx --no-install ts-node --transpile-only test/trino/trino-catalogs-fixture.ts "$tmp/fixtures/trino" >/dev/null
outs+=(fixtures/trino)
log "synthesizing the NiFi fixture"
npx --no-install ts-node --transpile-only test/nifi/nifi-manifests-fixture.ts "$tmp/fixtures/nifi" >/dev/null
outs+=(fixtures/nifi)

# Run from $tmp so that reports name the files as dist/<file>.
status=0
for out in "${outs[@]}"; do
  log "kube-check validate ($out)"
  (cd "$tmp" && "$bin" validate --crds "$STACKABLE_CRDS_DIR" "$out") || status=1
  log "kube-check podsecurity --level restricted ($out)"
  (cd "$tmp" && "$bin" podsecurity --level restricted --exceptions "$REPO_ROOT/test/manifests/podsecurity-exceptions.yaml" "$out") || status=1
  log "runtime contract ($out): what the operators, the secret-operator and the images do with it"
  npx --no-install ts-node --transpile-only test/contract/check-manifests.ts "$tmp/$out" || status=1
done

# 3. The committed dist/ must be what the code synthesizes.
if [ ! -d dist ]; then
  echo "test-manifests: dist/ is missing: run \`make synth\` and commit dist/" >&2
  status=1
elif ! diff -r dist "$tmp/dist" >"$tmp/dist.diff"; then
  head -n 40 "$tmp/dist.diff" >&2
  echo "test-manifests: dist/ is out of date with the code: run \`make synth\` and commit dist/" >&2
  status=1
else
  log "dist/ is up to date"
fi
for name in "${examples[@]}"; do
  if ! diff -r "demos/$name/dist" "$tmp/demos/$name/dist" >"$tmp/example.diff" 2>&1; then
    head -n 40 "$tmp/example.diff" >&2
    echo "test-manifests: demos/$name/dist/ is out of date with the code: run \`make synth\` and commit it" >&2
    status=1
  else
    log "demos/$name/dist/ is up to date"
  fi
done

# 4. `make synth` (the README's command: compiled apps in build/app/) writes the same, with the
# package name resolved to build/app/constructs even where a stale or no lib/ exists (Node's
# self-reference through package.json `exports` would otherwise pick lib/constructs).
log "make synth's compiled apps (build/app/) synthesize the same, without lib/"
if [ -d lib ]; then mv lib "$tmp/lib-aside"; fi
if make --no-print-directory build-app >/dev/null \
   && node build/app/scripts/synth.js --outdir "$tmp/compiled/dist" >/dev/null \
   && for name in "${examples[@]}"; do node build/app/scripts/synth-example.js "$name" --outdir "$tmp/compiled/demos/$name/dist" >/dev/null || exit 1; done; then
  if diff -r "$tmp/dist" "$tmp/compiled/dist" >/dev/null && diff -r "$tmp/demos" "$tmp/compiled/demos" >/dev/null; then
    log "make synth writes what ts-node synthesizes (the demo and ${#examples[@]} example(s))"
  else
    echo "test-manifests: the compiled apps of make synth synthesize something else than the sources" >&2
    status=1
  fi
else
  echo "test-manifests: make build-app or a compiled synth failed (without lib/)" >&2
  status=1
fi
if [ -d "$tmp/lib-aside" ]; then mv "$tmp/lib-aside" lib; fi
exit $status
