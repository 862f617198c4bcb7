extension RunPage {
    /// The graph view: nodetool's levels as columns, a Loop drawn as a frame holding its body,
    /// edges labelled with their ports, and a view that fits the graph and zooms and pans.
    static let graphScript = #"""
    const $ = id => document.getElementById(id);
    // Beyond this many nodes the page shows a count rather than boxes: the browser would crawl.
    const MAX_DRAWN = 1500;
    const W = 180, H = 62, HEADER = 62, GX = 70, GY = 18, PAD = 22;
    const view = { scale: 1, x: 0, y: 0, w: 0, h: 0 };
    let boxes = new Map();       // node id → its box {node, x, y, w, h, group, element}
    let nodesByID = new Map();

    // nodetool's levels: Kahn's algorithm over one scope, level by level, in file order.
    function levels(nodes, edges) {
      const indegree = new Map(), out = new Map();
      nodes.forEach(n => { indegree.set(n.id, 0); out.set(n.id, []); });
      edges.forEach(e => { if (indegree.has(e.source) && indegree.has(e.target)) { out.get(e.source).push(e.target); indegree.set(e.target, indegree.get(e.target) + 1); } });
      let queue = nodes.filter(n => indegree.get(n.id) === 0).map(n => n.id);
      const result = [], placed = new Set();
      while (queue.length) {
        result.push(queue); queue.forEach(id => placed.add(id));
        const next = [];
        queue.forEach(id => out.get(id).forEach(t => { indegree.set(t, indegree.get(t) - 1); if (indegree.get(t) === 0) next.push(t); }));
        queue = next;
      }
      const rest = nodes.filter(n => !placed.has(n.id)).map(n => n.id);   // a cycle: drawn, validation names it
      if (rest.length) result.push(rest);
      return result;
    }

    // Lays out the scope under `parent` from (x0, y0); a node with children becomes a frame holding
    // its scope's layout. Returns the scope's size.
    function layout(children, edges, parent, x0, y0, placed) {
      const nodes = children.get(parent) || [];
      let x = x0, maxY = y0;
      for (const level of levels(nodes, edges)) {
        let y = y0, width = W;
        for (const id of level) {
          const node = nodesByID.get(id);
          if (children.has(id)) {
            const inner = layout(children, edges, id, x + PAD, y + HEADER + PAD / 2, placed);
            const w = Math.max(W, inner.w + 2 * PAD), h = HEADER + inner.h + 1.5 * PAD;
            placed.push({ node, x, y, w, h, group: true });
            width = Math.max(width, w); y += h + GY;
          } else {
            placed.push({ node, x, y, w: W, h: H, group: false });
            y += H + GY;
          }
        }
        x += width + GX; maxY = Math.max(maxY, y);
      }
      return { w: Math.max(0, x - x0 - GX), h: Math.max(0, maxY - y0 - GY) };
    }

    function edgeLabel(e) {
      const source = e.sourceHandle || 'output', target = e.targetHandle || '';
      return source === 'output' ? target : source + ' → ' + target;
    }

    // Draws `graph` ({nodes, edges}); `onSelect(id)` is called when a node is clicked.
    function drawGraph(graph, onSelect) {
      const root = $('graph'); root.innerHTML = ''; boxes = new Map();
      const nodes = Array.isArray(graph.nodes) ? graph.nodes.filter(n => n && typeof n.id === 'string') : [];
      const edges = Array.isArray(graph.edges) ? graph.edges.filter(e => e && typeof e.source === 'string' && typeof e.target === 'string') : [];
      $('empty').textContent = nodes.length ? '' : 'Paste or load a workflow to see its graph.';
      if (nodes.length > MAX_DRAWN) {
        $('empty').textContent = nodes.length + ' nodes: too many to draw here; the run still reports its status and outputs.';
        view.w = view.h = 0; return;
      }
      nodesByID = new Map(nodes.map(n => [n.id, n]));
      const ids = nodesByID, children = new Map();
      nodes.forEach(n => {
        const parent = typeof n.parent_id === 'string' && ids.has(n.parent_id) ? n.parent_id : null;
        if (!children.has(parent)) children.set(parent, []);
        children.get(parent).push(n);
      });
      const placed = [];
      const size = layout(children, edges, null, 0, 0, placed);
      root.style.width = size.w + 'px'; root.style.height = size.h + 'px';
      view.w = size.w; view.h = size.h;
      for (const b of placed) {
        const d = document.createElement('div');
        d.className = 'node' + (b.group ? ' group' : ''); d.dataset.status = 'pending'; d.dataset.id = b.node.id;
        Object.assign(d.style, { left: b.x + 'px', top: b.y + 'px', width: b.w + 'px', height: b.h + 'px' });
        d.innerHTML = '<div class="id"></div><div class="type"></div><div class="ns"></div><div class="bar"><div></div></div>';
        const type = String(b.node.type || ''), dot = type.lastIndexOf('.');
        d.querySelector('.id').textContent = b.node.id;
        d.querySelector('.type').textContent = type.slice(dot + 1);
        d.querySelector('.ns').textContent = dot > 0 ? type.slice(0, dot) : '';
        d.title = b.node.id + ' (' + type + ')';
        d.addEventListener('click', event => { event.stopPropagation(); onSelect(b.node.id); });
        root.appendChild(d); b.element = d; boxes.set(b.node.id, b);
      }
      const svgNS = 'http://www.w3.org/2000/svg';
      const svg = document.createElementNS(svgNS, 'svg');
      svg.setAttribute('class', 'edges'); svg.setAttribute('width', size.w); svg.setAttribute('height', size.h);
      svg.innerHTML = '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0L10,5L0,10z" fill="#9aa3b2"/></marker></defs>';
      for (const e of edges) {
        const s = boxes.get(e.source), t = boxes.get(e.target); if (!s || !t) continue;
        // Ports sit at the middle of a node, or of a frame's header.
        const x1 = s.x + s.w, y1 = s.y + (s.group ? HEADER : H) / 2, x2 = t.x, y2 = t.y + (t.group ? HEADER : H) / 2;
        const bend = Math.max(30, Math.abs(x2 - x1) / 2);
        const d = `M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}`;
        const route = e.source + '.' + (e.sourceHandle || 'output') + ' → ' + e.target + '.' + (e.targetHandle || '');
        const group = document.createElementNS(svgNS, 'g');
        const line = document.createElementNS(svgNS, 'path'); line.setAttribute('d', d); line.setAttribute('marker-end', 'url(#arrow)');
        const hit = document.createElementNS(svgNS, 'path'); hit.setAttribute('d', d); hit.setAttribute('class', 'hit');
        const title = document.createElementNS(svgNS, 'title'); title.textContent = route; hit.appendChild(title);
        const label = document.createElementNS(svgNS, 'text');
        label.setAttribute('x', x2 - 6); label.setAttribute('y', y2 - 5); label.setAttribute('text-anchor', 'end');
        label.textContent = edgeLabel(e);
        group.append(line, hit, label); group.dataset.route = route; svg.appendChild(group);
      }
      root.prepend(svg);
      fitView();
    }

    function applyView() {
      $('canvas').style.transform = `translate(${view.x}px, ${view.y}px) scale(${view.scale})`;
    }

    // Scales the graph down (never up) so that it fits the view, and centres it.
    function fitView() {
      const main = $('view'), margin = 24, top = 44;
      const available = { w: main.clientWidth - 2 * margin, h: main.clientHeight - top - margin };
      view.scale = view.w && view.h ? Math.min(1, available.w / view.w, available.h / view.h) : 1;
      view.scale = Math.max(view.scale, 0.05);
      view.x = margin + Math.max(0, (available.w - view.w * view.scale) / 2);
      view.y = top + Math.max(0, (available.h - view.h * view.scale) / 2);
      applyView();
    }

    // Zooms by `factor` about the point (px, py) of the view.
    function zoom(factor, px, py) {
      const main = $('view');
      if (px === undefined) { px = main.clientWidth / 2; py = main.clientHeight / 2; }
      const scale = Math.min(4, Math.max(0.05, view.scale * factor));
      view.x = px - (px - view.x) * scale / view.scale; view.y = py - (py - view.y) * scale / view.scale;
      view.scale = scale; applyView();
    }

    // Centres the view on a node (for a problem or a selection).
    function reveal(id) {
      const b = boxes.get(id); if (!b) return;
      const main = $('view'), panel = $('panel').hidden ? 0 : $('panel').offsetWidth + 12;
      view.x = (main.clientWidth - panel) / 2 - (b.x + b.w / 2) * view.scale;
      view.y = main.clientHeight / 2 - (b.y + Math.min(b.h, HEADER) / 2) * view.scale;
      applyView();
    }

    function installViewControls(onBackgroundClick) {
      const main = $('view');
      $('fit').onclick = fitView;
      $('zoom-in').onclick = () => zoom(1.25);
      $('zoom-out').onclick = () => zoom(0.8);
      $('zoom-reset').onclick = () => zoom(1 / view.scale);
      main.addEventListener('wheel', event => {
        event.preventDefault();
        const r = main.getBoundingClientRect();
        zoom(Math.exp(-event.deltaY * 0.0015), event.clientX - r.left, event.clientY - r.top);
      }, { passive: false });
      let drag = null;
      main.addEventListener('pointerdown', event => {
        if (event.target.closest('.node, #toolbar, #panel')) return;
        drag = { x: event.clientX, y: event.clientY, vx: view.x, vy: view.y, moved: false };
        main.classList.add('panning');
      });
      window.addEventListener('pointermove', event => {
        if (!drag) return;
        const dx = event.clientX - drag.x, dy = event.clientY - drag.y;
        if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
        view.x = drag.vx + dx; view.y = drag.vy + dy; applyView();
      });
      window.addEventListener('pointerup', () => {
        if (drag && !drag.moved) onBackgroundClick();
        drag = null; main.classList.remove('panning');
      });
      window.addEventListener('resize', fitView);
    }
    """#
}
