#!/usr/bin/env python3
"""Tests the page in headless Chromium: starts `nodeflow serve` on a loopback port, opens the page on
a conformance workflow, runs it, waits until every node is completed and the outputs appear, checks
them against nodetool's expected outputs, and saves a screenshot.

Needs Debian's `chromium` and PyPI's `websocket-client`; builds nothing (run `swift build` first).
Usage: scripts/page_test.py [WORKFLOW_NAME] [--screenshot docs/page.png]
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
        return self.call("Runtime.evaluate", expression=expression, returnByValue=True)["result"].get("value")

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("workflow", nargs="?", default="lib_loop_dict")
    parser.add_argument("--screenshot")
    args = parser.parse_args()
    binary = os.path.join(ROOT, ".build", "debug", "nodeflow")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        raise SystemExit("chromium is not installed (apt-get install chromium)")
    doc = json.load(open(os.path.join(CONFORMANCE, args.workflow + ".json")))
    params = json.load(open(os.path.join(CONFORMANCE, args.workflow + ".params.json")))
    expected = json.load(open(os.path.join(CONFORMANCE, args.workflow + ".expected.json")))

    data, profile = tempfile.mkdtemp(), tempfile.mkdtemp()
    port, debug_port = free_port(), free_port()
    server = subprocess.Popen([binary, "serve", "--port", str(port), "--data-dir", data], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    browser = None
    try:
        wait_for(f"http://127.0.0.1:{port}/health")
        query = urllib.parse.urlencode({"workflow": json.dumps(doc), "params": json.dumps(params), "run": "1"})
        browser = subprocess.Popen([chromium, "--headless", "--no-sandbox", "--disable-gpu", f"--remote-debugging-port={debug_port}",
                                    f"--user-data-dir={profile}", "--window-size=1400,800", f"http://127.0.0.1:{port}/?{query}"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        tab = Tab(debug_port)
        nodes = len(doc["graph"]["nodes"])
        deadline = time.time() + 30
        while time.time() < deadline:
            state = tab.evaluate("JSON.stringify({done: document.querySelectorAll('.node[data-status=completed]').length,"
                                 " all: document.querySelectorAll('.node').length, outputs: document.getElementById('outputs').textContent,"
                                 " status: document.getElementById('status').textContent})")
            state = json.loads(state) if state else {"all": 0, "done": 0, "outputs": ""}  # not loaded yet
            if state["all"] == nodes and state["done"] == nodes and state["outputs"]:
                break
            time.sleep(0.2)
        else:
            raise SystemExit(f"the page did not finish: {state}")
        outputs = json.loads(state["outputs"])
        if outputs != expected:
            raise SystemExit(f"the page shows {outputs}, expected {expected}")
        if args.screenshot:
            png = base64.b64decode(tab.call("Page.captureScreenshot", format="png")["data"])
            open(args.screenshot, "wb").write(png)
        print(f"page test: {nodes} of {nodes} nodes completed, outputs {outputs}: 1 passed, 0 failed")
    finally:
        if browser:
            browser.kill()
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)
        shutil.rmtree(data, ignore_errors=True)
        shutil.rmtree(profile, ignore_errors=True)

if __name__ == "__main__":
    main()
