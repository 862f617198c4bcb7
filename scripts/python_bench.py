#!/usr/bin/env python3
"""Python node calls through Nodeflow against the raw worker protocol, on the same worker code.

1. raw: a Python client speaks nodetool's worker protocol directly (length-prefixed msgpack over
   stdin/stdout) and times N sequential `execute` calls of the test pack's Add node.
2. nodeflow: `nodeflow run --no-store --timing` of a chain of N Python Adds; the run's time / N.
3. parallel: K independent CPU-bound Busy nodes (each `ms` of Python work) on pools of 1..K workers.

Usage: scripts/python_bench.py [--nodeflow .build/release/nodeflow] [--calls 500] [--busy-ms 400] [--parallel 2]
Needs the environment of scripts/python-env.sh (nodetool-core and msgpack).
"""
import argparse, json, os, statistics, struct, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACK = os.path.join(ROOT, "Examples", "PythonPack")


def interpreter():
    return subprocess.run([os.path.join(ROOT, "scripts", "python-env.sh")], check=True, capture_output=True, text=True).stdout.strip()


def raw_round_trip(python, calls):
    import msgpack  # the venv's, when run with its interpreter
    env = dict(os.environ, PYTHONPATH=PACK)
    worker = subprocess.Popen([python, "-m", "nodetool.worker", "--stdio"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    while b"NODETOOL_STDIO_READY" not in worker.stderr.readline():
        pass

    def call(i):
        body = msgpack.packb({"type": "execute", "request_id": str(i), "data": {"node_type": "nodeflowtest.basic.Add", "fields": {"a": i, "b": 1}, "secrets": {}, "blobs": {}}})
        worker.stdin.write(struct.pack(">I", len(body)) + body)
        worker.stdin.flush()
        while True:
            n = struct.unpack(">I", worker.stdout.read(4))[0]
            frame = msgpack.unpackb(worker.stdout.read(n), raw=False)
            if frame["type"] in ("result", "error"):
                return frame

    for i in range(50):
        call(i)
    start = time.perf_counter()
    for i in range(calls):
        call(i)
    elapsed = time.perf_counter() - start
    worker.stdin.close()
    worker.wait()
    return elapsed / calls


def workflow(nodes, edges):
    return {"graph": {"nodes": nodes, "edges": edges}}


def run_nodeflow(nodeflow, python, graph, workers=None):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(graph, f)
    args = [nodeflow, "run", f.name, "--no-store", "--no-cache", "--quiet", "--timing", "--python", python]
    if workers:
        args += ["--python-workers", str(workers)]
    result = subprocess.run(args, capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=PACK))
    os.unlink(f.name)
    if result.returncode != 0:
        sys.exit(f"nodeflow failed: {result.stderr}")
    line = [l for l in result.stderr.splitlines() if l.startswith("nodeflow run:")][-1]
    return float(line.split()[2]) / 1000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--nodeflow", default=os.path.join(ROOT, ".build", "release", "nodeflow"))
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--busy-ms", type=int, default=400)
    parser.add_argument("--parallel", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    python = interpreter()
    raw = min(raw_round_trip(python, args.calls) for _ in range(args.repeat))
    chain = [{"id": "n0", "type": "nodeflowtest.basic.Add", "data": {"a": 0, "b": 1}}]
    edges = []
    for i in range(1, args.calls):
        chain.append({"id": f"n{i}", "type": "nodeflowtest.basic.Add", "data": {"b": 1}})
        edges.append({"source": f"n{i-1}", "sourceHandle": "output", "target": f"n{i}", "targetHandle": "a"})
    # A run's first node starts the worker, which keeps warming up for a while after it says it
    # is ready: the per-call cost is the difference between a chain and one half its length.
    half = args.calls // 2
    short = workflow(chain[:half], edges[:half - 1])
    long = workflow(chain, edges)
    t_short = min(run_nodeflow(args.nodeflow, python, short) for _ in range(args.repeat))
    t_long = min(run_nodeflow(args.nodeflow, python, long) for _ in range(args.repeat))
    per_call = (t_long - t_short) / (args.calls - half)
    print(f"raw protocol round trip (Python client): {raw * 1000:.3f} ms per call")
    print(f"through nodeflow (chain of {args.calls} minus a chain of {half}): {per_call * 1000:.3f} ms per call ({per_call / raw:.2f}x)")
    busy = [{"id": f"b{i}", "type": "nodeflowtest.basic.Busy", "data": {"milliseconds": args.busy_ms}} for i in range(args.parallel)]
    for workers in range(1, args.parallel + 1):
        times = [run_nodeflow(args.nodeflow, python, workflow(busy, []), workers) for _ in range(args.repeat)]
        print(f"{args.parallel} Busy nodes of {args.busy_ms} ms on {workers} worker(s): {min(times):.2f} s (starts included)")


if __name__ == "__main__":
    main()
