/// A node type: a small computation with declared properties and outputs.
///
/// The runner makes one instance per node of a graph (with `init()`), calls ``initialize(_:context:)``
/// once before the run, ``preProcess(_:)`` and ``process(_:)`` when the node's inputs are ready, and
/// ``finalize(_:context:)`` once at the end — always, also after an error or a cancellation.
///
/// ```swift
/// struct Greet: Node {
///     static let metadata = NodeMetadata(
///         type: "example.Greet",
///         description: "Says hello to someone.",
///         properties: [.init("name", .string, default: "World", description: "Who to greet.")],
///         outputs: [.init("output", .string)]
///     )
///
///     func process(_ context: NodeContext) async throws -> NodeOutputs {
///         let name: String = try context.input("name")
///         return NodeOutputs("Hello, \(name)!")
///     }
/// }
///
/// var registry = NodeRegistry.standard   // from NodeflowNodes
/// registry.register(Greet.self)
/// ```
public protocol Node: Sendable {
    /// The node type's declaration.
    static var metadata: NodeMetadata { get }

    /// Makes an instance for one node of a graph.
    init()

    /// Called once per node before the run starts; an error here fails the run before any node runs.
    /// - Parameter node: the graph node this instance stands for.
    func initialize(_ node: NodeSpec, context: ProcessingContext) async throws

    /// Called with the node's resolved inputs just before ``process(_:)`` (and before the cache is
    /// consulted); an error here fails the node.
    func preProcess(_ context: NodeContext) async throws

    /// Computes the node's outputs from its inputs (`context.input(...)`).
    ///
    /// Long work should check `Task.checkCancellation()` or await cancellable calls, so that a
    /// cancelled run stops at once.
    func process(_ context: NodeContext) async throws -> NodeOutputs

    /// Called once per node at the end of every run, whatever its outcome (also for nodes that
    /// never started). It cannot fail the run.
    /// - Parameter node: the graph node this instance stands for.
    func finalize(_ node: NodeSpec, context: ProcessingContext) async
}

extension Node {
    public func initialize(_ node: NodeSpec, context: ProcessingContext) async throws {}
    public func preProcess(_ context: NodeContext) async throws {}
    public func finalize(_ node: NodeSpec, context: ProcessingContext) async {}
}
