#!/bin/sh
# Compares two builds of taskrun-bench on one workload the way Docs/performance.md's change rows
# do: N processes of each, alternating A, B, A, B..., so that a slow moment of the machine falls
# on both sides. Prints each side's median, min and max over its processes (each process's figure
# is the median of its runs) and the median of the per-pair ratios B/A. FIELD is a key of the
# result's `extra` (`ratio_to_floor` for W5); without it, the workload's main figure. Needs python3.
#
#     Benchmarks/tools/alternate.sh W2 8 /tmp/taskrun-bench.before .build-release/release/taskrun-bench
#     Benchmarks/tools/alternate.sh W5 6 OLD NEW ratio_to_floor
set -eu
workload=${1:?usage: alternate.sh WORKLOAD N BENCH_A BENCH_B [FIELD]}
count=${2:?usage: alternate.sh WORKLOAD N BENCH_A BENCH_B [FIELD]}
first=${3:?usage: alternate.sh WORKLOAD N BENCH_A BENCH_B [FIELD]}
second=${4:?usage: alternate.sh WORKLOAD N BENCH_A BENCH_B [FIELD]}
field=${5:-}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
i=0
while [ "$i" -lt "$count" ]; do
    "$first" run "$workload" --runs 5 >"$scratch/a.$i.json"
    "$second" run "$workload" --runs 5 >"$scratch/b.$i.json"
    i=$((i + 1))
done
python3 - "$scratch" "$count" "$field" "$first" "$second" <<'PY'
import json, statistics, sys
scratch, count, field, first, second = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
def figure(path):
    with open(path) as handle:
        result = json.load(handle)
    return result["extra"][field] if field else statistics.median(result["samples"])
sides = {side: [figure(f"{scratch}/{side}.{i}.json") for i in range(count)] for side in "ab"}
for side, name in (("a", first), ("b", second)):
    values = sides[side]
    print(f"{name}: median {statistics.median(values):.4g} (min {min(values):.4g}, max {max(values):.4g}), {count} processes")
ratios = [b / a for a, b in zip(sides["a"], sides["b"])]
print(f"B/A per pair: median {statistics.median(ratios):.3f} ({min(ratios):.3f}-{max(ratios):.3f})")
PY
