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

log "helm $HELM_VERSION ($helm), Kubernetes $HELM_KUBE_VERSION"

log "fixture chart: template delimiters in the manifests survive helm"
ts test/helm/fixture-chart.ts "$tmp/fixture-plain" "$tmp/fixture-helm" >/dev/null
"$helm" lint --strict "${kube[@]}" "$tmp/fixture-helm/fixture"
"$helm" template release "$tmp/fixture-helm/fixture" "${kube[@]}" >"$tmp/fixture.yaml"
ts test/helm/manifest-diff.ts "$tmp/fixture-plain" "$tmp/fixture.yaml"
ts test/helm/check-values.ts "$helm" "$tmp/fixture-helm/fixture" fixture

# The chart is rendered for one namespace: check the defaults, and another namespace (adds a
# Namespace) with the NetworkPolicies on.
for variant in "default" "taxi-demo --network-policies"; do
  read -r ns options <<<"$variant"
  log "demo chart for namespace $ns ${options:-(default options)}: lint, no CRDs, default values render the plain synth"
  # shellcheck disable=SC2086 # $options is a list of flags
  ts scripts/synth.ts --namespace "$ns" $options --outdir "$tmp/plain-$ns" >/dev/null
  # shellcheck disable=SC2086
  chart="$(ts scripts/synth-helm.ts --namespace "$ns" $options --outdir "$tmp/helm-$ns")"
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
done

log "demo chart: values and schema"
ts test/helm/check-values.ts "$helm" "$tmp/helm-default/$(basename "$chart")" demo

# Every demo app's chart, as `npm run synth:helm` writes them.
mapfile -t charts < <(ts scripts/synth-helm.ts --all --outdir "$tmp/helm-all")
[ ${#charts[@]} -ge 2 ] || { echo "synth-helm --all wrote ${#charts[@]} chart(s): ${charts[*]}" >&2; exit 1; }
for chart in "${charts[@]}"; do
  name="$(basename "$chart")"
  log "chart $name: lint, values schema, no CRDs, default values render the plain synth"
  "$helm" lint --strict "${kube[@]}" "$chart"
  ts test/helm/check-schema.ts "$chart"
  if [ -e "$chart/crds" ] || [ -e "$chart/charts" ]; then
    echo "chart $name must not ship CRDs or subcharts" >&2
    exit 1
  fi
  if [ "$name" = spark-k8s-anomaly-detection-taxi-data ]; then
    ts scripts/synth.ts --outdir "$tmp/plain-all-$name" >/dev/null
  else
    ts scripts/synth-example.ts "$name" --outdir "$tmp/plain-all-$name" >/dev/null
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
done
log "helm suite passed"
