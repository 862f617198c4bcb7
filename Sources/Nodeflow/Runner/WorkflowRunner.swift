import DequeModule
import OrderedCollections
import Foundation
import Synchronization

/// Runs a workflow graph: validates it, runs each node as soon as its inputs are ready (independent
/// nodes concurrently), posts messages as it goes, and returns the outputs.
///
/// ```swift
/// let runner = WorkflowRunner(jobID: "job-1", configuration: .init(registry: .standard))
/// let context = ProcessingContext()
/// let request = RunJobRequest(graph: workflow.graph, params: ["x": 3])
/// async let outputs = runner.run(request, context: context)
/// for await message in context.messages { print(message.jsonString()) }
/// print(try await outputs)     // ["result": 4]
/// ```
///
/// A node that throws fails the run: the nodes still running are cancelled, nothing new starts,
/// every node's `finalize` runs, and ``run(_:context:)`` throws a ``NodeFailure``. ``cancel()``
/// stops a run at once; `run` then throws `CancellationError`. Cancelling the task that awaits
/// `run` does the same.
///
/// A runner runs one job, as nodetool's does: make a new runner (and context) for each run.
public final class WorkflowRunner: Sendable {
    /// The runner's state, as nodetool names it.
    public enum Status: String, Sendable, Hashable {
        case running, completed, cancelled, error
    }

    /// How a runner runs.
    public struct Configuration: Sendable {
        /// The node types it knows; `NodeRegistry.standard` (NodeflowNodes) has the built-in library.
        public var registry: NodeRegistry
        /// The most nodes a scope runs at once in child tasks; `nil` for no limit. Inline nodes
        /// (cheap arithmetic) run in the scheduling loop itself and do not count.
        public var maxConcurrency: Int?
        /// The most iterations of one Loop that run at once.
        public var loopConcurrency: Int
        /// GPU slots; `nil` uses ``ResourcePool/detectedGPUCount()``. Ignored when `gpuPool` is set.
        public var gpuSlots: Int?
        /// A GPU pool shared with other runners, so jobs take turns across runs.
        public var gpuPool: ResourcePool?
        /// Hooks around the run and each GPU node.
        public var deviceSession: (any DeviceSession)?
        /// Whether inline nodes (cheap arithmetic and the like) use the result cache too. A disk
        /// cache costs more per lookup than such nodes cost to run, so turn it off with one.
        public var cachesInlineNodes: Bool = true
        /// How many values one node's input may hold before the nodes sending to it wait
        /// (backpressure on streams).
        public var streamBufferSize: Int = 64

        public init(
            registry: NodeRegistry = NodeRegistry(), maxConcurrency: Int? = nil,
            loopConcurrency: Int = ProcessInfo.processInfo.activeProcessorCount, gpuSlots: Int? = nil,
            gpuPool: ResourcePool? = nil, deviceSession: (any DeviceSession)? = nil
        ) {
            self.registry = registry
            self.maxConcurrency = maxConcurrency
            self.loopConcurrency = loopConcurrency
            self.gpuSlots = gpuSlots
            self.gpuPool = gpuPool
            self.deviceSession = deviceSession
        }
    }

    private struct State {
        var status: Status = .running
        var cancelRequested = false
        var signal: RunSignal?
        var runningNodes: [String: Int] = [:]
    }

    /// The job this runner runs.
    public let jobID: String
    public let configuration: Configuration
    private let state = Mutex(State())

    /// Makes a runner for one job.
    public init(jobID: String, configuration: Configuration = Configuration()) {
        self.jobID = jobID
        self.configuration = configuration
    }

    /// `running` until the run ends, then `completed`, `cancelled` or `error`.
    public var status: Status { state.withLock { $0.status } }

    /// Whether ``cancel()`` was called or the run ended cancelled.
    public var isCancelled: Bool { state.withLock { $0.cancelRequested || $0.status == .cancelled } }

    /// The ids of the nodes processing right now in tasks of their own, sorted. (Inline nodes, such
    /// as arithmetic, take microseconds and are not listed.)
    public var runningNodeIDs: [String] { state.withLock { $0.runningNodes.keys.sorted() } }

    /// Stops the run at once: running nodes are cancelled, nothing new starts, every node's
    /// `finalize` runs, and one `job_update` `cancelled` is posted. Safe to call at any time, from
    /// any task, more than once.
    public func cancel() {
        let signal = state.withLock { state -> RunSignal? in
            guard state.status == .running else { return nil }
            state.cancelRequested = true
            return state.signal
        }
        signal?.fire(.cancel)
    }

    /// Runs the request's graph and returns its outputs, by output node name.
    ///
    /// - Throws: ``GraphValidationError`` when the graph cannot run (nothing runs then),
    ///   ``NodeFailure`` when a node fails, `CancellationError` when the run is cancelled.
    @discardableResult
    public func run(_ request: RunJobRequest, context: ProcessingContext) async throws -> OrderedDictionary<String, Value> {
        defer { context.finishMessages() }
        context.post(.jobUpdate(JobUpdate(jobID: jobID, status: .running)))

        let pool = configuration.gpuPool ?? ResourcePool(size: configuration.gpuSlots ?? ResourcePool.detectedGPUCount())
        let plan: ExecutionPlan
        do {
            plan = try GraphValidator(registry: configuration.registry, gpuSlots: pool.size).compile(request.graph, params: request.params)
        } catch {
            finish(.error)
            context.post(.jobUpdate(JobUpdate(jobID: jobID, status: .failed, error: error.description)))
            throw error
        }
        for warning in plan.warnings {
            // The message is how users see it; the log keeps it for debugging only, so it is not shown twice.
            context.logger.debug("\(warning)", metadata: ["job.id": "\(jobID)"])
            context.post(.logUpdate(LogUpdate(nodeID: "", nodeName: "", content: warning, severity: .warning)))
        }

        let signal = RunSignal(flag: context.cancellation)
        let cancelledEarly = state.withLock { state -> Bool in
            state.signal = signal
            return state.cancelRequested
        }
        if cancelledEarly { signal.fire(.cancel) }

        let execution = RunExecution(plan: plan, context: context, configuration: configuration, pool: pool, runner: self, completedResults: request.completedResults, completedIterations: request.completedIterations)
        let outcome = await execution.run(signal: signal)
        switch outcome {
        case .success(let outputs):
            finish(.completed)
            context.post(.jobUpdate(JobUpdate(jobID: jobID, status: .completed, result: outputs)))
            return outputs
        case .failure(let failure as NodeFailure):
            finish(.error)
            context.post(.jobUpdate(JobUpdate(jobID: jobID, status: .failed, error: failure.description, failedNodeID: failure.nodeID)))
            throw failure
        case .failure(let error):
            if error is CancellationError {
                finish(.cancelled)
                context.post(.jobUpdate(JobUpdate(jobID: jobID, status: .cancelled)))
            } else {
                finish(.error)
                context.post(.jobUpdate(JobUpdate(jobID: jobID, status: .failed, error: String(describing: error))))
            }
            throw error
        }
    }

    private func finish(_ status: Status) {
        state.withLock {
            $0.status = status
            $0.signal = nil
            $0.runningNodes.removeAll()
        }
    }

    func nodeStarted(_ id: String) {
        state.withLock { $0.runningNodes[id, default: 0] += 1 }
    }

    func nodeEnded(_ id: String) {
        state.withLock {
            if let n = $0.runningNodes[id], n > 1 { $0.runningNodes[id] = n - 1 } else { $0.runningNodes[id] = nil }
        }
    }
}

/// Wakes the task that watches a run, either to cancel it or because it finished.
final class RunSignal: Sendable {
    enum Reason: Sendable { case cancel, finished }

    private struct State {
        var reason: Reason?
        var waiter: CheckedContinuation<Reason, Never>?
    }

    private let state = Mutex(State())
    /// Set on a cancel at once, for code that checks it without waiting for the watcher task.
    let flag: CancellationFlag

    init(flag: CancellationFlag = CancellationFlag()) {
        self.flag = flag
    }

    /// Fires the signal; the first reason sticks.
    func fire(_ reason: Reason) {
        if reason == .cancel { flag.set() }
        let (waiter, stored) = state.withLock { state -> (CheckedContinuation<Reason, Never>?, Reason) in
            if state.reason == nil { state.reason = reason }
            defer { state.waiter = nil }
            return (state.waiter, state.reason ?? reason)
        }
        waiter?.resume(returning: stored)
    }

    /// Waits until the signal fires; cancelling the waiting task fires it with `.cancel`.
    func wait() async -> Reason {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Reason, Never>) in
                let fired = state.withLock { state -> Reason? in
                    if let reason = state.reason { return reason }
                    state.waiter = continuation
                    return nil
                }
                if let fired { continuation.resume(returning: fired) }
            }
        } onCancel: {
            fire(.cancel)
        }
    }
}
