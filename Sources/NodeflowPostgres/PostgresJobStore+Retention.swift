import Foundation
import NodeflowJobs
import PostgresNIO

/// Retention on PostgreSQL: finished jobs past the policy are deleted (their events with them);
/// PostgreSQL's autovacuum makes the space reusable. Queued and running jobs are never deleted.
extension PostgresJobStore {
    static let finished = "status IN ('completed', 'failed', 'cancelled')"

    public func exceeds(_ policy: RetentionPolicy, now: Date) async throws -> Bool {
        var count = 0
        var oldest: Double?
        for try await (n, o) in try await client.query(
            "SELECT COUNT(*)::bigint, MIN(created_at) FROM nodeflow_job WHERE \(unescaped: Self.finished)", logger: logger
        ).decode((Int, Double?).self) {
            (count, oldest) = (n, o)
        }
        if let maxJobs = policy.maxJobs, count > maxJobs { return true }
        if let maxAge = policy.maxAge, let oldest, oldest < now.timeIntervalSince1970 - maxAge { return true }
        if let maxBytes = policy.maxBytes, count > 0, try await sizeInDatabase() > maxBytes { return true }
        return false
    }

    @discardableResult
    public func prune(_ policy: RetentionPolicy, now: Date) async throws -> PruneReport {
        let before = try await sizeInDatabase()
        var deleted: [String] = []
        if let maxAge = policy.maxAge {
            deleted += try await delete("DELETE FROM nodeflow_job WHERE \(unescaped: Self.finished) AND created_at < \(now.timeIntervalSince1970 - maxAge) RETURNING id")
        }
        if let maxJobs = policy.maxJobs {
            deleted += try await delete(
                """
                DELETE FROM nodeflow_job WHERE id IN (SELECT id FROM nodeflow_job WHERE \(unescaped: Self.finished)
                ORDER BY created_at DESC, id DESC OFFSET \(max(0, maxJobs))) RETURNING id
                """)
        }
        if let maxBytes = policy.maxBytes {
            // Oldest first, a tenth of what is left each round, until the data fits.
            var used = try await sizeInDatabase()
            while used > maxBytes {
                let batch = try await delete(
                    """
                    DELETE FROM nodeflow_job WHERE id IN (SELECT id FROM nodeflow_job WHERE \(unescaped: Self.finished)
                    ORDER BY created_at, id LIMIT GREATEST(1, (SELECT COUNT(*) FROM nodeflow_job WHERE \(unescaped: Self.finished)) / 10)) RETURNING id
                    """)
                if batch.isEmpty { break }
                deleted += batch
                // Space of deleted rows counts once VACUUM has seen it.
                try await client.query("VACUUM nodeflow_event_block", logger: logger)
                let now = try await sizeInDatabase()
                if now >= used { break }
                used = now
            }
        }
        return PruneReport(deletedJobs: deleted, bytesBefore: before, bytesAfter: try await sizeInDatabase())
    }

    private func delete(_ query: PostgresQuery) async throws -> [String] {
        var ids: [String] = []
        for try await id in try await client.query(query, logger: logger).decode(String.self) { ids.append(id) }
        return ids
    }

    /// The bytes the store's tables and indexes take in the database.
    func sizeInDatabase() async throws -> Int {
        for try await size in try await client.query(
            "SELECT (pg_total_relation_size('nodeflow_job') + pg_total_relation_size('nodeflow_event_block'))::bigint", logger: logger
        ).decode(Int.self) {
            return size
        }
        return 0
    }
}
