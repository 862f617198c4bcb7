extension RunPage {
    /// Colours by node status, the sidebar, the graph (nodes, Loop frames, edges with port names)
    /// and the side panel.
    static let style = #"""
    :root { --pending:#d8dce3; --running:#4c8dff; --completed:#2fb36d; --error:#e5484d; --cancelled:#f5a623; --waiting:#f2d14b; --muted:#687182; }
    body { font: 14px system-ui, sans-serif; margin: 0; display: grid; grid-template-columns: 340px 1fr; height: 100vh; color: #1d2330; }
    aside { border-right: 1px solid #e3e6eb; padding: 12px; overflow: auto; background: #fafbfc; }
    h1 { font-size: 18px; margin: 0 0 8px; }
    h2 { font-size: 13px; text-transform: uppercase; color: var(--muted); margin: 16px 0 6px; }
    textarea, input[type=text], input[type=number], #token { width: 100%; box-sizing: border-box; font: 12px ui-monospace, monospace; }
    textarea#workflow { height: 160px; }
    button { margin: 6px 6px 0 0; padding: 6px 12px; border-radius: 6px; border: 1px solid #c7ccd4; background: white; cursor: pointer; }
    button.primary { background: #4c8dff; color: white; border-color: #4c8dff; }
    button.small { padding: 0 6px; margin: 0; font-size: 12px; }
    button:disabled { opacity: .5; cursor: default; }
    .note { color: var(--muted); font-size: 12px; }
    #status { margin: 8px 0; font-weight: 600; }
    #error { color: var(--error); white-space: pre-wrap; }
    #problems { padding-left: 18px; margin: 4px 0; color: var(--error); font-size: 12px; }
    #problems li { cursor: pointer; margin: 2px 0; }
    #problems li:hover { text-decoration: underline; }
    #params label { display: block; font-size: 12px; margin: 6px 0 2px; }
    #params label span { color: var(--muted); }
    #params input[type=checkbox] { margin: 2px 0; }
    #auth { margin-top: 10px; font-size: 12px; color: var(--muted); }
    pre#outputs { background: #f3f5f8; padding: 8px; border-radius: 6px; white-space: pre-wrap; word-break: break-word; }
    #jobs .job { cursor: pointer; padding: 4px 2px; border-bottom: 1px solid #eef0f3; font-size: 12px; }
    #jobs .job:hover, #jobs .job.open { background: #eef4ff; }
    #jobs .job .id { font: 11px ui-monospace, monospace; color: var(--muted); }
    #jobs .job .meta { color: var(--muted); }
    .pill { display: inline-block; padding: 0 6px; border-radius: 8px; font-size: 11px; color: white; background: var(--pending); }
    .pill.completed { background: var(--completed); } .pill.failed { background: var(--error); } .pill.running { background: var(--running); }
    .pill.cancelled { background: var(--cancelled); } .pill.queued { background: #9aa3b2; }
    main { position: relative; overflow: hidden; background: #fcfcfd; cursor: grab; }
    main.panning { cursor: grabbing; }
    #canvas { position: absolute; left: 0; top: 0; transform-origin: 0 0; }
    #graph { position: relative; }
    #empty { position: absolute; left: 24px; top: 24px; }
    #toolbar { position: absolute; right: 12px; top: 8px; z-index: 5; }
    #toolbar button { margin: 0 0 0 4px; padding: 4px 10px; }
    .node { position: absolute; border-radius: 8px; padding: 6px 8px; box-sizing: border-box; cursor: pointer;
            background: white; border: 2px solid var(--pending); box-shadow: 0 1px 2px #0001; font-size: 12px; z-index: 2; overflow: hidden; }
    .node .id { font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    .node .type { color: #30384a; font-size: 11px; overflow-wrap: anywhere; }
    .node .ns { color: var(--muted); font-size: 10px; overflow-wrap: anywhere; }
    .node .bar { height: 4px; background: #eef0f3; border-radius: 2px; margin-top: 3px; display: none; }
    .node .bar > div { height: 100%; width: 0; background: var(--running); border-radius: 2px; }
    .node[data-status=running] { border-color: var(--running); background: #eef4ff; }
    .node[data-status=completed] { border-color: var(--completed); background: #edf9f2; }
    .node[data-status=error] { border-color: var(--error); background: #fdeeee; }
    .node[data-status=cancelled] { border-color: var(--cancelled); background: #fef6e9; }
    .node[data-status=waiting] { border-color: var(--waiting); }
    .node.selected { box-shadow: 0 0 0 3px #4c8dff66; }
    .node.problem { outline: 3px dashed var(--error); outline-offset: 2px; }
    .node.group { background: #f6f7f9cc; border-style: dashed; z-index: 0; }
    .node.group[data-status=completed] { background: #edf9f2aa; }
    .node.group[data-status=running] { background: #eef4ffaa; }
    svg.edges { position: absolute; left: 0; top: 0; overflow: visible; z-index: 1; pointer-events: none; }
    svg.edges path { fill: none; stroke: #9aa3b2; stroke-width: 1.5; }
    svg.edges path.hit { stroke: transparent; stroke-width: 10; pointer-events: stroke; }
    svg.edges text { font: 10px system-ui, sans-serif; fill: #4a5263; paint-order: stroke; stroke: #fcfcfd; stroke-width: 3px; }
    #panel { position: absolute; right: 12px; top: 44px; bottom: 12px; width: 360px; overflow: auto; z-index: 6; background: white;
             border: 1px solid #e3e6eb; border-radius: 10px; box-shadow: 0 4px 16px #0002; padding: 12px; cursor: default; }
    #panel h3 { margin: 0 24px 2px 0; font-size: 15px; overflow-wrap: anywhere; }
    #panel-close { position: absolute; right: 10px; top: 10px; }
    #panel h4 { font-size: 11px; text-transform: uppercase; color: var(--muted); margin: 12px 0 4px; }
    #panel pre { background: #f3f5f8; padding: 6px; border-radius: 6px; white-space: pre-wrap; word-break: break-word; max-height: 240px; overflow: auto; margin: 0; font-size: 11px; }
    #panel table { border-collapse: collapse; font-size: 12px; }
    #panel td { padding: 1px 8px 1px 0; vertical-align: top; }
    #panel .error { color: var(--error); white-space: pre-wrap; }
    """#
}
