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
    /// Inline nodes run between two looks at the clock.
    private static let nodesPerClockCheck = 32
    /// The longest the owning task runs inline nodes without giving its thread away.
    static let yieldInterval: Duration = .milliseconds(5)
    private var nodesSinceCheck = 0
    private var lastYield = ContinuousClock.now

    init(context: ProcessingContext) {
        self.context = context
        messages.reserveCapacity(Self.limit)
    }

    func append(_ message: ProcessingMessage) {
        messages.append(message)
        if messages.count >= Self.limit { flush() }
    }

    /// Counts one inline node and says whether the owning task has kept its thread long enough.
    ///
    /// A run of cheap nodes never suspends by itself; on a two-thread cooperative pool it would
    /// keep the cancel watcher, the message readers and the recorder's flushes from running.
    /// The driver calls this per inline node and, when it says so, flushes and yields.
    func shouldYield() -> Bool {
        nodesSinceCheck += 1
        guard nodesSinceCheck >= Self.nodesPerClockCheck else { return false }
        nodesSinceCheck = 0
        let now = ContinuousClock.now
        guard now - lastYield >= Self.yieldInterval else { return false }
        lastYield = now
        return true
    }

    /// Flushes, then lets the other tasks of the pool run.
    func yieldThread() async {
        flush()
        await Task.yield()
        lastYield = ContinuousClock.now
    }

    func flush() {
        guard !messages.isEmpty else { return }
        context.postBatch(&messages)
        if messages.capacity < Self.limit { messages.reserveCapacity(Self.limit) }
    }
}
