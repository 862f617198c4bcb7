#!/usr/bin/env python3
"""Times a stream of N items through ForEach -> Add -> Collect (today's format), whole process, with
peak memory: `nodeflow run` recorded (the default path) and with --no-store.

Usage: scripts/stream_bench.py [N] [--repeat R]   (release build: swift build -c release --product nodeflow)
"""
import argparse, json, os, subprocess, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.path.join(ROOT, ".build", "release", "nodeflow")

def workflow(n):
    def node(id, type, data):
        return {"id": id, "type": type, "data": data, "sync_mode": "on_any"}
    def edge(s, sh, t, th):
        return {"source": s, "sourceHandle": sh, "target": t, "targetHandle": th}
    return {"name": f"stream_{n}", "graph": {
        "nodes": [node("n", "nodetool.constant.Integer", {"value": n}), node("range", "nodetool.list.ListRange", {"start": 0}),
                  node("each", "nodetool.control.ForEach", {}), node("add", "lib.math.Add", {"b": 1}),
                  node("collect", "nodetool.control.Collect", {}), node("count", "nodetool.list.Length", {}),
                  node("out", "nodetool.output.Output", {"name": "count"})],
        "edges": [edge("n", "output", "range", "stop"), edge("range", "output", "each", "input_list"), edge("each", "output", "add", "a"),
                  edge("add", "output", "collect", "input_item"), edge("collect", "output", "count", "values"), edge("count", "output", "out", "value")]}}

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", nargs="?", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    path = os.path.join(tempfile.mkdtemp(), "stream.json")
    json.dump(workflow(args.n), open(path, "w"))
    for label, extra in [("recorded", ["--data-dir", tempfile.mkdtemp()]), ("--no-store", ["--no-store"])]:
        for _ in range(args.repeat):
            # /usr/bin/time reports the child's own peak memory.
            start = time.perf_counter()
            result = subprocess.run(["/usr/bin/time", "-f", "%M", BINARY, "run", path, "--quiet"] + extra, capture_output=True, text=True)
            elapsed = time.perf_counter() - start
            assert json.loads(result.stdout) == {"count": [args.n]}, result.stdout
            print(f"{label}: {args.n:,} items in {elapsed:.2f} s, peak {int(result.stderr.strip().splitlines()[-1]) // 1024} MB")

if __name__ == "__main__":
    main()
