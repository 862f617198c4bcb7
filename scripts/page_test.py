#!/usr/bin/env python3
"""Tests the page in headless Chromium (1400×900): starts `nodeflow serve` on a loopback port and
drives the page as a user would, checking what it shows:

  run          a conformance workflow given in the address runs; every node completes and the
               outputs equal nodetool's expected outputs
  fit          Examples/hello.json, pasted, is drawn before Run and fits the view; zoom buttons
               scale it; the Loop is one frame labelled with its id and type; edges name ports
  params       the form built from hello.json's input nodes sets the run's params
  panel        clicking a node shows its status, time, inputs and outputs
  problems     an invalid workflow lists each problem and outlines its node; clicking selects it
  jobs         past jobs show status, time and duration; opening one shows its graph and results;
               Run again runs it again
  streams      Examples/streams.json: each value an Output receives is listed as it arrives
  hostile      node ids and values holding HTML are shown as text

Needs Debian's `chromium` and PyPI's `websocket-client`; builds nothing (run `swift build` first).
Usage: scripts/page_test.py [WORKFLOW_NAME] [--screenshots DIR]
"""
import argparse, base64, json, os, shutil, signal, socket, subprocess, sys, tempfile, time, urllib.parse, urllib.request
import websocket  # websocket-client

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONFORMANCE = os.path.join(ROOT, "Tests", "NodeflowNodesTests", "Conformance")

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

def wait_for(url, seconds=20):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            return urllib.request.urlopen(url, timeout=1).read()
        except Exception:
            time.sleep(0.1)
    raise SystemExit(f"nothing answers at {url}")

class Tab:
    """A Chrome DevTools Protocol session with one page."""
    def __init__(self, debug_port):
        tabs = json.loads(wait_for(f"http://127.0.0.1:{debug_port}/json"))
        page = next(t for t in tabs if t["type"] == "page")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=30)
        self.next_id = 0

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            reply = json.loads(self.ws.recv())
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise SystemExit(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise AssertionError(f"the page threw: {result['exceptionDetails']}")
        return result["result"].get("value")

    def js(self, body):
        """Runs a function body in the page; returns its JSON-decoded result."""
        value = self.evaluate(f"JSON.stringify((() => {{ {body} }})())")
        return json.loads(value) if value is not None else None

    def open(self, url):
        self.call("Page.navigate", url=url)
        self.wait("document.readyState === 'complete' && typeof drawGraph === 'function'", "the page to load")

    def wait(self, condition, what, seconds=30):
        deadline = time.time() + seconds
        while time.time() < deadline:
            if self.evaluate(f"Boolean({condition})"):
                return
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}")

    def screenshot(self, path):
        png = base64.b64decode(self.call("Page.captureScreenshot", format="png")["data"])
        with open(path, "wb") as f:
            f.write(png)

def check(condition, message):
    if not condition:
        raise AssertionError(message)

STATE = """
const nodes = [...document.querySelectorAll('#graph .node')];
return {all: nodes.length, done: nodes.filter(n => n.dataset.status === 'completed').length,
        outputs: document.getElementById('outputs').textContent, status: document.getElementById('status').textContent,
        error: document.getElementById('error').textContent};
"""

def paste(tab, doc):
    tab.evaluate(f"(() => {{ const t = document.getElementById('workflow'); t.value = {json.dumps(json.dumps(doc))};"
                 " t.dispatchEvent(new Event('input')); })()")

def wait_done(tab, nodes, what):
    tab.wait(f"document.querySelectorAll('#graph .node[data-status=completed]').length === {nodes}"
             " && /completed/.test(document.getElementById('status').textContent)"
             " && document.getElementById('outputs').textContent", what)

def test_run(tab, base, name):
    doc = json.load(open(os.path.join(CONFORMANCE, name + ".json")))
    params = json.load(open(os.path.join(CONFORMANCE, name + ".params.json")))
    expected = json.load(open(os.path.join(CONFORMANCE, name + ".expected.json")))
    tab.open(base + "/?" + urllib.parse.urlencode({"workflow": json.dumps(doc), "params": json.dumps(params), "run": "1"}))
    nodes = len(doc["graph"]["nodes"])
    wait_done(tab, nodes, f"{name} to finish")
    state = tab.js(STATE)
    outputs = json.loads(state["outputs"])
    check(outputs == expected, f"the page shows {outputs}, expected {expected}")
    check("?job=" in tab.evaluate("location.search"), "the address does not name the job")

def test_fit(tab, base, hello):
    tab.open(base + "/")
    paste(tab, hello)
    tab.wait(f"document.querySelectorAll('#graph .node').length === {len(hello['graph']['nodes'])}", "the pasted workflow to be drawn")
    fits = tab.js("""
      const view = document.getElementById('view').getBoundingClientRect();
      const out = [...document.querySelectorAll('#graph .node')].filter(n => {
        const r = n.getBoundingClientRect();
        return r.left < view.left || r.right > view.right + 0.5 || r.top < view.top || r.bottom > view.bottom + 0.5; });
      return out.map(n => n.dataset.id);""")
    check(fits == [], f"nodes outside the view after fit: {fits}")
    scale = lambda: tab.evaluate("view.scale")
    before = scale()
    tab.evaluate("document.getElementById('zoom-in').click()")
    check(scale() > before, "zoom in did not zoom")
    tab.evaluate("document.getElementById('fit').click()")
    check(abs(scale() - before) < 1e-9, "fit did not return to the fitted scale")
    frame = tab.js("const f = document.querySelector('#graph .node.group'); return f && f.innerText;")
    check(frame and "loop" in frame and "Loop" in frame and "loop loop" not in frame, f"the Loop frame reads {frame!r}")
    inside = tab.js("""
      const f = document.querySelector('#graph .node.group').getBoundingClientRect();
      return ['item', 'square', 'collect'].every(id => { const r = document.querySelector(`#graph .node[data-id="${id}"]`).getBoundingClientRect();
        return r.left >= f.left && r.right <= f.right && r.top >= f.top && r.bottom <= f.bottom; });""")
    check(inside, "the Loop's body is not inside its frame")
    labels = tab.js("return [...document.querySelectorAll('svg.edges text')].map(t => t.textContent);")
    check("stop" in labels and "a" in labels and "b" in labels, f"edge labels {labels} do not name the ports")
    types = tab.js("return [...document.querySelectorAll('#graph .node .type')].map(t => t.scrollWidth <= t.clientWidth + 1);")
    check(all(types), "a node type is cut off")

def test_params(tab, base, hello):
    tab.open(base + "/")
    paste(tab, hello)
    tab.wait("document.querySelectorAll('#params [data-name]').length === 2", "the params form")
    fields = tab.js("return [...document.querySelectorAll('#params [data-name]')].map(f => [f.dataset.name, f.dataset.kind, f.value]);")
    check(fields == [["name", "str", "World"], ["n", "int", "5"]], f"the form holds {fields}")
    tab.evaluate("document.querySelector('#params [data-name=n]').value = '2.5'; document.getElementById('run').click()")
    check("whole number" in tab.js(STATE)["error"], "a fractional int param was not refused by the form")
    tab.evaluate("document.querySelector('#params [data-name=name]').value = '<b>Ada</b>';"
                 "document.querySelector('#params [data-name=n]').value = '3'; document.getElementById('run').click()")
    wait_done(tab, len(hello["graph"]["nodes"]), "hello to finish with the form's params")
    outputs = json.loads(tab.js(STATE)["outputs"])
    check(outputs == {"greeting": "Hello, <b>Ada</b>!", "squares": [1, 4]}, f"the run with the form's params gave {outputs}")
    kept = tab.js("return [...document.querySelectorAll('#params [data-name]')].map(f => f.value);")
    check(kept == ["<b>Ada</b>", "3"], f"after the run the form holds {kept}")

def test_panel(tab):
    # Follows test_params: the run of hello is on the page.
    tab.evaluate("document.querySelector('#graph .node[data-id=greet]').click()")
    tab.wait("!document.getElementById('panel').hidden", "the side panel")
    text = tab.evaluate("document.getElementById('panel').innerText")
    for expected in ["greet", "nodetool.text.Template", "completed", "Hello, <b>Ada</b>!", "values", "outputs", "time"]:
        check(expected.lower() in text.lower(), f"the side panel lacks {expected!r}: {text!r}")
    tab.evaluate("document.querySelector('#graph .node[data-id=square]').click()")
    tab.wait("document.getElementById('panel-title').textContent === 'square'", "the panel to show 'square'")
    text = tab.evaluate("document.getElementById('panel').innerText")
    check("runs\t2" in text, f"the panel of a Loop body node does not count its runs: {text!r}")

def test_problems(tab, base, hello):
    broken = json.loads(json.dumps(hello))
    broken["graph"]["nodes"][1]["type"] = "nodetool.text.Tempalte"
    broken["graph"]["edges"][4]["targetHandle"] = "stopp"
    tab.open(base + "/")
    paste(tab, broken)
    tab.wait("document.querySelectorAll('#graph .node').length > 0", "the broken workflow to be drawn")
    tab.evaluate("document.getElementById('run').click()")
    tab.wait("document.querySelectorAll('#problems li').length >= 2", "the problems list")
    problems = tab.js("return [...document.querySelectorAll('#problems li')].map(li => [li.dataset.node || null, li.textContent]);")
    ids = {p[0] for p in problems}
    check({"greet", "range"} <= ids, f"the problems {problems} do not name greet and range")
    outlined = tab.js("return [...document.querySelectorAll('#graph .node.problem')].map(n => n.dataset.id).sort();")
    check("greet" in outlined and "range" in outlined, f"outlined nodes: {outlined}")
    tab.evaluate("document.querySelector('#problems li[data-node=range]').click()")
    check(tab.evaluate("document.getElementById('panel-title').textContent") == "range", "clicking a problem did not select its node")
    check("stopp" in tab.evaluate("document.getElementById('panel').innerText"), "the panel does not show the node's problem")

def test_jobs(tab, base, hello):
    tab.open(base + "/")
    tab.wait("document.querySelectorAll('#jobs .job').length >= 2", "the past jobs list")
    rows = tab.js("return [...document.querySelectorAll('#jobs .job')].map(j => j.innerText);")
    check(any("Hello, Nodeflow" in r and "completed" in r and ("ms" in r or " s" in r) and ":" in r for r in rows), f"past jobs read {rows}")
    count = len(rows)
    tab.evaluate("[...document.querySelectorAll('#jobs .job')].find(j => j.innerText.includes('Hello, Nodeflow')).click()")
    nodes = len(hello["graph"]["nodes"])
    wait_done(tab, nodes, "the opened job's results")
    check(tab.evaluate("document.querySelector('#params [data-name=n]').value") == "3", "the opened job's params are not in the form")
    check(tab.evaluate("document.getElementById('run').textContent") == "Run again", "no Run again")
    tab.evaluate("document.querySelector('#graph .node[data-id=greeting]').click()")
    check("Hello, <b>Ada</b>!" in tab.evaluate("document.getElementById('panel').innerText"), "the opened job's node results are not shown")
    opened = tab.evaluate("new URLSearchParams(location.search).get('job')")
    tab.open(base + "/?job=" + opened)                      # the address opens it too
    wait_done(tab, nodes, "the job opened by its address")
    tab.evaluate("document.getElementById('run').click()")  # run it again
    tab.wait(f"new URLSearchParams(location.search).get('job') !== {json.dumps(opened)}", "a new job")
    wait_done(tab, nodes, "the job run again")
    check(json.loads(tab.js(STATE)["outputs"])["squares"] == [1, 4], "the job run again lost its params")
    tab.wait(f"document.querySelectorAll('#jobs .job').length === {count + 1}", "the new job in the list")

def test_streams(tab, base):
    doc = json.load(open(os.path.join(ROOT, "Examples", "streams.json")))
    tab.open(base + "/")
    paste(tab, doc)
    tab.wait(f"document.querySelectorAll('#graph .node').length === {len(doc['graph']['nodes'])}", "the streams example to be drawn")
    tab.evaluate("document.getElementById('run').click()")
    wait_done(tab, len(doc["graph"]["nodes"]), "the streams example to finish")
    outputs = json.loads(tab.js(STATE)["outputs"])
    check(outputs == {"greetings": ["Hello, Ada!", "Hello, Grace!", "Hello, Linus!"], "count": [3]}, f"the streams example gave {outputs}")
    tab.evaluate("document.querySelector('#graph .node[data-id=greetings]').click()")
    text = tab.evaluate("document.getElementById('panel').innerText")
    check("values received (3)" in text.lower() and "Hello, Grace!" in text, f"the Output's panel does not list the values it received: {text!r}")

def test_hostile(tab, base):
    doc = {"name": "<img src=x onerror=window.pwned=1>", "graph": {"nodes": [
        {"id": "<script>window.pwned=1</script>", "type": "nodetool.constant.String", "data": {"value": "<img src=x onerror=window.pwned=1>"}},
        {"id": "out", "type": "nodetool.output.StringOutput", "data": {"name": "<i>x</i>"}}],
        "edges": [{"source": "<script>window.pwned=1</script>", "sourceHandle": "output", "target": "out", "targetHandle": "<b>value</b>"}]}}
    tab.open(base + "/")
    paste(tab, doc)
    tab.wait("document.querySelectorAll('#graph .node').length === 2", "the hostile workflow to be drawn")
    tab.evaluate("document.getElementById('run').click()")
    tab.wait("document.querySelectorAll('#problems li').length >= 1 || /completed/.test(document.getElementById('status').textContent)", "the hostile run")
    tab.evaluate("document.querySelector('#graph .node').click()")
    time.sleep(0.3)
    check(tab.evaluate("window.pwned === undefined"), "a value from the workflow ran as HTML")
    check(tab.evaluate("document.querySelectorAll('#graph img, #panel img, #jobs img, #problems img').length") == 0, "a value became an element")

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("workflow", nargs="?", default="lib_loop_dict")
    parser.add_argument("--screenshots", help="a folder to save page.png and page-problems.png in")
    args = parser.parse_args()
    binary = os.path.join(ROOT, ".build", "debug", "nodeflow")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        raise SystemExit("chromium is not installed (apt-get install chromium)")
    hello = json.load(open(os.path.join(ROOT, "Examples", "hello.json")))

    data, profile = tempfile.mkdtemp(), tempfile.mkdtemp()
    port, debug_port = free_port(), free_port()
    server = subprocess.Popen([binary, "serve", "--port", str(port), "--data-dir", data], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    browser = None
    passed, failed = 0, 0
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(base + "/health")
        browser = subprocess.Popen([chromium, "--headless", "--no-sandbox", "--disable-gpu", f"--remote-debugging-port={debug_port}",
                                    f"--user-data-dir={profile}", "--window-size=1400,900", "about:blank"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        tab = Tab(debug_port)
        tab.call("Page.enable")
        tests = [("run", lambda: test_run(tab, base, args.workflow)), ("fit", lambda: test_fit(tab, base, hello)),
                 ("params", lambda: test_params(tab, base, hello)), ("panel", lambda: test_panel(tab)),
                 ("problems", lambda: test_problems(tab, base, hello)), ("jobs", lambda: test_jobs(tab, base, hello)),
                 ("streams", lambda: test_streams(tab, base)), ("hostile", lambda: test_hostile(tab, base))]
        for name, test in tests:
            try:
                test()
                passed += 1
                print(f"page test {name}: passed")
                if args.screenshots and name == "panel":
                    tab.screenshot(os.path.join(args.screenshots, "page.png"))
                if args.screenshots and name == "problems":
                    tab.screenshot(os.path.join(args.screenshots, "page-problems.png"))
            except AssertionError as error:
                failed += 1
                print(f"page test {name}: FAILED: {error}")
        print(f"page tests: {passed} passed, {failed} failed")
    finally:
        if browser:
            browser.kill()
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)
        shutil.rmtree(data, ignore_errors=True)
        shutil.rmtree(profile, ignore_errors=True)
    sys.exit(1 if failed else 0)

if __name__ == "__main__":
    main()
