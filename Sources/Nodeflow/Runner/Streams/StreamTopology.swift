/// A scope's shape as the stream scheduler reads it: for each member its role, its handles (the
/// properties fed by edges of the scope), how many edges feed each, and where its output slots
/// lead. Built once per scope when the plan is compiled.
struct StreamTopology: Sendable {
    /// An edge as its source sends along it.
    struct Route: Sendable, Hashable {
        var slot: String
        var target: Int
        var handle: Int
        /// A Loop's dependency: any item of the source counts, whatever its slots.
        var isDependency = false
    }

    let roles: [StreamRole]
    let runsInline: [Bool]
    let syncModes: [SyncMode]
    /// Each member's handles: the properties fed by edges of this scope, in first-edge order.
    let handles: [[String]]
    /// Each handle's number of edges; the handle ends when every one of them ended.
    let edgeCounts: [[Int]]
    /// Whether a handle is fed by no stream (nodetool's "sticky" inputs under `zip_all`).
    let sticky: [[Bool]]
    /// Whether a member gathers a `list[T]` property fed by several edges (nodetool's list
    /// aggregation): it then reads its inputs to the end and fires once.
    let aggregates: [Bool]
    /// Each handle's property type, to wrap a single value into a list property.
    let handleTypes: [[PropertyType]]
    /// Each member's routes, one per edge, in file order.
    let routes: [[Route]]
    /// Each member's distinct upstream members, to wake when it takes values.
    let upstream: [[Int]]
    /// Whether a member is downstream of a stream: it skips the cache.
    let downstreamOfStream: [Bool]

    var count: Int { roles.count }

    /// The name of a handle that stands for a Loop body's dependency, not a property.
    static let dependencyPrefix = "\u{1}depends-on:"

    /// Whether a member fires once, as in a scope without streams: a plain node nothing streams into.
    func firesOnce(_ l: Int) -> Bool { roles[l] == .buffered && !downstreamOfStream[l] }

    /// - Parameters:
    ///   - inputs: each member's input bindings (local ones become handles).
    ///   - streamsOutput: whether each member sends a stream (generators, and readers that pass
    ///     values on as they arrive).
    ///   - loopSources: for each member, the members a Loop's body reads (the Loop waits for them
    ///     as for an input: a handle of its own, named with ``dependencyPrefix``).
    init(
        roles: [StreamRole], runsInline: [Bool], syncModes: [SyncMode], inputs: [[InputBinding]], streamsOutput: [Bool],
        loopSources: [[Int]] = []
    ) {
        let n = roles.count
        self.roles = roles
        self.runsInline = runsInline
        self.syncModes = syncModes
        var handles = [[String]](repeating: [], count: n)
        var edgeCounts = [[Int]](repeating: [], count: n)
        var handleTypes = [[PropertyType]](repeating: [], count: n)
        var firstSource = [[Int]](repeating: [], count: n)
        var routes = [[Route]](repeating: [], count: n)
        var upstream = [[Int]](repeating: [], count: n)
        var edgesInFileOrder: [(edge: Int, source: Int, route: Route)] = []
        for (l, bindings) in inputs.enumerated() {
            for binding in bindings {
                guard case .local(let s) = binding.source else { continue }
                let h: Int
                if let existing = handles[l].firstIndex(of: binding.property) {
                    h = existing
                    edgeCounts[l][h] += 1
                } else {
                    h = handles[l].count
                    handles[l].append(binding.property)
                    edgeCounts[l].append(1)
                    handleTypes[l].append(binding.type)
                    firstSource[l].append(s)
                }
                edgesInFileOrder.append((binding.edge, s, Route(slot: binding.sourceSlot, target: l, handle: h)))
                if !upstream[l].contains(s) { upstream[l].append(s) }
            }
        }
        for (l, sources) in loopSources.enumerated() {
            for s in sources {
                let h = handles[l].count
                handles[l].append(Self.dependencyPrefix + String(s))
                edgeCounts[l].append(1)
                handleTypes[l].append(.any)
                firstSource[l].append(s)
                edgesInFileOrder.append((Int.max, s, Route(slot: "", target: l, handle: h, isDependency: true)))
                if !upstream[l].contains(s) { upstream[l].append(s) }
            }
        }
        edgesInFileOrder.sort { $0.edge < $1.edge }
        for entry in edgesInFileOrder { routes[entry.source].append(entry.route) }
        // Streams reach every node downstream of a node that sends one.
        var reached = streamsOutput
        var stack = (0..<n).filter { streamsOutput[$0] }
        while let s = stack.popLast() {
            for route in routes[s] where !reached[route.target] {
                reached[route.target] = true
                stack.append(route.target)
            }
        }
        self.handles = handles
        self.edgeCounts = edgeCounts
        self.handleTypes = handleTypes
        self.routes = routes
        self.upstream = upstream
        sticky = (0..<n).map { l in firstSource[l].map { !reached[$0] } }
        aggregates = (0..<n).map { l in
            roles[l] != .consumer && handles[l].indices.contains { h in
                if case .list = handleTypes[l][h] { return edgeCounts[l][h] > 1 }
                return false
            }
        }
        downstreamOfStream = (0..<n).map { l in upstream[l].contains { reached[$0] } }
    }
}
