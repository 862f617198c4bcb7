extension JobStore {
    /// Calls `emit` with each of a job's recorded messages after sequence number `after`, in
    /// order, as they are recorded, until the job has ended and every message was emitted.
    ///
    /// - Parameter beforeWaiting: called each time nothing new is recorded yet, before the pause
    ///   (the CLI checks there whether the job's process died).
    public func followEvents(
        of jobID: String, after: Int = 0, interval: Duration = .milliseconds(50),
        beforeWaiting: () async throws -> Void = {}, _ emit: (JobEvent) async throws -> Void
    ) async throws {
        var last = after
        while true {
            let events = try await events(jobID, after: last)
            for event in events {
                try await emit(event)
                last = event.sequence
            }
            if let status = try await status(of: jobID), status != .queued, status != .running {
                // A run writes its last messages before it is marked finished; read once more.
                if try await self.events(jobID, after: last).isEmpty { return }
                continue
            }
            try await beforeWaiting()
            try await Task.sleep(for: interval)
        }
    }
}
