extension RunPage {
    /// The application: the workflow drawn as it is pasted, a params form from its input nodes,
    /// runs over the WebSocket, each node's state in a side panel, problems listed and highlighted,
    /// and past jobs to open, follow and run again. Every value from a workflow or the server is
    /// shown as text, never as HTML.
    static let appScript = #"""
    let socket = null, currentJob = null, openJob = null, runStarted = 0;
    let metadata = new Map();    // node type → its metadata from /api/nodes
    let nodeState = new Map();   // node id → what the messages told about it
    let selected = null, extraParams = {}, panelQueued = false;
    let problemsByNode = new Map();   // node id → what validation said about it
    let liveOutputs = {}, outputsQueued = false;   // output name → values as they stream in

    function headers() {
      const t = $('token').value.trim();
      return t ? { 'Authorization': 'Bearer ' + t, 'Content-Type': 'application/json' } : { 'Content-Type': 'application/json' };
    }
    function seconds(s) {
      if (s == null) return '';
      if (s < 0.001) return Math.round(s * 1e6) + ' µs';
      return s < 1 ? (s * 1000).toFixed(s < 0.01 ? 2 : 0) + ' ms' : s.toFixed(2) + ' s';
    }
    function shown(value) {
      const text = JSON.stringify(value, null, 2);
      return text === undefined ? String(value) : text.length > 20000 ? text.slice(0, 20000) + '\n… (' + text.length + ' characters)' : text;
    }
    function graphOf(doc) {
      const graph = doc && typeof doc === 'object' ? (doc.graph || doc) : null;
      if (!graph || !Array.isArray(graph.nodes)) throw new Error('it has no graph.nodes list');
      return graph;
    }

    // MARK: The workflow

    let drawn = { nodes: [], edges: [] }, drawnText = null;
    function show(graph) {
      drawn = graph; drawnText = $('workflow').value; nodeState = new Map(); clearProblems();
      drawGraph(graph, select);
      buildParamsForm(graph);
      if (selected && boxes.has(selected)) select(selected); else closePanel();
    }
    function loadFromTextarea() {
      openJob = null; $('run').textContent = 'Run';
      const text = $('workflow').value.trim();
      if (!text) { $('parse').textContent = ''; show({ nodes: [], edges: [] }); return; }
      try { show(graphOf(JSON.parse(text))); $('parse').textContent = ''; }
      catch (e) { $('parse').textContent = 'Not a workflow yet: ' + e.message; }
    }

    // MARK: Params

    function isInput(node) {
      const meta = metadata.get(node.type);
      return meta ? meta.role === 'input' : /^nodetool\.input\./.test(node.type) && node.type !== 'nodetool.input.GroupInput';
    }
    function valueType(node) {
      const meta = metadata.get(node.type), property = meta && meta.properties.find(p => p.name === 'value');
      if (property) return property.type;
      return { IntegerInput: 'int', FloatInput: 'float', BooleanInput: 'bool', StringInput: 'str', TextInput: 'str' }[String(node.type).split('.').pop()] || 'any';
    }
    function buildParamsForm(graph) {
      const form = $('params'); form.innerHTML = '';
      const inputs = graph.nodes.filter(n => isInput(n) && n.data && typeof n.data.name === 'string' && n.data.name);
      if (!inputs.length) { form.innerHTML = '<div class="note">This workflow has no input nodes.</div>'; return; }
      for (const node of inputs) {
        const type = valueType(node), meta = metadata.get(node.type);
        const fallback = meta && meta.properties.find(p => p.name === 'value');
        const value = node.data.value !== undefined ? node.data.value : fallback ? fallback.default : null;
        const label = document.createElement('label');
        label.append(node.data.name + ' ');
        const hint = document.createElement('span'); hint.textContent = type + (node.data.description ? ' · ' + node.data.description : ''); label.append(hint);
        let field;
        if (type === 'bool') { field = document.createElement('input'); field.type = 'checkbox'; field.checked = value === true; }
        else if (type === 'int' || type === 'float') { field = document.createElement('input'); field.type = 'number'; field.step = type === 'int' ? '1' : 'any'; field.value = value == null ? '' : String(value); }
        else if (type === 'str') { field = document.createElement('input'); field.type = 'text'; field.value = value == null ? '' : String(value); }
        else { field = document.createElement('textarea'); field.rows = 2; field.value = JSON.stringify(value === undefined ? null : value); }
        field.dataset.name = node.data.name; field.dataset.kind = type; field.dataset.node = node.id;
        form.append(label, field);
      }
    }
    // Fills the form from a params object; names without a field are sent as they are.
    function applyParams(params) {
      extraParams = {};
      for (const [name, value] of Object.entries(params || {})) {
        const field = $('params').querySelector(`[data-name="${CSS.escape(name)}"]`);
        if (!field) { extraParams[name] = value; continue; }
        if (field.type === 'checkbox') field.checked = value === true;
        else if (field.tagName === 'TEXTAREA') field.value = JSON.stringify(value);
        else field.value = typeof value === 'string' ? value : JSON.stringify(value);
      }
    }
    // The params to send; throws an Error naming the field that is wrong.
    function readParams() {
      const params = Object.assign({}, extraParams);
      for (const field of $('params').querySelectorAll('[data-name]')) {
        const name = field.dataset.name, kind = field.dataset.kind, text = field.value.trim();
        if (kind === 'bool') params[name] = field.checked;
        else if (kind === 'int') {
          if (!/^-?\d+$/.test(text)) throw new Error(`param '${name}' needs a whole number, not '${text}'`);
          params[name] = Number(text);
        } else if (kind === 'float') {
          if (text === '' || !isFinite(Number(text))) throw new Error(`param '${name}' needs a number, not '${text}'`);
          params[name] = Number(text);
        } else if (kind === 'str') params[name] = field.value;
        else {
          try { params[name] = JSON.parse(text); } catch (e) { throw new Error(`param '${name}' needs JSON (${kind}): ${e.message}`); }
        }
      }
      return params;
    }

    // MARK: Messages

    function state(id) {
      if (!nodeState.has(id)) nodeState.set(id, { status: 'pending', runs: 0, logs: [] });
      return nodeState.get(id);
    }
    function apply(message) {
      const box = boxes.get(message.node_id), element = box && box.element;
      if (message.type === 'node_update') {
        const s = state(message.node_id);
        s.status = message.status;
        if (message.properties) s.inputs = message.properties;
        if (message.result) s.result = message.result;
        if (message.error) s.error = message.error;
        if (message.duration != null) s.duration = message.duration;
        if (message.cached != null) s.cached = message.cached;
        if (message.iteration) s.iteration = message.iteration;
        if (message.status === 'completed') s.runs++;
        if (element) {
          element.dataset.status = message.status;
          if (message.status !== 'running') element.querySelector('.bar').style.display = 'none';
        }
      } else if (message.type === 'node_progress') {
        const s = state(message.node_id); s.progress = [message.progress, message.total];
        if (element) {
          const bar = element.querySelector('.bar'); bar.style.display = 'block';
          bar.firstChild.style.width = (100 * message.progress / Math.max(1, message.total)) + '%';
        }
      } else if (message.type === 'output_update') {
        // A stream's values as they arrive (the last 100 per output; the job's result replaces them).
        const s = state(message.node_id); s.values = s.values || []; s.received = (s.received || 0) + 1;
        s.values.push(message.value); if (s.values.length > 100) s.values.shift();
        const list = liveOutputs[message.output_name] = liveOutputs[message.output_name] || [];
        if (message.value !== null) { list.push(message.value); if (list.length > 100) list.shift(); }
        if (!outputsQueued) {
          outputsQueued = true;
          requestAnimationFrame(() => { outputsQueued = false; if (Object.keys(liveOutputs).length) $('outputs').textContent = shown(liveOutputs); });
        }
      } else if (message.type === 'log_update') {
        const s = state(message.node_id); s.logs.push(message.severity + ': ' + message.content);
        if (s.logs.length > 50) s.logs.shift();
      } else if (message.type === 'job_update') {
        showStatus(message.job_id, message.status, runStarted ? (performance.now() - runStarted) / 1000 : null);
        if (message.result) { liveOutputs = {}; $('outputs').textContent = shown(message.result); }
        if (message.error) $('error').textContent = message.error;
        if (['completed', 'failed', 'cancelled'].includes(message.status)) { $('cancel').disabled = true; runStarted = 0; loadJobs(); }
      }
      if (message.node_id && message.node_id === selected) queuePanel();
    }
    function showStatus(jobID, status, duration) {
      const done = ['completed', 'failed', 'cancelled'].includes(status);
      $('status').textContent = 'job ' + String(jobID || '').slice(0, 8) + ': ' + status + (done && duration != null ? ' in ' + seconds(duration) : '');
      $('status').dataset.status = status;
    }
    function clearProblems() {
      $('problems').innerHTML = ''; problemsByNode = new Map();
      for (const b of boxes.values()) b.element.classList.remove('problem');
    }
    // Lists what validation found; each problem selects and shows its node.
    function showProblems(problems) {
      clearProblems();
      for (const p of problems || []) {
        const li = document.createElement('li'); li.textContent = p.message;
        const box = p.node_id != null && boxes.get(p.node_id);
        if (box) {
          box.element.classList.add('problem');
          problemsByNode.set(p.node_id, (problemsByNode.get(p.node_id) || []).concat([p.message]));
          li.dataset.node = p.node_id; li.title = 'Show node ' + p.node_id;
          li.onclick = () => { select(p.node_id); reveal(p.node_id); };
        }
        $('problems').appendChild(li);
      }
    }
    function onSocketMessage(event) {
      const message = JSON.parse(event.data);
      if (message.type === 'job_created') {
        currentJob = message.job_id; $('cancel').disabled = false; showStatus(currentJob, 'queued');
        history.replaceState(null, '', '?job=' + encodeURIComponent(currentJob));
        loadJobs();
      } else if (message.type === 'error') {
        $('error').textContent = message.error; showProblems(message.problems);
      } else if (message.type !== 'cancel_requested') apply(message);
    }
    function connect(first) {
      const t = $('token').value.trim();
      const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws' + (t ? '?token=' + encodeURIComponent(t) : '');
      if (socket) socket.close();
      socket = new WebSocket(url);
      socket.onopen = () => socket.send(JSON.stringify(first));
      socket.onmessage = onSocketMessage;
      socket.onerror = () => { $('error').textContent = 'The connection to the server failed (is a token needed?)'; };
    }

    // MARK: Running

    function clearRun() { $('error').textContent = ''; $('outputs').textContent = ''; $('status').textContent = ''; liveOutputs = {}; clearProblems(); }
    function run() {
      clearRun();
      let doc, graph, params;
      try { doc = JSON.parse($('workflow').value); graph = graphOf(doc); }
      catch (e) { $('error').textContent = 'The workflow is not valid JSON: ' + e.message; return; }
      try { params = readParams(); }
      catch (e) { $('error').textContent = e.message; return; }
      // The same workflow again keeps the view, the form and the selection; only the states reset.
      if ($('workflow').value === drawnText) {
        nodeState = new Map();
        for (const b of boxes.values()) { b.element.dataset.status = 'pending'; b.element.querySelector('.bar').style.display = 'none'; }
        if (selected) renderPanel();
      } else show(graph);
      openJob = null; $('run').textContent = 'Run';
      runStarted = performance.now();
      connect({ command: 'run_job', data: { graph, params, workflow_id: doc.id, workflow_name: doc.name } });
    }

    // MARK: The side panel

    function select(id) {
      for (const b of boxes.values()) b.element.classList.toggle('selected', b.node.id === id);
      selected = id; $('panel').hidden = false; renderPanel();
    }
    function closePanel() {
      selected = null; $('panel').hidden = true;
      for (const b of boxes.values()) b.element.classList.remove('selected');
    }
    function queuePanel() {
      if (panelQueued) return;
      panelQueued = true;
      requestAnimationFrame(() => { panelQueued = false; if (selected) renderPanel(); });
    }
    function section(title, content) {
      const h = document.createElement('h4'); h.textContent = title;
      $('panel-body').append(h, content);
    }
    function pre(value) { const p = document.createElement('pre'); p.textContent = typeof value === 'string' ? value : shown(value); return p; }
    function renderPanel() {
      const box = boxes.get(selected); if (!box) { closePanel(); return; }
      const node = box.node, meta = metadata.get(node.type), s = nodeState.get(node.id) || { status: 'pending', runs: 0, logs: [] };
      $('panel-title').textContent = node.id;
      $('panel-type').textContent = node.type + (meta && meta.description ? ' — ' + meta.description : '');
      $('panel-body').innerHTML = '';
      const table = document.createElement('table');
      const rows = [['status', s.status]];
      if (s.duration != null) rows.push(['time', seconds(s.duration)]);
      if (s.cached != null) rows.push(['cached', s.cached ? 'yes' : 'no']);
      if (s.runs > 1) rows.push(['runs', String(s.runs)]);
      if (s.iteration) rows.push(['iteration', s.iteration.join(' / ')]);
      if (s.progress) rows.push(['progress', s.progress[0] + ' of ' + s.progress[1]]);
      for (const [k, v] of rows) { const tr = table.insertRow(); tr.insertCell().textContent = k; tr.insertCell().textContent = v; }
      section('State', table);
      if (problemsByNode.has(node.id)) { const e = pre(problemsByNode.get(node.id).join('\n')); e.className = 'error'; section('Problems', e); }
      if (s.error) { const e = pre(s.error); e.className = 'error'; section('Error', e); }
      if (s.inputs && Object.keys(s.inputs).length) section('Inputs from edges', pre(s.inputs));
      if (node.data && Object.keys(node.data).length) section('Properties', pre(node.data));
      if (s.result !== undefined) section(s.runs > 1 ? 'Outputs (last run)' : 'Outputs', pre(s.result));
      if (s.values) section('Values received (' + s.received + (s.received > s.values.length ? ', the last ' + s.values.length : '') + ')', pre(s.values));
      if (s.logs.length) section('Logs', pre(s.logs.join('\n')));
      const into = drawn.edges.filter(e => e && e.target === node.id), from = drawn.edges.filter(e => e && e.source === node.id);
      if (into.length || from.length) {
        section('Edges', pre(into.map(e => (e.targetHandle || '') + ' ← ' + e.source + '.' + (e.sourceHandle || 'output'))
          .concat(from.map(e => (e.sourceHandle || 'output') + ' → ' + e.target + '.' + (e.targetHandle || ''))).join('\n')));
      }
    }

    // MARK: Past jobs

    function when(iso) {
      if (!iso) return '';
      const date = new Date(iso);
      return Date.now() - date < 86400000 ? date.toLocaleTimeString() : date.toLocaleString();
    }
    async function loadJobs() {
      let response;
      try { response = await fetch('/api/jobs?limit=30', { headers: headers() }); } catch (_) { return; }
      if (!response.ok) { $('jobs').textContent = 'Cannot list jobs (' + response.status + (response.status === 401 ? ': a token is needed' : '') + ')'; return; }
      const { jobs } = await response.json();
      $('jobs').innerHTML = '';
      if (!jobs.length) $('jobs').innerHTML = '<div class="note">No jobs yet.</div>';
      for (const job of jobs) {
        const d = document.createElement('div'); d.className = 'job' + (job.id === openJob ? ' open' : ''); d.dataset.id = job.id;
        d.innerHTML = '<div><b></b> <span class="id"></span></div><div><span class="pill"></span> <span class="meta"></span></div>';
        d.querySelector('b').textContent = job.workflow_name || 'untitled';
        d.querySelector('.id').textContent = job.id.slice(0, 8);
        const pill = d.querySelector('.pill'); pill.textContent = job.status; pill.classList.add(job.status);
        d.querySelector('.meta').textContent = [when(job.created_at), seconds(job.duration)].filter(Boolean).join(' · ');
        d.title = job.id + (job.error ? '\n' + job.error : '');
        d.onclick = () => showJob(job.id);
        $('jobs').appendChild(d);
        // The run's own duration, as recorded, rather than the page's clock.
        if (job.id === currentJob && job.duration != null && !runStarted) showStatus(job.id, job.status, job.duration);
      }
    }
    // Opens a past job: its workflow, params, each node's results and outputs; a job still
    // running is followed. Run then runs it again.
    async function showJob(id) {
      const response = await fetch('/api/jobs/' + encodeURIComponent(id), { headers: headers() });
      if (!response.ok) { $('error').textContent = 'Cannot open job ' + id + ' (' + response.status + ')'; return; }
      const job = await response.json();
      clearRun(); if (socket) { socket.close(); socket = null; }
      openJob = job.id; currentJob = job.id; runStarted = 0;
      history.replaceState(null, '', '?job=' + encodeURIComponent(job.id));
      const doc = { name: job.workflow_name || undefined, id: job.workflow_id || undefined, graph: job.graph };
      $('workflow').value = JSON.stringify(doc, null, 2); $('parse').textContent = '';
      show(job.graph); applyParams(job.params);
      $('run').textContent = 'Run again';
      document.querySelectorAll('#jobs .job').forEach(d => d.classList.toggle('open', d.dataset.id === job.id));
      if (job.status === 'queued' || job.status === 'running') {
        $('cancel').disabled = false; showStatus(job.id, job.status);
        connect({ command: 'reattach', data: { job_id: job.id, after: 0 } });
        return;
      }
      $('cancel').disabled = true;
      if (job.graph.nodes.length <= MAX_DRAWN) {
        const events = await (await fetch('/api/jobs/' + encodeURIComponent(job.id) + '/events', { headers: headers() })).json();
        (events.events || []).forEach(apply);
      }
      showStatus(job.id, job.status, job.duration);
      if (job.outputs) $('outputs').textContent = shown(job.outputs);
      $('error').textContent = job.error || '';
    }

    // MARK: Start

    async function loadMetadata() {
      try {
        const response = await fetch('/api/nodes', { headers: headers() });
        if (response.ok) metadata = new Map((await response.json()).map(m => [m.node_type, m]));
      } catch (_) {}
    }
    let parseTimer = null;
    $('workflow').addEventListener('input', () => { clearTimeout(parseTimer); parseTimer = setTimeout(loadFromTextarea, 200); });
    $('file').onchange = async e => { const f = e.target.files[0]; if (f) { $('workflow').value = await f.text(); loadFromTextarea(); } };
    $('run').onclick = run;
    $('cancel').onclick = () => { if (socket && currentJob) socket.send(JSON.stringify({ command: 'cancel_job', data: { job_id: currentJob } })); };
    $('refresh').onclick = loadJobs;
    $('token').onchange = () => { loadMetadata(); loadJobs(); };
    $('panel-close').onclick = closePanel;
    installViewControls(closePanel);
    // Links and scripts open the page on a workflow (?workflow=JSON&params=JSON&run=1) or a job (?job=ID).
    (async () => {
      const query = new URLSearchParams(location.search);
      if (query.get('token')) $('token').value = query.get('token');
      await loadMetadata();
      if (query.get('workflow')) {
        $('workflow').value = query.get('workflow'); loadFromTextarea();
        if (query.get('params')) { try { applyParams(JSON.parse(query.get('params'))); } catch (e) { $('error').textContent = 'params in the address: ' + e.message; } }
        if (query.get('run') === '1') run();
      } else if (query.get('job')) showJob(query.get('job'));
      loadJobs();
    })();
    """#
}
