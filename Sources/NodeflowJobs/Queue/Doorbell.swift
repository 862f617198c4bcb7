import Synchronization

/// Wakes a waiting loop early: the worker's claim loop waits on it between polls, and a freed
/// slot, a submitted job or a stop request rings it. A ring while nobody waits is kept for the
/// next wait; a wait that times out or is cancelled leaves nothing behind.
final class Doorbell: Sendable {
    private struct State {
        var rung = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    func ring() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.rung = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Returns at the next ring (or at once for a ring since the last wait), after `timeout`,
    /// or when the task is cancelled.
    func wait(upTo timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                // Only a sleep that ran its course ends the wait; one cut short by the other
                // child's end must not leave a ring behind for the next wait.
                if (try? await Task.sleep(for: timeout)) != nil { self.release() }
            }
            group.addTask { await self.nextRing() }
            await group.next()
            group.cancelAll()
        }
    }

    /// Resumes the waiter, if any, without keeping a ring.
    private func release() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    private func nextRing() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if state.rung {
                        state.rung = false
                        return true
                    }
                    // Cancelled before the waiter was registered: the handler found nobody.
                    if Task.isCancelled { return true }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            release()
        }
    }
}
