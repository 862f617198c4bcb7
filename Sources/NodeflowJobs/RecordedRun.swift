import Foundation
import Nodeflow
import OrderedCollections
import Synchronization

/// Runs one job from the store and records it: marks it running (or runs it under a worker's
/// claim), records its messages and node results as they come, honours cancel requests from
/// other processes, renews a claim's lease, and stores its outcome.
///
/// The CLI, workers and the server all run jobs through it; each reads the messages its own way.
public struct RecordedRun: Sendable {
    public var store: any JobStore
    /// What validates and runs the job.
    public var engine: Engine
    /// The host name recorded with running jobs, to find orphans later.
    public var host: String

    public init(store: any JobStore, engine: Engine, host: String = ProcessInfo.processInfo.hostName) {
        self.store = store
        self.engine = engine
        self.host = host
    }

    /// A run with an engine of its own made from `configuration` and `cache`.
    public init(store: any JobStore, configuration: WorkflowRunner.Configuration, cache: (any ResultCache)? = nil, host: String = ProcessInfo.processInfo.hostName) {
        self.init(store: store, engine: Engine(configuration: configuration, cache: cache), host: host)
    }

    /// How the job comes to be this process's to run.
    public enum Ownership: Sendable {
        /// A new job, still to be stored: storing it (its graph, deflated) overlaps with
        /// validating and starting the run; the run's messages wait in the recorder until the
        /// job's row exists.
        case create
        /// A job in the store, run here outside the queue (`nodeflow resume`).
        case markRunning
        /// A job a worker claimed: its lease is renewed by `policy` while it runs.
        case claimed(JobLease, policy: ClaimPolicy)
    }

    /// Runs `job`, skipping the nodes in `completedResults`.
    /// - Parameters:
    ///   - completedIterations: results of nodes in top-level Loops from an earlier run.
    ///   - handedBack: asked when the run ends cancelled; `true` hands the job back to the queue
    ///     (a worker shutting down) instead of recording it cancelled.
    ///   - started: called with the runner as soon as it exists (to cancel it from elsewhere).
    ///   - consume: reads the run's messages; the run's outcome is returned after it returns.
    /// - Returns: how the run ended; the job's record says the same.
    /// - Throws: ``JobStoreError/leaseLost(_:)`` when another worker took the job over (nothing
    ///   more was written), or the store's errors.
    public func run(
        _ job: JobRecord, ownership: Ownership = .markRunning, completedResults: [String: NodeOutputs] = [:],
        completedIterations: [String: [Int: NodeOutputs]] = [:], handedBack: @escaping @Sendable () -> Bool = { false },
        started: @Sendable (WorkflowRunner) -> Void = { _ in }, consume: @escaping @Sendable (MessageStream) async -> Void
    ) async throws -> RunOutcome {
        let store = store, host = host
        let heartbeat: ClaimPolicy?
        let registered: Task<JobLease, any Error>
        switch ownership {
        case .create:
            var row = job
            row.status = .running
            row.processID = getpid()
            row.host = host
            row.epoch = 1
            row.startedAt = Date()
            heartbeat = nil
            registered = Task { [row] in
                try await store.create(row)
                return JobLease(jobID: row.id, epoch: 1)
            }
        case .markRunning:
            heartbeat = nil
            registered = Task { try await store.markRunning(job.id, processID: getpid(), host: host) }
            _ = try await registered.value
        case .claimed(let lease, let policy):
            heartbeat = policy
            registered = Task { lease }
        }
        CrashMarker.started(job.id)
        defer { CrashMarker.ended(job.id) }
        let recorder = JobRecorder(store: store, jobID: job.id)
        let runner = engine.runner(jobID: job.id)
        let leaseLost = LeaseLostFlag()
        started(runner)
        let context = ProcessingContext(userID: job.userID, cache: engine.cache, tap: recorder)
        let request = {
            var request = RunJobRequest(graph: job.graph, params: job.params, jobID: job.id, workflowID: job.workflowID, userID: job.userID)
            request.completedResults = completedResults
            request.completedIterations = completedIterations
            return request
        }()
        enum Child: Sendable {
            case run(Result<OrderedDictionary<String, Value>, any Error>)
            case consumed
            case recorded
        }
        let result: Result<OrderedDictionary<String, Value>, any Error> = await withTaskGroup(of: Child.self) { group in
            group.addTask {
                do { return .run(.success(try await runner.run(request, context: context))) } catch { return .run(.failure(error)) }
            }
            group.addTask {
                await consume(context.messages)
                return .consumed
            }
            group.addTask {
                // The job's row exists before anything is recorded into it. A job that cannot be
                // stored is not run: nothing of it would be kept, and no cancel could reach it.
                if let lease = try? await registered.value {
                    try? await recorder.run(lease: lease, heartbeat: heartbeat, onCancelRequest: { runner.cancel() }) {
                        leaseLost.value.store(true, ordering: .relaxed)
                        runner.cancel()
                    }
                } else {
                    runner.cancel()
                }
                return .recorded
            }
            var result: Result<OrderedDictionary<String, Value>, any Error>?
            var consumed = false
            for await child in group {
                switch child {
                case .run(let r): result = r
                case .consumed: consumed = true
                case .recorded: break
                }
                if result != nil && consumed { group.cancelAll() }  // stops the recorder's loop
            }
            return result!
        }
        let outcome = RunOutcome(result)
        let lease = try await registered.value
        // Another worker owns the job now: whatever this run did is not to be written.
        if leaseLost.value.load(ordering: .relaxed) { throw JobStoreError.leaseLost(job.id) }
        try await recorder.flush(lease)
        if case .cancelled = outcome, handedBack() {
            try await store.release(lease)
        } else {
            try await store.finish(lease, status: outcome.status, outputs: outcome.outputs, error: outcome.errorDescription, errorNodeID: outcome.errorNodeID)
        }
        return outcome
    }
}

/// Set by the recorder when another worker took the job over.
private final class LeaseLostFlag: Sendable {
    let value = Atomic<Bool>(false)
}
