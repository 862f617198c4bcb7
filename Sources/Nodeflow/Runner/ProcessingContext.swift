import Logging
import Synchronization

/// The context of one run: where its messages go, the result cache it uses, and who runs it.
///
/// Read ``messages`` while the run goes on; the sequence ends after the run's final `job_update`.
/// A context serves one run.
///
/// ```swift
/// let context = ProcessingContext(cache: MemoryResultCache())
/// async let outputs = runner.run(request, context: context)
/// for await message in context.messages { print(message.jsonString()) }
/// print(try await outputs)
/// ```
public final class ProcessingContext: Sendable {
    /// The user the run belongs to.
    public let userID: String
    /// The token the run was requested with, if any.
    public let authToken: String?
    /// Where cacheable nodes' results are kept and looked up; `nil` disables caching.
    public let cache: (any ResultCache)?
    /// The logger nodes and the runner log to.
    public let logger: Logger
    /// How large a value one node may make.
    public let limits: ValueLimits
    /// Set the moment the run is asked to stop, before any task is cancelled: code that cannot
    /// wait for a thread to deliver the task cancellation (a regex backtracking, a long inline
    /// run) reads it directly.
    let cancellation = CancellationFlag()
    /// What today's output nodes recorded: the job's result for them.
    let recordedOutputs = RecordedOutputs()
    /// The run's messages, in the order they were posted. Nothing is dropped.
    public let messages: MessageStream
    private let buffer: MessageBuffer

    /// Makes a context.
    /// - Parameters:
    ///   - cache: the result cache; pass `nil` to run every node every time.
    ///   - logger: the logger to use; by default one labelled `nodeflow` (a no-op unless the
    ///     program bootstrapped logging).
    ///   - tap: sees every message in order as it is posted, e.g. to record the run.
    ///   - limits: how large a value one node may make.
    public init(
        userID: String = "1", authToken: String? = nil, cache: (any ResultCache)? = nil,
        logger: Logger = Logger(label: "nodeflow"), tap: (any MessageTap)? = nil, limits: ValueLimits = ValueLimits()
    ) {
        self.limits = limits
        self.userID = userID
        self.authToken = authToken
        self.cache = cache
        self.logger = logger
        let buffer = MessageBuffer(tap: tap)
        self.buffer = buffer
        messages = MessageStream(buffer: buffer)
    }

    /// Posts a message to the run's stream.
    public func post(_ message: ProcessingMessage) {
        if let batch = MessageBatch.current, batch.context === self {
            batch.append(message)
        } else {
            buffer.post(message)
        }
    }

    func postBatch(_ messages: inout [ProcessingMessage]) {
        buffer.post(contentsOf: &messages)
    }

    /// Ends the message stream; the runner calls it after the final `job_update`.
    func finishMessages() {
        buffer.finish()
    }
}

/// A flag set once, read from any thread.
final class CancellationFlag: Sendable {
    private let flag = Atomic<Bool>(false)

    var isSet: Bool { flag.load(ordering: .relaxed) }

    func set() { flag.store(true, ordering: .relaxed) }
}
