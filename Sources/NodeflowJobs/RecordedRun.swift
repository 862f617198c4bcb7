import Foundation
import Nodeflow
import OrderedCollections

/// Runs one job from the store and records it: marks it running, records its messages and node
/// results as they come, honours cancel requests from other processes, and stores its outcome.
///
/// The CLI and the server both run jobs through it; each reads the messages its own way.
public struct RecordedRun: Sendable {
    public var store: any JobStore
    public var configuration: WorkflowRunner.Configuration
    public var cache: (any ResultCache)?
    /// The host name recorded with running jobs, to find orphans later.
    public var host: String

    public init(store: any JobStore, configuration: WorkflowRunner.Configuration, cache: (any ResultCache)? = nil, host: String = ProcessInfo.processInfo.hostName) {
        self.store = store
        self.configuration = configuration
        self.cache = cache
        self.host = host
    }

    /// Runs `job`, skipping the nodes in `completedResults`.
    /// - Parameters:
    ///   - started: called with the runner as soon as it exists (to cancel it from elsewhere).
    ///   - consume: reads the run's messages; the run's outcome is returned after it returns.
    /// - Returns: the outputs, or the error the run ended with (`NodeFailure`,
    ///   `GraphValidationError`, `CancellationError`); the job's record says the same.
    ///   - completedIterations: results of nodes in top-level Loops from an earlier run.
    ///   - create: whether the job is new and still to be stored. Storing it (its graph, deflated)
    ///     then overlaps with validating and starting the run; the run's messages wait in the
    ///     recorder until the job's row exists.
    public func run(
        _ job: JobRecord, create: Bool = false, completedResults: [String: NodeOutputs] = [:],
        completedIterations: [String: [Int: NodeOutputs]] = [:],
        started: @Sendable (WorkflowRunner) -> Void = { _ in }, consume: @escaping @Sendable (MessageStream) async -> Void
    ) async throws -> Result<OrderedDictionary<String, Value>, any Error> {
        let store = store, host = host
        let registered = Task {
            if create { try await store.create(job) }
            try await store.markRunning(job.id, processID: getpid(), host: host)
        }
        if !create { try await registered.value }
        CrashMarker.started(job.id)
        defer { CrashMarker.ended(job.id) }
        let recorder = JobRecorder(store: store, jobID: job.id)
        let runner = WorkflowRunner(jobID: job.id, configuration: configuration)
        started(runner)
        let context = ProcessingContext(userID: job.userID, cache: cache, tap: recorder)
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
        let outcome: Result<OrderedDictionary<String, Value>, any Error> = await withTaskGroup(of: Child.self) { group in
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
                if (try? await registered.value) != nil {
                    try? await recorder.run { runner.cancel() }
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
        try await registered.value
        try await recorder.flush()
        switch outcome {
        case .success(let outputs):
            try await store.finish(job.id, status: .completed, outputs: outputs, error: nil, errorNodeID: nil)
        case .failure(let error as NodeFailure):
            try await store.finish(job.id, status: .failed, outputs: nil, error: error.description, errorNodeID: error.nodeID)
        case .failure(is CancellationError):
            try await store.finish(job.id, status: .cancelled, outputs: nil, error: nil, errorNodeID: nil)
        case .failure(let error):
            try await store.finish(job.id, status: .failed, outputs: nil, error: String(describing: error), errorNodeID: nil)
        }
        return outcome
    }
}
