#!/usr/bin/env bash
# Suite "cluster": the demo against a real Kubernetes 1.35 control plane on loopback (etcd,
# kube-apiserver, kube-controller-manager, kube-scheduler; kwok plays the nodes and kubelets), built
# from the Go module proxy and cached (scripts/lib/cluster.sh). Each run starts on an empty cluster
# of its own with the Stackable CRDs and a default StorageClass (started in the background while the
# previous step runs: cluster_launch), and shows the command a user would run:
#   1. install:   kubectl apply -f dist/ (client-side, then --server-side), for the default demo and
#                 the variant with its own Namespace and NetworkPolicies; helm install of the chart;
#   2. re-apply:  kubectl diff is empty and no object's generation moves;
#   3. upgrade:   the demo synthesized with changed props (test/cluster/synth-changed.ts) applies
#                 over it, each changed Job and the SparkApplication come as new objects, and the
#                 clean-up of the README's upgrade commands deletes the replaced ones; helm upgrade;
#   4. uninstall: kubectl delete -f / helm uninstall leave nothing of ours but the StatefulSets' PVCs;
#   5. scheduling: on kwok nodes of the README's system requirements, holding the operators' pods
#                 (test/cluster/requirements.ts), every pod we write is scheduled and every Job gets
#                 its pod from kube-controller-manager.
# The example apps of demos/ get steps 1, 2 and 4 (client- and server-side) and 5 (against the
# requirement line of their own README), and
#   6. side by side: the demo (dist/) and each example applied to one cluster share no cluster-scoped
#                 object (the second apply creates its own), and `kubectl delete -f dist/` leaves
#                 every object of the example.
# Negative tests: a step with an object the API server rejects fails; the upgrade with the old
# (unhashed) Job names fails with "field is immutable".
# Usage: bash scripts/test-cluster.sh   (or scripts/test.sh cluster)
# The Stackable CRDs are read from $STACKABLE_CRDS_DIR, ../shared/crds or the cache of
# scripts/fetch-crds.sh (common.sh `crd_dir`).
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/cluster.sh"
cd "$REPO_ROOT"

crds="$(crd_dir test-cluster)"

cluster_ensure_tools
helm="$(ensure_go_tool helm helm.sh/helm/v3/cmd/helm "$HELM_VERSION")"
tmp="$(mktemp -d)"
prepare_job=""
trap 'cluster_stop_all; [ -z "$prepare_job" ] || wait "$prepare_job" 2>/dev/null; rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM # so that the EXIT trap stops the cluster also when the suite is killed
ts() { npx --no-install ts-node --transpile-only "$@"; }
# js SCRIPT ARGS...: scripts/SCRIPT.ts compiled, as `make synth` runs it (build/app/, see below).
js() { node "build/app/scripts/$1.js" "${@:2}"; }
log "etcd $ETCD_VERSION, Kubernetes $KUBERNETES_VERSION, kwok $KWOK_VERSION, helm $HELM_VERSION"

# A fresh, empty cluster: CRDs established, a default StorageClass (the README's prerequisite)
# that can expand volumes, and PersistentVolumes for it (it provisions none), so that the PVCs are
# bound as in a real cluster (only a bound PVC may grow).
# Each step gets a cluster of its own, started in the background while the previous step runs
# (cluster_launch; the first one while the demo is synthesized), and stopped after the step.
cluster_setup() {
  kubectl apply --server-side -f "$crds" >/dev/null
  kubectl wait --for condition=established --timeout 60s crd --all >/dev/null
  kubectl apply -f - >/dev/null <<'EOF'
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: standard
  annotations: {storageclass.kubernetes.io/is-default-class: "true"}
provisioner: kubernetes.io/no-provisioner
volumeBindingMode: Immediate
allowVolumeExpansion: true
EOF
  # Four of 10 GiB, and one of 32 GiB for a larger claim (trino-iceberg's MinIO asks 20 GiB); the
  # binder gives each claim the smallest volume that fits.
  local i
  for i in 0 1 2 3 4; do
    printf 'apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: pv-%s}\nspec: {capacity: {storage: %s}, accessModes: [ReadWriteOnce], storageClassName: standard, hostPath: {path: /tmp/pv-%s}}\n---\n' "$i" "$([ "$i" = 4 ] && echo 32Gi || echo 10Gi)" "$i"
  done | kubectl apply -f - >/dev/null
}
cluster_launch "$tmp/cluster-1" cluster_setup # the first step's cluster, while the demo is synthesized

# The scripts compiled as `make synth` compiles them (incremental: 1-2 s when nothing changed; the
# manifests suite checks that they synthesize what ts-node does).
node node_modules/typescript/bin/tsc -p tsconfig.app.json
node build/app/scripts/build-app.js >/dev/null
# The same synthesis as dist/ and the changed props for it; the rest of what the steps apply (the
# variant and its changed props, the example apps, the Helm chart, the requirements and the old
# naming) is made in the background while the first steps run (`prepared` waits for it).
js synth --outdir "$tmp/default" >/dev/null
diff -r dist "$tmp/default" >/dev/null || { echo "test-cluster: dist/ is out of date: run \`make synth\`" >&2; exit 1; }
log "changed props: $(ts test/cluster/synth-changed.ts "$tmp/default-changed")"
(
  js synth --outdir "$tmp/variant" --namespace taxi-demo --network-policies >/dev/null
  ts test/cluster/synth-changed.ts "$tmp/variant-changed" --namespace taxi-demo --network-policies >/dev/null
  for name in $(example_names); do js synth-example "$name" --outdir "$tmp/demos/$name/dist" >/dev/null; done
  js synth-helm --outdir "$tmp/helm" >"$tmp/chart"
  # Step 5's requirements (DIR.requirements.txt, the table and the README line, and .json).
  for dir in "$tmp/default" $(example_names | sed "s#.*#$tmp/demos/&/dist#"); do
    ts test/cluster/requirements.ts "$dir" --json "$dir.requirements.json" >"$dir.requirements.txt"
  done
  ts test/cluster/old-naming.ts "$tmp/default" "$tmp/old" >/dev/null
  ts test/cluster/old-naming.ts "$tmp/default-changed" "$tmp/old-changed" >/dev/null
) >"$tmp/prepare.log" 2>&1 &
prepare_job=$! prepare_status=""
prepared() {
  [ -n "$prepare_status" ] || { wait "$prepare_job" && prepare_status=0 || prepare_status=$?; }
  [ "$prepare_status" = 0 ] || { cat "$tmp/prepare.log" >&2; echo "test-cluster: synthesizing the inputs failed" >&2; exit 1; }
}

step() { printf '\n--- %s\n' "$*"; }
# user CMD...: runs a command as a user would type it (with dist/ for the default demo's output).
# The command goes to stderr, so that the command's own output can be checked.
user() { printf '$ %s\n' "$(printf '%s ' "$@" | sed "s#$tmp/default/#dist/#g; s#$tmp/##g; s#$helm#helm#g")" >&2; "$@"; }
# user_sh 'PIPELINE': the same for a shell pipeline.
user_sh() { printf '$ %s\n' "$(sed "s#$tmp/default/#dist/#g; s#$tmp/##g" <<<"$1")" >&2; bash -c "$1"; }
fail() { echo "FAIL: $*" >&2; exit 1; }

clusters=0
# fresh_cluster [last]: stops the current cluster (in the background) and continues on the one
# launched for this step; launches the next step's cluster unless `last`.
fresh_cluster() {
  cluster_stop_in_background "$tmp/cluster-$clusters"
  clusters=$((clusters + 1))
  [ -n "$CLUSTER_LAUNCH_JOB" ] || cluster_launch "$tmp/cluster-$clusters" cluster_setup
  cluster_use "$tmp/cluster-$clusters" || fail "the cluster for this step did not start"
  [ "${1:-}" = last ] || cluster_launch "$tmp/cluster-$((clusters + 1))" cluster_setup
}

# Every object in the cluster but events, one line each: kind namespace/name.
inventory() {
  local kinds
  kinds="$(kubectl api-resources --verbs=list -o name | grep -vxE 'events|events\.events\.k8s\.io' | paste -sd, -)"
  kubectl get "$kinds" -A --no-headers -o custom-columns=KIND:.kind,NS:.metadata.namespace,NAME:.metadata.name | sort
}

# generations DIR: kind namespace/name generation of each object of DIR.
generations() {
  kubectl get -f "$1" -o jsonpath='{range .items[*]}{.kind} {.metadata.namespace}/{.metadata.name} {.metadata.generation}{"\n"}{end}' | sort
}

# names KIND LABEL_SELECTOR [NAMESPACE]: names of the objects of KIND with these labels, sorted.
names() { kubectl get "$1" -l "$2" -n "${3:-default}" -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}' | sort; }

# namespace_of DIR: the namespace the objects of DIR are in. Every namespaced object we write names
# it (constructs/core/cluster-dns.ts refuses a chart without), so none is guessed.
namespace_of() {
  local ns
  ns="$(sed -n 's/^  namespace: //p' "$1"/*.yaml | sort -u | head -n 1)"
  [ -n "$ns" ] || { echo "test-cluster: no object of $1 names a namespace" >&2; return 1; }
  echo "$ns"
}

# names_in KIND < MANIFESTS: names of the objects of KIND in multi-document YAML.
names_in() { awk -v k="$1" '/^---/ { kind = ""; seen = 0 } /^kind: / { kind = $2 } /^  name: / && kind == k && !seen { print $2; seen = 1 }' | sort; }
# manifest_names DIR KIND: names of the objects of KIND in DIR's manifests.
manifest_names() { cat "$1"/*.yaml | names_in "$2"; }

# The label of the Jobs and the SparkApplication (constructs/core/content-name.ts CONTENT_NAMED_LABEL).
PRUNE_LABEL='cdk8s-stackable-demos/content-named=true'

# reapply DIR MODE: step 2.
reapply() {
  local dir="$1" mode="$2" before after
  step "2. re-apply ($mode): nothing changes"
  before="$(generations "$dir")"
  if [ "$mode" = server-side ]; then user kubectl diff --server-side -f "$dir/" || fail "kubectl diff --server-side is not empty"
  else user kubectl diff -f "$dir/" || fail "kubectl diff is not empty"; fi
  if [ "$mode" = server-side ]; then user kubectl apply --server-side -f "$dir/" >/dev/null
  else
    # Client-side apply sends a patch, which the API server finds empty, for Secrets (stringData is
    # write-only), quantities it writes in canonical form (1000m -> 1, 4096Mi -> 4Gi) and StatefulSet
    # claim templates (it adds volumeMode): kubectl says "configured", nothing changes.
    user kubectl apply -f "$dir/" | grep -v ' unchanged$' | sed 's/$/ (patch sent, no change)/' || true
  fi
  after="$(generations "$dir")"
  [ "$before" = "$after" ] || { diff <(echo "$before") <(echo "$after") >&2; fail "generations moved on re-apply"; }
  [ "$(kubectl get -f "$dir" -o name | wc -l)" = "$(echo "$after" | wc -l)" ] || fail "objects missing"
  echo "ok: diff empty, $(echo "$after" | wc -l) objects, no generation moved"
}

# upgrade OLD NEW NAMESPACE MODE: step 3, with the README's upgrade commands (apply, then delete the
# replaced Jobs and SparkApplication).
upgrade() {
  local old="$1" new="$2" ns="$3" mode="$4" kind
  step "3. upgrade ($mode): apply the demo synthesized with changed props"
  local ss=(); [ "$mode" = server-side ] && ss=(--server-side)
  user kubectl apply "${ss[@]}" -f "$new/" >"$tmp/upgrade.log" || { cat "$tmp/upgrade.log"; fail "upgrade failed"; }
  # The README's clean-up of replaced Jobs and SparkApplications (kubectl apply --prune does not
  # work with --server-side: "--prune is in alpha and doesn't currently work on objects created by
  # server-side apply", kubectl 1.35).
  user_sh "kubectl get job,sparkapplication -n $ns -l $PRUNE_LABEL -o name | grep -vxFf <(kubectl get -f $new/ -o name) | xargs -r kubectl delete -n $ns" \
    >>"$tmp/upgrade.log" || { cat "$tmp/upgrade.log"; fail "clean-up failed"; }
  for kind in Job SparkApplication; do
    local want got
    want="$(manifest_names "$new" "$kind")"
    got="$(kubectl get "$kind" -n "$ns" -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}' | sort)"
    [ "$want" = "$got" ] || { echo "want: $want"; echo "got: $got"; fail "after the upgrade the ${kind}s are not exactly the new ones"; }
    comm -13 <(manifest_names "$old" "$kind") <(echo "$want") | sed "s/^/new $kind (runs): /"
    comm -23 <(manifest_names "$old" "$kind") <(echo "$want") | sed "s/^/deleted (replaced) $kind: /"
  done
  [ "$(manifest_names "$old" SparkApplication)" != "$(manifest_names "$new" SparkApplication)" ] || fail "the changed SparkApplication kept its name: the operator would not run it"
  reapply "$new" "$mode"
}

# uninstall DIR BASELINE NAMESPACE: step 4.
uninstall() {
  local dir="$1" baseline="$2" ns="$3" left i
  step "4. uninstall"
  user kubectl delete -f "$dir/" --wait=true >/dev/null
  for i in $(seq 1 90); do
    left="$(comm -13 "$baseline" <(inventory) | grep -vE '^PersistentVolumeClaim +default +data-postgresql-' || true)"
    [ -z "$left" ] && break
    sleep 1
  done
  [ -z "$left" ] || { echo "$left" >&2; fail "objects left after uninstall"; }
  comm -13 "$baseline" <(inventory) | sed 's/^/left by design (StatefulSet PVC retention): /'
  echo "ok: nothing else of ours left"
  # The README's command for the PostgreSQL claims.
  user kubectl delete pvc -n "$ns" -l app.kubernetes.io/name=postgresql --wait=true >/dev/null
  [ -z "$(comm -13 "$baseline" <(inventory))" ] || fail "PVCs left after the README's kubectl delete pvc"
  echo "ok: after deleting the PostgreSQL claims, the cluster is as before the install"
}

# lifecycle NAME DIR CHANGED_DIR NAMESPACE MODE: steps 1-4 on a fresh cluster.
lifecycle() {
  local name="$1" dir="$2" changed="$3" ns="$4" mode="$5"
  printf '\n===== %s, %s apply =====\n' "$name" "$mode"
  fresh_cluster
  inventory >"$tmp/baseline"
  step "1. install ($mode) on an empty cluster with the CRDs"
  local ss=(); [ "$mode" = server-side ] && ss=(--server-side)
  user kubectl apply "${ss[@]}" -f "$dir/" >"$tmp/install.log" || { cat "$tmp/install.log"; fail "install failed"; }
  echo "ok: $(wc -l <"$tmp/install.log") objects applied"
  reapply "$dir" "$mode"
  upgrade "$dir" "$changed" "$ns" "$mode"
  uninstall "$changed" "$tmp/baseline" "$ns"
}

lifecycle "default demo" "$tmp/default" "$tmp/default-changed" default client-side
lifecycle "default demo" "$tmp/default" "$tmp/default-changed" default server-side
prepared
lifecycle "Namespace + NetworkPolicy variant" "$tmp/variant" "$tmp/variant-changed" taxi-demo client-side
lifecycle "Namespace + NetworkPolicy variant" "$tmp/variant" "$tmp/variant-changed" taxi-demo server-side

# The example apps of demos/ (their own dist/): install, re-apply and uninstall, client- and
# server-side, each on a fresh cluster.
for name in $(example_names); do
  dir="$tmp/demos/$name/dist"
  diff -r "demos/$name/dist" "$dir" >/dev/null || fail "demos/$name/dist/ is out of date: run \`make synth\`"
  ns="$(namespace_of "$dir")" || fail "demos/$name/dist/ names no namespace"
  for mode in client-side server-side; do
    printf '\n===== example %s (namespace %s), %s apply =====\n' "$name" "$ns" "$mode"
    fresh_cluster
    inventory >"$tmp/baseline"
    step "1. install ($mode) on an empty cluster with the CRDs"
    ss=(); [ "$mode" = server-side ] && ss=(--server-side)
    user kubectl apply "${ss[@]}" -f "$dir/" >"$tmp/install.log" || { cat "$tmp/install.log"; fail "install of $name failed"; }
    echo "ok: $(wc -l <"$tmp/install.log") objects applied"
    reapply "$dir" "$mode"
    uninstall "$dir" "$tmp/baseline" "$ns"
  done
done

# objects_of DIR [KUBECTL_GET_FLAG...]: "resource/name namespace" of each object of DIR as the API
# server has it (the namespace empty for cluster-scoped kinds); with --ignore-not-found, of those
# that exist.
objects_of() {
  local dir="$1"; shift
  paste -d ' ' <(kubectl get -f "$dir/" "$@" -o name) \
    <(kubectl get -f "$dir/" "$@" -o jsonpath='{range .items[*]}{.metadata.namespace}{"\n"}{end}')
}
# cluster_scoped_of DIR: "resource/name" of DIR's cluster-scoped objects, sorted.
cluster_scoped_of() { objects_of "$1" | awk 'NF == 1 { print $1 }' | sort; }

# side_by_side FIRST SECOND: step 6. Two demos installed on one cluster keep their objects apart:
# no cluster-scoped name is shared (the second apply creates its own instead of finding the first's
# `unchanged`), and `kubectl delete -f` of the first leaves every object of the second.
side_by_side() {
  local first="$1" second="$2" shared missing
  step "6. two demos side by side: $(sed "s#$tmp/default#dist#; s#$tmp/##" <<<"$first") and $(sed "s#$tmp/##" <<<"$second")"
  fresh_cluster
  user kubectl apply -f "$first/" >"$tmp/first.log" || { cat "$tmp/first.log"; fail "install of the first demo failed"; }
  user kubectl apply -f "$second/" >"$tmp/second.log" || { cat "$tmp/second.log"; fail "install of the second demo failed"; }
  cluster_scoped_of "$first" >"$tmp/first-cluster-scoped"
  cluster_scoped_of "$second" >"$tmp/second-cluster-scoped"
  [ -s "$tmp/first-cluster-scoped" ] && [ -s "$tmp/second-cluster-scoped" ] || fail "found no cluster-scoped object to compare"
  shared="$(comm -12 "$tmp/first-cluster-scoped" "$tmp/second-cluster-scoped")"
  [ -z "$shared" ] || { echo "$shared" >&2; fail "the two demos share these cluster-scoped objects"; }
  missing="$(grep -vxFf <(sed -n 's/ created$//p' "$tmp/second.log") "$tmp/second-cluster-scoped" || true)"
  [ -z "$missing" ] || { grep -F "$missing" "$tmp/second.log" >&2; fail "the second apply did not create these cluster-scoped objects"; }
  sed 's/^/cluster-scoped, created by the second apply: /' "$tmp/second-cluster-scoped"
  objects_of "$second" | sort >"$tmp/second-before"
  [ "$(wc -l <"$tmp/second-before")" = "$(cat "$second"/*.yaml | grep -c '^kind: ')" ] || fail "not every object of the second demo is in the cluster"
  echo "ok: no cluster-scoped name shared; $(wc -l <"$tmp/second-before") objects of the second demo"
  user kubectl delete -f "$first/" --wait=true >/dev/null
  for line in $(cat "$tmp/first-cluster-scoped"); do
    ! kubectl get "$line" >/dev/null 2>&1 || fail "$line of the deleted demo is still there"
  done
  objects_of "$second" --ignore-not-found | sort >"$tmp/second-after"
  comm -23 "$tmp/second-before" "$tmp/second-after" | sed 's/^/gone: /' >&2
  [ "$(cat "$tmp/second-before")" = "$(cat "$tmp/second-after")" ] || fail "objects of the second demo are gone after kubectl delete -f of the first"
  echo "ok: after kubectl delete -f of the first, every object of the second is there, cluster-scoped ones included"
}

for name in $(example_names); do
  printf '\n===== the demo and example %s on one cluster =====\n' "$name"
  side_by_side "$tmp/default" "$tmp/demos/$name/dist"
done

printf '\n===== Helm chart =====\n'
chart="$(cat "$tmp/chart")"
fresh_cluster
inventory >"$tmp/baseline"
step "1. install"
user "$helm" install taxi-demo "$chart" >/dev/null
[ "$(manifest_names "$tmp/default" Job)" = "$(names job "$PRUNE_LABEL")" ] || fail "helm installed other Jobs than dist/ has"
echo "ok: $(names job "$PRUNE_LABEL" | wc -l) Jobs named as in dist/"
step "2. re-apply"
before="$(generations "$tmp/default")"
user "$helm" upgrade taxi-demo "$chart" --reuse-values >/dev/null
[ "$before" = "$(generations "$tmp/default")" ] || fail "helm upgrade with the same values moved generations"
echo "ok: no generation moved"
step "3. upgrade with changed values"
user "$helm" upgrade taxi-demo "$chart" --set-json 'data.months=["2021-01","2021-02"]' --set-string admin.password=changed-admin-password >/dev/null
{ "$helm" get manifest taxi-demo | names_in Job; "$helm" get manifest taxi-demo | names_in SparkApplication; } | sort >"$tmp/helm-names"
[ "$( (names job "$PRUNE_LABEL"; names sparkapplication "$PRUNE_LABEL") | sort)" = "$(cat "$tmp/helm-names")" ] \
  || fail "after helm upgrade the Jobs and SparkApplications are not exactly the release's"
comm -13 <( (manifest_names "$tmp/default" Job; manifest_names "$tmp/default" SparkApplication) | sort) "$tmp/helm-names" | sed 's/^/new (runs): /'
[ "$(comm -13 <(manifest_names "$tmp/default" SparkApplication) "$tmp/helm-names" | wc -l)" -ge 1 ] || fail "helm upgrade with new months kept the SparkApplication"
step "4. uninstall"
user "$helm" uninstall taxi-demo --wait >/dev/null
for i in $(seq 1 90); do
  left="$(comm -13 "$tmp/baseline" <(inventory) | grep -vE '^PersistentVolumeClaim +default +data-postgresql-' || true)"
  [ -z "$left" ] && break
  sleep 1
done
[ -z "$left" ] || { echo "$left" >&2; fail "objects left after helm uninstall"; }
echo "ok: nothing of ours left but the StatefulSets' PVCs"

# schedule DIR NAMESPACE README: step 5. On a kwok node of the size the README states (checked
# against test/cluster/requirements.ts), next to stand-ins for the operators' pods, every pod of DIR
# is scheduled and every Job gets its pod from kube-controller-manager and completes.
schedule() {
  local dir="$1" ns="$2" readme="$3" requirement cpu memory disk own_pods pending jobs_without_pods workloads job i secret_volumes
  fresh_cluster
  requirement="$(tail -n 1 "$dir.requirements.txt")"
  grep -qF "$requirement" "$readme" || { cat "$dir.requirements.txt"; fail "$readme does not state the computed requirement: $requirement"; }
  read -r cpu memory disk own_pods < <(python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); print(r["cpu"], r["memoryGi"], r["diskGi"], r["ownPodCount"])' "$dir.requirements.json")
  echo "$readme: $requirement"
  cluster_add_node kwok-node "$cpu" "${memory}Gi" "${disk}Gi"
  kubectl wait --for condition=Ready --timeout 60s node/kwok-node >/dev/null || fail "kwok did not make the node Ready"
  # Stand-ins that hold the requests of the pods the operators would create and of the operators themselves.
  python3 - "$dir.requirements.json" >"$tmp/stand-ins.yaml" <<'PY'
import hashlib, json, sys
r = json.load(open(sys.argv[1]))
docs = ['apiVersion: v1\nkind: Namespace\nmetadata: {name: stand-ins}']
for p in r["standIns"]:
    base = "".join(c if c.isalnum() else "-" for c in p["name"].lower()).strip("-")
    # Long names (a content-named SparkApplication's roles) are cut and told apart by a hash of the whole.
    if len(base) > 50:
        base = f"{base[:43].rstrip('-')}-{hashlib.sha1(base.encode()).hexdigest()[:6]}"
    for n in range(p["count"]):
        res = lambda a: f'{{cpu: "{round(a["cpu"])}m", memory: "{round(a["memory"])}Mi"}}'
        docs.append(f'apiVersion: v1\nkind: Pod\nmetadata: {{name: {base[:50]}-{n}, namespace: stand-ins}}\n'
                    f'spec: {{containers: [{{name: c, image: stand-in, resources: {{requests: {res(p["requests"])}, limits: {res(p["limits"])}}}}}]}}')
print("\n---\n".join(docs))
PY
  # The secret-operator and the listener-operator provision the pods' ephemeral secret and listener
  # volumes (StorageClasses secrets.stackable.tech, listeners.stackable.tech); without them, a
  # stand-in class each, with one small volume per such claim, lets them bind.
  # Access modes as the claims ask: secret volumes ReadWriteOnce, listener volumes ReadWriteMany
  # (MinioServer's listenerVolume, as operator-rs's listener volume builder writes them).
  for class_mode in secrets.stackable.tech:ReadWriteOnce listeners.stackable.tech:ReadWriteMany; do
    class="${class_mode%%:*}" mode="${class_mode##*:}"
    claims="$(cat "$dir"/*.yaml | grep -c "storageClassName: $class" || true)"
    [ "$claims" -gt 0 ] || continue
    {
      printf 'apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: %s}\nprovisioner: kubernetes.io/no-provisioner\nvolumeBindingMode: Immediate\n' "$class"
      for i in $(seq 1 "$claims"); do
        printf -- '---\napiVersion: v1\nkind: PersistentVolume\nmetadata: {name: %s-volume-%s}\nspec: {capacity: {storage: 1Mi}, accessModes: [%s], storageClassName: %s, hostPath: {path: /tmp/%s-%s}}\n' "${class%%.*}" "$i" "$mode" "$class" "${class%%.*}" "$i"
      done
    } | kubectl apply -f - >/dev/null
  done
  kubectl apply -f "$tmp/stand-ins.yaml" >/dev/null
  echo "ok: $(grep -c '^kind: Pod' "$tmp/stand-ins.yaml") stand-in pods for the operators and the pods they create"
  step "install and wait until every pod is scheduled"
  user kubectl apply -f "$dir/" >/dev/null
  for i in $(seq 1 120); do
    pending="$(kubectl get pods -A --no-headers -o custom-columns=NS:.metadata.namespace,NAME:.metadata.name,NODE:.spec.nodeName | awk '$3 == "<none>"')"
    jobs_without_pods=""
    for job in $(manifest_names "$dir" Job); do
      [ -n "$(kubectl get pods -n "$ns" -l "batch.kubernetes.io/job-name=$job" -o name)" ] || jobs_without_pods+=" $job"
    done
    workloads="$(kubectl get pods -n "$ns" --no-headers 2>/dev/null | wc -l)"
    [ -z "$pending" ] && [ -z "$jobs_without_pods" ] && [ "$workloads" -ge "$own_pods" ] && break
    sleep 1
  done
  [ -z "$pending" ] || { echo "$pending"; kubectl get events -A --field-selector reason=FailedScheduling -o custom-columns=MSG:.message | tail -n 5; fail "pods not scheduled on a node of the README size"; }
  [ -z "$jobs_without_pods" ] || fail "kube-controller-manager created no pod for:$jobs_without_pods"
  # kwok's pod-complete stage lets Job pods succeed; the Job controller then completes the Jobs.
  user kubectl wait --for condition=Complete --timeout 120s job -n "$ns" -l "$PRUNE_LABEL" || fail "the Jobs did not complete"
  kubectl get pods -n "$ns" -o custom-columns=POD:.metadata.name,NODE:.spec.nodeName,PHASE:.status.phase
  kubectl describe node kwok-node | sed -n '/Allocated resources/,/Events/p' | grep -E 'cpu|memory|ephemeral-storage'
  echo "ok: every pod we write and every stand-in is scheduled; every Job got its pod and completed"
}

printf '\n===== 5. scheduling on kwok nodes of the README size =====\n'
schedule "$tmp/default" default README.md
for name in $(example_names); do
  dir="$tmp/demos/$name/dist"
  printf '\n===== 5. example %s: scheduling on a kwok node of its README size =====\n' "$name"
  schedule "$dir" "$(namespace_of "$dir")" "demos/$name/README.md"
done

printf '\n===== negative tests =====\n'
fresh_cluster
step "an object the API server rejects fails the install step"
mkdir -p "$tmp/rejected"
cp "$tmp/default"/*.yaml "$tmp/rejected/"
printf -- '---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Not_A_Valid_Name\n' >>"$tmp/rejected/"*.yaml
if (user kubectl apply -f "$tmp/rejected/" >/dev/null 2>"$tmp/rejected.log"); then fail "kubectl apply accepted an invalid object"; fi
grep -q 'Not_A_Valid_Name' "$tmp/rejected.log" || { cat "$tmp/rejected.log"; fail "the failure does not name the rejected object"; }
echo "ok: failed: $(grep -m1 'Not_A_Valid_Name' "$tmp/rejected.log")"

step "the same upgrade with the old naming (Jobs and SparkApplication without hash) fails"
fresh_cluster last
kubectl apply -f "$tmp/old/" >/dev/null
if (user kubectl apply -f "$tmp/old-changed/" >/dev/null 2>"$tmp/old.log"); then fail "the upgrade with unhashed Job names succeeded"; fi
grep -q 'field is immutable' "$tmp/old.log" || { cat "$tmp/old.log"; fail "the old-naming upgrade failed for another reason"; }
echo "ok: failed: $(grep -m1 -o 'The Job "[^"]*" is invalid: spec.template: .\{0,60\}' "$tmp/old.log")"

log "cluster suite passed"
