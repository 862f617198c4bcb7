import Synchronization

/// The Python workers of a run or a server, started as nodes need them.
///
/// A node call takes an idle worker, or starts one while fewer than
/// ``PythonConfiguration/workers`` run; when all are busy it shares the least loaded (the worker
/// serves several requests on its event loop), so a node never waits for another to finish — a
/// stream from one Python node into another cannot deadlock. A worker that dies is dropped and
/// replaced by the next call. ``shutdown()`` stops them all; the pool starts none after it.
public final class PythonWorkerPool: Sendable {
    public let configuration: PythonConfiguration
    private let state = Mutex(State())

    private struct State {
        var workers: [PythonWorker] = []
        var busy: [Int: Int] = [:]  // worker id → calls in flight
        var starting: [Int: Task<PythonWorker, any Error>] = [:]
        var nextID = 0
        var isShutDown = false
    }

    public init(configuration: PythonConfiguration) {
        self.configuration = configuration
    }

    /// The number of live workers.
    public var workerCount: Int { state.withLock { $0.workers.count { !$0.hasFailed } } }

    /// Runs `body` with a worker.
    func withWorker<T: Sendable>(_ body: (PythonWorker) async throws -> T) async throws -> T {
        let worker = try await lease()
        defer { release(worker) }
        return try await body(worker)
    }

    private enum Choice {
        case use(PythonWorker)
        /// A worker on its way (ours or another call's): take a turn on it once it is ready.
        case wait(Task<PythonWorker, any Error>)
    }

    private func lease() async throws -> PythonWorker {
        while true {
            let choice = try state.withLock { state throws -> Choice in
                guard !state.isShutDown else { throw BridgeError("the Python workers are shut down") }
                state.workers.removeAll { $0.hasFailed }
                if let idle = state.workers.first(where: { state.busy[$0.id, default: 0] == 0 }) {
                    state.busy[idle.id] = 1
                    return .use(idle)
                }
                if state.workers.count + state.starting.count < configuration.workers {
                    state.nextID += 1
                    return .wait(startWorker(id: state.nextID, in: &state))
                }
                if let least = state.workers.min(by: { state.busy[$0.id, default: 0] < state.busy[$1.id, default: 0] }) {
                    state.busy[least.id, default: 0] += 1
                    return .use(least)
                }
                return .wait(state.starting.values.first!)  // at the limit, every worker still starting
            }
            switch choice {
            case .use(let worker):
                return worker
            case .wait(let starting):
                let worker = try await starting.value
                let taken = state.withLock { state -> Bool in
                    guard !worker.hasFailed, state.workers.contains(where: { $0 === worker }) else { return false }
                    state.busy[worker.id, default: 0] += 1
                    return true
                }
                if taken { return worker }  // else it died or the pool shut down: choose again
            }
        }
    }

    /// Starts a worker; it joins the pool when ready. Called with the state locked.
    private func startWorker(id: Int, in locked: inout State) -> Task<PythonWorker, any Error> {
        let task = Task<PythonWorker, any Error> {
            do {
                let worker = try await PythonWorker.start(id: id, configuration: configuration)
                let shutDown = self.state.withLock { state in
                    state.starting[id] = nil
                    guard !state.isShutDown else { return true }
                    state.workers.append(worker)
                    return false
                }
                if shutDown {
                    await worker.stop(grace: configuration.cancelGrace)
                    throw BridgeError("the Python workers are shut down")
                }
                return worker
            } catch {
                self.state.withLock { _ = $0.starting.removeValue(forKey: id) }
                throw error
            }
        }
        locked.starting[id] = task
        return task
    }

    private func release(_ worker: PythonWorker) {
        state.withLock { state in
            state.busy[worker.id, default: 1] -= 1
            if worker.hasFailed {
                state.workers.removeAll { $0 === worker }
                state.busy[worker.id] = nil
            }
        }
    }

    /// Kills `worker` (a cancelled node that would not stop) so that the next call gets a new one.
    func discard(_ worker: PythonWorker) {
        worker.kill()
        state.withLock { state in state.workers.removeAll { $0 === worker } }
    }

    /// Stops every worker (closing their input, killing those that do not exit within the
    /// cancel grace) and returns when all are gone.
    public func shutdown() async {
        let workers = state.withLock { state in
            state.isShutDown = true
            defer { state.workers = [] }
            return state.workers
        }
        await withTaskGroup(of: Void.self) { group in
            for worker in workers { group.addTask { await worker.stop(grace: self.configuration.cancelGrace) } }
        }
    }
}
