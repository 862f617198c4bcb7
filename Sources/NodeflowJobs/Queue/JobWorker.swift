import Foundation
import Logging
import Nodeflow
import Synchronization

/// Claims jobs from a store's queue and runs them, up to `concurrency` at a time, each under a
/// lease it renews while the job runs (see ``JobLease``).
///
/// `nodeflow worker` is one of these in a process of its own; an embedding application (and
/// the server's tests) can run one in-process. A job whose worker died is taken over by another
/// once its lease lapses, and resumed from its recorded node results.
///
/// ``run()`` is the worker's lifetime. ``stop(grace:)`` ends it gracefully: no new claims, the
/// running jobs get `grace` to finish, then are cancelled and handed back to the queue for
/// another worker to resume. Cancelling the task that runs ``run()`` hands them back at once.
public final class JobWorker: Sendable {
    public struct Configuration: Sendable {
        /// The most jobs this worker runs at once.
        public var concurrency = 1
        public var claims = ClaimPolicy()
        /// How often an idle worker looks for work (``wake()`` looks at once); `nil` for the
        /// store's ``JobStore/idlePollInterval``.
        public var pollInterval: Duration? = nil
        public var runner: WorkflowRunner.Configuration

        public init(runner: WorkflowRunner.Configuration) {
            self.runner = runner
        }
    }

    private struct State {
        var running: [String: WorkflowRunner?] = [:]
        var stopping = false
        var handingBack = false
        var grace: Duration = .zero
    }

    public let store: any JobStore
    public let identity: WorkerIdentity
    public let configuration: Configuration
    /// What validates and runs the jobs: one GPU pool for all of them.
    public let engine: Engine
    private let logger: Logger
    private let onMessage: @Sendable (ProcessingMessage) -> Void
    private let state = Mutex(State())
    private let doorbell = Doorbell()

    /// - Parameter onMessage: sees every message of every job run here (for metrics).
    public init(
        store: any JobStore, identity: WorkerIdentity = WorkerIdentity(), configuration: Configuration,
        cache: (any ResultCache)? = nil,
        logger: Logger = Logger(label: "nodeflow.worker"),
        onMessage: @escaping @Sendable (ProcessingMessage) -> Void = { _ in }
    ) {
        self.store = store
        self.identity = identity
        self.configuration = configuration
        self.engine = Engine(configuration: configuration.runner, cache: cache)
        self.logger = logger
        self.onMessage = onMessage
    }

    /// The ids of the jobs running here now.
    public var runningJobs: [String] { state.withLock { Array($0.running.keys) } }

    /// Looks for work at once (a job was just queued).
    public func wake() { doorbell.ring() }

    /// Stops claiming; running jobs get `grace` to finish before they are handed back.
    public func stop(grace: Duration) {
        state.withLock { state in
            state.grace = state.stopping ? min(state.grace, grace) : grace
            state.stopping = true
        }
        doorbell.ring()
    }

    /// Cancels a job running here at once (the store's cancel request reaches it too, by poll).
    /// - Returns: whether the job runs here.
    public func cancel(_ jobID: String) -> Bool {
        let runner = state.withLock { $0.running[jobID] }
        guard let runner else { return false }
        runner?.cancel()
        return true
    }

    /// Claims and runs jobs until ``stop(grace:)`` or cancellation, then until every job it
    /// started has finished or been handed back.
    public func run() async {
        await withTaskCancellationHandler {
            await withTaskGroup(of: Void.self) { listener in
                // Woken by the store when jobs are queued (PostgreSQL's NOTIFY); polls besides.
                listener.addTask { [store, doorbell] in
                    try? await store.listenForQueuedJobs { doorbell.ring() }
                }
                await claimAndRun()
                listener.cancelAll()
            }
        } onCancel: {
            stop(grace: .zero)
        }
    }

    private func claimAndRun() async {
        await withDiscardingTaskGroup { group in
            while !state.withLock({ $0.stopping }) {
                if state.withLock({ $0.running.count }) < max(1, configuration.concurrency),
                    let claim = await claimOne()
                {
                    group.addTask {
                        await self.execute(claim)
                        self.state.withLock { _ = $0.running.removeValue(forKey: claim.job.id) }
                        self.doorbell.ring()
                    }
                    continue
                }
                await doorbell.wait(upTo: configuration.pollInterval ?? store.idlePollInterval)
            }
            await drain()
        }
    }

    private func claimOne() async -> JobClaim? {
        do {
            guard
                let claim = try await store.claim(for: identity, policy: configuration.claims, now: Date())
            else { return nil }
            state.withLock { $0.running[claim.job.id] = .some(nil) }
            logger.info(
                "claimed job",
                metadata: [
                    "job.id": "\(claim.job.id)", "job.epoch": "\(claim.lease.epoch)",
                    "job.resumed": "\(claim.isResumption)",
                ])
            return claim
        } catch {
            logger.warning("could not claim a job", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// Waits for the running jobs, handing back those still running when the grace ends.
    private func drain() async {
        let clock = ContinuousClock()
        let deadline = clock.now + state.withLock { $0.grace }
        while true {
            let (count, handingBack) = state.withLock { ($0.running.count, $0.handingBack) }
            if count == 0 { return }
            if !handingBack && clock.now >= deadline { handBack() }
            let left = deadline - clock.now
            await doorbell.wait(
                upTo: handingBack
                    ? .milliseconds(100) : max(.milliseconds(1), min(left, .milliseconds(100))))
            // A shorter grace may come meanwhile (a second SIGTERM).
            if !handingBack, state.withLock({ $0.grace }) == .zero { handBack() }
        }
    }

    private func handBack() {
        let runners = state.withLock { state -> [WorkflowRunner] in
            state.handingBack = true
            return state.running.values.compactMap { $0 }
        }
        if !runners.isEmpty {
            logger.notice(
                "handing running jobs back to the queue", metadata: ["jobs": "\(runners.count)"])
        }
        runners.forEach { $0.cancel() }
    }

    private func execute(_ claim: JobClaim) async {
        let id = claim.job.id
        do {
            var done: [String: NodeOutputs] = [:]
            var iterations: [String: [Int: NodeOutputs]] = [:]
            if claim.isResumption {
                let recorded = try await store.recordedResults(id)
                done = recorded.nodes.mapValues(\.outputs)
                iterations = recorded.iterations
            }
            let onMessage = onMessage
            _ = try await RecordedRun(
                store: store, engine: engine, host: identity.host
            ).run(
                claim.job, ownership: .claimed(claim.lease, policy: configuration.claims),
                completedResults: done, completedIterations: iterations,
                handedBack: { self.state.withLock { $0.handingBack } },
                started: { runner in
                    let handingBack = self.state.withLock { state -> Bool in
                        state.running[id] = runner
                        return state.handingBack
                    }
                    if handingBack { runner.cancel() }
                }
            ) { messages in
                for await message in messages { onMessage(message) }
            }
        } catch JobStoreError.leaseLost {
            logger.warning(
                "lost the lease of a job: another worker runs it now",
                metadata: ["job.id": "\(id)", "job.epoch": "\(claim.lease.epoch)"])
        } catch {
            logger.error("job failed to run", metadata: ["job.id": "\(id)", "error": "\(error)"])
            // The job's record must not stay running forever: fail it, if it is still ours.
            try? await store.finish(
                claim.lease, status: .failed, outputs: nil,
                error: "the worker could not run the job: \(error)", errorNodeID: nil)
        }
    }
}
