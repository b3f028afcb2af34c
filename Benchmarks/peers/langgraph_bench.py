#!/usr/bin/env python3
"""LangGraph peers of taskrun-bench's workloads (Docs/performance.md).

Each workload is the same shape as taskrun's: a phase is a node, a no-op agent call returns at once,
a sleeping agent call is an awaited 20 ms sleep. The graph is built and compiled once, outside the
timed region (as taskrun parses and plans once), then run once to warm up and `--runs` times measured.

Usage: langgraph_bench.py W1 [--runs 5]   prints one JSON object:
  {"workload": "W1", "samples": [...], "peak_rss_kib": N, "extra": {...}}
"""

import argparse
import asyncio
import json
import operator
import os
import resource
import sqlite3
import sys
import tempfile
import time
from typing import Annotated, TypedDict

from langgraph.graph import END, START, StateGraph


class State(TypedDict, total=False):
    # Every node adds one, so parallel nodes can update the state in the same step.
    count: Annotated[int, operator.add]


def noop(state):
    return {"count": 1}


def chain_graph(n):
    builder = StateGraph(State)
    for i in range(1, n + 1):
        builder.add_node(f"p{i}", noop)
        builder.add_edge(START if i == 1 else f"p{i - 1}", f"p{i}")
    builder.add_edge(f"p{n}", END)
    return builder


def measure(runs, body):
    body()  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        body()
        times.append(time.perf_counter() - start)
    return times


def expect_count(result, n):
    if result.get("count") != n:
        raise SystemExit(f"expected {n} nodes to run, got {result.get('count')}")


def w1(runs, n=1000):
    graph = chain_graph(n).compile()
    config = {"recursion_limit": n + 10}
    times = measure(runs, lambda: expect_count(graph.invoke({"count": 0}, config), n))
    return [t * 1e6 / n for t in times], {}


def w2(runs, width=1000):
    builder = StateGraph(State)
    builder.add_node("root", noop)
    builder.add_edge(START, "root")
    branches = [f"b{i}" for i in range(1, width + 1)]
    for branch in branches:
        builder.add_node(branch, noop)
        builder.add_edge("root", branch)
    builder.add_node("join", noop)
    builder.add_edge(branches, "join")
    builder.add_edge("join", END)
    graph = builder.compile()
    nodes = width + 2
    times = measure(runs, lambda: expect_count(graph.invoke({"count": 0}), nodes))
    return [t * 1e6 / nodes for t in times], {}


def w3(runs, phases=7, agents=5, latency=0.020):
    async def agent():
        await asyncio.sleep(latency)
        return "ok"

    async def phase(state):
        answers = await asyncio.gather(*(agent() for _ in range(agents)))
        return {"count": len(answers)}

    builder = StateGraph(State)
    for i in range(1, phases + 1):
        builder.add_node(f"round{i}", phase)
        builder.add_edge(START if i == 1 else f"round{i - 1}", f"round{i}")
    builder.add_edge(f"round{phases}", END)
    graph = builder.compile()

    async def run_all():
        times = []
        for run in range(runs + 1):
            start = time.perf_counter()
            result = await graph.ainvoke({"count": 0})
            elapsed = time.perf_counter() - start
            expect_count(result, phases * agents)
            if run > 0:
                times.append(elapsed)
        return times

    ideal = latency * phases
    times = asyncio.run(run_all())
    return [(t - ideal) * 1e3 for t in times], {"ideal_ms": ideal * 1e3}


def w4(runs, n=1000):
    from langgraph.checkpoint.sqlite import SqliteSaver

    directory = tempfile.mkdtemp(prefix="langgraph-bench-")
    builder = chain_graph(n)
    sizes = []

    def run_once(index):
        path = os.path.join(directory, f"run{index}.sqlite")
        connection = sqlite3.connect(path, check_same_thread=False)
        try:
            graph = builder.compile(checkpointer=SqliteSaver(connection))
            config = {"recursion_limit": n + 10, "configurable": {"thread_id": f"run-{index}"}}
            start = time.perf_counter()
            # "sync": every checkpoint is written before the next step starts, as taskrun commits a
            # phase before its dependents start.
            result = graph.invoke({"count": 0}, config, durability="sync")
            elapsed = time.perf_counter() - start
            expect_count(result, n)
        finally:
            connection.close()
        sizes.append(sum(os.path.getsize(p) for p in (path, path + "-wal") if os.path.exists(p)))
        return elapsed

    run_once(0)  # warm-up
    times = [run_once(i) for i in range(1, runs + 1)]
    return [t * 1e6 / n for t in times], {"db_bytes": float(sizes[-1])}


def w7(runs, calls=1000):
    async def run_once():
        started = 0
        all_started = asyncio.Event()
        stops = []

        async def hanging():
            nonlocal started
            started += 1
            if started == calls:
                all_started.set()
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                stops.append(time.perf_counter())
                raise

        async def fan(state):
            await asyncio.gather(*(hanging() for _ in range(calls)))
            return {"count": calls}

        builder = StateGraph(State)
        builder.add_node("fan", fan)
        builder.add_edge(START, "fan")
        builder.add_edge("fan", END)
        graph = builder.compile()
        task = asyncio.create_task(graph.ainvoke({"count": 0}))
        await all_started.wait()
        requested = time.perf_counter()
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
        ended = time.perf_counter()
        if len(stops) != calls:
            raise SystemExit(f"only {len(stops)} of {calls} calls observed the cancellation")
        return (max(stops) - requested) * 1e3, (ended - requested) * 1e3

    async def run_all():
        await run_once()  # warm-up
        return [await run_once() for _ in range(runs)]

    results = asyncio.run(run_all())
    settled = sorted(r[1] for r in results)
    return [r[0] for r in results], {"result_ms_median": settled[len(settled) // 2]}


def current_rss_kib():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def w8(runs, executions=10_000):
    # The first node of each execution waits at a gate that opens once every execution has reached
    # it, so all of them are alive at the same time when memory peaks (as in taskrun's W8).
    gate = {"open": None, "all_waiting": None, "waiting": 0, "expected": 0}

    async def first(state):
        gate["waiting"] += 1
        if gate["waiting"] == gate["expected"]:
            gate["all_waiting"].set()
        await gate["open"].wait()
        return {"count": 1}

    async def then(state):
        return {"count": 1}

    builder = StateGraph(State)
    builder.add_node("p1", first)
    builder.add_node("p2", then)
    builder.add_node("p3", then)
    builder.add_edge(START, "p1")
    builder.add_edge("p1", "p2")
    builder.add_edge("p2", "p3")
    builder.add_edge("p3", END)
    graph = builder.compile()

    async def run_concurrently(count):
        gate.update(open=asyncio.Event(), all_waiting=asyncio.Event(), waiting=0, expected=count)
        tasks = [asyncio.create_task(graph.ainvoke({"count": 0})) for _ in range(count)]
        await gate["all_waiting"].wait()
        in_flight = current_rss_kib()
        gate["open"].set()
        for result in await asyncio.gather(*tasks):
            expect_count(result, 3)
        return in_flight

    async def run_all():
        await run_concurrently(min(100, executions))  # warm-up
        baseline = current_rss_kib()
        times = []
        in_flight = 0
        for run in range(runs):
            start = time.perf_counter()
            memory = await run_concurrently(executions)
            times.append(time.perf_counter() - start)
            # Only the first run starts from the baseline (RSS does not shrink when memory is freed).
            if run == 0:
                in_flight = memory
        return baseline, in_flight, times

    baseline, in_flight, times = asyncio.run(run_all())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return times, {
        "rss_per_execution_kib": (peak - baseline) / executions,
        "in_flight_per_execution_kib": (in_flight - baseline) / executions,
        "baseline_rss_kib": float(baseline),
    }


WORKLOADS = {"W1": w1, "W2": w2, "W3": w3, "W4": w4, "W7": w7, "W8": w8}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workload", choices=sorted(WORKLOADS))
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    samples, extra = WORKLOADS[args.workload](args.runs)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"workload": args.workload, "samples": samples, "peak_rss_kib": peak, "extra": extra}))


if __name__ == "__main__":
    sys.exit(main())
