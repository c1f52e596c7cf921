#!/usr/bin/env bash
# Suite "lint": kube-score over the synthesized demo (the objects `npm run synth` writes, which the
# Helm chart renders too) with every check on, optional ones included, except the exclusions of
# .kube-score.yaml (each with its reason). Each run of .kube-score.yaml is linted: the default demo,
# the demo in its own namespace with the NetworkPolicies on, and each example app of demos/. Fails on any warning or critical
# finding, and on stale exclusions. kube-score is built from the Go module proxy on first use and
# cached (scripts/lib/common.sh); kube-linter is not available from the proxy.
# Usage: bash scripts/test-lint.sh
. "$(dirname "$0")/lib/common.sh"
cd "$REPO_ROOT"

KUBE_SCORE_VERSION=v1.20.0
kube_score="$(ensure_go_tool kube-score github.com/zegl/kube-score/cmd/kube-score "$KUBE_SCORE_VERSION")"
kube_version="$(sed -n 's/^kubernetesVersion: *//p' .kube-score.yaml)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
ts() { npx --no-install ts-node --transpile-only "$@"; }

log "kube-score $KUBE_SCORE_VERSION, Kubernetes $kube_version, exclusions from .kube-score.yaml"
mapfile -t runs < <(ts test/helm/kube-score-report.ts .kube-score.yaml --runs)
[ ${#runs[@]} -gt 0 ] || { echo "test-lint: .kube-score.yaml lists no runs" >&2; exit 1; }
status=0
for line in "${runs[@]}"; do
  read -r run options <<<"$line"
  if [[ $options == --example\ * ]]; then
    log "run $run: scripts/synth-example.ts ${options#--example }"
    # An example app of demos/ (`--example NAME`).
    ts scripts/synth-example.ts "${options#--example }" --outdir "$tmp/$run" >/dev/null
  else
    log "run $run: scripts/synth.ts ${options:-(no options)}"
    # shellcheck disable=SC2086 # $options is a list of flags
    ts scripts/synth.ts $options --outdir "$tmp/$run" >/dev/null
  fi
  # kube-score exits 1 on critical findings; the report below decides, after the exclusions.
  "$kube_score" score --output-format json --all-default-optional --kubernetes-version "$kube_version" \
    "$tmp/$run"/*.yaml >"$tmp/$run.json" || [ -s "$tmp/$run.json" ]
  ts test/helm/kube-score-report.ts .kube-score.yaml "$run" <"$tmp/$run.json" || status=1
done
exit $status
