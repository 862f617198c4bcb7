import DequeModule
import OrderedCollections

/// Checks a graph before anything runs and compiles it into an ``ExecutionPlan``.
///
/// Every problem is reported at once, each naming its node or edge: duplicate ids, unknown node
/// types (with the nearest known name), edges to missing nodes, slots or properties, edge types
/// that cannot flow, property values of the wrong type, cycles (with the nodes on the cycle),
/// required inputs with no value, Loops without a GroupInput, edges that leave a Loop body,
/// GPU nodes on a host without a GPU, and unknown or ill-typed params.
///
/// ```swift
/// let problems = GraphValidator(registry: .standard).problems(in: workflow.graph)
/// ```
public struct GraphValidator: Sendable {
    public var registry: NodeRegistry
    /// The number of GPU slots the run will have; GPU nodes are a problem when it is 0.
    public var gpuSlots: Int

    public init(registry: NodeRegistry, gpuSlots: Int = ResourcePool.detectedGPUCount()) {
        self.registry = registry
        self.gpuSlots = gpuSlots
    }

    /// Every problem in the graph (empty when it can run).
    public func problems(in graph: Graph, params: OrderedDictionary<String, Value> = [:]) -> [ValidationProblem] {
        do {
            _ = try compile(graph, params: params)
            return []
        } catch {
            return error.problems
        }
    }

    /// Validates the graph with these params and compiles it.
    /// - Throws: ``GraphValidationError`` with every problem found.
    public func compile(_ graph: Graph, params: OrderedDictionary<String, Value> = [:]) throws(GraphValidationError) -> ExecutionPlan {
        var compiler = PlanCompiler(graph: graph, registry: registry, gpuSlots: gpuSlots)
        return try compiler.compile(params: params)
    }
}

/// The one-shot work behind ``GraphValidator/compile(_:params:)``.
private struct PlanCompiler {
    let graph: Graph
    let registry: NodeRegistry
    let gpuSlots: Int
    var problems: [ValidationProblem] = []
    var warnings: [String] = []

    /// Node position by id (first occurrence).
    var ids: NodeIDIndex?
    /// Each node's type, `nil` when unknown (shared objects, one per type).
    var metadata: [NodeTypeInfo?] = []
    /// The Loop containing each node (position), or -1 at the top level.
    var scopeOf: [Int] = []
    /// Incoming edges per node, in file order.
    var incoming: [[Int]] = []
    /// Each node's index among the members of its scope.
    var localIndex: [Int] = []
    /// Each edge's source node position (-1 when the node is missing).
    var edgeSource: [Int] = []
    /// The file's generation, which picks a name's type where the two differ.
    var format = WorkflowFormat.nodetool053
    /// Whether a node carries `sync_mode`, and whether a node's type makes or reads streams: when
    /// neither, no scope needs the stream scheduler unless it aggregates lists.
    var hasSyncModes = false
    var hasStreamTypes = false

    init(graph: Graph, registry: NodeRegistry, gpuSlots: Int) {
        self.graph = graph
        self.registry = registry
        self.gpuSlots = gpuSlots
    }

    mutating func compile(params: OrderedDictionary<String, Value>) throws(GraphValidationError) -> ExecutionPlan {
        resolveNodes()
        resolveScopes()
        resolveEdges()
        var base = resolveBaseInputs()
        applyParams(params, to: &base)
        checkRequiredInputs(base)
        checkResources()
        let root = buildScopes()
        guard problems.isEmpty, let root else { throw GraphValidationError(problems: problems) }

        var outputs: [(local: Int, name: String)] = []
        for (l, i) in root.members.enumerated() where metadata[i]!.role == .output {
            outputs.append((l, base[i]["name"]?.stringValue ?? graph.nodes[i].id))
        }
        return ExecutionPlan(
            nodes: graph.nodes, edges: graph.edges, typeInfo: metadata.map { $0! }, baseInputs: base, root: root, outputNodes: outputs,
            warnings: warnings)
    }

    private mutating func problem(
        _ kind: ValidationProblem.Kind, node: String? = nil, edge: String? = nil, property: String? = nil, _ message: String
    ) {
        problems.append(ValidationProblem(kind: kind, nodeID: node, edge: edge, property: property, message: message))
    }

    // MARK: Nodes

    /// The position of the (first) node with this id.
    private func position(_ id: String) -> Int? {
        ids!.position(of: id, in: graph.nodes)
    }

    private mutating func resolveNodes() {
        let count = graph.nodes.count
        metadata = Array(repeating: nil, count: count)
        let (index, duplicates) = NodeIDIndex.build(graph.nodes)
        ids = index
        for i in duplicates {
            let id = graph.nodes[i].id
            problem(.duplicateNodeID, node: id, "node id '\(id)' is used by more than one node (nodes \(position(id)!) and \(i) in the file)")
        }
        var typeCache: [String: NodeTypeInfo] = [:]
        var unknownByPack: [String: [Int]] = [:]
        var unavailableByNamespace: [String: (reason: String, positions: [Int])] = [:]
        var namespaces: Set<String>?  // the registry's, computed at the first unknown type
        var nearMisses: [String: Bool] = [:]  // one search per unknown type, not per node
        var hints: [String: String?] = [:]  // one search per unknown type, not per node
        var last: NodeTypeInfo?  // graphs often repeat one type many times in a row
        for (i, node) in graph.nodes.enumerated() {
            if !hasSyncModes, !node.otherFields.isEmpty, node.otherFields["sync_mode"] != nil { hasSyncModes = true }
            if let last, last.typeName == node.type {
                metadata[i] = last
            } else if let cached = typeCache[node.type] {
                metadata[i] = cached
                last = cached
            } else if let entry = registry.entry(named: node.type, format: .nodetool053) {
                let info = NodeTypeInfo(entry)
                typeCache[node.type] = info
                metadata[i] = info
                last = info
            } else if let (namespace, reason) = registry.unavailability(of: node.type) {
                unavailableByNamespace[namespace, default: (reason, [])].positions.append(i)
            } else if let pack = UnknownTypes.pack(of: node.type, namespaces: namespaces ?? { namespaces = registry.namespaces; return namespaces! }()),
                !(nearMisses[node.type] ?? { let near = UnknownTypes.isNearMiss(node.type, registry: registry); nearMisses[node.type] = near; return near }())
            {
                unknownByPack[pack, default: []].append(i)
            } else {
                var message = "node '\(node.id)' has unknown type '\(Self.shortName(node.type))'"
                let hint = hints[node.type] ?? UnknownTypes.renamed(node.type).flatMap { other in
                    registry.entry(named: other) == nil ? nil : "'\(other)' (its name in the other generation of nodetool's library)"
                } ?? registry.nearestTypeName(to: node.type).map { "'\($0)'" }
                hints[node.type] = .some(hint)
                if let hint { message += "; did you mean \(hint)?" }
                problem(.unknownNodeType, node: node.id, message)
            }
        }
        // Types from namespaces Nodeflow has nothing of (Python node packs): one problem per pack.
        for (pack, positions) in unknownByPack.sorted(by: { $0.key < $1.key }) {
            let nodes = positions.map { graph.nodes[$0] }
            problem(.unknownNodeType, node: nodes[0].id, UnknownTypes.message(pack: pack, nodes: nodes))
        }
        // Types of a pack that is installed but failed to load: what failed, once per namespace.
        for (namespace, entry) in unavailableByNamespace.sorted(by: { $0.key < $1.key }) {
            let nodes = entry.positions.map { graph.nodes[$0] }
            problem(.unknownNodeType, node: nodes[0].id, UnknownTypes.message(unavailable: namespace, reason: entry.reason, nodes: nodes))
        }
        // Today's format shows in `sync_mode` fields or in a type only today's library has; there,
        // the names that mean something else today change type.
        hasStreamTypes = typeCache.values.contains { $0.streamRole != .buffered }
        if hasSyncModes || hasStreamTypes {
            format = .current
            var current: [String: NodeTypeInfo] = [:]
            for i in graph.nodes.indices where registry.hasCurrentFormatType(named: graph.nodes[i].type) {
                let name = graph.nodes[i].type
                if current[name] == nil, let entry = registry.entry(named: name, format: .current) { current[name] = NodeTypeInfo(entry) }
                metadata[i] = current[name]
            }
            // A name that streams only today (GenerateSequence) makes a stream type too.
            if current.values.contains(where: { $0.streamRole != .buffered }) { hasStreamTypes = true }
        }
    }

    // MARK: Scopes

    private mutating func resolveScopes() {
        scopeOf = Array(repeating: -1, count: graph.nodes.count)
        for (i, node) in graph.nodes.enumerated() {
            let role = metadata[i]?.role
            guard let parentID = node.parentID else {
                if role == .groupInput || role == .groupOutput {
                    problem(.invalidParent, node: node.id, "node '\(node.id)' (\(node.type)) must be inside a Loop: set its parent_id to the loop's id")
                }
                continue
            }
            guard var parent = position(parentID) else {
                problem(.invalidParent, node: node.id, "node '\(node.id)' has parent_id '\(parentID)', but no node has that id")
                continue
            }
            // A frame (the editor's Group) is not a scope: the node belongs where the frame is.
            var hops = 0
            while metadata[parent]?.role == .frame, hops <= graph.nodes.count {
                guard let outer = graph.nodes[parent].parentID.flatMap(position) else { parent = -1; break }
                parent = outer
                hops += 1
            }
            if hops > graph.nodes.count {
                problem(.invalidParent, node: node.id, "node '\(node.id)' is inside itself through its parent_id chain")
                continue
            }
            guard parent >= 0 else {  // in frames at the top level
                if role == .groupInput || role == .groupOutput {
                    problem(.invalidParent, node: node.id, "node '\(node.id)' (\(node.type)) must be inside a Loop: its parent_id names a Group that is not in one")
                }
                continue
            }
            guard let parentMeta = metadata[parent] else { continue }  // unknown type, already reported
            guard parentMeta.role == .loop else {
                problem(.invalidParent, node: node.id, "node '\(node.id)' has parent_id '\(parentID)', which is a \(parentMeta.typeName), not a Loop")
                continue
            }
            scopeOf[i] = parent
        }
        // A loop nested in itself (a parent chain that cycles) cannot run.
        for i in graph.nodes.indices where scopeOf[i] >= 0 {
            var seen = 0
            var current = scopeOf[i]
            while current >= 0 && seen <= graph.nodes.count {
                if current == i {
                    problem(.invalidParent, node: graph.nodes[i].id, "node '\(graph.nodes[i].id)' is inside itself through its parent_id chain")
                    scopeOf[i] = -1
                    break
                }
                current = scopeOf[current]
                seen += 1
            }
        }
    }

    /// Whether scope `ancestor` (a Loop position, or -1) is `scope` or encloses it.
    private func scope(_ ancestor: Int, encloses scope: Int) -> Bool {
        var current = scope
        while true {
            if current == ancestor { return true }
            if current < 0 { return false }
            current = scopeOf[current]
        }
    }

    // MARK: Edges

    private mutating func resolveEdges() {
        incoming = Array(repeating: [], count: graph.nodes.count)
        edgeSource = Array(repeating: -1, count: graph.edges.count)
        for (e, edge) in graph.edges.enumerated() {
            let source = position(edge.source)
            let target = position(edge.target)
            edgeSource[e] = source ?? -1
            guard let source, let target else {
                // As nodetool does, an edge to or from a node that is not there is dropped; said aloud.
                let missing = source == nil ? edge.source : edge.target
                warnings.append("edge \(edge.label) \(source == nil ? "comes from" : "goes to") node '\(Self.shortName(missing))', which does not exist; the edge is ignored")
                continue
            }
            if let kind = edge.otherFields["edge_type"], kind != .null, kind != "data" {
                problem(.unsupportedEdge, node: edge.target, edge: edge.label, "edge \(edge.label) is a \(kind.stringValue.map { "'\($0)'" } ?? Self.shortJSON(kind)) edge (edge_type); Nodeflow runs data edges only (nodetool's control edges, which let an agent drive other nodes, do not run in it)")
                continue
            }
            var sourceType: PropertyType?
            if let meta = metadata[source] {
                let declaredDynamic = graph.nodes[source].otherFields["dynamic_outputs"]?[edge.sourceHandle] != nil
                if let slot = meta.output(named: edge.sourceHandle) {
                    sourceType = slot.type
                } else if meta.metadata.supportsDynamicOutputs, declaredDynamic {
                    sourceType = .any  // what the node emits under that name
                } else {
                    let known = meta.outputs.map(\.name).joined(separator: ", ")
                    let why = declaredDynamic ? "; the file lists it under dynamic_outputs, but \(meta.typeName) has no dynamic outputs" : ""
                    problem(.unknownOutputSlot, node: edge.source, edge: edge.label, "edge \(edge.label): node '\(edge.source)' (\(meta.typeName)) has no output '\(edge.sourceHandle)' (outputs: \(known))\(why)")
                }
            }
            var targetType: PropertyType?
            if let meta = metadata[target] {
                if let property = meta.property(named: edge.targetHandle) {
                    targetType = property.type
                } else if meta.metadata.isDynamic {
                    targetType = .any  // a dynamic node takes any property
                } else {
                    let known = meta.properties.map(\.name).joined(separator: ", ")
                    // Files from before 0.5 fed a loop's list into its GroupInput; 0.5.3 drops such an edge and the loop runs on nothing.
                    let hint = meta.role == .groupInput ? "; the loop's list goes into the Loop's 'input' (older nodetool files wired it to the GroupInput, which nodetool 0.5.3 ignores)" : ""
                    problem(.unknownProperty, node: edge.target, edge: edge.label, property: edge.targetHandle, "edge \(edge.label): node '\(edge.target)' (\(meta.typeName)) has no property '\(edge.targetHandle)' (properties: \(known.isEmpty ? "none" : known))\(hint)")
                }
            }
            if let sourceType, let targetType, !sourceType.canFlow(into: targetType) {
                problem(.incompatibleEdgeType, node: edge.target, edge: edge.label, property: edge.targetHandle, "edge \(edge.label): output '\(edge.sourceHandle)' of '\(edge.source)' is \(sourceType), which cannot flow into property '\(edge.targetHandle)' of '\(edge.target)' (\(targetType))")
            }
            if !scope(scopeOf[source], encloses: scopeOf[target]) {
                let loop = graph.nodes[scopeOf[source]].id
                problem(.edgeLeavesGroup, node: edge.source, edge: edge.label, "edge \(edge.label) leaves the body of loop '\(loop)'; a loop's results leave through its GroupOutput and the loop's 'output'\(metadata[source]?.role == .groupOutput ? " (connect the edge to the Loop's 'output' rather than its GroupOutput's)" : "")")
            }
            incoming[target].append(e)
        }
    }

    // MARK: Property values

    private mutating func resolveBaseInputs() -> [OrderedDictionary<String, Value>] {
        var base: [OrderedDictionary<String, Value>] = []
        base.reserveCapacity(graph.nodes.count)
        var defaultsByType: [String: OrderedDictionary<String, Value>] = [:]
        for (i, node) in graph.nodes.enumerated() {
            guard let meta = metadata[i] else {
                base.append([:])
                continue
            }
            // Most files give every property in `data`, with the right types: use it as it is.
            let data = graph.nodes[i].data
            if !meta.metadata.isDynamic, data.count == meta.properties.count, node.otherFields["dynamic_properties"] == nil,
                meta.properties.allSatisfy({ p in data[p.name].map { p.type.accepts($0) } ?? false })
            {
                base.append(data)
                continue
            }
            var values: OrderedDictionary<String, Value>
            if let cached = defaultsByType[meta.typeName] {
                values = cached
            } else {
                values = [:]
                for property in meta.properties {
                    if let d = property.defaultValue { values[property.name] = d }
                }
                defaultsByType[meta.typeName] = values
            }
            if case .dict(let dynamic)? = node.otherFields["dynamic_properties"], !dynamic.isEmpty {
                if meta.metadata.isDynamic {
                    // nodetool keeps a dynamic node's own properties beside `data`.
                    for (name, value) in dynamic where meta.property(named: name) == nil { values[name] = value }
                } else {
                    warnings.append("node '\(node.id)' (\(meta.typeName)) has dynamic_properties (\(dynamic.keys.prefix(5).map(Self.shortName).joined(separator: ", "))), but \(meta.typeName) takes no dynamic properties; they are ignored")
                }
            }
            for (name, value) in node.data {
                guard let property = meta.property(named: name) else {
                    if !meta.metadata.isDynamic { undeclaredValue(name, node: i, meta: meta) }
                    values[name] = value
                    continue
                }
                // nodetool writes null for unset optional values; a null keeps the default.
                if value.isNull, !property.type.accepts(.null) { continue }
                if let coerced = property.type.coerce(value) {
                    if property.isOutOfBounds(coerced), let bounds = property.bounds {
                        problem(.invalidPropertyValue, node: node.id, property: name, "node '\(node.id)' (\(meta.typeName)): property '\(name)' must lie between \(Self.shortNumber(bounds.lowerBound)) and \(Self.shortNumber(bounds.upperBound)), but the file gives \(Self.shortJSON(value))")
                    }
                    values[name] = coerced
                } else {
                    problem(.invalidPropertyValue, node: node.id, property: name, "node '\(node.id)' (\(meta.typeName)): property '\(name)' expects \(property.type), but the file gives \(value.kindName) \(Self.shortJSON(value))")
                }
            }
            base.append(values)
        }
        return base
    }

    /// A value in `data` for a property the type does not declare. A near miss of a property the
    /// file leaves unset is a typo that would silently change the result: a problem, with the
    /// property meant. Anything else is a key saved by another version of nodetool: a warning.
    private mutating func undeclaredValue(_ name: String, node i: Int, meta: NodeTypeInfo) {
        let node = graph.nodes[i]
        let nearest = PropertyNames.nearest(to: name, among: meta.properties.map(\.name))
        if let nearest, node.data[nearest] == nil, !incoming[i].contains(where: { graph.edges[$0].targetHandle == nearest }) {
            problem(.unknownProperty, node: node.id, property: name, "node '\(node.id)' (\(meta.typeName)) has no property '\(Self.shortName(name))'; did you mean '\(nearest)'? (as written, '\(nearest)' keeps its default)")
        } else {
            var message = "node '\(node.id)' (\(meta.typeName)) has a value for '\(Self.shortName(name))', which the type does not declare; it is ignored"
            if let nearest { message += " (did you mean '\(nearest)'?)" }
            warnings.append(message)
        }
    }

    /// A name from the file, cut short for messages.
    static func shortName(_ name: String) -> String {
        name.count > 80 ? String(name.prefix(77)) + "..." : name
    }

    private mutating func applyParams(_ params: OrderedDictionary<String, Value>, to base: inout [OrderedDictionary<String, Value>]) {
        guard !params.isEmpty else { return }
        var inputsByName: OrderedDictionary<String, [Int]> = [:]
        for (i, meta) in metadata.enumerated() where meta?.role == .input {
            let name = base[i]["name"]?.stringValue ?? ""
            inputsByName[name, default: []].append(i)
        }
        for (name, value) in params {
            guard let targets = inputsByName[name] else {
                let known = inputsByName.keys.filter { !$0.isEmpty }.map { "'\($0)'" }.joined(separator: ", ")
                problem(.unknownParam, property: name, "param '\(name)' matches no input node (inputs: \(known.isEmpty ? "none" : known))")
                continue
            }
            for i in targets {
                let node = graph.nodes[i]
                let type = metadata[i]!.property(named: "value")?.type ?? .any
                if let coerced = type.coerce(value) {
                    base[i]["value"] = coerced
                } else {
                    problem(.invalidParam, node: node.id, property: name, "param '\(name)' is \(value.kindName) \(Self.shortJSON(value)), but input node '\(node.id)' (\(node.type)) expects \(type)")
                }
            }
        }
    }

    private mutating func checkRequiredInputs(_ base: [OrderedDictionary<String, Value>]) {
        for (i, node) in graph.nodes.enumerated() {
            guard let meta = metadata[i] else { continue }
            for property in meta.properties where property.isRequired && base[i][property.name] == nil {
                let fed = incoming[i].contains { graph.edges[$0].targetHandle == property.name }
                if !fed {
                    problem(.missingRequiredInput, node: node.id, property: property.name, "node '\(node.id)' (\(meta.typeName)) needs a value for '\(property.name)' (\(property.type)): set it in data or connect an edge")
                }
            }
        }
    }

    private mutating func checkResources() {
        guard gpuSlots == 0 else { return }
        for (i, meta) in metadata.enumerated() where meta?.requiredResources.contains(.gpu) == true {
            let node = graph.nodes[i]
            problem(.resourceUnavailable, node: node.id, "node '\(node.id)' (\(node.type)) requires a GPU, but this host has none (set NODEFLOW_GPUS to override)")
        }
    }

    // MARK: Scope plans

    /// Builds the scope plans innermost first, so each Loop's dependencies include what its body
    /// reads from outside, and finds cycles. Returns `nil` when the graph has problems.
    private mutating func buildScopes() -> ScopePlan? {
        // Members of each scope in file order; scope key -1 is the top level.
        var membersOf: [Int: [Int]] = [-1: []]
        localIndex = Array(repeating: -1, count: graph.nodes.count)
        for i in graph.nodes.indices {
            localIndex[i] = membersOf[scopeOf[i], default: []].count
            membersOf[scopeOf[i], default: []].append(i)
        }
        var depth = [Int: Int]()
        func depthOf(_ loop: Int) -> Int {
            if loop < 0 { return 0 }
            if let d = depth[loop] { return d }
            let d = depthOf(scopeOf[loop]) + 1
            depth[loop] = d
            return d
        }
        let loops = graph.nodes.indices.filter { metadata[$0]?.role == .loop }
        let order = loops.sorted { depthOf($0) > depthOf($1) }
        var built: [Int: ScopePlan] = [:]
        for loop in order {
            let plan = buildScope(loop: loop, members: membersOf[loop] ?? [], built: built)
            if plan.groupInputs.isEmpty {
                problem(.loopWithoutGroupInput, node: graph.nodes[loop].id, "loop '\(graph.nodes[loop].id)' has no GroupInput: add a nodetool.input.GroupInput with parent_id '\(graph.nodes[loop].id)'")
            }
            if plan.groupOutput == nil {
                warnings.append("loop '\(graph.nodes[loop].id)' has no GroupOutput; its output is an empty list")
            }
            built[loop] = plan
        }
        let root = buildScope(loop: nil, members: membersOf[-1] ?? [], built: built)
        return problems.isEmpty ? root : nil
    }

    private mutating func buildScope(loop: Int?, members: [Int], built: [Int: ScopePlan]) -> ScopePlan {
        let scopeKey = loop ?? -1
        // A node's local index, when it is a member of this scope.
        func local(_ position: Int) -> Int? {
            scopeOf[position] == scopeKey ? localIndex[position] : nil
        }

        var inputs = [[InputBinding]](repeating: [], count: members.count)
        var dependents = [[Int]](repeating: [], count: members.count)
        var counts = [Int](repeating: 0, count: members.count)
        var externals = OrderedSet<Int>()
        var bodies: [Int: ScopePlan] = [:]
        var bodySources: [Int: [(position: Int, source: InputSource)]] = [:]
        var groupInputs: [Int] = []
        var groupOutput: Int?

        for (l, g) in members.enumerated() {
            let meta = metadata[g]  // nil for an unknown type, already reported
            if meta?.role == .groupInput { groupInputs.append(l) }
            if meta?.role == .groupOutput, groupOutput == nil { groupOutput = l }
            for e in incoming[g] {
                let s = edgeSource[e]
                let property = graph.edges[e].targetHandle
                let type = meta?.property(named: property)?.type ?? .any
                let source: InputSource
                if let sl = local(s) {
                    source = .local(sl)
                    dependents[sl].append(l)
                    counts[l] += 1
                } else {
                    source = .external(s)
                    externals.append(s)
                }
                inputs[l].append(InputBinding(property: property, source: source, sourceSlot: graph.edges[e].sourceHandle, type: type, edge: e))
            }
            // A Loop waits for what its body reads from this scope, and passes the rest outwards.
            if meta?.role == .loop, let body = built[g] {
                bodies[l] = body
                var sources: [(position: Int, source: InputSource)] = []
                for s in body.externalSources {
                    if let sl = local(s) {
                        dependents[sl].append(l)
                        counts[l] += 1
                        sources.append((s, .local(sl)))
                    } else {
                        externals.append(s)
                        sources.append((s, .external(s)))
                    }
                }
                bodySources[l] = sources
            }
        }
        checkCycles(members: members, dependents: dependents, counts: counts, scope: scopeKey)
        // The stream topology only for a scope that needs it: nothing per node otherwise.
        var syncModes: [SyncMode] = []
        var needsStreams = false
        if hasSyncModes {
            syncModes.reserveCapacity(members.count)
            for g in members {
                let mode = syncMode(of: g)
                syncModes.append(mode)
                if mode == .zipAll { needsStreams = true }
            }
        }
        if hasStreamTypes, !needsStreams {
            needsStreams = members.contains { metadata[$0]?.streamRole != .buffered }
        }
        if !needsStreams {
            needsStreams = inputs.indices.contains { inputs[$0].count > 1 && Self.aggregatesList(inputs[$0]) }
        }
        let runsInline = members.map { metadata[$0]?.runsInScheduler == true }
        let streams = needsStreams
            ? StreamTopology(
                roles: members.map { metadata[$0]?.streamRole ?? .buffered }, runsInline: runsInline,
                syncModes: syncModes.isEmpty ? Array(repeating: .onAny, count: members.count) : syncModes,
                inputs: inputs, streamsOutput: members.map { metadata[$0]?.streamsOutput == true },
                loopSources: members.indices.map { l in
                    (bodySources[l] ?? []).compactMap { if case .local(let sl) = $0.source { sl } else { nil } }
                })
            : nil
        return ScopePlan(
            loop: loop, members: members, inputs: inputs, dependents: dependents, dependencyCounts: counts,
            externalSources: Array(externals), groupInputs: groupInputs, groupOutput: groupOutput, bodies: bodies,
            bodySources: bodySources, enclosingLoops: enclosingLoops(of: loop),
            runsInline: runsInline, streams: streams)
    }

    /// Whether a node gathers a list property from several edges of its scope.
    private static func aggregatesList(_ bindings: [InputBinding]) -> Bool {
        guard bindings.count > 1 else { return false }
        var seen: Set<String> = []
        for binding in bindings {
            guard case .local = binding.source, case .list = binding.type else { continue }
            if !seen.insert(binding.property).inserted { return true }
        }
        return false
    }

    /// A node's `sync_mode` (`on_any` when absent); an unknown one is a problem.
    private mutating func syncMode(of position: Int) -> SyncMode {
        let fields = graph.nodes[position].otherFields  // not the whole node: this runs for every node
        guard !fields.isEmpty, let value = fields["sync_mode"], value != .null else { return .onAny }
        let node = graph.nodes[position]
        if let text = value.stringValue, let mode = SyncMode(rawValue: text) { return mode }
        let modes = SyncMode.allCases.map { "'\($0.rawValue)'" }.joined(separator: " or ")
        problem(.invalidPropertyValue, node: node.id, property: "sync_mode", "node '\(node.id)': sync_mode must be \(modes), but the file gives \(value.kindName) \(Self.shortJSON(value))")
        return .onAny
    }

    /// The Loops around a scope, outermost first: the loop itself and its ancestors.
    private func enclosingLoops(of loop: Int?) -> [Int] {
        var chain: [Int] = []
        var current = loop ?? -1
        while current >= 0 {
            chain.append(current)
            current = scopeOf[current]
        }
        return chain.reversed()
    }

    /// Kahn's algorithm over one scope; what it cannot order lies on or behind a cycle, and a
    /// depth-first walk among those nodes finds one cycle to name.
    private mutating func checkCycles(members: [Int], dependents: [[Int]], counts: [Int], scope: Int) {
        var remaining = counts
        var queue = Deque(members.indices.filter { counts[$0] == 0 })
        var ordered = 0
        while let l = queue.popFirst() {
            ordered += 1
            for d in dependents[l] {
                remaining[d] -= 1
                if remaining[d] == 0 { queue.append(d) }
            }
        }
        guard ordered < members.count else { return }
        let stuck = Set(members.indices.filter { remaining[$0] > 0 })
        // Walk dependents among stuck nodes until a node repeats: that stretch is a cycle.
        var state = [Int: Int]()  // 1 = on the path, 2 = done
        var path: [Int] = []
        func visit(_ start: Int) -> [Int]? {
            var stack: [(node: Int, next: Int)] = [(start, 0)]
            state[start] = 1
            path.append(start)
            while var top = stack.popLast() {
                let successors = dependents[top.node].filter { stuck.contains($0) }
                if top.next < successors.count {
                    let s = successors[top.next]
                    top.next += 1
                    stack.append(top)
                    if state[s] == 1, let at = path.firstIndex(of: s) { return Array(path[at...]) + [s] }
                    if state[s] == nil {
                        state[s] = 1
                        path.append(s)
                        stack.append((s, 0))
                    }
                } else {
                    state[top.node] = 2
                    path.removeLast()
                }
            }
            return nil
        }
        for start in stuck.sorted() where state[start] == nil {
            if let cycle = visit(start) {
                let ids = cycle.map { graph.nodes[members[$0]].id }
                let place = scope < 0 ? "" : " inside loop '\(graph.nodes[scope].id)'"
                problem(.cycle, node: ids.first, "the graph has a cycle\(place): \(ids.joined(separator: " -> "))")
                return
            }
        }
    }

    /// A bound as people write it: `0`, `31536000`, `0.5`.
    static func shortNumber(_ d: Double) -> String {
        d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d)
    }

    static func shortJSON(_ value: Value) -> String {
        if case .float(let d) = value, !d.isFinite { return d.isNaN ? "NaN" : d < 0 ? "-Infinity" : "Infinity" }
        let s = value.jsonString()
        return s.count > 60 ? String(s.prefix(57)) + "..." : s
    }
}
