import DequeModule
import OrderedCollections

/// What a node produced: a value per output slot.
///
/// Most nodes have the single slot `output`: return `NodeOutputs(value)`. Nodes with several slots
/// return a dictionary literal, `["first": a, "rest": b]`.
public struct NodeOutputs: Sendable, Hashable {
    private enum Storage: Sendable, Hashable {
        case single(Value)
        case slots(OrderedDictionary<String, Value>)
    }

    private var storage: Storage

    /// The name of the default output slot.
    public static let defaultSlot = "output"

    /// A result with one value in the `output` slot.
    public init(_ value: Value) {
        storage = .single(value)
    }

    /// A result with one value in the `output` slot.
    public init(_ value: some ValueConvertible) {
        storage = .single(value.value)
    }

    /// A result with the given slots.
    public init(slots: OrderedDictionary<String, Value>) {
        storage = .slots(slots)
    }

    /// The value of a slot, or `nil` when the node did not produce it.
    public subscript(slot: String) -> Value? {
        switch storage {
        case .single(let value): slot == Self.defaultSlot ? value : nil
        case .slots(let slots): slots[slot]
        }
    }

    /// The slots and their values, in order.
    public var slots: OrderedDictionary<String, Value> {
        switch storage {
        case .single(let value): [Self.defaultSlot: value]
        case .slots(let slots): slots
        }
    }

    /// The value of the only slot, when it is the default one (`output`); `nil` otherwise. A
    /// cheap test, with no dictionary built.
    public var singleValue: Value? {
        if case .single(let value) = storage { return value }
        return nil
    }

    /// The slots as a dictionary value, as `node_update` messages carry them.
    public var jsonValue: Value { .dict(slots) }
}

extension NodeOutputs {
    /// Outputs are equal when they have the same slots and values, however they were built.
    public static func == (lhs: NodeOutputs, rhs: NodeOutputs) -> Bool {
        switch (lhs.storage, rhs.storage) {
        case (.single(let a), .single(let b)): a == b
        default: lhs.slots == rhs.slots
        }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(slots)
    }
}

extension NodeOutputs: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, Value)...) {
        storage = .slots(OrderedDictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}
