#!/bin/sh
# Instructions per phase of W1 or W2, counted by valgrind's callgrind: the same on every run, in a
# slow spell of the machine or not (Docs/performance.md, "How much to trust one run"), so a change
# of a few percent shows where timings cannot. It is the difference between a process doing six
# runs and one doing three, divided by the 3,000 phases between them (3,006 for W2), so parsing,
# planning and start-up cancel out. Needs valgrind (apt-get install valgrind) and a release build:
#
#     make bench-build
#     Benchmarks/tools/instructions-per-phase.sh .build-release/release/taskrun-bench W1
#
# Under callgrind the threads take turns, so W2 shows the instructions of its phases but not the
# time its two threads spend waiting for each other.
set -eu
bench=${1:?usage: instructions-per-phase.sh TASKRUN_BENCH [W1|W2]}
workload=${2:-W1}
phases=1000
[ "$workload" = W2 ] && phases=1002
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for runs in 3 6; do
    valgrind --tool=callgrind --callgrind-out-file="$scratch/out.$runs" "$bench" run "$workload" --runs "$runs" \
        >/dev/null 2>"$scratch/log.$runs"
done
total() { sed -n 's/.*Collected : *\([0-9]*\).*/\1/p' "$scratch/log.$1"; }
echo "$workload: $(( ($(total 6) - $(total 3)) / (3 * phases) )) instructions per phase"
