import OrderedCollections

/// A node's resolved property values: its base values (defaults, then the file's `data`, then
/// params) overlaid with the values that arrived through edges.
///
/// The base is shared by every run of the node and never copied; the edge values are a short
/// list searched from the end, so the later of two edges into one property wins.
public struct NodeInputs: Sendable, Hashable {
    /// The values before edges.
    public let base: OrderedDictionary<String, Value>
    /// The values from edges, in edge order.
    public private(set) var fromEdges: [NamedValue]

    public init(base: OrderedDictionary<String, Value>, fromEdges: [NamedValue] = []) {
        self.base = base
        self.fromEdges = fromEdges
    }

    /// The value of a property, or `nil` when it has none.
    public subscript(name: String) -> Value? {
        for entry in fromEdges.reversed() where entry.name == name { return entry.value }
        return base[name]
    }

    mutating func set(_ name: String, _ value: Value) {
        fromEdges.append(NamedValue(name: name, value: value))
    }

    /// Every property and its value, as one dictionary (base order, edge values in place).
    public var all: OrderedDictionary<String, Value> {
        guard !fromEdges.isEmpty else { return base }
        var merged = base
        for entry in fromEdges { merged[entry.name] = entry.value }
        return merged
    }

    /// The values that arrived through edges, as one dictionary (the later edge wins).
    public var edgeValues: OrderedDictionary<String, Value> {
        var values = OrderedDictionary<String, Value>()
        for entry in fromEdges { values[entry.name] = entry.value }
        return values
    }
}

/// A property name and its value.
public struct NamedValue: Sendable, Hashable {
    public var name: String
    public var value: Value

    public init(name: String, value: Value) {
        self.name = name
        self.value = value
    }
}
