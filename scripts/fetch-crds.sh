#!/usr/bin/env bash
# Downloads exactly the CRD files that cdk8s.yaml names under `imports:` (the Stackable 26.7
# operators' extra/crds.yaml) into the CRD cache, one file per operator (<operator>.yaml, the
# layout of ../shared/crds), for the suites that validate against the CRDs (manifests, cluster)
# on a machine without ../shared/crds. Needs internet access to the URLs; all or nothing: the
# cache folder appears only when every file arrived.
#   scripts/fetch-crds.sh            -> ${DEMO_CACHE_DIR}/crds-<hash of the URL list>/
# Where the suites look, in order: $STACKABLE_CRDS_DIR, ../shared/crds, this cache (see
# `crd_dir` in scripts/lib/common.sh).
. "$(dirname "$0")/lib/common.sh"
cd "$REPO_ROOT"

dir="$(crd_cache_dir)"
if [ -f "$dir/.complete" ]; then log "fetch-crds: $dir is complete"; printf '%s\n' "$dir"; exit 0; fi
rm -rf "$dir.tmp"; mkdir -p "$dir.tmp"
while read -r url; do
  # https://raw.githubusercontent.com/stackabletech/<operator>/<ref>/extra/crds.yaml -> <operator>.yaml
  name="$(printf '%s' "$url" | sed -n 's|^https://[^/]*/[^/]*/\([^/]*\)/.*|\1|p')"
  [ -n "$name" ] || { log "fetch-crds: cannot name the file of $url"; exit 1; }
  if ! curl --fail --silent --show-error --location --connect-timeout 20 --retry 2 -o "$dir.tmp/$name.yaml" "$url"; then
    rm -rf "$dir.tmp"
    log "fetch-crds: could not download $url (is this machine offline?). Without internet access, put the"
    log "  CRD files (one per operator, <operator>.yaml) in ../shared/crds or a folder named by STACKABLE_CRDS_DIR."
    exit 1
  fi
done < <(crd_urls)
touch "$dir.tmp/.complete"
rm -rf "$dir"; mv "$dir.tmp" "$dir"
log "fetch-crds: $(ls "$dir" | wc -l) CRD files in $dir"
printf '%s\n' "$dir"
