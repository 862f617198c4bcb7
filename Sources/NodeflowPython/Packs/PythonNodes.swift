import Foundation
import Nodeflow

/// What Python nodes share in a run or a server: the workers and their configuration.
public struct PythonRuntime: Sendable {
    public let configuration: PythonConfiguration
    public let pool: PythonWorkerPool

    public init(pool: PythonWorkerPool) {
        self.configuration = pool.configuration
        self.pool = pool
    }
}

/// What a Python node instance carries: its discovered type and the workers it runs on.
struct PythonBinding: Sendable {
    let type: PythonNodeType
    let runtime: PythonRuntime

    /// The call for one firing, once the node's settings are checked.
    func call(_ context: NodeContext) throws -> PythonCall {
        try type.checkSettings(runtime.configuration)
        return try PythonCall(nodeType: type.name, context: context, runtime: runtime, requiresVRAM: type.requiresVRAM)
    }

    static func required(_ binding: PythonBinding?) throws -> PythonBinding {
        guard let binding else { throw NodeError("a Python node made without its type") }
        return binding
    }
}

/// A node of a Python pack: one Swift type stands for every discovered type; each instance knows
/// its type name and its workers (see ``NodeTypeEntry/init(metadata:make:)``).
struct PythonNode: Node {
    static let metadata = NodeMetadata(type: "nodeflow.python.Node", description: "A node of a Python pack; each discovered type has its own metadata.")

    let binding: PythonBinding?

    init() { binding = nil }
    init(_ binding: PythonBinding) { self.binding = binding }

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let binding = try PythonBinding.required(binding)
        let call = try binding.call(context)
        var result = NodeOutputs(slots: [:])
        try await binding.runtime.pool.withWorker { worker in
            try await call.run(on: worker, streaming: false) { result = $0 }
        }
        return result
    }
}

/// A Python node whose outputs stream (`gen_process`): its items become a Nodeflow stream,
/// pulled as the nodes downstream take them.
struct PythonStreamNode: GeneratorNode {
    static let metadata = NodeMetadata(type: "nodeflow.python.StreamNode", description: "A streaming node of a Python pack.")

    let binding: PythonBinding?

    init() { binding = nil }
    init(_ binding: PythonBinding) { self.binding = binding }

    func generate(_ context: NodeContext) async throws -> any NodeItemIterator {
        let binding = try PythonBinding.required(binding)
        let call = try binding.call(context)
        // The items arrive on a child task that holds the worker; the iterator reads them.
        let (items, continuation) = AsyncThrowingStream<NodeOutputs, any Error>.makeStream(bufferingPolicy: .unbounded)
        let task = Task {
            do {
                try await binding.runtime.pool.withWorker { worker in
                    try await call.run(on: worker, streaming: true) { continuation.yield($0) }
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return StreamItems(items: items, task: task)
    }

    /// The items of one run; ending early (the run stops pulling) cancels the Python call.
    final class StreamItems: NodeItemIterator, @unchecked Sendable {
        // Read by one consumer at a time, as the runner pulls items in order.
        private var iterator: AsyncThrowingStream<NodeOutputs, any Error>.AsyncIterator
        private let task: Task<Void, Never>

        init(items: AsyncThrowingStream<NodeOutputs, any Error>, task: Task<Void, Never>) {
            iterator = items.makeAsyncIterator()
            self.task = task
        }

        func next() async throws -> NodeOutputs? {
            try await iterator.next()
        }

        deinit { task.cancel() }
    }
}

/// A discovered Python node type: its name and what running it needs.
struct PythonNodeType: Sendable {
    let name: String
    let requiresVRAM: Double?
    let requiredSettings: [String]

    /// Fails with a clear error when a setting the node needs (an API key) is in neither the
    /// environment nor the secrets.
    func checkSettings(_ configuration: PythonConfiguration) throws {
        let missing = requiredSettings.filter { (configuration.secrets[$0] ?? configuration.environment[$0] ?? "").isEmpty }
        guard missing.isEmpty else {
            throw NodeError("\(name) needs \(missing.joined(separator: ", ")): set \(missing.count == 1 ? "it" : "them") in the environment or a secrets file (--secrets-file)")
        }
    }
}
