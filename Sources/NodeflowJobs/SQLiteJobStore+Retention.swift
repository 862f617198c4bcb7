import Foundation
import GRDB

/// Retention: keeping the store within a ``RetentionPolicy`` and giving freed space back.
extension SQLiteJobStore {
    /// Whether the store holds more than `policy` allows (a cheap check: counts, the oldest
    /// job, the file's size).
    public func exceeds(_ policy: RetentionPolicy, now: Date) async throws -> Bool {
        let (count, oldest) = try await database.read { db -> (Int, Double?) in
            let row = try Row.fetchOne(db, sql: "SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM job WHERE status IN ('completed', 'failed', 'cancelled')")
            return (row?["n"] ?? 0, row?["oldest"])
        }
        if let maxJobs = policy.maxJobs, count > maxJobs { return true }
        if let maxAge = policy.maxAge, let oldest, oldest < now.timeIntervalSince1970 - maxAge { return true }
        if let maxBytes = policy.maxBytes, count > 0, sizeOnDisk() > maxBytes { return true }
        return false
    }

    /// Deletes finished jobs past `policy` — with their events and results — and gives the
    /// space back to the file system. Queued and running jobs are never deleted.
    @discardableResult
    public func prune(_ policy: RetentionPolicy, now: Date) async throws -> PruneReport {
        try await prune(policy, now: now, allowFullVacuum: false)
    }

    /// Prunes; with `allowFullVacuum`, a store made before incremental vacuum is rewritten once
    /// (`VACUUM`, which holds the write lock for the whole rewrite: for `nodeflow jobs prune`, not
    /// for the automatic pruning that runs beside jobs).
    @discardableResult
    public func prune(_ policy: RetentionPolicy, now: Date, allowFullVacuum: Bool) async throws -> PruneReport {
        let before = sizeOnDisk()
        var deleted: [String] = []
        let finished = "status IN ('completed', 'failed', 'cancelled')"
        deleted += try await database.write { db -> [String] in
            var ids: [String] = []
            if let maxAge = policy.maxAge {
                ids += try String.fetchAll(db, sql: "SELECT id FROM job WHERE \(finished) AND created_at < ?", arguments: [now.timeIntervalSince1970 - maxAge])
            }
            if let maxJobs = policy.maxJobs {
                ids += try String.fetchAll(
                    db, sql: "SELECT id FROM job WHERE \(finished) ORDER BY created_at DESC, rowid DESC LIMIT -1 OFFSET ?", arguments: [max(0, maxJobs)])
            }
            let unique = Array(Set(ids))
            try Self.delete(unique, in: db)
            return unique
        }
        try await reclaimSpace(allowFullVacuum: allowFullVacuum)
        if let maxBytes = policy.maxBytes {
            // Oldest first, a tenth of what is left each round, until the data fits; a round that
            // frees nothing (the rest belongs to queued or running jobs) ends it.
            var used = try await usedBytes()
            while used > maxBytes {
                let batch = try await database.write { db -> [String] in
                    let remaining = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM job WHERE \(finished)") ?? 0
                    guard remaining > 0 else { return [] }
                    let ids = try String.fetchAll(
                        db, sql: "SELECT id FROM job WHERE \(finished) ORDER BY created_at, rowid LIMIT ?", arguments: [max(1, remaining / 10)])
                    try Self.delete(ids, in: db)
                    return ids
                }
                if batch.isEmpty { break }
                deleted += batch
                try await reclaimSpace(allowFullVacuum: allowFullVacuum)
                let now = try await usedBytes()
                if now >= used { break }
                used = now
            }
        }
        return PruneReport(deletedJobs: deleted, bytesBefore: before, bytesAfter: sizeOnDisk())
    }

    private static func delete(_ ids: [String], in db: Database) throws {
        let statement = try db.cachedStatement(sql: "DELETE FROM job WHERE id = ?")
        for id in ids { try statement.execute(arguments: [id]) }  // events and results go with it (ON DELETE CASCADE)
    }

    /// Returns free pages to the file system and empties the write-ahead log.
    private func reclaimSpace(allowFullVacuum: Bool) async throws {
        try await database.writeWithoutTransaction { db in
            let mode = try Int.fetchOne(db, sql: "PRAGMA auto_vacuum") ?? 0
            if mode == 2 {
                try db.execute(sql: "PRAGMA incremental_vacuum")
            } else if allowFullVacuum {
                // A store made before incremental vacuum: one full VACUUM switches it over.
                try db.execute(sql: "PRAGMA auto_vacuum = INCREMENTAL")
                try db.execute(sql: "VACUUM")
            }
            try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
        }
    }

    /// The bytes the database's pages hold (free pages and the write-ahead log not counted).
    private func usedBytes() async throws -> Int {
        try await database.read { db in
            let pages = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0
            let free = try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0
            let size = try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 4096
            return (pages - free) * size
        }
    }

    /// The bytes the store takes on disk: the database file and its write-ahead log.
    public func sizeOnDisk() -> Int {
        let files = [path, path + "-wal"]
        return files.reduce(0) { total, file in
            total + ((try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0)
        }
    }
}
