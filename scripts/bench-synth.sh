#!/usr/bin/env bash
# Benchmark: how long one demo's synthesis takes, side by side with starting Node at all.
# Prints the median and range of N runs (default 10) of:
#   node -e 0                                   Node's own start
#   node build/app/scripts/synth.js             the seed demo from compiled JavaScript (make synth)
#   node build/app/scripts/synth-example.js X   each demo app of demos/, compiled likewise
#   ts-node scripts/synth.ts                    the seed demo compiled at every run (before 0.4.0), 3 runs
# Run `make build-app` first (make bench-synth does). Usage: scripts/bench-synth.sh [N]
. "$(dirname "$0")/lib/common.sh"
cd "$REPO_ROOT"
n="${1:-10}"
[ -f build/app/scripts/synth.js ] || { log "bench-synth: run make build-app first"; exit 1; }
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT

# measure LABEL RUNS CMD...: wall seconds of each run, then median, min, max.
measure() {
  local label="$1" runs="$2"; shift 2
  local times=() i start end
  for ((i = 0; i < runs; i++)); do
    start=$(date +%s.%N); "$@" >/dev/null; end=$(date +%s.%N)
    times+=("$(echo "$end - $start" | bc)")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk -v label="$label" '{ t[NR] = $1 } END {
    m = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
    printf "%-48s median %.3f s  min %.3f s  max %.3f s  (%d runs)\n", label, m, t[1], t[NR], NR }'
}

echo "machine: $(nproc) cores, $(free -g | awk '/^Mem:/ { print $2 }') GiB, $(node --version)"
measure "node -e 0" "$n" node -e 0
measure "seed demo, compiled (make synth)" "$n" node build/app/scripts/synth.js --outdir "$tmp/seed"
for name in $(example_names); do
  measure "$name, compiled" "$n" node build/app/scripts/synth-example.js "$name" --outdir "$tmp/$name"
done
measure "seed demo, ts-node (compiles at every run)" 3 npx --no-install ts-node --transpile-only scripts/synth.ts --outdir "$tmp/seed-ts"
diff -r "$tmp/seed" dist >/dev/null && echo "the compiled synthesis equals dist/" || { echo "bench-synth: the compiled synthesis differs from dist/" >&2; exit 1; }
