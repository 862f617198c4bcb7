/// The page at `/`: paste or load a workflow, set its params, run it, and watch its graph — boxes
/// laid out by topological level, Loop groups as frames — change colour as the messages arrive.
/// Plain HTML, CSS and JavaScript, served by the binary itself.
enum RunPage {
    static let html = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Nodeflow</title>
<style>
  :root { --pending:#d8dce3; --running:#4c8dff; --completed:#2fb36d; --error:#e5484d; --cancelled:#f5a623; --waiting:#f2d14b; }
  body { font: 14px system-ui, sans-serif; margin: 0; display: grid; grid-template-columns: 340px 1fr; height: 100vh; color: #1d2330; }
  aside { border-right: 1px solid #e3e6eb; padding: 12px; overflow: auto; background: #fafbfc; }
  main { position: relative; overflow: auto; padding: 16px; }
  h1 { font-size: 18px; margin: 0 0 8px; }
  h2 { font-size: 13px; text-transform: uppercase; color: #687182; margin: 16px 0 6px; }
  textarea, input { width: 100%; box-sizing: border-box; font: 12px ui-monospace, monospace; }
  textarea#workflow { height: 180px; }
  textarea#params { height: 50px; }
  button { margin: 6px 6px 0 0; padding: 6px 12px; border-radius: 6px; border: 1px solid #c7ccd4; background: white; cursor: pointer; }
  button.primary { background: #4c8dff; color: white; border-color: #4c8dff; }
  #status { margin: 8px 0; font-weight: 600; }
  #graph { position: relative; min-height: 200px; }
  .node { position: absolute; width: 150px; min-height: 44px; border-radius: 8px; padding: 6px 8px; box-sizing: border-box;
          background: white; border: 2px solid var(--pending); box-shadow: 0 1px 2px #0001; font-size: 12px; }
  .node .id { font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .node .type { color: #687182; font-size: 11px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .node .bar { height: 4px; background: #eef0f3; border-radius: 2px; margin-top: 4px; display: none; }
  .node .bar > div { height: 100%; width: 0; background: var(--running); border-radius: 2px; }
  .node[data-status=running] { border-color: var(--running); background: #eef4ff; }
  .node[data-status=completed] { border-color: var(--completed); background: #edf9f2; }
  .node[data-status=error] { border-color: var(--error); background: #fdeeee; }
  .node[data-status=cancelled] { border-color: var(--cancelled); background: #fef6e9; }
  .node[data-status=waiting] { border-color: var(--waiting); }
  .frame { position: absolute; border: 2px dashed #9aa3b2; border-radius: 12px; background: #f6f7f9; z-index: 0; }
  .frame .label { position: absolute; top: -10px; left: 12px; background: white; padding: 0 6px; font-size: 11px; color: #687182; }
  svg { position: absolute; left: 0; top: 0; pointer-events: none; overflow: visible; z-index: 1; }
  .node { z-index: 2; }
  pre#outputs { background: #f3f5f8; padding: 8px; border-radius: 6px; white-space: pre-wrap; }
  #jobs div { cursor: pointer; padding: 3px 0; border-bottom: 1px solid #eef0f3; font-size: 12px; }
  #jobs div span { color: #687182; }
  #error { color: var(--error); white-space: pre-wrap; }
</style>
</head>
<body>
<aside>
  <h1>Nodeflow</h1>
  <h2>Workflow</h2>
  <input type="file" id="file" accept=".json">
  <textarea id="workflow" placeholder='Paste a workflow: {"graph": {"nodes": [...], "edges": [...]}}'></textarea>
  <h2>Params (JSON)</h2>
  <textarea id="params">{}</textarea>
  <h2>Token (if the server needs one)</h2>
  <input id="token" placeholder="Bearer token">
  <div>
    <button class="primary" id="run">Run</button>
    <button id="cancel" disabled>Cancel</button>
  </div>
  <div id="status"></div>
  <div id="error"></div>
  <h2>Outputs</h2>
  <pre id="outputs"></pre>
  <h2>Past jobs</h2>
  <div id="jobs"></div>
</aside>
<main><div id="graph"></div></main>
<script>
const $ = id => document.getElementById(id);
let socket = null, currentJob = null;

function headers() {
  const t = $('token').value.trim();
  return t ? { 'Authorization': 'Bearer ' + t, 'Content-Type': 'application/json' } : { 'Content-Type': 'application/json' };
}

// nodetool's levels: Kahn's algorithm over one scope, level by level, in file order.
function levels(nodes, edges) {
  const ids = new Set(nodes.map(n => n.id)), indegree = {}, out = {};
  nodes.forEach(n => { indegree[n.id] = 0; out[n.id] = []; });
  edges.forEach(e => { if (ids.has(e.source) && ids.has(e.target)) { out[e.source].push(e.target); indegree[e.target]++; } });
  let queue = nodes.filter(n => indegree[n.id] === 0).map(n => n.id), result = [], placed = new Set();
  while (queue.length) {
    result.push(queue); queue.forEach(id => placed.add(id));
    const next = [];
    queue.forEach(id => out[id].forEach(t => { if (--indegree[t] === 0) next.push(t); }));
    queue = next;
  }
  const rest = nodes.filter(n => !placed.has(n.id)).map(n => n.id);
  if (rest.length) result.push(rest);
  return result;
}

const W = 150, H = 56, GX = 60, GY = 18, PAD = 24;
// Lays out a scope; returns its size. Loops get a frame holding their children's layout.
function layout(graph, parent, x0, y0, boxes) {
  const nodes = graph.nodes.filter(n => (n.parent_id || null) === parent);
  let x = x0, maxY = y0;
  for (const level of levels(nodes, graph.edges)) {
    let y = y0, width = W;
    for (const id of level) {
      const node = graph.nodes.find(n => n.id === id);
      const children = graph.nodes.some(n => n.parent_id === id);
      if (children) {
        const inner = layout(graph, id, x + PAD, y + H + PAD, boxes);
        const w = Math.max(W, inner.w + 2 * PAD), h = H + inner.h + 2 * PAD;
        boxes.push({ frame: true, id, x, y, w, h });
        boxes.push({ node, x, y, w: W, h: H });
        width = Math.max(width, w); y += h + GY;
      } else {
        boxes.push({ node, x, y, w: W, h: H });
        y += H + GY;
      }
    }
    x += width + GX; maxY = Math.max(maxY, y);
  }
  return { w: Math.max(0, x - x0 - GX), h: Math.max(0, maxY - y0 - GY) };
}

function draw(graph) {
  const root = $('graph'); root.innerHTML = '';
  const boxes = []; const size = layout(graph, null, 0, 0, boxes);
  root.style.width = size.w + 'px'; root.style.height = size.h + 'px';
  const where = {};
  boxes.filter(b => b.frame).forEach(b => {
    const f = document.createElement('div'); f.className = 'frame';
    Object.assign(f.style, { left: b.x - 8 + 'px', top: b.y - 8 + 'px', width: b.w + 16 + 'px', height: b.h + 16 + 'px' });
    f.innerHTML = '<span class="label">loop ' + b.id + '</span>'; root.appendChild(f);
  });
  boxes.filter(b => !b.frame).forEach(b => {
    const d = document.createElement('div'); d.className = 'node'; d.id = 'node-' + b.node.id; d.dataset.status = 'pending';
    Object.assign(d.style, { left: b.x + 'px', top: b.y + 'px' });
    d.innerHTML = '<div class="id"></div><div class="type"></div><div class="bar"><div></div></div>';
    d.querySelector('.id').textContent = b.node.id;
    d.querySelector('.type').textContent = b.node.type;
    root.appendChild(d); where[b.node.id] = b;
  });
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('width', size.w); svg.setAttribute('height', size.h);
  svg.innerHTML = '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0L10,5L0,10z" fill="#9aa3b2"/></marker></defs>';
  graph.edges.forEach(e => {
    const s = where[e.source], t = where[e.target]; if (!s || !t) return;
    const p = document.createElementNS('http://www.w3.org/2000/svg', 'path');
    const x1 = s.x + W, y1 = s.y + H / 2, x2 = t.x, y2 = t.y + H / 2, mx = (x1 + x2) / 2;
    p.setAttribute('d', `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}`);
    p.setAttribute('fill', 'none'); p.setAttribute('stroke', '#9aa3b2'); p.setAttribute('marker-end', 'url(#arrow)');
    svg.appendChild(p);
  });
  root.prepend(svg);
}

function apply(message) {
  if (message.type === 'node_update') {
    const d = $('node-' + message.node_id); if (!d) return;
    d.dataset.status = message.status;
    if (message.error) d.title = message.error;
    if (message.status !== 'running') d.querySelector('.bar').style.display = 'none';
  } else if (message.type === 'node_progress') {
    const d = $('node-' + message.node_id); if (!d) return;
    const bar = d.querySelector('.bar'); bar.style.display = 'block';
    bar.firstChild.style.width = (100 * message.progress / Math.max(1, message.total)) + '%';
  } else if (message.type === 'job_update') {
    $('status').textContent = 'job ' + (message.job_id || '').slice(0, 8) + ': ' + message.status;
    $('status').dataset.status = message.status;
    if (message.result) $('outputs').textContent = JSON.stringify(message.result, null, 2);
    if (message.error) $('error').textContent = message.error;
    if (['completed', 'failed', 'cancelled'].includes(message.status)) { $('cancel').disabled = true; loadJobs(); }
  }
}

function run() {
  $('error').textContent = ''; $('outputs').textContent = '';
  let doc, params;
  try { doc = JSON.parse($('workflow').value); params = JSON.parse($('params').value || '{}'); }
  catch (e) { $('error').textContent = 'Not valid JSON: ' + e.message; return; }
  const graph = doc.graph || doc;
  draw(graph);
  const t = $('token').value.trim();
  const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws' + (t ? '?token=' + encodeURIComponent(t) : '');
  if (socket) socket.close();
  socket = new WebSocket(url);
  socket.onopen = () => socket.send(JSON.stringify({ command: 'run_job', data: { graph, params, workflow_id: doc.id, workflow_name: doc.name } }));
  socket.onmessage = event => {
    const message = JSON.parse(event.data);
    if (message.type === 'job_created') { currentJob = message.job_id; $('cancel').disabled = false; $('status').textContent = 'job ' + currentJob.slice(0, 8) + ': queued'; }
    else if (message.type === 'error') { $('error').textContent = message.error + (message.problems ? '' : ''); }
    else apply(message);
  };
  socket.onerror = () => { $('error').textContent = 'The connection failed (is a token needed?)'; };
}

async function showJob(id) {
  const job = await (await fetch('/api/jobs/' + id, { headers: headers() })).json();
  if (!job.graph) return;
  draw(job.graph); $('outputs').textContent = job.outputs ? JSON.stringify(job.outputs, null, 2) : '';
  $('error').textContent = job.error || '';
  const events = await (await fetch('/api/jobs/' + id + '/events', { headers: headers() })).json();
  (events.events || []).forEach(apply);
}

async function loadJobs() {
  const response = await fetch('/api/jobs?limit=20', { headers: headers() });
  if (!response.ok) { $('jobs').textContent = 'Cannot list jobs (' + response.status + ')'; return; }
  const { jobs } = await response.json();
  $('jobs').innerHTML = '';
  jobs.forEach(job => {
    const d = document.createElement('div');
    d.innerHTML = '<b></b> <span></span>';
    d.querySelector('b').textContent = (job.workflow_name || job.id.slice(0, 8));
    d.querySelector('span').textContent = job.status + (job.duration != null ? ' · ' + job.duration.toFixed(2) + 's' : '');
    d.onclick = () => showJob(job.id);
    $('jobs').appendChild(d);
  });
}

$('run').onclick = run;
$('cancel').onclick = () => { if (socket && currentJob) socket.send(JSON.stringify({ command: 'cancel_job', data: { job_id: currentJob } })); };
$('file').onchange = async e => { const f = e.target.files[0]; if (f) { $('workflow').value = await f.text(); try { draw((j => j.graph || j)(JSON.parse($('workflow').value))); } catch (_) {} } };
$('token').onchange = loadJobs;
// Links and scripts can open the page on a workflow (?workflow=JSON&params=JSON&run=1) or a past job (?job=ID).
const query = new URLSearchParams(location.search);
if (query.get('token')) $('token').value = query.get('token');
if (query.get('params')) $('params').value = query.get('params');
if (query.get('workflow')) {
  $('workflow').value = query.get('workflow');
  if (query.get('run') === '1') run(); else try { draw((j => j.graph || j)(JSON.parse($('workflow').value))); } catch (_) {}
}
if (query.get('job')) showJob(query.get('job'));
loadJobs();
</script>
</body>
</html>
"""#
}
