/// A registered node type with its metadata, shared by reference by every node of that type in a
/// compiled plan, so the scheduler reads flags without copying the metadata.
final class NodeTypeInfo: Sendable {
    let entry: NodeTypeEntry
    let metadata: NodeMetadata
    /// Whether the scheduler may call the node in its loop: inline, and with no resources,
    /// retries or timeout (which need a task of their own).
    let runsInScheduler: Bool
    /// How the node takes part in streams.
    let streamRole: StreamRole
    /// Whether the node sends a stream: a generator, or a reader passing values on as they come.
    let streamsOutput: Bool

    init(_ entry: NodeTypeEntry) {
        self.entry = entry
        let metadata = entry.metadata
        self.metadata = metadata
        runsInScheduler = metadata.runsInline && metadata.requiredResources.isEmpty && metadata.timeout == nil
            && metadata.retryPolicy == nil
        let role = entry.streamRole
        streamRole = role
        streamsOutput = role == .generator || (role == .consumer && entry.passesStreamOn)
    }

    var typeName: String { metadata.type }
    var title: String { metadata.title }
    var role: NodeRole { metadata.role }
    var properties: [PropertyDescriptor] { metadata.properties }
    var outputs: [OutputDescriptor] { metadata.outputs }
    var isCacheable: Bool { metadata.isCacheable }
    var requiredResources: Set<Resource> { metadata.requiredResources }
    var retryPolicy: RetryPolicy? { metadata.retryPolicy }
    var timeout: Duration? { metadata.timeout }

    func property(named name: String) -> PropertyDescriptor? { metadata.property(named: name) }
    func output(named name: String) -> OutputDescriptor? { metadata.output(named: name) }
}
