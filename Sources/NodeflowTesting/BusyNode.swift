import Nodeflow

/// `bench.Busy`: keeps a core busy for `milliseconds` (checking for cancellation), standing in for
/// a CPU-heavy node in benchmarks and tests.
public struct BusyNode: Node {
    public static let metadata = NodeMetadata(
        type: "bench.Busy", description: "Keeps a core busy for a while, like a CPU-heavy node.",
        properties: [PropertyDescriptor("milliseconds", .int, default: 100, description: "How long to stay busy.")],
        outputs: [OutputDescriptor("output", .int)])

    public init() {}

    public func process(_ context: NodeContext) async throws -> NodeOutputs {
        let end = ContinuousClock.now + .milliseconds(try context.input("milliseconds", as: Int.self))
        var x = 0
        while ContinuousClock.now < end {
            for i in 0..<10_000 { x &+= i &* i }
            try Task.checkCancellation()
        }
        return NodeOutputs(.int(x))
    }
}
