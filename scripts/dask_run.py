#!/usr/bin/env python3
"""Run a nodetool workflow file's arithmetic as a Dask graph: one task per node (per body node and
item for a Loop), on Dask's threaded scheduler. Prints the outputs as JSON on stdout and the time
of the scheduler's run on stderr, in the same form as nodetool's run.py.

Only the node types of the benchmark shapes are supported (inputs, constants, Add, Multiply,
outputs, Loop with GroupInput/GroupOutput)."""
import json, operator, sys, time
import dask

OPS = {"nodetool.math.Add": operator.add, "nodetool.math.Multiply": operator.mul,
       "nodetool.math.Subtract": operator.sub, "nodetool.math.Divide": operator.truediv}
DEFAULTS = {"a": 0.0, "b": 0.0}

def identity(x):
    return x

def build(graph, params):
    nodes = {n["id"]: n for n in graph["nodes"]}
    incoming = {}
    for e in graph["edges"]:
        incoming.setdefault(e["target"], {})[e["targetHandle"]] = e["source"]
    dsk, outputs = {}, {}
    top = [n for n in graph["nodes"] if not n.get("parent_id")]
    for n in top:
        nid, t, data = n["id"], n["type"], n.get("data", {})
        ins = incoming.get(nid, {})
        if t.startswith("nodetool.input."):
            dsk[nid] = params.get(data.get("name"), data.get("value"))
        elif t.startswith("nodetool.constant."):
            dsk[nid] = data.get("value")
        elif t in OPS:
            args = [ins.get(p, data.get(p, DEFAULTS[p])) for p in ("a", "b")]
            dsk[nid] = (OPS[t], *args)
        elif t.startswith("nodetool.output."):
            dsk[nid] = (identity, ins["value"])
            outputs[data.get("name", nid)] = nid
        elif t == "nodetool.group.Loop":
            body = [b for b in graph["nodes"] if b.get("parent_id") == nid]
            items = dsk[ins["input"]]
            collected = []
            for i in range(len(items)):
                key = {b["id"]: f"{b['id']}#{i}" for b in body}
                for b in body:
                    bins = incoming.get(b["id"], {})
                    if b["type"] == "nodetool.input.GroupInput":
                        dsk[key[b["id"]]] = items[i]
                    elif b["type"] in OPS:
                        args = [key.get(bins[p], bins[p]) if p in bins else b.get("data", {}).get(p, DEFAULTS[p]) for p in ("a", "b")]
                        dsk[key[b["id"]]] = (OPS[b["type"]], *args)
                    elif b["type"] == "nodetool.output.GroupOutput":
                        dsk[key[b["id"]]] = (identity, key[bins["input"]])
                        collected.append(key[b["id"]])
            dsk[nid] = collected  # a list of keys computes to the list of their values
        else:
            raise SystemExit(f"dask_run.py: unsupported node type {t}")
    return dsk, outputs

def main():
    doc = json.load(open(sys.argv[1]))
    params = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
    dsk, outputs = build(doc.get("graph", doc), params)
    keys = list(outputs.values())
    start = time.perf_counter()
    values = dask.threaded.get(dsk, keys)
    elapsed = time.perf_counter() - start
    print(json.dumps({name: v for name, v in zip(outputs, values)}))
    print(f"dask run: {elapsed * 1000:.1f} ms, {len(dsk)} tasks", file=sys.stderr)

if __name__ == "__main__":
    sys.setrecursionlimit(1_000_000)
    main()
