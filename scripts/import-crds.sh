#!/usr/bin/env bash
# Regenerates imports/ from a local folder of Stackable CRD files (one file per operator).
# Usage: scripts/import-crds.sh [CRD_DIR]   (default: ../shared/crds)
# With internet access, `npx cdk8s import` does the same from the URLs in cdk8s.yaml.
set -euo pipefail
cd "$(dirname "$0")/.."
crd_dir="${1:-../shared/crds}"
[ -d "$crd_dir" ] || { echo "import-crds: no such folder: $crd_dir" >&2; exit 2; }
export CDK8S_CHECK_UPGRADE=false
rm -rf imports
for f in "$crd_dir"/*.yaml; do
  npx --no-install cdk8s import "$f" --language typescript --output imports >/dev/null
done
ls imports
