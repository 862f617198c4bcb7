#!/usr/bin/env python3
"""Runs the same generated workflows through `nodeflow run`, nodetool 0.5.3 and Dask, alternating,
several times, and prints a table of median times and ratios.

Each tool reports the time of its own run (graph already loaded): nodeflow with --timing, nodetool
through ../shared/peers/nodetool053/run.py, Dask through scripts/dask_run.py. The whole process's
wall time is measured too. "recorded" is what a user runs: `nodeflow run FILE`, the job recorded
in a fresh data directory, timed as a whole process (loading, recording, exit). A peer whose run at a size exceeds the time limit is skipped at every
larger size of that shape, and the table says so.

Usage: scripts/compare.py [--repeat N] [--limit SECONDS] [--sizes 1000,10000] [--shapes chain,fanout]
"""
import argparse, json, os, re, shutil, statistics, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SHARED = os.path.join(os.path.dirname(ROOT), "shared")
GEN = os.path.join(SHARED, "bench", "gen.py")
NODETOOL_RUN = os.path.join(SHARED, "peers", "nodetool053", "run.py")
NODETOOL_PY = os.path.expanduser("~/.cache/nodetool053-venv/bin/python")
NODEFLOW = os.path.join(ROOT, ".build", "release", "nodeflow")

def shape_args(shape, n):
    if shape == "lattice":
        width = 100 if n >= 10_000 else 10
        return ["lattice", str(width), str(max(1, n // width))]
    if shape == "fanout":
        return ["fanout", str(max(1, n // 2))]
    return [shape, str(n)]

def tool_command(tool, path):
    if tool == "recorded":
        return [NODEFLOW, "run", path, "--quiet", "--no-cache", "--data-dir", tempfile.mkdtemp(prefix="nodeflow-store-")]
    if tool == "nodeflow":
        return [NODEFLOW, "run", path, "--quiet", "--timing", "--no-store", "--no-cache"]
    if tool == "nodetool":
        return [NODETOOL_PY, NODETOOL_RUN, path, "{}"]
    return [sys.executable, os.path.join(HERE, "dask_run.py"), path, "{}"]

def run_once(tool, path, limit):
    command = tool_command(tool, path)
    start = time.perf_counter()
    try:
        p = subprocess.run(command, capture_output=True, text=True, timeout=limit)
    except subprocess.TimeoutExpired:
        return None
    wall = time.perf_counter() - start
    if p.returncode != 0:
        raise SystemExit(f"{tool} failed on {path}:\n{p.stderr[-2000:]}")
    m = re.search(r"run: ([0-9.]+) ms", p.stderr)
    if tool == "recorded":
        shutil.rmtree(command[-1], ignore_errors=True)
        return (wall, wall, json.loads(p.stdout))
    return (float(m.group(1)) / 1000 if m else wall, wall, json.loads(p.stdout))

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--limit", type=float, default=60.0)
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--shapes", default="chain,fanout,lattice,loop")
    ap.add_argument("--tools", default="recorded,nodeflow,nodetool,dask")
    args = ap.parse_args()
    tools = args.tools.split(",")
    if "nodetool" in tools and not os.path.exists(NODETOOL_PY):
        subprocess.run([os.path.join(SHARED, "peers", "nodetool053", "setup.sh")], check=True)
    if "dask" in tools:
        try:
            import dask  # noqa: F401
        except ImportError:
            subprocess.run([sys.executable, "-m", "pip", "install", "-q", "dask"], check=True)
    if not os.path.exists(NODEFLOW):
        subprocess.run(["swift", "build", "-c", "release", "--product", "nodeflow"], cwd=ROOT, check=True)

    workdir = tempfile.mkdtemp(prefix="nodeflow-compare-")
    skipped = set()
    rows = []
    for shape in args.shapes.split(","):
        for n in [int(s) for s in args.sizes.split(",")]:
            path = os.path.join(workdir, f"{shape}_{n}.json")
            with open(path, "w") as f:
                subprocess.run([sys.executable, GEN] + shape_args(shape, n), stdout=f, check=True)
            nodes = len(json.load(open(path))["graph"]["nodes"])
            runs = {t: [] for t in tools}
            results = {}
            for _ in range(args.repeat):  # alternate the tools within each repetition
                for tool in tools:
                    if (tool, shape) in skipped:
                        continue
                    r = run_once(tool, path, args.limit)
                    if r is None:
                        skipped.add((tool, shape))
                        runs[tool] = []
                        continue
                    runs[tool].append(r[:2])
                    results[tool] = r[2]
            outputs = {json.dumps(v, sort_keys=True) for v in results.values()}
            row = {"shape": shape, "n": n, "nodes": nodes, "agree": len(outputs) <= 1}
            for tool in tools:
                if runs[tool]:
                    row[tool] = statistics.median(r[0] for r in runs[tool])
                    row[tool + "_wall"] = statistics.median(r[1] for r in runs[tool])
            rows.append(row)
            print_row(row, tools, header=len(rows) == 1)
    shutil.rmtree(workdir, ignore_errors=True)
    print(f"\nmedian of {args.repeat} runs; 'run' is each tool's own timing of its run, 'µs/node' divides it by the node count;"
          f" '-' = skipped after exceeding {args.limit:.0f} s at a smaller size or this one")

def print_row(row, tools, header):
    if header:
        cols = ["shape", "size", "nodes"] + [("recorded, whole process" if t == "recorded" else f"{t} run") for t in tools] + ["nodeflow µs/node (loop: /item)"]
        cols += ["recorded µs/node, whole process"] if "recorded" in tools else []
        cols += ["nodeflow --no-store, whole process"] if "nodeflow" in tools else []
        cols += [f"{t}/nodeflow" for t in tools if t not in ("nodeflow", "recorded")] + ["outputs agree"]
        print(" | ".join(cols))
        print(" | ".join("---" for _ in cols))
    def fmt(s):
        return "-" if s is None else (f"{s * 1000:.1f} ms" if s < 10 else f"{s:.1f} s")
    cells = [row["shape"], str(row["n"]), str(row["nodes"])]
    cells += [fmt(row.get(t)) for t in tools]
    nf = row.get("nodeflow")
    units = row["n"] if row["shape"] == "loop" else row["nodes"]  # a loop's cost is per item
    cells.append(f"{nf / units * 1e6:.2f}" if nf else "-")
    if "recorded" in tools:
        rec = row.get("recorded")
        cells.append(f"{rec / units * 1e6:.2f}" if rec else "-")
    if "nodeflow" in tools:
        cells.append(fmt(row.get("nodeflow_wall")))
    for t in tools:
        if t in ("nodeflow", "recorded"):
            continue
        cells.append(f"{row[t] / nf:.0f}×" if nf and row.get(t) else "-")
    cells.append("yes" if row["agree"] else "NO")
    print(" | ".join(cells), flush=True)

if __name__ == "__main__":
    main()
