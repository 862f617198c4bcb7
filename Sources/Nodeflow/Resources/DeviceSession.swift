/// Hooks around a run and around each GPU node, the part `torch_context` and `move_to_device`
/// play in nodetool: set a device up, tear it down, report its progress.
///
/// ```swift
/// struct CUDASession: DeviceSession {
///     func withRun<T: Sendable>(context: ProcessingContext, _ body: () async throws -> T) async throws -> T {
///         try initializeDriver()
///         defer { releaseCaches() }
///         return try await body()
///     }
///     func withDevice(slot: Int, node: NodeContext, _ body: () async throws -> NodeOutputs) async throws -> NodeOutputs {
///         try await body()
///     }
/// }
/// ```
public protocol DeviceSession: Sendable {
    /// Wraps a whole run; the runner calls `body` exactly once.
    func withRun<T: Sendable>(context: ProcessingContext, _ body: () async throws -> T) async throws -> T

    /// Wraps one GPU node's processing while it holds GPU slot `slot`.
    func withDevice(slot: Int, node: NodeContext, _ body: () async throws -> NodeOutputs) async throws -> NodeOutputs
}

extension DeviceSession {
    public func withRun<T: Sendable>(context: ProcessingContext, _ body: () async throws -> T) async throws -> T {
        try await body()
    }

    public func withDevice(slot: Int, node: NodeContext, _ body: () async throws -> NodeOutputs) async throws -> NodeOutputs {
        try await body()
    }
}
