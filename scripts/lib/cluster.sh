# A throw-away Kubernetes control plane on loopback for the cluster suite: etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler and kwok (simulated nodes and pods), all built from the Go
# module proxy and cached by version. Source it after common.sh.
#
#   cluster_ensure_tools              builds (first use) and sets ETCD, KUBE_BIN, KWOK
#   cluster_start DIR                 certificates, etcd, apiserver, controllers; writes DIR/kubeconfig
#   cluster_stop                      stops every process cluster_start started, by PID
#   cluster_launch DIR [CMD...]       cluster_start DIR (then CMD, e.g. installing the CRDs) in the
#                                     background, while the current cluster is in use
#   cluster_use DIR                   waits for that launch and makes its cluster the current one
#   cluster_stop_in_background [DIR]  cluster_stop (then deletes DIR) in the background
#   cluster_stop_all                  cluster_stop, and stops a launched cluster not yet in use
#                                     (and waits for the stops in the background)
#
# No container runtime and no kubelet: kwok plays the nodes (and marks scheduled pods Running),
# which is enough for the API server's validation, server-side apply, the Job controller and the
# scheduler's resource fit.

ETCD_VERSION=v3.6.16
KUBERNETES_VERSION=v1.35.4 # the newest 1.35 patch of k8s.io/kubernetes on the Go module proxy
KWOK_VERSION=v0.8.0

# k8s.io/kubernetes' go.mod replaces each k8s.io/X it publishes separately with ./staging/src/k8s.io/X,
# a folder that is not in the module zip; the published k8s.io/X v0.MINOR.PATCH is the same code.
kubernetes_staging_modules() {
  go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" >/dev/null
  sed -n 's#^[[:space:]]*\(k8s.io/[a-z0-9-]*\) => ./staging/src/.*#\1#p' \
    "$(go env GOMODCACHE)/cache/download/k8s.io/kubernetes/@v/$KUBERNETES_VERSION.mod"
}

cluster_ensure_tools() {
  ETCD="$(printf 'require go.etcd.io/etcd/server/v3 %s\n' "$ETCD_VERSION" |
    ensure_go_scratch_build "etcd-$ETCD_VERSION" "" etcd=go.etcd.io/etcd/server/v3)/etcd"
  # Without these -X flags (set by kubernetes' hack/lib/version.sh) every binary reports v0.0.0.
  local minor="${KUBERNETES_VERSION#v1.}"; minor="${minor%%.*}"
  local ldflags="" pkg
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $pkg.gitVersion=$KUBERNETES_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
  done
  local staging_minor="v0.${KUBERNETES_VERSION#v1.}"
  KUBE_BIN="$( {
    printf 'require k8s.io/kubernetes %s\n\nreplace (\n' "$KUBERNETES_VERSION"
    kubernetes_staging_modules | sed "s#.*#\t& => & $staging_minor#"
    printf ')\n'
  } | ensure_go_scratch_build "kubernetes-$KUBERNETES_VERSION" "$ldflags" \
      kube-apiserver=k8s.io/kubernetes/cmd/kube-apiserver \
      kube-controller-manager=k8s.io/kubernetes/cmd/kube-controller-manager \
      kube-scheduler=k8s.io/kubernetes/cmd/kube-scheduler \
      kubectl=k8s.io/kubernetes/cmd/kubectl)"
  KWOK="$(ensure_go_tool kwok sigs.k8s.io/kwok/cmd/kwok "$KWOK_VERSION")"
  export PATH="$KUBE_BIN:$PATH"
}

# free_port -> a TCP port on 127.0.0.1 that nothing listens on right now.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

CLUSTER_PIDS=()

# _cluster_started DIR PID: records a process of the cluster in DIR, also in DIR/pids (for
# cluster_use and cluster_stop_all, when cluster_start ran in the background).
_cluster_started() { CLUSTER_PIDS+=("$2"); echo "$2" >>"$1/pids"; }

# cluster_start DIR: everything lives in DIR (certificates, etcd data, logs, kubeconfig); sets
# KUBECONFIG. Returns once the API server is ready and the default ServiceAccount exists.
cluster_start() {
  local dir="$1" i
  mkdir -p "$dir/pki" "$dir/logs"
  touch "$dir/pids"
  local pki="$dir/pki"
  # Self-signed CA; the API server's serving certificate for 127.0.0.1; an admin client certificate
  # (group system:masters); the service-account signing key.
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=cluster-suite-ca -keyout "$pki/ca.key" -out "$pki/ca.crt" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj /CN=kube-apiserver -keyout "$pki/apiserver.key" -out "$pki/apiserver.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc\n' >"$pki/apiserver.ext"
  openssl x509 -req -in "$pki/apiserver.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial -days 2 -extfile "$pki/apiserver.ext" -out "$pki/apiserver.crt" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj '/O=system:masters/CN=cluster-suite-admin' -keyout "$pki/admin.key" -out "$pki/admin.csr" 2>/dev/null
  openssl x509 -req -in "$pki/admin.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial -days 2 -out "$pki/admin.crt" 2>/dev/null
  openssl genrsa -out "$pki/sa.key" 2048 2>/dev/null
  openssl rsa -in "$pki/sa.key" -pubout -out "$pki/sa.pub" 2>/dev/null

  local etcd_port etcd_peer api_port
  etcd_port="$(free_port)"; etcd_peer="$(free_port)"; api_port="$(free_port)"
  "$ETCD" --name cluster-suite --data-dir "$dir/etcd" \
    --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
    --listen-peer-urls "http://127.0.0.1:$etcd_peer" --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer" \
    --initial-cluster "cluster-suite=http://127.0.0.1:$etcd_peer" --unsafe-no-fsync \
    --quota-backend-bytes 1073741824 --log-level warn >"$dir/logs/etcd.log" 2>&1 &
  _cluster_started "$dir" $!

  "$KUBE_BIN/kube-apiserver" --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$api_port" \
    --etcd-servers "http://127.0.0.1:$etcd_port" \
    --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" --client-ca-file "$pki/ca.crt" \
    --service-account-issuer https://kubernetes.default.svc --service-account-key-file "$pki/sa.pub" \
    --service-account-signing-key-file "$pki/sa.key" --service-cluster-ip-range 10.96.0.0/16 \
    --authorization-mode RBAC --allow-privileged=false --profiling=false \
    --enable-priority-and-fairness=false --watch-cache=false >"$dir/logs/kube-apiserver.log" 2>&1 &
  _cluster_started "$dir" $!

  export KUBECONFIG="$dir/kubeconfig"
  cat >"$KUBECONFIG" <<KUBECONFIG_EOF
apiVersion: v1
kind: Config
clusters:
- name: cluster-suite
  cluster: {server: "https://127.0.0.1:$api_port", certificate-authority: "$pki/ca.crt"}
users:
- name: admin
  user: {client-certificate: "$pki/admin.crt", client-key: "$pki/admin.key"}
contexts:
- name: cluster-suite
  context: {cluster: cluster-suite, user: admin, namespace: default}
current-context: cluster-suite
KUBECONFIG_EOF
  for i in $(seq 1 120); do
    if kubectl get --raw /readyz >/dev/null 2>&1; then break; fi
    if [ "$i" = 120 ]; then tail -n 30 "$dir/logs/kube-apiserver.log" >&2; log "kube-apiserver did not become ready"; return 1; fi
    sleep 1
  done

  "$KUBE_BIN/kube-controller-manager" --kubeconfig "$KUBECONFIG" --leader-elect=false --bind-address 127.0.0.1 \
    --secure-port "$(free_port)" --service-account-private-key-file "$pki/sa.key" --root-ca-file "$pki/ca.crt" \
    --use-service-account-credentials=false --profiling=false --concurrent-ttl-after-finished-syncs 1 \
    >"$dir/logs/kube-controller-manager.log" 2>&1 &
  _cluster_started "$dir" $!
  "$KUBE_BIN/kube-scheduler" --kubeconfig "$KUBECONFIG" --leader-elect=false --bind-address 127.0.0.1 \
    --secure-port "$(free_port)" --profiling=false >"$dir/logs/kube-scheduler.log" 2>&1 &
  _cluster_started "$dir" $!
  # kwok manages the nodes annotated kwok.x-k8s.io/node=fake (added by cluster_add_node): it keeps them
  # Ready and plays the kubelet for the pods scheduled onto them. Without stages it exits ("no stages
  # found"): use the "fast" set its module ships (kustomize/stage/fast: node-initialize,
  # node-heartbeat-with-lease, pod-ready, pod-complete (Job pods succeed), pod-delete).
  local stages
  stages="$(go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')/kustomize/stage"
  for f in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
    pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
    cat "$stages/$f"; printf '\n---\n'
  done >"$dir/kwok-stages.yaml"
  "$KWOK" --kubeconfig "$KUBECONFIG" --config "$dir/kwok-stages.yaml" --manage-all-nodes=false \
    --manage-nodes-with-annotation-selector kwok.x-k8s.io/node=fake \
    --server-address "127.0.0.1:$(free_port)" --node-ip 127.0.0.1 >"$dir/logs/kwok.log" 2>&1 &
  _cluster_started "$dir" $!

  for i in $(seq 1 60); do
    if kubectl get serviceaccount default >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  tail -n 30 "$dir/logs/kube-controller-manager.log" >&2
  log "kube-controller-manager did not create the default ServiceAccount"
  return 1
}

# cluster_stop: stops, by PID, every process cluster_start started, in reverse order, each before
# the next (kube-apiserver's graceful shutdown hangs once etcd is gone): SIGTERM, SIGKILL after 10 s.
cluster_stop() {
  local i j pid
  for ((i = ${#CLUSTER_PIDS[@]} - 1; i >= 0; i--)); do
    pid="${CLUSTER_PIDS[$i]}"
    kill "$pid" 2>/dev/null || continue
    # Exited children stay zombies (state Z) until `wait`, and kill -0 still reaches them.
    for j in $(seq 1 50); do
      case "$(ps -o stat= -p "$pid" 2>/dev/null)" in ''|Z*) break ;; esac
      sleep 0.2
    done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  CLUSTER_PIDS=()
}

# A cluster started in the background (cluster_launch) while the current one is in use: the next
# step's cluster is ready when that step begins, instead of starting then (about 10 s each).
CLUSTER_LAUNCH_JOB="" CLUSTER_LAUNCH_DIR=""

# cluster_launch DIR [CMD...]: runs `cluster_start DIR` and then CMD (with the new cluster's
# KUBECONFIG) in a background subshell (set -e; output in DIR/launch.log); the current cluster and
# KUBECONFIG stay as they are. One launch at a time.
cluster_launch() {
  local dir="$1"; shift
  [ -z "$CLUSTER_LAUNCH_JOB" ] || { log "cluster_launch: a launch is pending already"; return 1; }
  mkdir -p "$dir"
  touch "$dir/pids"
  ( trap - EXIT; CLUSTER_PIDS=(); cluster_start "$dir"; "$@" ) >"$dir/launch.log" 2>&1 &
  CLUSTER_LAUNCH_JOB=$! CLUSTER_LAUNCH_DIR="$dir"
}

# cluster_use DIR: waits for the launch of DIR to end; if it succeeded, its cluster becomes the
# current one (CLUSTER_PIDS, KUBECONFIG); if not, shows why, stops its processes and fails.
# Stop the current cluster first.
cluster_use() {
  local dir="$1" status=0
  [ "$CLUSTER_LAUNCH_DIR" = "$dir" ] || { log "cluster_use: no cluster was launched in $dir"; return 1; }
  [ ${#CLUSTER_PIDS[@]} = 0 ] || { log "cluster_use: the current cluster still runs (cluster_stop first)"; return 1; }
  wait "$CLUSTER_LAUNCH_JOB" || status=$?
  CLUSTER_LAUNCH_JOB="" CLUSTER_LAUNCH_DIR=""
  mapfile -t CLUSTER_PIDS <"$dir/pids"
  if [ "$status" != 0 ]; then
    tail -n 30 "$dir/launch.log" >&2
    cluster_stop
    log "the cluster launched in $dir did not start (status $status)"
    return 1
  fi
  export KUBECONFIG="$dir/kubeconfig"
}

# cluster_stop_in_background [DIR]: cluster_stop, and then `rm -rf DIR`, in a background subshell;
# the current cluster is none at once (cluster_stop_all waits for the subshell).
CLUSTER_STOP_JOBS=()
cluster_stop_in_background() {
  ( cluster_stop; if [ -n "${1:-}" ]; then rm -rf "$1"; fi ) &
  CLUSTER_STOP_JOBS+=($!)
  CLUSTER_PIDS=()
}

# cluster_stop_all: cluster_stop, and stops a launched cluster not in use yet (once its launch has
# ended, so that every process it started is known), by PID; waits for cluster_stop_in_background.
cluster_stop_all() {
  local job
  cluster_stop
  for job in "${CLUSTER_STOP_JOBS[@]}"; do wait "$job" 2>/dev/null || true; done
  CLUSTER_STOP_JOBS=()
  if [ -n "$CLUSTER_LAUNCH_JOB" ]; then
    wait "$CLUSTER_LAUNCH_JOB" 2>/dev/null || true
    mapfile -t CLUSTER_PIDS <"$CLUSTER_LAUNCH_DIR/pids"
    CLUSTER_LAUNCH_JOB="" CLUSTER_LAUNCH_DIR=""
    cluster_stop
  fi
}

# cluster_add_node NAME CPU MEMORY EPHEMERAL_STORAGE: a kwok node of that capacity (e.g. 8, 24Gi, 40Gi).
cluster_add_node() {
  kubectl apply -f - >/dev/null <<NODE_EOF
apiVersion: v1
kind: Node
metadata:
  name: $1
  annotations: {kwok.x-k8s.io/node: fake, node.alpha.kubernetes.io/ttl: "0"}
  labels: {kubernetes.io/hostname: $1, kubernetes.io/os: linux, kubernetes.io/arch: amd64, type: kwok}
status:
  capacity: {cpu: "$2", memory: "$3", ephemeral-storage: "$4", pods: "110"}
  allocatable: {cpu: "$2", memory: "$3", ephemeral-storage: "$4", pods: "110"}
NODE_EOF
}
