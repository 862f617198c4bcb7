import Foundation
import Logging
import Nodeflow
import NodeflowJobs
import NodeflowNodes
import ServiceLifecycle
import Synchronization

/// Runs submitted jobs, at most `maxConcurrentJobs` at a time; the rest wait `queued`, in order.
///
/// A service (swift-service-lifecycle): its `run()` is the lifetime of every job it starts. On
/// graceful shutdown it stops taking jobs (those not started stay `queued` in the store and are
/// picked up at the next start) and lets running jobs finish, or cancels them when configured so.
public final class JobService: Service, Sendable {
    public struct Configuration: Sendable {
        public var maxConcurrentJobs: Int = 4
        /// Whether running jobs are cancelled on shutdown rather than finished.
        public var cancelRunningJobsOnShutdown = false
        public var runner = WorkflowRunner.Configuration(registry: .standard)

        public init() {}
    }

    private struct State {
        var runners: [String: WorkflowRunner] = [:]
        var queued: Set<String> = []
        var stopping = false
    }

    public let store: any JobStore
    public let configuration: Configuration
    /// What the jobs run here add up to, for `/metrics`.
    public let metrics = ServerMetrics()
    private let cache: (any ResultCache)?
    private let logger: Logger
    private let state = Mutex(State())
    private let submissions: AsyncStream<String>
    private let submit: AsyncStream<String>.Continuation

    public init(store: any JobStore, cache: (any ResultCache)? = nil, configuration: Configuration = Configuration(), logger: Logger = Logger(label: "nodeflow.jobs")) {
        self.store = store
        self.cache = cache
        self.configuration = configuration
        self.logger = logger
        (submissions, submit) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .unbounded)
    }

    /// Queues a job already created in the store (status `queued`).
    public func enqueue(_ jobID: String) {
        let accepted = state.withLock { state -> Bool in
            guard !state.stopping else { return false }
            state.queued.insert(jobID)
            return true
        }
        if accepted { submit.yield(jobID) }
    }

    /// How many jobs wait for a slot.
    public var queueDepth: Int { state.withLock { $0.queued.count } }

    /// How many jobs run now.
    public var runningCount: Int { state.withLock { $0.runners.count } }

    /// Cancels a job: a running one at once, a queued one before it starts.
    /// - Returns: whether the job was queued or running here.
    public func cancel(_ jobID: String) async throws -> Bool {
        let (runner, wasQueued) = state.withLock { state -> (WorkflowRunner?, Bool) in
            (state.runners[jobID], state.queued.remove(jobID) != nil)
        }
        if let runner {
            runner.cancel()
            return true
        }
        if wasQueued {
            try await store.finish(jobID, status: .cancelled, outputs: nil, error: nil, errorNodeID: nil)
            return true
        }
        return false
    }

    public func run() async throws {
        // Jobs left queued by an earlier run of the server come first, oldest first.
        for job in try await store.jobs(JobQuery(status: .queued, limit: 100_000)).reversed() { enqueue(job.id) }
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                var running = 0
                // Each finished job yields its slot back.
                let slots = AsyncStream.makeStream(of: Void.self)
                var freed = slots.stream.makeAsyncIterator()
                for await jobID in submissions {
                    if state.withLock({ $0.stopping }) { break }
                    while running >= max(1, configuration.maxConcurrentJobs) {
                        _ = await freed.next()
                        running -= 1
                    }
                    if state.withLock({ $0.stopping }) { break }  // shutting down while it waited for a slot
                    guard state.withLock({ $0.queued.remove(jobID) != nil }) else { continue }  // cancelled while queued
                    running += 1
                    group.addTask {
                        await self.runJob(jobID)
                        slots.continuation.yield()
                    }
                }
            }
        } onGracefulShutdown: {
            let runners = self.state.withLock { state -> [WorkflowRunner] in
                state.stopping = true
                return Array(state.runners.values)
            }
            self.submit.finish()
            if self.configuration.cancelRunningJobsOnShutdown { runners.forEach { $0.cancel() } }
        }
    }

    private func runJob(_ jobID: String) async {
        do {
            guard let job = try await store.job(jobID), job.status == .queued else { return }
            let run = RecordedRun(store: store, configuration: configuration.runner, cache: cache)
            _ = try await run.run(job, started: { runner in
                self.state.withLock { $0.runners[jobID] = runner }
            }) { messages in
                // The run records its messages; clients read them from the store. Count nodes here.
                for await message in messages {
                    if case .nodeUpdate(let update) = message { self.metrics.record(update) }
                }
            }
        } catch {
            logger.error("job failed to run", metadata: ["job.id": "\(jobID)", "error": "\(error)"])
        }
        state.withLock { $0.runners[jobID] = nil }
    }
}
