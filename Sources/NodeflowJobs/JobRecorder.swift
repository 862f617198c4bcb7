import Foundation
import Nodeflow
import Synchronization

/// Records a running job: every message it posts, in order, and each top-level node's result as
/// the node completes, so that a run killed half-way can resume without redoing finished work.
///
/// Install it as the run's ``MessageTap`` and keep ``run(lease:every:heartbeat:onCancelRequest:onLeaseLost:)``
/// going beside the run; call ``flush(_:)`` once more after the run ends. Writes are batched
/// (one transaction per interval), so a killed process loses at most the last interval's
/// messages and those nodes run again on resume.
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

    /// Writes the messages received since the last flush, and the results they carry, fenced
    /// by `lease`.
    public func flush(_ lease: JobLease) async throws {
        let batch = pending.withLock { pending -> [ProcessingMessage] in
            defer { pending = [] }
            return pending
        }
        guard !batch.isEmpty else { return }
        do {
            try await store.record(lease, messages: batch, results: [])
        } catch {
            // Nothing recorded is lost: the batch goes back in front, for the next flush.
            pending.withLock { $0.insert(contentsOf: batch, at: 0) }
            throw error
        }
    }

    /// Flushes every `interval`, and checks as often for a cancel request from another process,
    /// until the task is cancelled or the lease is lost.
    ///
    /// The two run apart: a flush that takes long (a busy store, a large batch) does not delay
    /// noticing a cancel.
    /// - Parameter heartbeat: for a job claimed from the queue, the policy its lease is renewed
    ///   by (three times per lease); `nil` for a job this process runs by itself.
    public func run(
        lease: JobLease, every interval: Duration = .milliseconds(100), heartbeat: ClaimPolicy? = nil,
        onCancelRequest: @escaping @Sendable () -> Void, onLeaseLost: @escaping @Sendable () -> Void = {}
    ) async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                while !Task.isCancelled {
                    do {
                        try await self.flush(lease)
                    } catch JobStoreError.leaseLost {
                        onLeaseLost()
                        return
                    } catch {
                        // A failed write (the store busy for long) is retried on the next round.
                    }
                    try? await Task.sleep(for: interval)
                }
            }
            group.addTask {
                let clock = ContinuousClock()
                var nextRenewal = clock.now
                var cancelled = false
                while !Task.isCancelled {
                    var cancelRequested = false
                    if let heartbeat, clock.now >= nextRenewal {
                        do {
                            cancelRequested = try await self.store.renew(lease, policy: heartbeat, now: Date())
                            nextRenewal = clock.now + heartbeat.lease / 3
                        } catch JobStoreError.leaseLost {
                            onLeaseLost()
                            return
                        } catch {
                            // Busy: tried again next round, well before the lease lapses.
                        }
                    } else if !cancelled {
                        cancelRequested = (try? await self.store.isCancelRequested(self.jobID)) == true
                    }
                    if cancelRequested && !cancelled {
                        onCancelRequest()
                        cancelled = true
                        // The lease is still renewed while the run winds down.
                        if heartbeat == nil { return }
                    }
                    try? await Task.sleep(for: interval)
                }
            }
        }
    }
}
