#!/usr/bin/env python3
"""Load test of `nodeflow serve` on loopback: many concurrent clients submit small jobs over HTTP;
reports submission throughput and latency percentiles, the time until every job finished, and
checks that no job was lost or left stuck. Bounded in count and time; stops by itself.

Usage: scripts/load_test.py [--jobs 10000] [--clients 32] [--max-concurrent-jobs 4] [--timeout 600]
Builds nothing: run `swift build -c release --product nodeflow` first.
"""
import argparse, http.client, json, os, shutil, signal, socket, statistics, subprocess, sys, tempfile, threading, time, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
JOB = json.dumps({"graph": {
    "nodes": [{"id": "x", "type": "nodetool.input.IntegerInput", "data": {"name": "x", "value": 1}},
              {"id": "add", "type": "nodetool.math.Add", "data": {"b": 1}},
              {"id": "out", "type": "nodetool.output.IntegerOutput", "data": {"name": "sum"}}],
    "edges": [{"source": "x", "sourceHandle": "output", "target": "add", "targetHandle": "a"},
              {"source": "add", "sourceHandle": "output", "target": "out", "targetHandle": "value"}]}}).encode()

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100 * len(values)))]

def metrics(port):
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()
    counts = {}
    for line in text.splitlines():
        if line.startswith("nodeflow_jobs{status="):
            status = line.split('"')[1]
            counts[status] = int(line.split()[-1])
    return counts

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jobs", type=int, default=10_000)
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--max-concurrent-jobs", type=int, default=4)
    ap.add_argument("--timeout", type=float, default=600)
    args = ap.parse_args()
    binary = os.path.join(ROOT, ".build", "release", "nodeflow")
    data = tempfile.mkdtemp(prefix="nodeflow-load-")
    port = free_port()
    server = subprocess.Popen([binary, "serve", "--port", str(port), "--data-dir", data, "--no-cache",
                               "--max-concurrent-jobs", str(args.max_concurrent_jobs)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)
                break
            except Exception:
                time.sleep(0.1)
        latencies, ids, errors = [], [], []
        lock = threading.Lock()
        per_client = [args.jobs // args.clients + (1 if i < args.jobs % args.clients else 0) for i in range(args.clients)]
        deadline = time.time() + args.timeout

        def client(count):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            for _ in range(count):
                if time.time() > deadline:
                    return
                start = time.perf_counter()
                try:
                    connection.request("POST", "/api/jobs", body=JOB, headers={"Content-Type": "application/json"})
                    response = connection.getresponse()
                    body = response.read()
                    elapsed = time.perf_counter() - start
                    with lock:
                        if response.status == 202:
                            latencies.append(elapsed)
                            ids.append(json.loads(body)["job_id"])
                        else:
                            errors.append(response.status)
                except Exception as error:
                    with lock:
                        errors.append(str(error))
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

        started = time.perf_counter()
        threads = [threading.Thread(target=client, args=(n,)) for n in per_client]
        for t in threads: t.start()
        for t in threads: t.join()
        submitted = time.perf_counter() - started
        # Wait until every job has finished (bounded).
        while time.time() < deadline:
            counts = metrics(port)
            if counts.get("queued", 0) == 0 and counts.get("running", 0) == 0:
                break
            time.sleep(0.5)
        finished = time.perf_counter() - started
        counts = metrics(port)
        print(f"jobs submitted: {len(ids)} of {args.jobs} by {args.clients} clients ({len(errors)} errors) in {submitted:.1f} s = {len(ids) / submitted:.0f} jobs/s")
        if latencies:
            print("submit latency: p50 {:.1f} ms, p90 {:.1f} ms, p99 {:.1f} ms, max {:.1f} ms".format(
                *(percentile(latencies, p) * 1000 for p in (50, 90, 99)), max(latencies) * 1000))
        print(f"all finished after {finished:.1f} s = {counts.get('completed', 0) / finished:.0f} jobs/s end to end "
              f"(max {args.max_concurrent_jobs} running at once); store: {counts}")
        lost = len(ids) - counts.get("completed", 0)
        stuck = counts.get("queued", 0) + counts.get("running", 0)
        ok = not errors and lost == 0 and stuck == 0 and len(ids) == args.jobs
        print(f"lost: {lost}, stuck: {stuck}: {'1 passed, 0 failed' if ok else '0 passed, 1 failed'}")
        sys.exit(0 if ok else 1)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(data, ignore_errors=True)

if __name__ == "__main__":
    main()
