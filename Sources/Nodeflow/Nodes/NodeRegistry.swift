/// Maps type names (`nodetool.math.Add`) to node types.
///
/// A new registry knows the group nodes the runner itself implements (`nodetool.group.Loop`,
/// `nodetool.input.GroupInput`, `nodetool.output.GroupOutput`); `NodeRegistry.standard` from
/// `NodeflowNodes` adds the built-in library. Register your own with ``register(_:)``.
public struct NodeRegistry: Sendable {
    private var types: [String: any Node.Type] = [:]

    /// A registry holding the group nodes only.
    public init() {
        register(LoopNode.self)
        register(GroupInputNode.self)
        register(GroupOutputNode.self)
    }

    /// Adds a node type, replacing any type registered under the same name.
    public mutating func register(_ type: any Node.Type) {
        types[type.metadata.type] = type
    }

    /// Adds several node types.
    public mutating func register(_ types: [any Node.Type]) {
        for type in types { register(type) }
    }

    /// The node type registered under `name`.
    public func nodeType(named name: String) -> (any Node.Type)? {
        types[name]
    }

    /// Every registered type's metadata, sorted by type name.
    public var allMetadata: [NodeMetadata] {
        types.values.map { $0.metadata }.sorted { $0.type < $1.type }
    }

    /// The registered name closest to `name` (by edit distance, case-insensitive), for
    /// "did you mean" hints; `nil` when nothing is reasonably close.
    public func nearestTypeName(to name: String) -> String? {
        guard name.utf8.count <= 200 else { return nil }  // no name is that long; don't spend time on it
        let target = Array(name.lowercased())
        var best: (name: String, distance: Int)?
        for candidate in types.keys {
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
