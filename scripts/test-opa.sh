#!/usr/bin/env bash
# Suite "opa": the Trino authorization policy constructs/opa/trino.rego, tested with the real
# OPA v1.16.2 (the version of the demo's OpaCluster), built once from the Go module proxy and
# cached (scripts/lib/common.sh). Steps:
#   1. the request fixtures test/opa/inputs/**.json against our JSON Schema of Trino's OPA input
#      (test/opa/validate-fixtures.js, ajv from node_modules);
#   2. opa check --strict and opa fmt on the policy, the admin data fixture and the tests;
#   3. opa test -v on test/opa/trino_test.rego (fixtures loaded at data.test_inputs.*), plus
#      100% line coverage of the policy;
#   4. end to end: the policy and the admin data file built into a bundle with `opa build`, and
#      `opa eval` of fixtures against it at the paths Trino queries (data.trino.allow, ...).
# Usage: scripts/test-opa.sh   (or scripts/test.sh opa). Exits non-zero on any failure.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
cd "$REPO_ROOT"

OPA_VERSION=v1.16.2
policy=constructs/opa/trino.rego
admin_data=test/opa/stackable_demo.rego
tests=test/opa/trino_test.rego
inputs=test/opa/inputs

passed=0
failed=0
ok() { passed=$((passed + 1)); log "ok:   $*"; }
not_ok() { failed=$((failed + 1)); log "FAIL: $*"; }

opa="$(ensure_go_tool opa github.com/open-policy-agent/opa "$OPA_VERSION")"
opa_version="$("$opa" version | sed -n 's/^Version: //p')"
[ "$opa_version" = "${OPA_VERSION#v}" ] || { log "expected OPA ${OPA_VERSION#v}, got '$opa_version'"; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# 1. Fixtures against the schema.
if node test/opa/validate-fixtures.js; then ok "fixtures match the Trino OPA input schema"; else not_ok "fixture validation"; fi

# 2. Strict check and formatting.
rego_files=("$policy" "$admin_data" "$tests")
if "$opa" check --strict "${rego_files[@]}"; then ok "opa check --strict"; else not_ok "opa check --strict"; fi
unformatted="$("$opa" fmt --list "${rego_files[@]}")"
if [ -z "$unformatted" ]; then
  ok "opa fmt: all Rego files are formatted"
else
  not_ok "opa fmt: not formatted: $unformatted"
  "$opa" fmt --diff "${rego_files[@]}" >&2 || true
fi

# 3. Unit tests. Each fixture is loaded at data.test_inputs.<name> (OPA's `prefix:path` form).
fixtures=()
for f in "$inputs"/*.json; do fixtures+=("test_inputs.$(basename "$f" .json):$f"); done
for f in "$inputs"/malformed/*.json; do fixtures+=("test_inputs.malformed.$(basename "$f" .json):$f"); done
if "$opa" test -v "${rego_files[@]}" "${fixtures[@]}"; then ok "opa test"; else not_ok "opa test"; fi
"$opa" test --coverage "${rego_files[@]}" "${fixtures[@]}" >"$work/coverage.json" || true
coverage="$(node -e 'const c = require(process.argv[1]); const f = c.files[process.argv[2]]; console.log(f ? f.coverage : 0)' \
  "$work/coverage.json" "$policy")"
if [ "$coverage" = "100" ]; then ok "opa test covers every line of $policy"; else not_ok "coverage of $policy is $coverage%, expected 100%"; fi

# 4. End to end: a bundle like the one the OPA operator serves (policy + generated admin data),
# queried the way Trino does. `opa eval -f raw` prints the JSON result (a set prints as a list).
mkdir -p "$work/src" "$work/src-without-admins"
cp "$policy" "$admin_data" "$work/src/"
cp "$policy" "$work/src-without-admins/"
"$opa" build -o "$work/bundle.tar.gz" "$work/src"
"$opa" build -o "$work/bundle-without-admins.tar.gz" "$work/src-without-admins"

# expect BUNDLE QUERY FIXTURE EXPECTED_JSON
expect() {
  local bundle="$1" query="$2" fixture="$3" want="$4" got
  got="$("$opa" eval --bundle "$work/$bundle" --input "$inputs/$fixture.json" --format raw "$query" 2>&1 | tr -d ' \n')" || true
  if [ "$got" = "$want" ]; then ok "$query for $fixture = $want ($bundle)"; else not_ok "$query for $fixture: got '$got', want '$want' ($bundle)"; fi
}
expect bundle.tar.gz data.trino.allow admin_select_from_columns true
expect bundle.tar.gz data.trino.allow admin_create_table true
expect bundle.tar.gz data.trino.allow user_select_from_columns false
expect bundle.tar.gz data.trino.allow malformed/no_identity false
expect bundle.tar.gz data.trino.batch admin_filter_catalogs '[0,1,2]'
expect bundle.tar.gz data.trino.batch admin_filter_columns '[0,1,2,3,4,5,6,7,8,9,10,11,12]'
expect bundle.tar.gz data.trino.rowFilters admin_get_row_filters '[]'
# The request a worker's preStop hook causes (graceful shutdown), and its read counterpart.
expect bundle.tar.gz data.trino.allow shutdown_user_write_system_information true
expect bundle.tar.gz data.trino.allow shutdown_user_read_system_information true
expect bundle.tar.gz data.trino.allow malformed/shutdown_with_resource false
expect bundle.tar.gz data.trino.batchColumnMasks admin_get_column_masks '[]'
# What a real Trino 476 sent (captured by the e2e suite, E2E_OPA_INPUTS_DIR): the admin's and a
# second user's requests for SHOW CATALOGS, SHOW SCHEMAS and a SELECT from prediction.ad.iforest.
expect bundle.tar.gz data.trino.allow trino476_admin_execute_query true
expect bundle.tar.gz data.trino.allow trino476_admin_access_catalog true
expect bundle.tar.gz data.trino.allow trino476_admin_show_schemas true
expect bundle.tar.gz data.trino.allow trino476_admin_select_from_columns true
expect bundle.tar.gz data.trino.batch trino476_admin_filter_catalogs '[0]'
expect bundle.tar.gz data.trino.batch trino476_admin_filter_schemas '[0,1]'
expect bundle.tar.gz data.trino.rowFilters trino476_admin_get_row_filters '[]'
expect bundle.tar.gz data.trino.batchColumnMasks trino476_admin_get_column_mask '[]'
expect bundle.tar.gz data.trino.allow trino476_user_execute_query false
expect bundle-without-admins.tar.gz data.trino.allow admin_execute_query false
expect bundle-without-admins.tar.gz data.trino.batch admin_filter_catalogs '[]'
expect bundle-without-admins.tar.gz data.trino.allow shutdown_user_write_system_information true

echo "opa: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
