#!/usr/bin/env bash
# npm run test:simulate: the fault-injection simulation at scale (issue 20): SIMULATION_CASES cases
# (30,000 by default) in two processes, one per core, each with its own seed. Each process prints
# its cases per second, the faults injected per class and the invariant checks; a failure prints
# its seed, its replay command and a shrunk counterexample, and fails the run.
set -uo pipefail
cd "$(dirname "$0")/.."
cases=${SIMULATION_CASES:-30000}
shards=2
logs=$(mktemp -d)
for shard in $(seq 1 "$shards"); do
    SIMULATION_CASES=$((cases / shards)) SIMULATION_SEED=$((2026 + shard)) \
        mocha --no-config --require ts-node/register/transpile-only --require test/helpers/contract-hooks.ts \
        --extension ts --timeout 7200000 --reporter spec test/simulation/lifecycle.simulation.test.ts -g "holds" \
        >"$logs/$shard.log" 2>&1 &
    pids[shard]=$!
done
status=0
for shard in $(seq 1 "$shards"); do
    wait "${pids[shard]}" || status=1
    echo "--- shard $shard (seed $((2026 + shard))) ---"
    cat "$logs/$shard.log"
done
passed=$(grep -l "✔ holds" "$logs"/*.log | wc -l)
echo "simulation: $((cases / shards * shards)) cases in $shards shards"
echo "$passed passed, $((shards - passed)) failed"
exit $status
