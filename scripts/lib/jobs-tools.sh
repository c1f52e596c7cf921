# The programs that stand in for the images of the Jobs' pods, shared by the jobs and e2e suites.
# Source it after common.sh and call `ensure_jobs_tools`: it exports JOBS_MC, JOBS_MINIO,
# JOBS_CURL, JOBS_LIBCURL, JOBS_BUSYBOX, JOBS_BWRAP, JOBS_SHELLCHECK and sets JOBS_VENV
# (test/jobs/requirements.txt).
#   - MinIO server and mc, built from the Go module proxy at the releases of the chart's images
#     (constructs/core/images.ts; the pseudo-versions below are the commits of those release tags),
#     mc statically linked like its release binary;
#   - curl 8.14.1 (the curl image's tag) and BusyBox (the curl image's shell) from Debian packages,
#     unpacked into the cache, and bubblewrap (the per-container sandbox);
#   - a Python venv: pytest, the generator's numpy/pyarrow, the test CA's cryptography, ShellCheck.

# github.com/minio/mc tag RELEASE.2025-04-16T18-13-26Z is commit b00526b153a3 (2025-04-16 18:13:26 UTC);
# github.com/minio/minio tag RELEASE.2025-04-22T22-12-26Z is commit 0d7408fc9969 (2025-04-22 22:12:26 UTC).
# The Go proxy serves the release tags (not semver) only as these pseudo-versions.
MC_MODULE_VERSION=v0.0.0-20250416181326-b00526b153a3
MINIO_MODULE_VERSION=v0.0.0-20250422221226-0d7408fc9969
CURL_VERSION=8.14.1

# The pins follow the images: fail (and say what to update) when an image tag changes.
image_tag() { sed -n "s|^ *$1: '[^']*:\([^']*\)',\$|\1|p" constructs/core/images.ts; }
release_stamp() { printf '%s' "$1" | tr -dc '0-9'; }   # RELEASE.2025-04-16T18-13-26Z -> 20250416181326
check_pin() {  # check_pin IMAGE_KEY PSEUDO_VERSION
  local tag; tag="$(image_tag "$1")"
  [ -n "$tag" ] || { log "jobs: no IMAGES.$1 in constructs/core/images.ts"; exit 1; }
  case "$2" in
    "v0.0.0-$(release_stamp "$tag")-"*) ;;
    *) log "jobs: IMAGES.$1 is $tag but scripts/lib/jobs-tools.sh builds $2: set it to the pseudo-version of that release tag's commit"; exit 1 ;;
  esac
}
check_pin mc "$MC_MODULE_VERSION"
check_pin minio "$MINIO_MODULE_VERSION"
[ "$(image_tag curl)" = "$CURL_VERSION" ] || { log "jobs: IMAGES.curl is $(image_tag curl), scripts/lib/jobs-tools.sh installs curl $CURL_VERSION"; exit 1; }

ensure_jobs_tools() {
  # Static, as the image's: minio/mc RELEASE.2025-04-16T18-13-26Z .goreleaser.yml builds the release
  # binary with CGO_ENABLED=0. S3FileLoad copies it out of the mc image into the curl image (Alpine,
  # musl), where a glibc-linked mc would not start; the jobs suite runs that copy.
  JOBS_MC="$(ensure_go_tool mc github.com/minio/mc "$MC_MODULE_VERSION" static)"
  JOBS_MINIO="$(ensure_go_tool minio github.com/minio/minio "$MINIO_MODULE_VERSION")"
  curl_dir="$(ensure_deb curl "$CURL_VERSION")"
  libcurl_dir="$(ensure_deb libcurl4 "$CURL_VERSION")"
  JOBS_CURL="$curl_dir/usr/bin/curl"
  JOBS_LIBCURL="$(find "$libcurl_dir/usr/lib" -name 'libcurl.so.4.*' -type f | head -n1)"
  # BusyBox: the curl image's shell is Alpine's BusyBox ash (1.37 in alpine:3.22); Debian's BusyBox
  # of this machine's release (bookworm: 1.35) is the same shell. bubblewrap: any version.
  JOBS_BUSYBOX="$(find "$(ensure_deb busybox)" -path '*/bin/busybox' -type f | head -n1)"
  JOBS_BWRAP="$(find "$(ensure_deb bubblewrap)" -path '*/bin/bwrap' -type f | head -n1)"
  JOBS_VENV="$(ensure_venv jobs test/jobs/requirements.txt)"
  JOBS_SHELLCHECK="$JOBS_VENV/bin/shellcheck"
  [ -d node_modules ] || npm ci --no-audit --no-fund >&2
  local tool
  for tool in "$JOBS_MC" "$JOBS_MINIO" "$JOBS_CURL" "$JOBS_LIBCURL" "$JOBS_BUSYBOX" "$JOBS_BWRAP" "$JOBS_SHELLCHECK"; do
    [ -f "$tool" ] || { log "jobs: missing tool '$tool'"; return 1; }
  done
  export JOBS_MC JOBS_MINIO JOBS_CURL JOBS_LIBCURL JOBS_BUSYBOX JOBS_BWRAP JOBS_SHELLCHECK
}
