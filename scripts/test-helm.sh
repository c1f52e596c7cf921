#!/usr/bin/env bash
# Suite "helm": the library's Helm emitter (constructs/helm/, class HelmChart) and the demos' charts
# emitted by scripts/synth-helm.ts, checked with a real helm.
#  1. a stand-in chart (test/helm/fixture-chart.ts) full of `{{`/`}}` renders byte-for-byte, and
#     its optional value adds its Secret only when set;
#  2. every demo's chart (scripts/synth-helm.ts --all) passes `helm lint --strict`, has a values
#     schema that is valid draft-07 JSON schema, ships no CRDs, and `helm template` with the default
#     values renders exactly the objects of that demo's plain synth (scripts/synth.ts for the seed
#     demo, scripts/synth-example.ts for the others), keeping the runtime contract; each value
#     renders what the demo's chart synthesizes with it, and the schema refuses bad values;
#  3. the seed demo's chart, synthesized with the defaults and for another namespace with NetworkPolicies,
#     passes `helm lint --strict`, ships no CRDs, and `helm template` with the default values renders
#     exactly the objects of the plain synth (scripts/synth.ts) for that namespace, compared as data,
#     and keeps the runtime contract (test/contract/check-manifests.ts);
#  4. each value (and all together) renders what DemoChart synthesizes with it, changing only the
#     objects DemoChart changes (an optional value adds the objects DemoChart adds, holding it, and
#     renders the defaults when empty or null); values.schema.json makes helm refuse bad types and
#     formats.
# The parts (1, 2 per chart, 3 per namespace with 4) run two at a time, each printing its log when
# it ends, in order; scripts/*.ts run compiled (build/app/, as `make synth` runs them).
# helm is built from the Go module proxy on first use and cached (scripts/lib/common.sh).
# Usage: bash scripts/test-helm.sh
. "$(dirname "$0")/lib/common.sh"
cd "$REPO_ROOT"

# `go install` builds helm without the release's linker flags, so its default Kubernetes version
# would be 1.20; use the one a release build of this helm defaults to (its k8s.io/client-go v0.37).
export HELM_KUBE_VERSION=1.37.0
helm="$(ensure_go_tool helm helm.sh/helm/v3/cmd/helm "$HELM_VERSION")"
kube=(--kube-version "$HELM_KUBE_VERSION")
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
ts() { npx --no-install ts-node --transpile-only "$@"; }
# js SCRIPT ARGS...: scripts/SCRIPT.ts compiled, as `make synth` runs it (the manifests suite checks
# that the compiled scripts synthesize what ts-node does).
js() { node "build/app/scripts/$1.js" "${@:2}"; }

log "helm $HELM_VERSION ($helm), Kubernetes $HELM_KUBE_VERSION"
# The apps and scripts compiled into build/app/ as `make build-app` does (incremental: 1-2 s when
# nothing changed).
node node_modules/typescript/bin/tsc -p tsconfig.app.json
node build/app/scripts/build-app.js >/dev/null

# part NAME FUNCTION ARGS...: FUNCTION ARGS in the background (set -e; output in $tmp/parts/NAME.log),
# at most two at once: each part is a few node and helm processes, one core each. The logs of the
# parts that ended are printed in order (show_parts).
mkdir -p "$tmp/parts"
part_names=() part_pids=() shown=0 failed=()
part() {
  local name="$1"; shift
  while [ "$(jobs -rp | wc -l)" -ge 2 ]; do wait -n || true; done
  show_parts
  ( "$@" ) >"$tmp/parts/$name.log" 2>&1 &
  part_names+=("$name") part_pids+=($!)
}
# show_parts [all]: prints the log of each part that ended, in order, up to the first still running
# (with `all`, waits for each); a failed part is named and counted.
show_parts() {
  local running status
  while [ "$shown" -lt ${#part_pids[@]} ]; do
    running=" $(jobs -rp | tr '\n' ' ') "
    [ "${1:-}" = all ] || [[ "$running" != *" ${part_pids[$shown]} "* ]] || break
    status=0
    wait "${part_pids[$shown]}" || status=$?
    cat "$tmp/parts/${part_names[$shown]}.log"
    [ "$status" = 0 ] || { log "helm: part ${part_names[$shown]} failed (status $status)"; failed+=("${part_names[$shown]}"); }
    shown=$((shown + 1))
  done
}

fixture_chart() {
  log "fixture chart: template delimiters in the manifests survive helm"
  ts test/helm/fixture-chart.ts "$tmp/fixture-plain" "$tmp/fixture-helm" >/dev/null
  "$helm" lint --strict "${kube[@]}" "$tmp/fixture-helm/fixture"
  "$helm" template release "$tmp/fixture-helm/fixture" "${kube[@]}" >"$tmp/fixture.yaml"
  ts test/helm/manifest-diff.ts "$tmp/fixture-plain" "$tmp/fixture.yaml"
  ts test/helm/check-values.ts "$helm" "$tmp/fixture-helm/fixture" fixture
}

# The chart is rendered for one namespace: check the defaults, and another namespace (adds a
# Namespace) with the NetworkPolicies on.
# demo_chart NAMESPACE [OPTIONS...]
demo_chart() {
  local ns="$1" chart; shift
  log "demo chart for namespace $ns ${*:-(default options)}: lint, no CRDs, default values render the plain synth"
  js synth --namespace "$ns" "$@" --outdir "$tmp/plain-$ns" >/dev/null
  chart="$(js synth-helm --namespace "$ns" "$@" --outdir "$tmp/helm-$ns")"
  "$helm" lint --strict "${kube[@]}" "$chart"
  if [ -e "$chart/crds" ] || [ -e "$chart/charts" ]; then
    echo "the chart must not ship CRDs or subcharts: $(ls -d "$chart"/crds "$chart"/charts 2>/dev/null)" >&2
    exit 1
  fi
  "$helm" template release "$chart" "${kube[@]}" --include-crds >"$tmp/demo-$ns.yaml"
  if grep -q '^kind: CustomResourceDefinition' "$tmp/demo-$ns.yaml"; then
    echo "the chart renders a CustomResourceDefinition; the operators own them" >&2
    exit 1
  fi
  ts test/helm/manifest-diff.ts "$tmp/plain-$ns" "$tmp/demo-$ns.yaml"
  log "runtime contract of what helm renders"
  ts test/contract/check-manifests.ts "$tmp/demo-$ns.yaml"
  if [ "$ns" = default ] && [ $# = 0 ]; then
    log "demo chart: values and schema"
    ts test/helm/check-values.ts "$helm" "$chart" demo
  fi
}

# Every demo app's chart, as `npm run synth:helm` writes them.
# each_chart CHART
each_chart() {
  local chart="$1" name
  name="$(basename "$chart")"
  log "chart $name: lint, values schema, no CRDs, default values render the plain synth"
  "$helm" lint --strict "${kube[@]}" "$chart"
  ts test/helm/check-schema.ts "$chart"
  if [ -e "$chart/crds" ] || [ -e "$chart/charts" ]; then
    echo "chart $name must not ship CRDs or subcharts" >&2
    exit 1
  fi
  if [ "$name" = spark-k8s-anomaly-detection-taxi-data ]; then
    js synth --outdir "$tmp/plain-all-$name" >/dev/null
  else
    js synth-example "$name" --outdir "$tmp/plain-all-$name" >/dev/null
  fi
  "$helm" template release "$chart" "${kube[@]}" --include-crds >"$tmp/all-$name.yaml"
  if grep -q '^kind: CustomResourceDefinition' "$tmp/all-$name.yaml"; then
    echo "chart $name renders a CustomResourceDefinition; the operators own them" >&2
    exit 1
  fi
  ts test/helm/manifest-diff.ts "$tmp/plain-all-$name" "$tmp/all-$name.yaml"
  ts test/contract/check-manifests.ts "$tmp/all-$name.yaml"
  if [ "$name" != spark-k8s-anomaly-detection-taxi-data ]; then
    log "chart $name: values and schema"
    ts test/helm/check-values.ts "$helm" "$chart" "$name"
  fi
}

part demo-default demo_chart default
part demo-taxi-demo demo_chart taxi-demo --network-policies
part fixture fixture_chart
mapfile -t charts < <(js synth-helm --all --outdir "$tmp/helm-all")
[ ${#charts[@]} -ge 2 ] || { echo "synth-helm --all wrote ${#charts[@]} chart(s): ${charts[*]}" >&2; exit 1; }
for chart in "${charts[@]}"; do
  part "chart-$(basename "$chart")" each_chart "$chart"
done

show_parts all
[ ${#failed[@]} = 0 ] || { log "helm suite failed: ${failed[*]}"; exit 1; }
log "helm suite passed"
