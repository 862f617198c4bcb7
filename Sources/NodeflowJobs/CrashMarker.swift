import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc

/// Remembers which jobs this process is running, so that when the process crashes (a trap, a
/// segfault, an abort) the next command that opens the data directory knows which jobs were
/// running at that moment — and does not start them again blindly, as a restarted server would
/// otherwise do with a job that takes it down every time.
///
/// A crash handler may only make async-signal-safe calls: it writes a prepared buffer of job ids
/// to a file opened in advance (`crashes` in the data directory, appended to), then lets the
/// signal take its default course. A kill -9 or a power loss leaves nothing, so such jobs stay
/// ordinary orphans that `resume --orphans` continues.
public enum CrashMarker {
    /// The signals a crashing Swift process receives: traps (SIGILL/SIGTRAP), bad memory
    /// (SIGSEGV/SIGBUS), arithmetic (SIGFPE), aborts.
    static let signals: [Int32] = [SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGFPE, SIGABRT]
    private static let running = Mutex<[String: Int]>([:])

    /// Installs the crash handlers, writing to `crashes` in `directory`. Safe to call more than once.
    public static func install(directory: URL) {
        let path = directory.appendingPathComponent("crashes").path
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        let previous = CrashRecord.fd.exchange(fd, ordering: .sequentiallyConsistent)
        if previous >= 0 { close(previous) }
        guard !CrashRecord.installed.exchange(true, ordering: .sequentiallyConsistent) else { return }
        CrashRecord.publish("")  // initializes the statics now, not first inside a handler
        for signal in signals { installHandler(signal) }
    }

    /// Marks a job as running in this process.
    public static func started(_ jobID: String) {
        update { $0[jobID, default: 0] += 1 }
    }

    /// Marks a job as no longer running in this process.
    public static func ended(_ jobID: String) {
        update { running in
            if let n = running[jobID], n > 1 { running[jobID] = n - 1 } else { running[jobID] = nil }
        }
    }

    /// The ids of jobs that were running when a process using `directory` crashed.
    public static func crashedJobs(directory: URL) -> Set<String> {
        let path = directory.appendingPathComponent("crashes").path
        guard let data = FileManager.default.contents(atPath: path), !data.isEmpty else { return [] }
        return Set(String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).map(String.init))
    }

    /// Removes `ids` from the record (once their jobs are marked), keeping any other, under a
    /// lock shared with other processes.
    public static func forget(_ ids: Set<String>, directory: URL) {
        guard !ids.isEmpty else { return }
        let path = directory.appendingPathComponent("crashes").path
        let fd = open(path, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { return }
        defer { close(fd) }
        flock(fd, LOCK_EX)
        defer { flock(fd, LOCK_UN) }
        guard let data = FileManager.default.contents(atPath: path) else { return }
        let kept = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).filter { !ids.contains(String($0)) }
        let text = kept.map { $0 + "\n" }.joined()
        _ = ftruncate(fd, 0)
        _ = text.withCString { pwrite(fd, $0, strlen($0), 0) }
    }

    private static func update(_ change: (inout [String: Int]) -> Void) {
        running.withLock { running in
            change(&running)
            CrashRecord.publish(running.keys.map { $0 + "\n" }.joined())
        }
    }

    private static func installHandler(_ signal: Int32) {
        guard signal < CrashRecord.signalCount else { return }
        var action = sigaction()
        action.__sigaction_handler.sa_sigaction = { signal, info, _ in
            CrashRecord.write()
            if let info, info.pointee.si_code == SI_USER {
                // Sent with kill(2), not a fault: end the process as the signal would by default
                // (Swift's backtracer would print a crash report and let the process go on).
                Glibc.signal(signal, SIG_DFL)
            } else {
                // A real fault: hand it to whoever had it before (Swift's backtracer, or the
                // default); the faulting instruction runs again when this handler returns.
                _ = sigaction(signal, CrashRecord.previous + Int(signal), nil)
            }
            raise(signal)
        }
        action.sa_flags = SA_SIGINFO
        sigaction(signal, &action, CrashRecord.previous + Int(signal))
    }
}

/// What the crash handler writes, prepared in advance: two buffers, the current one published
/// with an atomic index so the handler never reads one being rewritten.
private enum CrashRecord {
    static let fd = Atomic<Int32>(-1)
    static let installed = Atomic<Bool>(false)
    static let capacity = 1 << 16
    nonisolated(unsafe) static let buffers: [UnsafeMutablePointer<UInt8>] = [
        .allocate(capacity: capacity), .allocate(capacity: capacity),
    ]
    static let signalCount: Int32 = 65
    /// The handlers installed before ours, by signal number.
    nonisolated(unsafe) static let previous: UnsafeMutablePointer<sigaction> = {
        let actions = UnsafeMutablePointer<sigaction>.allocate(capacity: Int(signalCount))
        actions.initialize(repeating: sigaction(), count: Int(signalCount))
        return actions
    }()
    /// The current buffer's index (bit 0) and length (the rest).
    static let current = Atomic<Int>(0)

    /// Called under ``CrashMarker``'s lock.
    static func publish(_ text: String) {
        let index = 1 - (current.load(ordering: .acquiring) & 1)
        var length = 0
        for byte in text.utf8.prefix(capacity) {
            buffers[index][length] = byte
            length += 1
        }
        current.store(length << 1 | index, ordering: .releasing)
    }

    /// Async-signal-safe: one write of a prepared buffer.
    static func write() {
        let fd = fd.load(ordering: .relaxed)
        let state = current.load(ordering: .relaxed)
        guard fd >= 0, state >> 1 > 0 else { return }
        _ = Glibc.write(fd, buffers[state & 1], state >> 1)
    }
}
#else
/// Crash records need POSIX signal handling as Glibc offers it; elsewhere they are off.
public enum CrashMarker {
    public static func install(directory: URL) {}
    public static func started(_ jobID: String) {}
    public static func ended(_ jobID: String) {}
    public static func crashedJobs(directory: URL) -> Set<String> { [] }
    public static func forget(_ ids: Set<String>, directory: URL) {}
}
#endif
