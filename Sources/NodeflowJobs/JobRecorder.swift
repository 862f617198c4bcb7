import Foundation
import Nodeflow
import Synchronization

/// Records a running job: every message it posts, in order, and each top-level node's result as
/// the node completes, so that a run killed half-way can resume without redoing finished work.
///
/// Install it as the run's ``MessageTap`` and keep ``run(every:onCancelRequest:)`` going beside
/// the run; call ``flush()`` once more after the run ends. Writes are batched (one transaction
/// per interval), so a killed process loses at most the last interval's messages and those
/// nodes run again on resume.
public final class JobRecorder: MessageTap {
    public let store: any JobStore
    public let jobID: String
    private let pending = Mutex<[ProcessingMessage]>([])

    public init(store: any JobStore, jobID: String) {
        self.store = store
        self.jobID = jobID
    }

    public func receive(_ messages: some Collection<ProcessingMessage>) {
        pending.withLock { $0.append(contentsOf: messages) }
    }

    /// Writes the messages received since the last flush, and the results they carry.
    public func flush() async throws {
        let batch = pending.withLock { pending -> [ProcessingMessage] in
            defer { pending = [] }
            return pending
        }
        guard !batch.isEmpty else { return }
        do {
            try await store.record(jobID, messages: batch, results: [])
        } catch {
            // Nothing recorded is lost: the batch goes back in front, for the next flush.
            pending.withLock { $0.insert(contentsOf: batch, at: 0) }
            throw error
        }
    }

    /// Flushes every `interval`, and checks as often for a cancel request from another process,
    /// until the task is cancelled.
    ///
    /// The two run apart: a flush that takes long (a busy store, a large batch) does not delay
    /// noticing a cancel.
    public func run(every interval: Duration = .milliseconds(100), onCancelRequest: @escaping @Sendable () -> Void) async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                while !Task.isCancelled {
                    // A failed write (the store busy for long) is retried on the next round.
                    try? await self.flush()
                    try? await Task.sleep(for: interval)
                }
            }
            group.addTask {
                while !Task.isCancelled {
                    if (try? await self.store.isCancelRequested(self.jobID)) == true {
                        onCancelRequest()
                        return
                    }
                    try? await Task.sleep(for: interval)
                }
            }
        }
    }
}
