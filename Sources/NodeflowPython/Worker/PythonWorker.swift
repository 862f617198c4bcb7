import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One `python -m nodetool.worker --stdio` process and the requests in flight on it.
///
/// Frames travel over a socket pair that is the child's stdin and stdout (a socket, so that a
/// write to a worker that died fails with an error instead of SIGPIPE). A thread reads frames and
/// hands each to the stream of its request; another keeps the last lines of stderr, for errors,
/// and notices `NODETOOL_STDIO_READY`. When the process ends, every request in flight fails with
/// its exit status and those lines.
final class PythonWorker: Sendable {
    let id: Int
    private let socket: Int32
    // Process is not Sendable; it is only touched to launch, to read the pid and to terminate.
    nonisolated(unsafe) private let process: Process
    private let state = Mutex(State())
    /// Frames are written here, in order, off Swift's cooperative pool: a large blob blocks until
    /// the worker has read it, and must not hold one of the few threads every task shares.
    private let writer: DispatchQueue
    /// The number of frames waiting on `writer`; frames written at once must not overtake them.
    private let writeState = Mutex(0)
    private let exited = ExitSignal()

    private struct State {
        var pending: [String: AsyncThrowingStream<WorkerFrame, any Error>.Continuation] = [:]
        var nextRequest = 0
        var stderrTail: [String] = []
        var failure: BridgeError?
        var ready: CheckedContinuation<Void, any Error>?
        var isReady = false
    }

    /// Lines of stderr kept for error messages.
    static let stderrLines = 40

    private init(id: Int, socket: Int32, process: Process) {
        self.id = id
        self.socket = socket
        self.process = process
        writer = DispatchQueue(label: "nodeflow-python-writer-\(id)")
    }

    /// Starts a worker and waits until it says it is ready.
    /// - Throws: ``BridgeError`` when Python cannot start, exits first, or is not ready in time.
    static func start(id: Int, configuration: PythonConfiguration) async throws -> PythonWorker {
        var fds: [Int32] = [-1, -1]
        #if canImport(Glibc)
        let kind = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        #else
        let kind = SOCK_STREAM
        #endif
        guard socketpair(AF_UNIX, kind, 0, &fds) == 0 else { throw BridgeError("cannot make a socket pair for a Python worker: \(String(cString: strerror(errno)))") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: configuration.interpreter)
        process.arguments = ["-m", "nodetool.worker", "--stdio"] + (configuration.namespaces.map { ["--namespaces", $0.joined(separator: ",")] } ?? [])
        process.environment = configuration.environment
        let child = FileHandle(fileDescriptor: fds[1], closeOnDealloc: false)
        process.standardInput = child
        process.standardOutput = child
        let errors = Pipe()
        process.standardError = errors
        let worker = PythonWorker(id: id, socket: fds[0], process: process)
        process.terminationHandler = { [weak worker] ended in
            worker?.processEnded(status: ended.terminationStatus, reason: ended.terminationReason)
        }
        do {
            // Spawning waits until the child has closed the descriptors it must not inherit (all
            // of them up to the open-file limit, which servers raise): on a thread of its own, not
            // one of the few every task shares.
            nonisolated(unsafe) let launching = process
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                Thread.detachNewThread { continuation.resume(with: Result { try launching.run() }) }
            }
        } catch {
            close(fds[0]); close(fds[1])
            throw BridgeError("cannot start Python (\(configuration.interpreter)): \(error.localizedDescription)")
        }
        close(fds[1])
        worker.readStderr(errors.fileHandleForReading)
        worker.readFrames()
        do {
            try await worker.waitUntilReady(timeout: configuration.startTimeout)
        } catch {
            worker.kill()
            throw error
        }
        return worker
    }

    // MARK: Requests

    /// Sends a request; the stream yields its frames up to and including the final one
    /// (`result`, `error`, or `discover`), and fails if the worker ends first.
    /// - Parameter small: whether the request is small (no blobs), so it may be written from the
    ///   calling thread.
    func request(_ type: String, data: MessagePack, small: Bool = true) -> (id: String, frames: AsyncThrowingStream<WorkerFrame, any Error>) {
        let (frames, continuation) = AsyncThrowingStream<WorkerFrame, any Error>.makeStream()
        let id = state.withLock { state -> String? in
            if let failure = state.failure {
                continuation.finish(throwing: failure)
                return nil
            }
            state.nextRequest += 1
            let id = "w\(self.id)-\(state.nextRequest)"
            state.pending[id] = continuation
            return id
        }
        guard let id else { return ("", frames) }
        send(WorkerFrame(type: type, requestID: id, data: data), small: small) { [self] error in
            state.withLock { _ = $0.pending.removeValue(forKey: id) }
            continuation.finish(throwing: error)
        }
        return (id, frames)
    }

    /// Asks the worker to stop request `id` (cooperative: the node must look at its cancel flag).
    func cancel(_ id: String) {
        send(WorkerFrame(type: "cancel", requestID: id, data: [:]), small: true) { _ in }
    }

    /// Whether request `id` is still in flight.
    func isPending(_ id: String) -> Bool {
        state.withLock { $0.pending[id] != nil }
    }

    /// The number of requests in flight.
    var load: Int { state.withLock { $0.pending.count } }

    /// Whether the process has ended (or failed).
    var hasFailed: Bool { state.withLock { $0.failure != nil } }

    /// Sends a frame, in order with the others. A small one goes out at once when nothing waits
    /// to be written and the socket takes it whole (a node call's round trip is a millisecond: a
    /// thread hop would be a tenth of it); anything else is written on `writer`, which may block
    /// until the worker reads.
    private func send(_ frame: WorkerFrame, small: Bool, onError: @escaping @Sendable (any Error) -> Void) {
        if small {
            let bytes: [UInt8]
            do { bytes = try frame.encoded() } catch { onError(error); return }
            let rest = writeState.withLock { queued -> ArraySlice<UInt8>? in
                guard queued == 0 else {
                    queued += 1
                    return bytes[...]
                }
                let written = bytes.withUnsafeBytes { buffer in
                    #if canImport(Glibc)
                    Glibc.send(socket, buffer.baseAddress!, buffer.count, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
                    #else
                    Darwin.send(socket, buffer.baseAddress!, buffer.count, MSG_DONTWAIT)
                    #endif
                }
                if written == bytes.count { return nil }
                queued += 1
                return bytes[max(0, written)...]
            }
            guard let rest else { return }
            writer.async { [self] in
                do { try write(rest) } catch { onError(error) }
                writeState.withLock { $0 -= 1 }
            }
        } else {
            writeState.withLock { $0 += 1 }
            writer.async { [self] in
                do { try write(try frame.encoded()[...]) } catch { onError(error) }
                writeState.withLock { $0 -= 1 }
            }
        }
    }

    /// Writes bytes, blocking until the socket takes them all; called on `writer` only.
    private func write(_ bytes: ArraySlice<UInt8>) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                #if canImport(Glibc)
                Glibc.send(socket, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
                #else
                Darwin.send(socket, buffer.baseAddress! + offset, buffer.count - offset, 0)
                #endif
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw failure ?? BridgeError("cannot write to the Python worker: \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }

    private var failure: BridgeError? { state.withLock { $0.failure } }

    // MARK: Reading

    private func readFrames() {
        let thread = Thread { [self] in
            var buffer: [UInt8] = []
            var start = 0
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            reading: while true {
                let count = chunk.withUnsafeMutableBytes { read(socket, $0.baseAddress!, $0.count) }
                if count < 0, errno == EINTR { continue }
                if count <= 0 { break }
                buffer.append(contentsOf: chunk[0..<count])
                while buffer.count - start >= 4 {
                    let length = Int(buffer[start]) << 24 | Int(buffer[start + 1]) << 16 | Int(buffer[start + 2]) << 8 | Int(buffer[start + 3])
                    guard length <= WorkerFrame.maxSize else {
                        fail(BridgeError("the Python worker sent a frame of \(length) bytes (more than \(WorkerFrame.maxSize)); the connection is out of step"))
                        kill()
                        break reading
                    }
                    guard buffer.count - start >= 4 + length else { break }
                    let payload = Array(buffer[(start + 4)..<(start + 4 + length)])
                    start += 4 + length
                    deliver(payload)
                }
                if start > 0 && start >= buffer.count / 2 {  // compact, so a long stream of frames stays linear
                    buffer.removeSubrange(0..<start)
                    start = 0
                }
            }
            // The worker closed its side: it is ending. Wait briefly for its status, for the message.
            let status = exited.wait(timeout: 2)
            fail(BridgeError(exitMessage(status)))
        }
        thread.name = "nodeflow-python-worker-\(id)"
        thread.start()
    }

    private func deliver(_ payload: [UInt8]) {
        let frame: WorkerFrame
        do { frame = try WorkerFrame.decode(payload) } catch {
            appendStderr("nodeflow: \(error)")
            return
        }
        guard let id = frame.requestID else {
            appendStderr("nodeflow: the worker sent a \(frame.type) frame for no request: \(frame.data["error"].map { "\($0)" } ?? "")")
            return
        }
        let continuation = state.withLock { state in
            frame.isFinal ? state.pending.removeValue(forKey: id) : state.pending[id]
        }
        guard let continuation else { return }  // a request given up on (cancelled) still answering
        continuation.yield(frame)
        if frame.isFinal { continuation.finish() }
    }

    private func readStderr(_ handle: FileHandle) {
        let thread = Thread { [self] in
            var partial: [UInt8] = []
            while true {
                let data = handle.availableData
                if data.isEmpty { break }
                partial.append(contentsOf: data)
                while let newline = partial.firstIndex(of: 10) {
                    let line = String(decoding: partial[..<newline], as: UTF8.self)
                    partial.removeSubrange(...newline)
                    if line.contains("NODETOOL_STDIO_READY") { markReady() } else { appendStderr(line) }
                }
            }
        }
        thread.name = "nodeflow-python-stderr-\(id)"
        thread.start()
    }

    private func appendStderr(_ line: String) {
        state.withLock { state in
            state.stderrTail.append(String(line.prefix(2000)))
            if state.stderrTail.count > Self.stderrLines { state.stderrTail.removeFirst() }
        }
    }

    /// The last lines the worker wrote on stderr.
    var stderrTail: [String] { state.withLock { $0.stderrTail } }

    // MARK: Life

    private func waitUntilReady(timeout: Duration) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                    let resume: Result<Void, any Error>? = self.state.withLock { state in
                        if state.isReady { return .success(()) }
                        if let failure = state.failure { return .failure(failure) }
                        state.ready = continuation
                        return nil
                    }
                    if let resume { continuation.resume(with: resume) }
                }
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw BridgeError("the Python worker was not ready after \(timeout) (the last of its output: \(self.stderrTail.suffix(5).joined(separator: " | ")))")
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }

    private func markReady() {
        let continuation = state.withLock { state in
            state.isReady = true
            defer { state.ready = nil }
            return state.ready
        }
        continuation?.resume()
    }

    private func processEnded(status: Int32, reason: Process.TerminationReason) {
        exited.signal(reason == .uncaughtSignal ? -status : status)
        fail(BridgeError(exitMessage(reason == .uncaughtSignal ? -status : status)))
    }

    private func exitMessage(_ status: Int32?) -> String {
        let how = switch status {
        case nil: "closed its connection"
        case let s? where s < 0: "was killed by signal \(-s)"
        case let s?: "exited with status \(s)"
        }
        let tail = stderrTail.suffix(8).joined(separator: "\n")
        return "the Python worker \(how)" + (tail.isEmpty ? "" : "; its last output:\n\(tail)")
    }

    /// Fails every request in flight, once.
    private func fail(_ error: BridgeError) {
        let (pending, ready) = state.withLock { state -> ([AsyncThrowingStream<WorkerFrame, any Error>.Continuation], CheckedContinuation<Void, any Error>?) in
            if state.failure == nil { state.failure = error }
            let pending = Array(state.pending.values)
            state.pending = [:]
            defer { state.ready = nil }
            return (pending, state.ready)
        }
        for continuation in pending { continuation.finish(throwing: state.withLock { $0.failure } ?? error) }
        ready?.resume(throwing: error)
    }

    /// Ends the process at once (SIGKILL).
    func kill() {
        if process.isRunning { _ = Foundation.kill(process.processIdentifier, SIGKILL) }
    }

    /// Asks the worker to end (its stdin closes), kills it after `grace`, and returns once it is gone.
    func stop(grace: Duration) async {
        shutdown(socket, Int32(SHUT_WR))
        let deadline = ContinuousClock.now + grace
        while process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        kill()
        while process.isRunning { try? await Task.sleep(for: .milliseconds(5)) }
    }

    deinit {
        close(socket)
    }
}

/// The worker's exit status, set once by the termination handler; the frame reader waits for it.
final class ExitSignal: Sendable {
    private let status = Mutex<Int32?>(nil)
    private let semaphore = DispatchSemaphore(value: 0)

    func signal(_ value: Int32) {
        status.withLock { $0 = value }
        semaphore.signal()
    }

    /// The status, waiting up to `timeout` seconds for it.
    func wait(timeout: Double) -> Int32? {
        if let value = status.withLock({ $0 }) { return value }
        _ = semaphore.wait(timeout: .now() + timeout)
        return status.withLock { $0 }
    }
}
