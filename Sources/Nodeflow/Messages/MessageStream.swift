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
        private var batch: [ProcessingMessage] = []
        private var index = 0

        init(buffer: MessageBuffer) {
            self.buffer = buffer
        }

        /// How many messages this iterator holds that ``next()`` returns without waiting. When it
        /// is 0 the next call may wait, so a writer that batches output should flush first.
        public var bufferedCount: Int { batch.count - index }

        /// The next message, or `nil` once the run has ended and every message was read (or the
        /// consuming task was cancelled).
        public mutating func next() async -> ProcessingMessage? {
            if index < batch.count {
                defer { index += 1 }
                return batch[index]
            }
            batch = await buffer.takeAll()
            guard !batch.isEmpty else { return nil }
            index = 1
            return batch[0]
        }
    }
}

/// The shared state behind a ``MessageStream``: pending messages and the waiting consumer.
final class MessageBuffer: Sendable {
    private struct State {
        var pending: [ProcessingMessage] = []
        var waiter: CheckedContinuation<[ProcessingMessage], Never>?
        var finished = false
    }

    private let state = Mutex(State())

    func post(_ message: ProcessingMessage) {
        let waiter = state.withLock { state -> CheckedContinuation<[ProcessingMessage], Never>? in
            guard !state.finished else { return nil }
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.pending.append(message)
            return nil
        }
        waiter?.resume(returning: [message])
    }

    /// Appends a batch, taking the array's storage when nothing is pending (the usual case when
    /// the consumer keeps up), so messages are moved rather than copied one by one.
    func post(contentsOf messages: inout [ProcessingMessage]) {
        let waiter = state.withLock { state -> CheckedContinuation<[ProcessingMessage], Never>? in
            guard !state.finished else { return nil }
            if state.pending.isEmpty {
                swap(&state.pending, &messages)
            } else {
                state.pending.append(contentsOf: messages)
            }
            guard let waiter = state.waiter else { return nil }
            state.waiter = nil
            return waiter
        }
        messages.removeAll(keepingCapacity: true)
        if let waiter {
            let batch = state.withLock { state -> [ProcessingMessage] in
                defer { state.pending = [] }
                return state.pending
            }
            waiter.resume(returning: batch)
        }
    }

    func finish() {
        let waiter = state.withLock { state -> CheckedContinuation<[ProcessingMessage], Never>? in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: [])
    }

    /// Every pending message, waiting for one if there is none; empty once finished and drained.
    func takeAll() async -> [ProcessingMessage] {
        enum Taken { case batch([ProcessingMessage]), wait }
        let immediate = state.withLock { state -> [ProcessingMessage]? in
            if !state.pending.isEmpty {
                defer { state.pending = [] }
                return state.pending
            }
            return state.finished ? [] : nil
        }
        if let immediate { return immediate }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<[ProcessingMessage], Never>) in
                let ready = state.withLock { state -> [ProcessingMessage]? in
                    if !state.pending.isEmpty {
                        defer { state.pending = [] }
                        return state.pending
                    }
                    if state.finished || Task.isCancelled { return [] }
                    state.waiter = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<[ProcessingMessage], Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: [])
        }
    }
}
