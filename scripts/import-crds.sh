#!/usr/bin/env bash
# Regenerates imports/ from a local folder of Stackable CRD files (one file per operator), for the
# operators cdk8s.yaml imports.
# Usage: scripts/import-crds.sh [CRD_DIR]   (default: ../shared/crds)
# With internet access, `npx cdk8s import` does the same from the URLs in cdk8s.yaml.
set -euo pipefail
cd "$(dirname "$0")/.."
crd_dir="${1:-../shared/crds}"
[ -d "$crd_dir" ] || { echo "import-crds: no such folder: $crd_dir" >&2; exit 2; }
export CDK8S_CHECK_UPGRADE=false
rm -rf imports
# Exactly the operators cdk8s.yaml names (<operator>.yaml in the folder), not every file there.
for name in $(sed -n 's|^ *- https://[^/]*/[^/]*/\([^/]*\)/.*$|\1|p' cdk8s.yaml); do
  f="$crd_dir/$name.yaml"
  [ -f "$f" ] || { echo "import-crds: $f is missing (cdk8s.yaml imports $name)" >&2; exit 2; }
  npx --no-install cdk8s import "$f" --language typescript --output imports >/dev/null
done
ls imports
