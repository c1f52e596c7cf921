#!/usr/bin/env bash
# Suite "unit": type-check everything, then the jest tests (snapshots fail instead of being rewritten).
. "$(dirname "$0")/lib/common.sh"
cd "$REPO_ROOT"
npx --no-install tsc -p tsconfig.json
npx --no-install jest --ci
# The public API: lib/ built, then API Extractor compares the package's surface with the committed
# report api/cdk8s-stackable-demos.api.md and fails on any difference (update it with `npm run api`
# and commit it: the change of the API then shows in review).
npm run --silent build >/dev/null
npx --no-install api-extractor run
