#!/bin/sh
# Writes the order in which the release build lays out its hottest functions
# (Benchmarks/hot-functions.order, which `make release` and `make bench` hand to the linker): the
# functions that carry 99.9% of the instructions of W1, W2, W4 and W5, counted by valgrind's
# callgrind, hottest first. Packed together, a phase's code spans about half as many pages and
# cache lines as when it is spread over the binary in link order (Docs/performance.md, "Code
# layout"). Run it again after large changes to the executor, the store or the parser; names that
# no longer exist are ignored by the linker, so a stale file only lays out less well. Needs valgrind
# and a release build:
#
#     make bench-build
#     Benchmarks/tools/hot-functions.sh .build-release/release/taskrun-bench > Benchmarks/hot-functions.order
set -eu
bench=${1:?usage: hot-functions.sh TASKRUN_BENCH > Benchmarks/hot-functions.order}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for workload in W1 W2 W4 W5; do
    runs=3
    [ "$workload" = W5 ] && runs=1
    # Mangled names, which is what the linker's ordering file takes.
    valgrind --tool=callgrind --demangle=no --callgrind-out-file="$scratch/$workload.out" \
        "$bench" run "$workload" --runs "$runs" >/dev/null 2>"$scratch/$workload.log"
    callgrind_annotate --threshold=99.9 "$scratch/$workload.out" >"$scratch/$workload.txt" 2>/dev/null
done
# Each workload's functions weighted by their share of its instructions, so that the long W5 does
# not outweigh the others. A row of callgrind_annotate's table is `count file:symbol [object]`;
# only the binary's own functions are kept (not the C library's), without the `'2` that marks a
# recursive call.
binary=$(basename "$bench")
cat "$scratch"/W?.txt | awk -v binary="$binary" '
    /PROGRAM TOTALS/ { total = $1; gsub(",", "", total); next }
    /^ *[0-9,]+ .*:.*\[/ {
        if (index($NF, "/" binary "]") == 0) next
        count = $1; gsub(",", "", count)
        line = $0
        sub(/^ *[0-9,]+ +(\([^)]*\) +)?/, "", line)
        sub(/ \[[^]]*\]$/, "", line)
        name = line
        sub(/^.*:/, "", name)
        sub(/'"'"'[0-9]+$/, "", name)
        if (name != "" && name != "???" && name !~ /^0x/ && total > 0) weight[name] += count / total
    }
    END { for (name in weight) printf "%.9f %s\n", weight[name], name }' |
    sort -k1,1gr | awk '{ print $2 }'
