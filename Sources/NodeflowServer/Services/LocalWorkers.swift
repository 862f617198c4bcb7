import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Keeps `count` worker processes (`nodeflow worker …`) running beside the server: starts them,
/// restarts one that dies (a job that traps takes its worker down, not the server; its lease
/// lapses and another worker resumes it), and stops them with SIGTERM on graceful shutdown,
/// with SIGKILL after `stopTimeout`.
public final class LocalWorkers: Service, Sendable {
    /// The program and arguments of one worker.
    public let executable: URL
    public let arguments: [String]
    public let count: Int
    /// After SIGTERM, how long a worker may take (its own shutdown grace, and some) before SIGKILL.
    public let stopTimeout: Duration
    private let logger: Logger
    private let state = Mutex<(stopping: Bool, processes: [Int: Process])>((false, [:]))

    public init(executable: URL, arguments: [String], count: Int, stopTimeout: Duration, logger: Logger = Logger(label: "nodeflow.workers")) {
        self.executable = executable
        self.arguments = arguments
        self.count = count
        self.stopTimeout = stopTimeout
        self.logger = logger
    }

    public func run() async throws {
        // Cancelled (the server failed to start, or another service ended) or shut down
        // gracefully: the same stop, in both cases.
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await withDiscardingTaskGroup { group in
                    for slot in 0..<count { group.addTask { await self.supervise(slot) } }
                }
            } onGracefulShutdown: {
                self.stop()
            }
        } onCancel: {
            stop()
        }
    }

    /// Stops restarting workers and asks each running one to shut down (SIGTERM).
    private func stop() {
        let processes = state.withLock { state -> [Process] in
            state.stopping = true
            return Array(state.processes.values)
        }
        for process in processes where process.isRunning { kill(process.processIdentifier, SIGTERM) }
    }

    /// Runs the worker of one slot until shutdown, restarting it when it exits; a worker that
    /// keeps dying young is restarted less and less often (up to every 30 s).
    private func supervise(_ slot: Int) async {
        let clock = ContinuousClock()
        var delay = Duration.milliseconds(250)
        while !state.withLock({ $0.stopping }) {
            let process = Process()
            process.executableURL = executable
            process.arguments = arguments
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = FileHandle.standardError
            let exited = AsyncStream.makeStream(of: Void.self)
            process.terminationHandler = { _ in exited.continuation.finish() }
            let started = clock.now
            do {
                try process.run()
            } catch {
                logger.error("cannot start a worker", metadata: ["error": "\(error)", "executable": "\(executable.path)"])
                try? await Task.sleep(for: .seconds(5))
                continue
            }
            let stopping = state.withLock { state -> Bool in
                state.processes[slot] = process
                return state.stopping
            }
            if stopping { kill(process.processIdentifier, SIGTERM) }
            logger.debug("worker started", metadata: ["worker.slot": "\(slot)", "worker.pid": "\(process.processIdentifier)"])
            await waitForExit(process, exited.stream)
            state.withLock { _ = $0.processes.removeValue(forKey: slot) }
            if state.withLock({ $0.stopping }) { return }
            let reason = process.terminationReason == .uncaughtSignal ? "signal \(process.terminationStatus)" : "status \(process.terminationStatus)"
            logger.warning("a worker exited; starting another", metadata: ["worker.slot": "\(slot)", "worker.pid": "\(process.processIdentifier)", "worker.exit": "\(reason)"])
            delay = clock.now - started < .seconds(10) ? min(delay * 2, .seconds(30)) : .milliseconds(250)
            try? await Task.sleep(for: delay)
        }
    }

    /// Waits for the process to exit; once shutdown began, at most `stopTimeout` before SIGKILL.
    private func waitForExit(_ process: Process, _ exited: AsyncStream<Void>) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { for await _ in exited {} }
            group.addTask {
                // Ends early only when shutdown begins; then grants the timeout.
                // Sleeps here are not cut short by the group's cancellation (the server's own
                // cancellation must still grant the timeout before SIGKILL): they wait on the clock.
                let clock = ContinuousClock()
                while !self.state.withLock({ $0.stopping }) {
                    await Self.pause(.milliseconds(100))
                    if !process.isRunning { return }
                }
                let deadline = clock.now + self.stopTimeout
                while process.isRunning && clock.now < deadline { await Self.pause(.milliseconds(50)) }
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            }
            await group.next()
            group.cancelAll()
            await group.waitForAll()
        }
        process.waitUntilExit()  // already exited: reaps it
    }

    /// Sleeps for `duration` even in a cancelled task.
    private static func pause(_ duration: Duration) async {
        await Task.detached { try? await Task.sleep(for: duration) }.value
    }
}
