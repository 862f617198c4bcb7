#!/usr/bin/env python3
"""Worker-process benchmark: jobs per second with 1, 2 and 4 `nodeflow worker` processes on the
SQLite store and on PostgreSQL, claim latency (queued -> started, idle workers), and the time
from a worker's SIGKILL to its job running on another worker.

    swift build -c release --product nodeflow
    python3 scripts/queue_bench.py [--jobs 400] [--backend sqlite|postgres|both]

PostgreSQL comes from scripts/postgres.sh (a throwaway cluster, removed when this script ends).
"""
import argparse
import json
import os
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.path.join(ROOT, ".build", "release", "nodeflow")

TRIVIAL = {"name": "trivial", "graph": {"nodes": [
    {"id": "a", "type": "nodetool.math.Add", "data": {"a": 1, "b": 2}},
    {"id": "o", "type": "nodetool.output.IntegerOutput", "data": {"name": "sum"}},
], "edges": [{"source": "a", "sourceHandle": "output", "target": "o", "targetHandle": "value"}]}}


def sleepy(seconds, count):
    nodes = [{"id": "in", "type": "nodetool.input.IntegerInput", "data": {"name": "x", "value": 7}}]
    edges, previous = [], "in"
    for i in range(count):
        nodes.append({"id": f"w{i}", "type": "nodeflow.control.Wait", "data": {"seconds": seconds}})
        edges.append({"source": previous, "sourceHandle": "output", "target": f"w{i}", "targetHandle": "value"})
        previous = f"w{i}"
    return {"name": "sleepy", "graph": {"nodes": nodes, "edges": edges}}


class Store:
    """Where the jobs go: arguments for nodeflow, and a way to read job rows."""

    def __init__(self, backend, admin_url=None):
        self.backend = backend
        self.data = tempfile.mkdtemp(prefix="nodeflow-qbench-")
        self.args = ["--data-dir", self.data]
        if backend == "postgres":
            name = "bench_" + uuid.uuid4().hex[:12]
            subprocess.run(["psql", admin_url, "-qAtc", f"CREATE DATABASE {name}"], check=True)
            self.url = admin_url.replace("/postgres?", f"/{name}?")
            self.args += ["--database", self.url]

    def rows(self, sql):
        if self.backend == "sqlite":
            path = os.path.join(self.data, "jobs.sqlite")
            if not os.path.exists(path):
                return []
            with sqlite3.connect(path, timeout=10) as db:
                return db.execute(sql).fetchall()
        out = subprocess.run(["psql", self.url, "-qAtF", "\t", "-c", sql.replace("FROM job", "FROM nodeflow_job")],
                             check=True, capture_output=True, text=True).stdout
        return [tuple(line.split("\t")) for line in out.splitlines() if line]

    def count(self, status):
        return int(self.rows(f"SELECT COUNT(*) FROM job WHERE status = '{status}'")[0][0])


def submit(store, workflow_path, n):
    for _ in range(n):
        subprocess.run([BINARY, "submit", workflow_path] + store.args, check=True, capture_output=True)


def workers(store, k, extra=()):
    return [subprocess.Popen([BINARY, "worker", "--concurrency", "1", "--log-level", "error"] + store.args + list(extra),
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(k)]


def stop(processes):
    for p in processes:
        p.send_signal(signal.SIGTERM)
    for p in processes:
        p.wait(timeout=30)


def write(workflow):
    path = tempfile.mktemp(suffix=".json")
    with open(path, "w") as f:
        json.dump(workflow, f)
    return path


def throughput(backend, admin_url, jobs, k):
    store = Store(backend, admin_url)
    submit(store, write(TRIVIAL), jobs)
    start = time.perf_counter()
    running = workers(store, k)
    while store.count("completed") < jobs:
        time.sleep(0.01)
    elapsed = time.perf_counter() - start
    stop(running)
    return jobs / elapsed


def claim_latency(backend, admin_url, jobs):
    store = Store(backend, admin_url)
    running = workers(store, 2)
    time.sleep(1)  # started and idle
    path = write(TRIVIAL)
    for _ in range(jobs):
        submit(store, path, 1)
        time.sleep(0.05)
    while store.count("completed") < jobs:
        time.sleep(0.05)
    stop(running)
    waits = sorted((float(s) - float(c)) * 1000 for c, s in store.rows("SELECT created_at, started_at FROM job"))
    return statistics.median(waits), waits[min(len(waits) - 1, int(len(waits) * 0.99))]


def takeover(backend, admin_url, lease):
    store = Store(backend, admin_url)
    submit(store, write(sleepy(0.05, 200)), 1)
    first = workers(store, 1, ["--lease", str(lease)])[0]
    while store.count("running") < 1:
        time.sleep(0.01)
    second = workers(store, 1, ["--lease", str(lease)])
    time.sleep(0.5)
    killed = time.time()
    first.send_signal(signal.SIGKILL)
    first.wait()
    while True:
        (epoch,), = store.rows("SELECT epoch FROM job")
        if int(epoch) >= 2:
            break
        time.sleep(0.005)
    taken = time.time() - killed
    stop(second)
    return taken


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=400)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--lease", type=float, default=2.0)
    options = parser.parse_args()
    if not os.path.exists(BINARY):
        sys.exit("build first: swift build -c release --product nodeflow")
    backends = ["sqlite", "postgres"] if options.backend == "both" else [options.backend]
    admin_url, cluster = None, None
    if "postgres" in backends:
        cluster = tempfile.mkdtemp(prefix="nodeflow-qbench-pg-")
        admin_url = subprocess.run([os.path.join(ROOT, "scripts/postgres.sh"), "start", cluster, str(os.getpid())],
                                   check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
    try:
        for backend in backends:
            rates = {k: throughput(backend, admin_url, options.jobs, k) for k in (1, 2, 4)}
            p50, p99 = claim_latency(backend, admin_url, 100)
            taken = takeover(backend, admin_url, options.lease)
            print(f"{backend:9} jobs/s: 1 worker {rates[1]:6.0f}, 2 workers {rates[2]:6.0f}, 4 workers {rates[4]:6.0f}"
                  f" | claim latency p50 {p50:5.1f} ms, p99 {p99:5.1f} ms"
                  f" | SIGKILL -> running elsewhere {taken:4.2f} s (lease {options.lease} s)", flush=True)
    finally:
        if cluster:
            subprocess.run([os.path.join(ROOT, "scripts/postgres.sh"), "stop", cluster])


if __name__ == "__main__":
    main()
