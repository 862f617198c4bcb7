/// A node type as the registry holds it: its metadata and how to make an instance.
///
/// Swift node types give both through `Node.Type` (``init(_:)``). Types found at run time — the
/// nodes of a Python pack, discovered from a worker — give them explicitly
/// (``init(metadata:make:)``): one Swift type then stands for many node types.
public struct NodeTypeEntry: Sendable {
    /// The type's declaration, used by validation and shown to users.
    public let metadata: NodeMetadata
    /// Makes an instance for one node of a graph.
    public let make: @Sendable () -> any Node
    /// The Swift type of the instances. How the type takes part in streams is read from it when a
    /// graph uses the type: a dynamic conformance check costs a scan of every conformance in the
    /// binary, too much to pay for every registered type at each process start.
    private let kind: any Node.Type

    /// A Swift node type.
    public init(_ type: any Node.Type) {
        self.init(metadata: type.metadata, kind: type, make: { type.init() })
    }

    /// A node type made at run time: `make` returns instances that carry what they need (for a
    /// Python node, its type name and its workers). How it takes part in streams follows from the
    /// instances' Swift type (``GeneratorNode``, ``StreamConsumerNode``).
    public init(metadata: NodeMetadata, make: @escaping @Sendable () -> any Node) {
        self.init(metadata: metadata, kind: type(of: make()), make: make)
    }

    private init(metadata: NodeMetadata, kind: any Node.Type, make: @escaping @Sendable () -> any Node) {
        self.metadata = metadata
        self.make = make
        self.kind = kind
    }

    var streamRole: StreamRole {
        kind is any StreamConsumerNode.Type ? .consumer : kind is any GeneratorNode.Type ? .generator : .buffered
    }

    var passesStreamOn: Bool { (kind as? any StreamConsumerNode.Type)?.passesStreamOn == true }

    /// Whether the type takes part in streams (a generator or a stream reader).
    public var isStreaming: Bool { streamRole != .buffered }
}
