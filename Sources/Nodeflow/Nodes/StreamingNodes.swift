/// A node type whose run yields any number of results, one at a time (nodetool's `gen_process`):
/// `nodetool.control.ForEach` yields each item of a list, `nodetool.list.GenerateSequence` each
/// number of a range.
///
/// The runner fires a generator as it fires any node (once its inputs are there, see
/// ``SyncMode``), calls ``generate(_:)`` for an iterator, and pulls items from it only while
/// every node downstream has room for them, so a stream of a million items is never held in
/// memory. Each item is a ``NodeOutputs`` whose slots are sent on; a slot left out of an item
/// sends nothing for that item.
///
/// ```swift
/// struct Countdown: GeneratorNode {
///     static let metadata = NodeMetadata(type: "example.Countdown",
///         properties: [.init("from", .int, default: 3)], outputs: [.init("output", .int)])
///
///     func generate(_ context: NodeContext) async throws -> any NodeItemIterator {
///         let from: Int = try context.input("from")
///         return ValuesIterator(stride(from: from, through: 1, by: -1).map { .int($0) })
///     }
/// }
/// ```
public protocol GeneratorNode: Node {
    /// Starts one run of the node with its resolved inputs.
    func generate(_ context: NodeContext) async throws -> any NodeItemIterator
}

extension GeneratorNode {
    /// Outside a stream (a caller invoking `process` directly): the items' last value per slot.
    public func process(_ context: NodeContext) async throws -> NodeOutputs {
        var iterator = try await generate(context)
        var last = OrderedDictionaryOfSlots()
        var count = 0
        while let item = try await iterator.next() {
            last.merge(item)
            count += 1
            if count & 0xFFF == 0 { try context.checkCancellation() }
        }
        return last.outputs
    }
}

/// The items of one run of a ``GeneratorNode``.
public protocol NodeItemIterator: Sendable {
    /// The next item, or `nil` at the end. Long waits should be cancellable.
    mutating func next() async throws -> NodeOutputs?
}

/// An iterator over values given up front, each sent on the `output` slot.
public struct ValuesIterator: NodeItemIterator {
    private let values: [Value]
    private var index = 0

    public init(_ values: [Value]) {
        self.values = values
    }

    public mutating func next() async throws -> NodeOutputs? {
        guard index < values.count else { return nil }
        defer { index += 1 }
        return NodeOutputs(values[index])
    }
}

/// A node type that reads its inputs as streams until they end (nodetool's streaming-input
/// nodes): `nodetool.control.Collect` gathers a stream into a list, `nodetool.output.Output`
/// records every value.
///
/// The runner makes one reader per run of the node, hands it every value arriving on any of its
/// properties in arrival order, then tells it the inputs ended. Values from edges are not
/// assigned to the node's properties: the reader sees the configured properties in the context
/// it was made with, and the arrivals one by one.
public protocol StreamConsumerNode: Node {
    /// Whether the node sends values on as they arrive (`If`, `Reroute`, `Output`), so that its
    /// targets are downstream of a stream; `false` for a node that sends one result at the end
    /// (`Collect`). The default is `true`.
    static var passesStreamOn: Bool { get }

    /// Makes the reader for one run of the node.
    func makeReader(_ context: NodeContext) throws -> any NodeStreamReader
}

extension StreamConsumerNode {
    public static var passesStreamOn: Bool { true }

    /// Outside a stream: the reader given each property with a value once, then finished.
    public func process(_ context: NodeContext) async throws -> NodeOutputs {
        var reader = try makeReader(context)
        var last = OrderedDictionaryOfSlots()
        var emit = StreamEmitter()
        try await reader.finish(emit: &emit)
        for item in emit.items { last.merge(item) }
        return last.outputs
    }
}

/// Reads one run's worth of arrivals for a ``StreamConsumerNode``.
public protocol NodeStreamReader: Sendable {
    /// A value arrived on the property `handle`.
    mutating func receive(_ value: Value, on handle: String, emit: inout StreamEmitter) async throws
    /// Every input ended; the last chance to emit.
    mutating func finish(emit: inout StreamEmitter) async throws
}

/// Collects what a stream reader sends on, in order.
public struct StreamEmitter: Sendable {
    public private(set) var items: [NodeOutputs] = []

    public init() {}

    /// Sends an item downstream: each slot it holds goes along the edges from that slot.
    public mutating func emit(_ item: NodeOutputs) {
        items.append(item)
    }

    mutating func removeAll() {
        items.removeAll(keepingCapacity: true)
    }
}

/// The last value of each slot over several items.
struct OrderedDictionaryOfSlots {
    private var slots: [(String, Value)] = []

    mutating func merge(_ item: NodeOutputs) {
        if let single = item.singleValue {
            set(NodeOutputs.defaultSlot, single)
            return
        }
        for (slot, value) in item.slots { set(slot, value) }
    }

    private mutating func set(_ slot: String, _ value: Value) {
        if let i = slots.firstIndex(where: { $0.0 == slot }) { slots[i].1 = value } else { slots.append((slot, value)) }
    }

    var outputs: NodeOutputs {
        if slots.count == 1, slots[0].0 == NodeOutputs.defaultSlot { return NodeOutputs(slots[0].1) }
        return NodeOutputs(slots: .init(uniqueKeysWithValues: slots))
    }
}

/// How a node that does not read streams fires when values stream into it (the node field
/// `sync_mode` in a workflow file).
public enum SyncMode: String, Sendable, Hashable, CaseIterable {
    /// Once every connected property has a value, then again on each new arrival with the latest
    /// values of the others (the default).
    case onAny = "on_any"
    /// Once per aligned tuple: the n-th values of every streamed property together; a property
    /// fed only by non-streaming nodes keeps its value (sticky). Values left over when a stream
    /// ends are dropped.
    case zipAll = "zip_all"
}

/// How a node type takes part in streams.
enum StreamRole: Sendable {
    /// One result per firing.
    case buffered
    /// A ``GeneratorNode``.
    case generator
    /// A ``StreamConsumerNode``.
    case consumer
}
