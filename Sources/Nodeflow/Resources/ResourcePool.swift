import DequeModule
import OrderedCollections
import Foundation
import Synchronization

/// A pool of numbered slots (one per GPU) handed out first come, first served.
///
/// A node that requires a GPU acquires a slot before it processes and releases it after; while it
/// waits, the runner posts `node_update` `waiting`. Waiting is cancellable.
public final class ResourcePool: Sendable {
    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Int, any Error>
    }

    private struct State {
        var free: Deque<Int>
        var waiters: Deque<Waiter> = []
        var nextWaiterID: UInt64 = 0
    }

    private let state: Mutex<State>
    /// The number of slots.
    public let size: Int

    /// Makes a pool of `size` slots, numbered from 0.
    public init(size: Int) {
        self.size = max(0, size)
        state = Mutex(State(free: Deque(0..<max(0, size))))
    }

    /// The number of GPUs on this host: `NODEFLOW_GPUS` when set, else the NVIDIA devices the
    /// driver lists under `/proc/driver/nvidia/gpus`, else 0.
    public static func detectedGPUCount() -> Int {
        if let value = ProcessInfo.processInfo.environment["NODEFLOW_GPUS"], let count = Int(value), count >= 0 {
            return count
        }
        let listed = try? FileManager.default.contentsOfDirectory(atPath: "/proc/driver/nvidia/gpus")
        return listed?.count ?? 0
    }

    /// Takes a free slot, waiting in line when none is free.
    /// - Parameter willWait: called once, before suspending, when the caller has to wait.
    /// - Returns: the slot's number.
    /// - Throws: `CancellationError` when the task is cancelled while waiting.
    public func acquire(willWait: () -> Void = {}) async throws -> Int {
        try Task.checkCancellation()
        let immediate: Int? = state.withLock { state in
            state.waiters.isEmpty ? state.free.popFirst() : nil
        }
        if let immediate { return immediate }
        willWait()
        let id = state.withLock { state -> UInt64 in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int, any Error>) in
                let slot: Int? = state.withLock { state in
                    if state.waiters.isEmpty, let slot = state.free.popFirst() { return slot }
                    state.waiters.append(Waiter(id: id, continuation: continuation))
                    return nil
                }
                if let slot { continuation.resume(returning: slot) }
            }
        } onCancel: {
            let waiter: Waiter? = state.withLock { state in
                guard let at = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: at)
            }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Returns a slot to the pool, handing it to the longest waiter if there is one.
    public func release(_ slot: Int) {
        let next: Waiter? = state.withLock { state in
            if let waiter = state.waiters.popFirst() { return waiter }
            state.free.append(slot)
            return nil
        }
        next?.continuation.resume(returning: slot)
    }
}
