import Foundation
import Logging
import Nodeflow
import NodeflowJobs
import NodeflowNodes
import ServiceLifecycle

/// Runs queued jobs in the server's own process: a ``JobWorker`` as a service, for applications
/// that embed the server (and for its tests). `nodeflow serve` runs jobs in worker processes
/// instead (``LocalWorkers``), so that a job that traps cannot take the server down.
///
/// On graceful shutdown it stops claiming; running jobs get `shutdownGrace` to finish, then are
/// handed back to the queue (the next worker resumes them).
public final class JobService: Service, Sendable {
    public struct Configuration: Sendable {
        public var maxConcurrentJobs: Int = 4
        /// How long running jobs may go on after a graceful shutdown began before they are
        /// handed back to the queue; `nil` waits for them.
        public var shutdownGrace: Duration? = nil
        public var claims = ClaimPolicy()
        /// What this process offers jobs (e.g. `gpu`); a job is claimed only where each label it
        /// requires is offered.
        public var labels: Set<String> = []
        public var runner = WorkflowRunner.Configuration(registry: .standard)

        public init() {}
    }

    public let store: any JobStore
    public let configuration: Configuration
    /// What the jobs run here add up to, for `/metrics`.
    public let metrics: ServerMetrics
    public let worker: JobWorker

    public init(store: any JobStore, cache: (any ResultCache)? = nil, configuration: Configuration = Configuration(), logger: Logger = Logger(label: "nodeflow.jobs")) {
        self.store = store
        self.configuration = configuration
        let metrics = ServerMetrics()
        self.metrics = metrics
        var workerConfiguration = JobWorker.Configuration(runner: configuration.runner)
        workerConfiguration.concurrency = configuration.maxConcurrentJobs
        workerConfiguration.claims = configuration.claims
        worker = JobWorker(
            store: store, identity: WorkerIdentity(labels: configuration.labels), configuration: workerConfiguration, cache: cache, logger: logger
        ) { message in
            if case .nodeUpdate(let update) = message { metrics.record(update) }
        }
    }

    /// What validates and runs the jobs here.
    public var engine: Engine { worker.engine }

    /// A job was queued in the store: claim it now rather than at the next poll.
    public func enqueue(_ jobID: String) { worker.wake() }

    /// How many jobs run in this process now.
    public var runningCount: Int { worker.runningJobs.count }

    /// Cancels a job running in this process at once.
    public func cancel(_ jobID: String) -> Bool { worker.cancel(jobID) }

    public func run() async throws {
        let grace = configuration.shutdownGrace ?? .seconds(365 * 86_400)
        await withGracefulShutdownHandler {
            await worker.run()
        } onGracefulShutdown: {
            self.worker.stop(grace: grace)
        }
    }
}
