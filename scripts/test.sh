#!/usr/bin/env bash
# Runs every test suite of the project, in order, and prints one summary line.
# Usage: scripts/test.sh [SUITE ...]   (default: all suites; `make test` calls this)
# Each suite is scripts/test-SUITE.sh; tools it needs are installed on first use and cached
# outside the repo (see scripts/lib/common.sh).
set -uo pipefail
cd "$(dirname "$0")/.."
all_suites=(unit package manifests jobs opa spark superset e2e helm lint cluster)
suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=("${all_suites[@]}")
passed=0; failed=0; failed_names=()
for s in "${suites[@]}"; do
  script="scripts/test-$s.sh"
  if [ ! -f "$script" ]; then echo "test.sh: unknown suite '$s' (known: ${all_suites[*]})" >&2; exit 2; fi
  echo "=== suite $s ==="
  start=$(date +%s)
  if bash "$script"; then
    passed=$((passed + 1)); echo "=== suite $s: ok ($(( $(date +%s) - start ))s) ==="
  else
    failed=$((failed + 1)); failed_names+=("$s"); echo "=== suite $s: FAILED ($(( $(date +%s) - start ))s) ==="
  fi
done
[ $failed -eq 0 ] || echo "failed suites: ${failed_names[*]}"
echo "suites: $passed passed, $failed failed"
[ $failed -eq 0 ]
