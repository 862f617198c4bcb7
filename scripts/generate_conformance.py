#!/usr/bin/env python3
"""Writes the node-library conformance workflows into Tests/NodeflowNodesTests/Conformance/ and
their expected outputs as nodetool 0.5.3 computes them.

Each case is NAME.json (the workflow), NAME.params.json and NAME.expected.json (the job's result).
The expected outputs come from running the workflow through nodetool's own WorkflowRunner, set up
by ../shared/peers/nodetool053/setup.sh. Run it again after adding a case:

    ~/.cache/nodetool053-venv/bin/python scripts/generate_conformance.py   # or any python3: it re-runs itself there
"""
import json, os, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "NodeflowNodesTests", "Conformance")
PEER = os.path.join(os.path.dirname(ROOT), "shared", "peers", "nodetool053")
VENV_PY = os.path.expanduser("~/.cache/nodetool053-venv/bin/python")


class W:
    """A tiny workflow builder: nodes by id, edges from `node.slot` to `node.property`."""

    def __init__(self, name):
        self.name, self.nodes, self.edges = name, [], []

    def node(self, nid, kind, parent=None, **data):
        n = {"id": nid, "type": kind, "data": data}
        if parent:
            n["parent_id"] = parent
        self.nodes.append(n)
        return nid

    def out(self, nid, kind, name, source):
        self.node(nid, "nodetool.output." + kind, name=name)
        self.edge(source, nid, "value")

    def edge(self, source, target, prop, slot="output"):
        self.edges.append({"id": f"e{len(self.edges)}", "source": source, "sourceHandle": slot,
                           "target": target, "targetHandle": prop})

    def doc(self):
        return {"id": self.name, "name": self.name, "description": "", "graph": {"nodes": self.nodes, "edges": self.edges}}


def cases():
    m = W("lib_math")
    m.node("x", "nodetool.input.IntegerInput", name="x", value=0)
    m.node("y", "nodetool.input.FloatInput", name="y", value=0.0)
    m.node("add", "nodetool.math.Add", b=3); m.edge("x", "add", "a")
    m.node("sub", "nodetool.math.Subtract"); m.edge("x", "sub", "a"); m.edge("y", "sub", "b")
    m.node("mul", "nodetool.math.Multiply"); m.edge("x", "mul", "a"); m.edge("x", "mul", "b")
    m.node("div", "nodetool.math.Divide", b=2); m.edge("x", "div", "a")
    m.node("mod", "nodetool.math.Modulus", a=-7, b=3)
    m.node("fmod", "nodetool.math.Modulus", a=-7.5, b=2.0)
    m.node("pow", "nodetool.math.Power", base=2); m.edge("x", "pow", "exponent")
    m.node("fpow", "nodetool.math.Power", exponent=2); m.edge("y", "fpow", "base")
    m.node("sqrt", "nodetool.math.Sqrt", x=2)
    m.node("sin", "nodetool.math.Sine", angle_rad=0.5)
    m.node("cos", "nodetool.math.Cosine", angle_rad=1)
    for nid, kind in [("add", "IntegerOutput"), ("sub", "FloatOutput"), ("mul", "IntegerOutput"), ("div", "FloatOutput"),
                      ("mod", "IntegerOutput"), ("fmod", "FloatOutput"), ("pow", "IntegerOutput"), ("fpow", "FloatOutput"),
                      ("sqrt", "FloatOutput"), ("sin", "FloatOutput"), ("cos", "FloatOutput")]:
        m.out("o_" + nid, kind, nid, nid)
    yield m, {"x": 7, "y": 2.5}

    t = W("lib_text")
    t.node("name", "nodetool.input.StringInput", name="name", value="")
    t.node("hello", "nodetool.text.Concat", a="Grüße, "); t.edge("name", "hello", "b")
    t.node("join", "nodetool.text.Join", strings=["α", "β", "γ"], separator=" · ")
    t.node("tmpl", "nodetool.text.Template", string="{who} scored {score:.1f} ({rank:>3}) {{ok}}",
           values={"who": "Ada", "score": 9.25, "rank": 1})
    # (A list as Template `values` in data crashes nodetool 0.5.3's loader; the unit tests cover it.)
    t.node("repl", "nodetool.text.Replace", old="o", new="0"); t.edge("hello", "repl", "text")
    t.node("split", "nodetool.text.Split", text="a;b;;c", delimiter=";")
    t.node("extract", "nodetool.text.Extract", text="héllo wörld", start=-5, end=100)
    t.node("chunk", "nodetool.text.Chunk", text="one two three four five", length=2, overlap=1)
    t.node("rx", "nodetool.text.ExtractRegex", text="Order 42 by ada@example.com", regex=r"(\d+) by (\w+)@")
    t.node("rx_none", "nodetool.text.ExtractRegex", text="nothing here", regex=r"(\d+)")
    t.node("findall", "nodetool.text.FindAllRegex", text="A1 b2 C3", regex=r"[a-z]\d", ignorecase=True)
    t.node("findgroups", "nodetool.text.FindAllRegex", text="k=v; x=y", regex=r"(\w)=(\w)")
    t.node("json", "nodetool.text.ParseJSON", text='{"a": [1, 2.5, "x", null, true]}')
    for nid, kind in [("hello", "StringOutput"), ("join", "StringOutput"), ("tmpl", "StringOutput"),
                      ("repl", "StringOutput"), ("split", "ListOutput"), ("extract", "StringOutput"), ("chunk", "ListOutput"),
                      ("rx", "ListOutput"), ("rx_none", "ListOutput"), ("findall", "ListOutput"), ("findgroups", "ListOutput"),
                      ("json", "DictionaryOutput")]:
        t.out("o_" + nid, kind, nid, nid)
    yield t, {"name": "Welt 🌍"}

    li = W("lib_list")
    li.node("vals", "nodetool.constant.List", value=[5, 3, 8, 1, 9, 2])
    li.node("words", "nodetool.constant.List", value=["pear", "Apple", "fig", "apple"])
    li.node("slice_neg", "nodetool.list.Slice", start=-3, stop=100); li.edge("vals", "slice_neg", "values")
    li.node("slice_step", "nodetool.list.Slice", start=0, stop=6, step=2); li.edge("vals", "slice_step", "values")
    li.node("slice_back", "nodetool.list.Slice", start=-1, stop=-7, step=-1); li.edge("vals", "slice_back", "values")
    li.node("slice_default", "nodetool.list.Slice"); li.edge("vals", "slice_default", "values")
    li.node("select", "nodetool.list.SelectElements", indices=[0, 2, 5]); li.edge("vals", "select", "values")
    li.node("last", "nodetool.list.GetElement", index=-1); li.edge("vals", "last", "values")
    # Append and Extend get lists of their own: nodetool's mutate their input in place.
    li.node("append", "nodetool.list.Append", values=[1, 2], value="end")
    li.node("extend", "nodetool.list.Extend", values=[1, 2], other_values=[0, 0])
    li.node("rev", "nodetool.list.Reverse"); li.edge("vals", "rev", "values")
    li.node("sort_desc", "nodetool.list.Sort", order="descending"); li.edge("words", "sort_desc", "values")
    li.node("sort_asc", "nodetool.list.Sort"); li.edge("vals", "sort_asc", "values")
    li.node("len", "nodetool.list.Length"); li.edge("vals", "len", "values")
    li.node("seq", "nodetool.list.GenerateSequence", start=10, stop=0, step=-3)
    for nid in ["slice_neg", "slice_step", "slice_back", "slice_default", "select", "append", "extend", "rev", "sort_desc", "sort_asc", "seq"]:
        li.out("o_" + nid, "ListOutput", nid, nid)
    li.out("o_last", "IntegerOutput", "last", "last")
    li.out("o_len", "IntegerOutput", "len", "len")
    yield li, {}

    d = W("lib_dict")
    d.node("base", "nodetool.constant.Dict", value={"a": 1, "b": {"c": [1, 2]}})
    d.node("get", "nodetool.dictionary.GetValue", key="b"); d.edge("base", "get", "dictionary")
    d.node("get_default", "nodetool.dictionary.GetValue", key="zzz", default="none"); d.edge("base", "get_default", "dictionary")
    # Update and Remove get dicts of their own: nodetool's mutate their input in place.
    d.node("update", "nodetool.dictionary.Update", dictionary={"a": 1, "b": 2}, new_pairs={"a": 2, "z": None})
    d.node("remove", "nodetool.dictionary.Remove", dictionary={"a": 1, "b": 2}, key="a")
    d.node("parse", "nodetool.dictionary.ParseJSON", json_string='{"k": [true, 1.5]}')
    d.node("zip", "nodetool.dictionary.Zip", keys=["x", "y", "z"], values=[1, 2])
    d.node("combine", "nodetool.dictionary.Combine", dict_b={"a": "B", "n": 0}); d.edge("base", "combine", "dict_a")
    d.node("filter", "nodetool.dictionary.Filter", keys=["b", "nope"]); d.edge("base", "filter", "dictionary")
    rows = [{"id": "x", "v": 1}, {"id": "y", "v": 2}, {"id": "x", "v": 3}]
    d.node("reduce_first", "nodetool.dictionary.ReduceDictionaries", dictionaries=rows, key_field="id", value_field="v")
    d.node("reduce_last", "nodetool.dictionary.ReduceDictionaries", dictionaries=rows, key_field="id", conflict_resolution="last")
    for nid in ["get", "update", "remove", "parse", "zip", "combine", "filter", "reduce_first", "reduce_last"]:
        d.out("o_" + nid, "DictionaryOutput", nid, nid)
    d.out("o_get_default", "StringOutput", "get_default", "get_default")
    yield d, {}

    b = W("lib_boolean")
    b.node("t", "nodetool.input.BooleanInput", name="t", value=False)
    for op in ["and", "or", "xor", "nand", "nor"]:
        b.node(op, "nodetool.boolean.LogicalOperator", b=False, operation=op); b.edge("t", op, "a")
        b.out("o_" + op, "BooleanOutput", op, op)
    b.node("not", "nodetool.boolean.Not"); b.edge("t", "not", "value")
    b.out("o_not", "BooleanOutput", "not", "not")
    yield b, {"t": True}

    i = W("lib_inputs")
    i.node("int_hi", "nodetool.input.IntegerInput", name="int_hi", value=0)
    i.node("int_lo", "nodetool.input.IntegerInput", name="int_lo", value=0, min=5, max=10)
    i.node("float_neg", "nodetool.input.FloatInput", name="float_neg", value=0.0)
    i.node("float_int", "nodetool.input.FloatInput", name="float_int", value=0.0)
    i.node("s", "nodetool.input.StringInput", name="s", value="default")
    i.node("preview", "nodetool.workflows.base_node.Preview"); i.edge("s", "preview", "value")
    i.out("o1", "IntegerOutput", "int_hi", "int_hi")
    i.out("o2", "IntegerOutput", "int_lo", "int_lo")
    i.out("o3", "FloatOutput", "float_neg", "float_neg")
    i.out("o4", "FloatOutput", "float_int", "float_int")
    i.out("o5", "StringOutput", "s", "preview")
    yield i, {"int_hi": 500, "int_lo": 1, "float_neg": -3.5, "float_int": 4}

    lp = W("lib_loop_dict")
    lp.node("prices", "nodetool.constant.Dict", value={"apple": 3, "pear": 5})
    lp.node("loop", "nodetool.group.Loop")
    lp.node("item", "nodetool.input.GroupInput", parent="loop")
    lp.node("label", "nodetool.text.Template", parent="loop", string="{key} costs {value}"); lp.edge("item", "label", "values")
    lp.node("gout", "nodetool.output.GroupOutput", parent="loop"); lp.edge("label", "gout", "input")
    lp.edge("prices", "loop", "input")
    lp.out("o", "ListOutput", "pairs", "loop")
    yield lp, {}


def generate():
    sys.path.insert(0, PEER)
    import asyncio, contextlib, io
    import stubimport
    import run as nodetool_run  # the peer's runner (imports nodetool with its stubs)
    for module in ["dictionary", "boolean"]:
        stubimport.import_with_stubs(f"nodetool.nodes.nodetool.{module}")
    os.makedirs(OUT, exist_ok=True)
    for workflow, params in cases():
        base = os.path.join(OUT, workflow.name)
        with open(base + ".json", "w") as f:
            json.dump(workflow.doc(), f, indent=1, ensure_ascii=False)
        with open(base + ".params.json", "w") as f:
            json.dump(params, f, ensure_ascii=False)
        captured = io.StringIO()
        with contextlib.redirect_stdout(captured):
            asyncio.run(nodetool_run.main(base + ".json", params))
        result = json.loads(captured.getvalue())
        if result is None:
            raise SystemExit(f"nodetool did not complete {workflow.name}")
        with open(base + ".expected.json", "w") as f:
            json.dump(result, f, ensure_ascii=False)
        print(f"{workflow.name}: {len(result)} outputs")


if __name__ == "__main__":
    if sys.prefix != os.path.dirname(os.path.dirname(VENV_PY)) and os.path.exists(VENV_PY):
        os.execv(VENV_PY, [VENV_PY] + sys.argv)
    if not os.path.exists(VENV_PY):
        subprocess.run([os.path.join(PEER, "setup.sh")], check=True)
        os.execv(VENV_PY, [VENV_PY] + sys.argv)
    generate()
