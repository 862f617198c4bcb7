/// Maps type names (`nodetool.math.Add`) to node types.
///
/// A new registry knows the group nodes the runner itself implements (`nodetool.group.Loop`,
/// `nodetool.input.GroupInput`, `nodetool.output.GroupOutput`); `NodeRegistry.standard` from
/// `NodeflowNodes` adds the built-in library. Register your own with ``register(_:)``.
public struct NodeRegistry: Sendable {
    private var types: [String: NodeTypeEntry] = [:]
    /// Types that replace a name's type in files of today's format (see ``WorkflowFormat``).
    private var currentTypes: [String: NodeTypeEntry] = [:]
    /// Namespaces whose nodes exist but cannot run here (a Python pack that failed to import),
    /// with the reason validation gives.
    private var unavailable: [String: String] = [:]

    /// A registry holding the group nodes only.
    public init() {
        register(LoopNode.self)
        register(GroupInputNode.self)
        register(GroupOutputNode.self)
    }

    /// Adds a node type, replacing any type registered under the same name.
    public mutating func register(_ type: any Node.Type) {
        register(NodeTypeEntry(type))
    }

    /// Adds a node type made at run time (see ``NodeTypeEntry``), replacing any type registered
    /// under the same name.
    public mutating func register(_ entry: NodeTypeEntry) {
        types[entry.metadata.type] = entry
    }

    /// Marks the node types of `namespace` (`huggingface.text`) as known but unavailable, e.g. a
    /// Python module that failed to import: validation names `reason` for a node of such a type
    /// instead of calling the type unknown.
    public mutating func markUnavailable(namespace: String, reason: String) {
        unavailable[namespace] = reason
    }

    /// Why the types of `type`'s namespace cannot run, when ``markUnavailable(namespace:reason:)``
    /// said so for it or an enclosing namespace: the namespace and the reason.
    public func unavailability(of type: String) -> (namespace: String, reason: String)? {
        guard !unavailable.isEmpty else { return nil }
        var prefix = Substring(type)
        while let dot = prefix.lastIndex(of: ".") {
            prefix = prefix[..<dot]
            if let reason = unavailable[String(prefix)] { return (String(prefix), reason) }
        }
        return nil
    }

    /// Adds several node types.
    public mutating func register(_ types: [any Node.Type]) {
        for type in types { register(type) }
    }

    /// Adds a node type for files of today's format only, where a name means something else than
    /// in nodetool 0.5.3 (today's `nodetool.list.GenerateSequence` streams its numbers; 0.5.3's
    /// returns a list). Files of 0.5.3's format keep the type registered with ``register(_:)``.
    public mutating func register(_ type: any Node.Type, for format: WorkflowFormat) {
        switch format {
        case .nodetool053: types[type.metadata.type] = NodeTypeEntry(type)
        case .current: currentTypes[type.metadata.type] = NodeTypeEntry(type)
        }
    }

    /// The node type registered under `name`.
    public func entry(named name: String) -> NodeTypeEntry? {
        types[name] ?? currentTypes[name]
    }

    /// Every namespace a registered type lies in, at every depth (`nodetool`, `nodetool.math`).
    var namespaces: Set<String> {
        var all: Set<String> = []
        for name in Set(types.keys).union(currentTypes.keys) {
            var prefix = ""
            for component in name.split(separator: ".").dropLast() {
                prefix = prefix.isEmpty ? String(component) : prefix + "." + component
                all.insert(prefix)
            }
        }
        return all
    }

    /// Whether `name` has a type of its own in today's format.
    func hasCurrentFormatType(named name: String) -> Bool {
        currentTypes[name] != nil
    }

    /// The node type registered under `name` for files of `format`.
    public func entry(named name: String, format: WorkflowFormat) -> NodeTypeEntry? {
        if format == .current, let type = currentTypes[name] { return type }
        return types[name] ?? currentTypes[name]
    }

    /// Every registered type's metadata, sorted by type name.
    public var allMetadata: [NodeMetadata] {
        types.merging(currentTypes) { old, _ in old }.values.map(\.metadata).sorted { $0.type < $1.type }
    }

    /// The registered name closest to `name` (by edit distance, case-insensitive), for
    /// "did you mean" hints; `nil` when nothing is reasonably close.
    public func nearestTypeName(to name: String) -> String? {
        guard name.utf8.count <= 200 else { return nil }  // no name is that long; don't spend time on it
        let target = Array(name.lowercased())
        var best: (name: String, distance: Int)?
        for candidate in Set(types.keys).union(currentTypes.keys) {
            let d = editDistance(target, Array(candidate.lowercased()))
            if best == nil || d < best!.distance || (d == best!.distance && candidate < best!.name) {
                best = (candidate, d)
            }
        }
        guard let best, best.distance <= max(3, target.count / 3) else { return nil }
        return best.name
    }
}

/// Finding the property a misspelled name meant.
enum PropertyNames {
    /// The declared name closest to `name`: at most 2 edits away (1 for names of up to 4
    /// letters), or the same apart from case, `_` and `-`.
    static func nearest(to name: String, among names: [String]) -> String? {
        guard name.utf8.count <= 100 else { return nil }
        func folded(_ s: String) -> String { s.lowercased().filter { $0 != "_" && $0 != "-" } }
        let key = folded(name)
        if let same = names.first(where: { folded($0) == key }) { return same }
        let target = Array(name.lowercased())
        var best: (name: String, distance: Int)?
        for candidate in names where abs(candidate.count - target.count) <= 2 {
            let d = editDistance(target, Array(candidate.lowercased()))
            let limit = min(candidate.count, target.count) <= 4 ? 1 : 2
            if d <= limit, best == nil || d < best!.distance { best = (candidate, d) }
        }
        return best?.name
    }
}

/// Levenshtein distance with a single row of memory.
func editDistance(_ a: [Character], _ b: [Character]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var row = Array(0...b.count)
    for i in 1...a.count {
        var previous = row[0]
        row[0] = i
        for j in 1...b.count {
            let current = row[j]
            row[j] = a[i - 1] == b[j - 1] ? previous : 1 + min(previous, row[j], row[j - 1])
            previous = current
        }
    }
    return row[b.count]
}

/// The two generations of nodetool workflow files.
public enum WorkflowFormat: Sendable, Hashable {
    /// nodetool 0.5.3's: one value per edge.
    case nodetool053
    /// Today's: values stream along edges; every node carries a `sync_mode`.
    case current

    /// The format of a graph: today's when a node carries `sync_mode` (today's nodetool writes it
    /// on every node) or uses a node type that only today's library has.
    public init(of graph: Graph, registry: NodeRegistry) {
        // By index, reading single fields: copying each node would cost four retains per node.
        for i in graph.nodes.indices where !graph.nodes[i].otherFields.isEmpty && graph.nodes[i].otherFields["sync_mode"] != nil {
            self = .current
            return
        }
        var last = ""
        var seen: Set<String> = []  // types repeat: look each up once
        for i in graph.nodes.indices {
            let name = graph.nodes[i].type
            guard name != last else { continue }
            last = name
            guard seen.insert(name).inserted else { continue }
            if let entry = registry.entry(named: name), entry.isStreaming {
                self = .current
                return
            }
        }
        self = .nodetool053
    }
}
