import Collections
import Hummingbird
import HummingbirdCore
import NIOCore
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The server's open connections: how many, and which still wait for their first request.
///
/// At the cap, a new connection evicts the oldest one that has not sent a request yet (a slow or
/// idle client), so that real requests — `/health` among them — are still answered while idle
/// sockets pile up; past the hard cap no connection is accepted until one closes, which keeps
/// the process below its descriptor limit (running out of descriptors stops NIO accepting for
/// good).
final class ConnectionRegistry: Sendable {
    private struct State {
        var open = 0
        var awaiting: OrderedDictionary<ObjectIdentifier, any Channel> = [:]
    }

    private let state = Mutex(State())
    /// Above this many open connections, each new one evicts the oldest idle one.
    let evictAbove: Int
    /// The most connections open at once.
    let maxConnections: Int

    init(maxConnections: Int) {
        self.maxConnections = max(2, maxConnections)
        evictAbove = max(1, self.maxConnections - max(1, self.maxConnections / 16))
    }

    var openCount: Int { state.withLock { $0.open } }

    func opened() {
        let victim = state.withLock { state -> (any Channel)? in
            state.open += 1
            guard state.open > evictAbove, let oldest = state.awaiting.elements.first else { return nil }
            state.awaiting.removeFirst()
            return oldest.value
        }
        victim?.close(promise: nil)
    }

    func closed() {
        state.withLock { $0.open -= 1 }
    }

    func awaitingRequest(_ channel: any Channel) {
        state.withLock { _ = $0.awaiting.updateValue(channel, forKey: ObjectIdentifier(channel)) }
    }

    func requestArrived(_ channel: any Channel) {
        state.withLock { _ = $0.awaiting.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    /// The connection cap for a process allowed `descriptors` open files, leaving room for the
    /// store, the cache, subprocesses and the listening socket.
    static func defaultMaxConnections(descriptors: Int) -> Int {
        max(64, min(10_000, descriptors - 256))
    }

    #if canImport(Glibc)
    private static let openFiles = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    private static let openFiles = RLIMIT_NOFILE
    #endif

    /// The soft open-file limit.
    static func descriptorLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(openFiles, &limit) == 0 else { return 1024 }
        return Int(clamping: limit.rlim_cur)
    }

    /// Raises the soft open-file limit to the hard one and returns it.
    static func raiseDescriptorLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(openFiles, &limit) == 0 else { return 1024 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = min(limit.rlim_max, 1 << 20)
            if setrlimit(openFiles, &raised) == 0 { limit = raised }
        }
        return Int(clamping: limit.rlim_cur)
    }
}

/// Hummingbird's hook into accepting connections, backed by a ``ConnectionRegistry``.
struct ConnectionLimit: AvailableConnectionsDelegate {
    let registry: ConnectionRegistry

    mutating func connectionOpened() { registry.opened() }
    mutating func connectionClosed() { registry.closed() }
    func isAcceptingNewConnections() -> Bool { registry.openCount < registry.maxConnections }
}
