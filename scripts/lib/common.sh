# Shared helpers for the test and benchmark scripts. Source it: `. "$(dirname "$0")/lib/common.sh"`.
#
# Everything built or downloaded for tests lives outside the repo, in
#   ${DEMO_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/stackable-anomaly-demo}
# keyed by version (or by the hash of a requirements file), so repeated runs reuse it.

set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DEMO_CACHE_DIR="${DEMO_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/stackable-anomaly-demo}"
mkdir -p "$DEMO_CACHE_DIR"
# Go's module and build caches default to $HOME; keep them there (shared with the machine) unless set.
export GOFLAGS="${GOFLAGS:--mod=mod}"

# helm, built from the Go module proxy by the helm and cluster suites.
HELM_VERSION=v3.22.0

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# crd_urls: the CRD URLs of cdk8s.yaml's `imports:`, a URL a line.
crd_urls() { sed -n 's|^ *- \(https://.*\)$|\1|p' "$REPO_ROOT/cdk8s.yaml"; }

# crd_cache_dir: where scripts/fetch-crds.sh puts them (keyed by the URL list).
crd_cache_dir() { printf '%s/crds-%s\n' "$DEMO_CACHE_DIR" "$(crd_urls | sha256sum | cut -c1-16)"; }

# crd_dir SUITE: the folder of Stackable CRD files the suites validate against: $STACKABLE_CRDS_DIR
# if set, else ../shared/crds beside the repository, else the cache of scripts/fetch-crds.sh.
# Fails saying how to get them when none is there.
crd_dir() {
  local dir
  if [ -n "${STACKABLE_CRDS_DIR:-}" ]; then
    [ -d "$STACKABLE_CRDS_DIR" ] || { log "$1: STACKABLE_CRDS_DIR=$STACKABLE_CRDS_DIR is not a folder"; return 1; }
    dir="$STACKABLE_CRDS_DIR"
  elif [ -d "$REPO_ROOT/../shared/crds" ]; then
    dir="$REPO_ROOT/../shared/crds"
  elif [ -f "$(crd_cache_dir)/.complete" ]; then
    dir="$(crd_cache_dir)"
  else
    log "$1: no Stackable CRDs: neither STACKABLE_CRDS_DIR, ../shared/crds nor $(crd_cache_dir)."
    log "  Run scripts/fetch-crds.sh once (it downloads the files cdk8s.yaml names), or set STACKABLE_CRDS_DIR."
    return 1
  fi
  (cd "$dir" && pwd)
}

# example_names: the example apps, a name a line: the folders of demos/ with a main.ts (what
# scripts/synth-example.ts `exampleNames` counts as one).
example_names() {
  local main
  for main in "$REPO_ROOT"/demos/*/main.ts; do
    [ -f "$main" ] && basename "$(dirname "$main")"
  done
}

# ensure_venv NAME REQUIREMENTS_FILE -> prints the venv's directory.
# The venv is keyed by the Python version and the hash of the requirements file, and is
# created on first use only. A half-built venv is never reused (a marker file is written last).
ensure_venv() {
  local name="$1" req="$2" py="${PYTHON:-python3}"
  local key
  key="$( { "$py" -c 'import sys; print(sys.version)'; cat "$req"; } | sha256sum | cut -c1-16)"
  local dir="$DEMO_CACHE_DIR/venv-$name-$key"
  if [ ! -f "$dir/.complete" ]; then
    log "creating Python venv $dir (first use)"
    rm -rf "$dir"
    "$py" -m venv "$dir"
    "$dir/bin/pip" install --quiet --disable-pip-version-check --upgrade pip >&2
    "$dir/bin/pip" install --quiet --disable-pip-version-check -r "$req" >&2
    touch "$dir/.complete"
  fi
  printf '%s\n' "$dir"
}

# ensure_go_tool NAME MODULE_PATH VERSION [static] -> prints the path of the built binary.
# Builds `go install MODULE_PATH@VERSION` into a cache folder keyed by NAME and VERSION; with
# `static`, with CGO_ENABLED=0 (a statically linked binary, like Go release builds without cgo).
ensure_go_tool() {
  local name="$1" module="$2" version="$3" static="${4:-}"
  local bindir="$DEMO_CACHE_DIR/bin/$name-$version${static:+-static}"
  if [ -x "$bindir/$name" ]; then printf '%s\n' "$bindir/$name"; return; fi
  log "building $name $version${static:+ (static)} from the Go module proxy (first use)"
  mkdir -p "$bindir.tmp"
  if [ -n "$static" ]; then
    CGO_ENABLED=0 GOBIN="$bindir.tmp" go install "$module@$version" >&2
  else
    GOBIN="$bindir.tmp" go install "$module@$version" >&2
  fi
  local built
  built="$(ls "$bindir.tmp" | head -n1)"
  [ "$built" = "$name" ] || mv "$bindir.tmp/$built" "$bindir.tmp/$name"
  rm -rf "$bindir"; mv "$bindir.tmp" "$bindir"
  printf '%s\n' "$bindir/$name"
}

# ensure_maven_jar GROUP:ARTIFACT:VERSION[:TYPE:CLASSIFIER] -> prints the path of the cached file
# (e.g. io.trino:trino-cli:476:jar:executable). Fetched once with Maven (so ~/.m2/settings.xml
# mirrors apply) into $DEMO_CACHE_DIR/jars/.
ensure_maven_jar() {
  local coords="$1" artifact version type classifier
  IFS=: read -r _ artifact version type classifier <<<"$coords"
  local file="$artifact-$version${classifier:+-$classifier}.${type:-jar}"
  local jar="$DEMO_CACHE_DIR/jars/$file"
  if [ ! -f "$jar" ]; then
    log "fetching $coords with Maven (first use)"
    command -v mvn >/dev/null || { log "mvn not found: install Maven to fetch $coords"; return 1; }
    local tmp="$DEMO_CACHE_DIR/jars/.tmp-$file"
    rm -rf "$tmp"; mkdir -p "$tmp"
    if ! mvn -q -B dependency:copy -Dartifact="$coords" -DoutputDirectory="$tmp" >"$tmp.log" 2>&1; then
      cat "$tmp.log" >&2; rm -rf "$tmp" "$tmp.log"; return 1
    fi
    mv "$tmp/$file" "$jar"
    rm -rf "$tmp" "$tmp.log"
  fi
  printf '%s\n' "$jar"
}

# ensure_deb PACKAGE [UPSTREAM_VERSION] -> prints the directory the package is unpacked into.
# Downloads the Debian package PACKAGE whose upstream version (no epoch, no Debian revision) is
# UPSTREAM_VERSION, from this machine's Debian suites plus their -updates and -backports (e.g.
# curl 8.14.1 is in bookworm-backports), and unpacks it (dpkg-deb -x) into the cache, keyed by
# that version; without UPSTREAM_VERSION, the newest one offered (or the one cached already).
# Nothing is installed into the system. A private apt state (sources derived from the site the
# system's own Debian suite comes from) lives in $DEMO_CACHE_DIR/apt.
ensure_deb() {
  local pkg="$1" upstream="${2:-}" dir cached
  if [ -z "$upstream" ]; then
    cached="$( (ls -d "$DEMO_CACHE_DIR/deb/$pkg"-*/.complete 2>/dev/null || true) | sort -V | tail -n1)"
    if [ -n "$cached" ]; then dirname "$cached"; return; fi
  else
    dir="$DEMO_CACHE_DIR/deb/$pkg-$upstream"
    if [ -f "$dir/.complete" ]; then printf '%s\n' "$dir"; return; fi
  fi
  command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null || { log "ensure_deb: apt-get and dpkg-deb are needed (Debian)"; return 1; }
  local apt="$DEMO_CACHE_DIR/apt" codename site
  codename="$(. /etc/os-release && printf '%s' "${VERSION_CODENAME:-}")"
  local opts=(-o "Dir::Etc::SourceList=$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" -o Debug::NoLocking=1 -o APT::Sandbox::User=root)
  # Refresh the private index once a day at most.
  if [ -z "$(find "$apt/lists" -maxdepth 1 -name '*_Packages*' -mmin -1440 2>/dev/null | head -n1)" ]; then
    site="$(apt-get indextargets --format '$(SITE) $(RELEASE)' 'Identifier: Packages' 2>/dev/null | awk -v c="$codename" '$2 == c { print $1; exit }')"
    [ -n "$site" ] || { log "ensure_deb: no Debian suite '$codename' in the system's apt sources (run apt-get update?)"; return 1; }
    mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial"
    printf 'deb %s %s main\n' "$site" "$codename" "$site" "$codename-updates" "$site" "$codename-backports" > "$apt/sources.list"
    log "ensure_deb: updating the private apt index ($site $codename{,-updates,-backports})"
    # A suite that does not exist (yet), e.g. the backports of a new release, is not an error here.
    apt-get -q "${opts[@]}" update >"$apt/update.log" 2>&1 || log "ensure_deb: apt-get update reported errors (see $apt/update.log)"
  fi
  # The newest version of PKG whose upstream part is UPSTREAM_VERSION (any, without it).
  local version
  version="$(apt-cache "${opts[@]}" madison "$pkg" | awk -F' *\\| *' '{ print $2 }' | while read -r v; do
      u="${v#*:}"; u="${u%-*}"; if [ -z "$upstream" ] || [ "$u" = "$upstream" ]; then printf '%s\n' "$v"; fi; done | sort -V | tail -n1)"
  if [ -z "$upstream" ] && [ -n "$version" ]; then upstream="${version#*:}"; upstream="${upstream%-*}"; dir="$DEMO_CACHE_DIR/deb/$pkg-$upstream"; fi
  if [ -z "$version" ]; then
    log "ensure_deb: no $pkg ${upstream:-at all} in the Debian suites; offered: $(apt-cache "${opts[@]}" madison "$pkg" | awk -F' *\\| *' '{ printf "%s ", $2 }')"
    return 1
  fi
  log "ensure_deb: fetching $pkg $version (first use)"
  local tmp="$dir.tmp"
  rm -rf "$tmp"; mkdir -p "$tmp/deb"
  (cd "$tmp/deb" && apt-get -q "${opts[@]}" download "$pkg=$version" >&2)
  dpkg-deb -x "$tmp"/deb/*.deb "$tmp"
  rm -rf "$tmp/deb"
  printf '%s\n' "$version" > "$tmp/.version"
  touch "$tmp/.complete"
  rm -rf "$dir"; mv "$tmp" "$dir"
  printf '%s\n' "$dir"
}

# ensure_go_scratch_build KEY LDFLAGS NAME=PACKAGE... < GO_MOD_BODY -> prints the folder of the binaries.
# For commands that `go install MODULE@VERSION` refuses because their module has replace directives
# (etcd's server module, k8s.io/kubernetes): writes a scratch module (`module scratch` plus the
# require/replace lines read from stdin, all resolved through the Go module proxy), then builds each
# PACKAGE into KEY's cache folder as NAME. The folder appears only once every binary is built.
ensure_go_scratch_build() {
  local key="$1" ldflags="$2"; shift 2
  local dir="$DEMO_CACHE_DIR/bin/$key"
  # Read the go.mod body also when cached: a writer that finds the pipe closed fails (pipefail).
  local body; body="$(cat)"
  if [ -f "$dir/.complete" ]; then printf '%s\n' "$dir"; return; fi
  log "building $key from the Go module proxy (first use): ${*%%=*}"
  local src="$DEMO_CACHE_DIR/src/$key"
  rm -rf "$src" "$dir.tmp"; mkdir -p "$src" "$dir.tmp"
  { printf 'module scratch\n\ngo %s\n\n' "$(go env GOVERSION | sed 's/^go//; s/^\([0-9]*\.[0-9]*\).*/\1/')"; printf '%s\n' "$body"; } >"$src/go.mod"
  # A blank-import file makes `go mod tidy` keep every required module and fill go.sum.
  { echo 'package scratch'; echo; echo 'import ('
    local spec; for spec in "$@"; do echo "	_ \"${spec#*=}\""; done; echo ')'; } >"$src/tools.go"
  sed -i 's/^package scratch$/\/\/go:build tools\n\npackage scratch/' "$src/tools.go"
  (cd "$src" && GOFLAGS=-mod=mod go mod tidy -e >&2 && for spec in "$@"; do
     log "go build ${spec#*=}"
     GOFLAGS=-mod=mod go build -trimpath -ldflags "$ldflags" -o "$dir.tmp/${spec%%=*}" "${spec#*=}" >&2
   done)
  touch "$dir.tmp/.complete"
  rm -rf "$dir"; mv "$dir.tmp" "$dir"
  printf '%s\n' "$dir"
}

# ensure_maven_tarball GROUP:ARTIFACT:VERSION:tar.gz[:CLASSIFIER] [PATH...] -> prints the directory it is unpacked into.
# Fetched once with Maven (dependency:copy) and unpacked into $DEMO_CACHE_DIR/dist/, keyed by the
# coordinates and the PATHs; the directory holds the tarball's top-level folder's contents, or only
# the given PATHs of it (e.g. `lib bin plugin/hive`).
ensure_maven_tarball() {
  local coords="$1"; shift
  local key; key="$(printf '%s' "$coords" | tr ':' '-')"
  [ "$#" -eq 0 ] || key="$key-$(printf '%s\n' "$@" | sha256sum | cut -c1-8)"
  local dir="$DEMO_CACHE_DIR/dist/$key"
  if [ ! -f "$dir/.complete" ]; then
    log "fetching $coords with Maven (first use)"
    command -v mvn >/dev/null || { log "mvn not found: install Maven to fetch $coords"; return 1; }
    local tmp="$dir.tmp" p
    rm -rf "$tmp"; mkdir -p "$tmp/download" "$tmp/full" "$tmp/tree"
    if ! mvn -q -B dependency:copy -Dartifact="$coords" -DoutputDirectory="$tmp/download" >"$tmp/mvn.log" 2>&1; then
      cat "$tmp/mvn.log" >&2; rm -rf "$tmp"; return 1
    fi
    # All of it first: entries may be hard links to files outside the PATHs kept.
    tar -xzf "$tmp"/download/*.tar.gz -C "$tmp/full" --strip-components=1
    if [ "$#" -eq 0 ]; then
      rm -rf "$tmp/tree"; mv "$tmp/full" "$tmp/tree"
    else
      for p in "$@"; do mkdir -p "$tmp/tree/$(dirname "$p")"; mv "$tmp/full/$p" "$tmp/tree/$p"; done
    fi
    touch "$tmp/tree/.complete"
    rm -rf "$dir"; mv "$tmp/tree" "$dir"; rm -rf "$tmp"
  fi
  printf '%s\n' "$dir"
}

# ensure_maven_deps NAME POM -> prints a directory holding the runtime dependencies of POM (jars).
# Copied once with Maven (dependency:copy-dependencies) into the cache, keyed by NAME and the hash
# of the POM file.
ensure_maven_deps() {
  local name="$1" pom="$2"
  local dir="$DEMO_CACHE_DIR/jars/$name-$(sha256sum "$pom" | cut -c1-16)"
  if [ ! -f "$dir/.complete" ]; then
    log "fetching the dependencies of $pom with Maven (first use)"
    command -v mvn >/dev/null || { log "mvn not found: install Maven to fetch the dependencies of $pom"; return 1; }
    rm -rf "$dir.tmp"; mkdir -p "$dir.tmp"
    if ! mvn -q -B -f "$pom" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$dir.tmp" >"$dir.tmp.log" 2>&1; then
      cat "$dir.tmp.log" >&2; rm -rf "$dir.tmp" "$dir.tmp.log"; return 1
    fi
    rm -f "$dir.tmp.log"; touch "$dir.tmp/.complete"
    rm -rf "$dir"; mv "$dir.tmp" "$dir"
  fi
  printf '%s\n' "$dir"
}

# ensure_local_spark -> sets and exports SPARK_VENV (test/spark/requirements.txt) and ICEBERG_JAR:
# the local Spark of the spark and e2e suites and the benchmarks, with what the SparkApplication
# uses, checked here: its default Iceberg runtime and its Python pins (job-requirements.txt).
ICEBERG_COORDS="org.apache.iceberg:iceberg-spark-runtime-4.1_2.13:1.11.0"
ensure_local_spark() {
  grep -q "'$ICEBERG_COORDS'" "$REPO_ROOT/demos/spark-k8s-anomaly-detection-taxi-data/anomaly-detection-job.ts" \
    || { log "demos/spark-k8s-anomaly-detection-taxi-data/anomaly-detection-job.ts does not default to $ICEBERG_COORDS"; return 1; }
  local pin
  for pin in $(grep -v '^#' "$REPO_ROOT/demos/spark-k8s-anomaly-detection-taxi-data/job-requirements.txt"); do
    grep -qx "$pin" "$REPO_ROOT/test/spark/requirements.txt" \
      || { log "test/spark/requirements.txt lacks $pin of demos/spark-k8s-anomaly-detection-taxi-data/job-requirements.txt"; return 1; }
  done
  SPARK_VENV="$(ensure_venv spark "$REPO_ROOT/test/spark/requirements.txt")"
  ICEBERG_JAR="$(ensure_maven_jar "$ICEBERG_COORDS")"
  export SPARK_VENV ICEBERG_JAR DEMO_CACHE_DIR
}

# exec_spark_python SCRIPT ARGS...: replaces the shell with SCRIPT in the local Spark venv, Spark's
# start-up chatter filtered out of stderr (for the benchmarks, which print tables).
exec_spark_python() {
  ensure_local_spark
  export PYTHONDONTWRITEBYTECODE=1
  exec "$SPARK_VENV/bin/python" "$@" 2> >(grep -v -E '^(WARNING|Using Spark|Setting default log level|To adjust logging|[0-9/]+ [0-9:]+ WARN )' >&2)
}
