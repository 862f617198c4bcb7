/// The page at `/`: paste or load a workflow, fill its params, run it, and watch its graph change
/// as the messages arrive; open past jobs with their results and run them again. Plain HTML, CSS
/// and JavaScript served by the binary itself (no CDN), assembled from the parts below: the style,
/// the graph view (layout, fit, zoom, pan) and the application (runs, side panel, params, jobs).
enum RunPage {
    static let html = """
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <title>Nodeflow</title>
    <style>
    \(style)
    </style>
    </head>
    <body>
    \(body)
    <script>
    \(graphScript)
    \(appScript)
    </script>
    </body>
    </html>
    """

    static let body = #"""
    <aside>
      <h1>Nodeflow</h1>
      <h2>Workflow</h2>
      <input type="file" id="file" accept=".json">
      <textarea id="workflow" spellcheck="false" placeholder='Paste a workflow: {"graph": {"nodes": [...], "edges": [...]}}'></textarea>
      <div id="parse" class="note"></div>
      <h2>Params</h2>
      <form id="params" autocomplete="off"><div class="note">The workflow's input nodes appear here.</div></form>
      <details id="auth"><summary>Token (if the server needs one)</summary><input id="token" placeholder="Bearer token"></details>
      <div>
        <button class="primary" id="run">Run</button>
        <button id="cancel" disabled>Cancel</button>
      </div>
      <div id="status"></div>
      <div id="error"></div>
      <ul id="problems"></ul>
      <h2>Outputs</h2>
      <pre id="outputs"></pre>
      <h2>Past jobs <button id="refresh" class="small" title="Reload the list">↻</button></h2>
      <div id="jobs"></div>
    </aside>
    <main id="view">
      <div id="canvas"><div id="graph"></div></div>
      <div id="empty" class="note">Paste or load a workflow to see its graph.</div>
      <div id="toolbar">
        <button id="fit" title="Fit the graph to the view">Fit</button>
        <button id="zoom-out" title="Zoom out">−</button>
        <button id="zoom-in" title="Zoom in">+</button>
        <button id="zoom-reset" title="Actual size">1:1</button>
      </div>
      <section id="panel" hidden>
        <button id="panel-close" class="small" title="Close">×</button>
        <h3 id="panel-title"></h3>
        <div id="panel-type" class="note"></div>
        <div id="panel-body"></div>
      </section>
    </main>
    """#
}
