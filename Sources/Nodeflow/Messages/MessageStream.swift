import Synchronization

/// The messages of one run, in the order they were posted, as an `AsyncSequence`.
///
/// Iterate it once (one consumer). Nothing is dropped: messages wait in memory until read. The
/// consumer takes every pending message in one step, so a fast producer does not pay a lock
/// hand-off and a thread wake-up per message as it would with `AsyncStream`.
public struct MessageStream: AsyncSequence, Sendable {
    public typealias Element = ProcessingMessage

    let buffer: MessageBuffer

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(buffer: buffer)
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let buffer: MessageBuffer
        private var chunks: [[ProcessingMessage]] = []
        private var chunk = 0
        private var index = 0

        init(buffer: MessageBuffer) {
            self.buffer = buffer
        }

        /// How many messages this iterator holds that ``next()`` returns without waiting. When it
        /// is 0 the next call may wait, so a writer that batches output should flush first.
        public var bufferedCount: Int {
            guard chunk < chunks.count else { return 0 }
            return chunks[chunk].count - index + chunks[(chunk + 1)...].reduce(0) { $0 + $1.count }
        }

        /// The next message, or `nil` once the run has ended and every message was read (or the
        /// consuming task was cancelled).
        public mutating func next() async -> ProcessingMessage? {
            while true {
                if chunk < chunks.count {
                    if index < chunks[chunk].count {
                        defer { index += 1 }
                        return chunks[chunk][index]
                    }
                    chunk += 1
                    index = 0
                    continue
                }
                chunks = await buffer.takeAll()
                chunk = 0
                index = 0
                if chunks.isEmpty { return nil }
            }
        }
    }
}

/// The shared state behind a ``MessageStream``: pending messages, in chunks, and the waiting
/// consumer. Batches are moved in as whole chunks, never copied message by message.
final class MessageBuffer: Sendable {
    private struct State {
        var chunks: [[ProcessingMessage]] = []
        /// Whether the last chunk collects single posts (and may grow).
        var lastChunkIsOpen = false
        var waiter: CheckedContinuation<[[ProcessingMessage]], Never>?
        var finished = false

        mutating func takeChunks() -> [[ProcessingMessage]] {
            lastChunkIsOpen = false
            defer { chunks = [] }
            return chunks
        }
    }

    private let state = Mutex(State())
    private let tap: (any MessageTap)?

    init(tap: (any MessageTap)? = nil) {
        self.tap = tap
    }

    func post(_ message: ProcessingMessage) {
        let (waiter, chunks) = state.withLock { state -> (CheckedContinuation<[[ProcessingMessage]], Never>?, [[ProcessingMessage]]) in
            guard !state.finished else { return (nil, []) }
            tap?.receive(CollectionOfOne(message))
            if state.lastChunkIsOpen {
                state.chunks[state.chunks.count - 1].append(message)
            } else {
                state.chunks.append([message])
                state.lastChunkIsOpen = true
            }
            guard let waiter = state.waiter else { return (nil, []) }
            state.waiter = nil
            return (waiter, state.takeChunks())
        }
        waiter?.resume(returning: chunks)
    }

    /// Appends a batch as one chunk, taking the array's storage.
    func post(contentsOf messages: inout [ProcessingMessage]) {
        var moved: [ProcessingMessage] = []
        swap(&moved, &messages)
        let (waiter, chunks) = state.withLock { state -> (CheckedContinuation<[[ProcessingMessage]], Never>?, [[ProcessingMessage]]) in
            guard !state.finished else { return (nil, []) }
            tap?.receive(moved)
            state.chunks.append(moved)
            state.lastChunkIsOpen = false
            guard let waiter = state.waiter else { return (nil, []) }
            state.waiter = nil
            return (waiter, state.takeChunks())
        }
        waiter?.resume(returning: chunks)
    }

    func finish() {
        let waiter = state.withLock { state -> CheckedContinuation<[[ProcessingMessage]], Never>? in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: [])
    }

    /// Every pending chunk, waiting for one if there is none; empty once finished and drained.
    func takeAll() async -> [[ProcessingMessage]] {
        let immediate = state.withLock { state -> [[ProcessingMessage]]? in
            if !state.chunks.isEmpty { return state.takeChunks() }
            return state.finished ? [] : nil
        }
        if let immediate { return immediate }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<[[ProcessingMessage]], Never>) in
                let ready = state.withLock { state -> [[ProcessingMessage]]? in
                    if !state.chunks.isEmpty { return state.takeChunks() }
                    if state.finished || Task.isCancelled { return [] }
                    state.waiter = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<[[ProcessingMessage]], Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: [])
        }
    }
}

/// Sees every message of a run, in stream order, as it is posted: for recording a run (the job
/// store) while another consumer reads the stream.
///
/// `receive` is called while the stream holds its lock, so it must only hand the messages off
/// (append them to a buffer) and return.
public protocol MessageTap: Sendable {
    func receive(_ messages: some Collection<ProcessingMessage>)
}
