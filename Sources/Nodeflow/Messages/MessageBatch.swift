/// Messages posted by the task that owns the batch, held back and handed to the run's stream in
/// one step.
///
/// The scheduler runs cheap nodes inline, two messages each; handing each message over on its
/// own makes the stream's lock the bottleneck when loop iterations run on every core. A scope
/// driver (or loop worker) installs a batch as a task-local value; ``ProcessingContext/post(_:)``
/// appends to it; the driver flushes it before it starts a child task or waits, so the stream
/// keeps every node's messages in causal order. Child tasks never inherit a batch.
final class MessageBatch: @unchecked Sendable {
    // Only the task that installed the batch touches it (child tasks run with no batch).
    @TaskLocal static var current: MessageBatch?

    let context: ProcessingContext
    private var messages: [ProcessingMessage] = []
    /// Messages held before a flush even while the driver keeps going.
    private static let limit = 256

    init(context: ProcessingContext) {
        self.context = context
        messages.reserveCapacity(Self.limit)
    }

    func append(_ message: ProcessingMessage) {
        messages.append(message)
        if messages.count >= Self.limit { flush() }
    }

    func flush() {
        guard !messages.isEmpty else { return }
        context.postBatch(&messages)
        if messages.capacity < Self.limit { messages.reserveCapacity(Self.limit) }
    }
}
