#!/usr/bin/env bash
# Suite "unit": type-check everything, then the jest tests (snapshots fail instead of being rewritten).
. "$(dirname "$0")/lib/common.sh"
cd "$REPO_ROOT"
npx --no-install tsc -p tsconfig.json
npx --no-install jest --ci
