import Foundation
import GRDB

/// The queue: workers claim jobs in an immediate transaction (SQLite's write lock makes claims
/// of all processes take turns), renew their leases, and hand jobs back.
extension SQLiteJobStore {

    public func claim(for worker: WorkerIdentity, policy: ClaimPolicy, now: Date) async throws -> JobClaim? {
        let time = now.timeIntervalSince1970
        // A job is claimable when each label it requires is one of the worker's: removing the
        // worker's labels from its list leaves nothing.
        var labels = "required_labels"
        var arguments: StatementArguments = []
        for label in worker.labels.sorted() {
            labels = "REPLACE(\(labels), ?, ',')"
            arguments += [",\(label),"]
        }
        // Queued jobs and lapsed ones apart, each in its index's order: one query with OR would
        // sort every queued job on each claim (slow with a backlog of thousands).
        let queued = "status = 'queued' AND \(labels) IN ('', ',')"
        let lapsed = "status = 'running' AND lease_expires_at < ? AND \(labels) IN ('', ',')"
        let labelArguments = arguments
        let lapsedArguments: StatementArguments = [time] + arguments
        // An idle worker polls: a read first, which takes no lock.
        let any = try await database.read { db in
            try Bool.fetchOne(
                db, sql: "SELECT EXISTS (SELECT 1 FROM job WHERE \(queued)) OR EXISTS (SELECT 1 FROM job WHERE \(lapsed))",
                arguments: labelArguments + lapsedArguments) ?? false
        }
        guard any else { return nil }
        let expires = time + policy.leaseSeconds
        return try await database.writeWithoutTransaction { db -> JobClaim? in
            var claim: JobClaim?
            try db.inTransaction(.immediate) {
                func oldest() throws -> Row? {
                    let columns = "id, status, epoch, lease_losses, cancel_requested, created_at"
                    let first = try Row.fetchOne(db, sql: "SELECT \(columns) FROM job WHERE \(queued) ORDER BY created_at, rowid LIMIT 1", arguments: labelArguments)
                    let second = try Row.fetchOne(db, sql: "SELECT \(columns) FROM job WHERE \(lapsed) ORDER BY created_at, rowid LIMIT 1", arguments: lapsedArguments)
                    guard let first, let second else { return first ?? second }
                    return (second["created_at"] as Double) < (first["created_at"] as Double) ? second : first
                }
                while let row = try oldest() {
                    let id: String = row["id"]
                    let lapsed = row["status"] as String == "running"
                    let losses = (row["lease_losses"] as Int) + (lapsed ? 1 : 0)
                    if lapsed && (losses >= policy.poisonAfter || row["cancel_requested"] as Bool) {
                        // Dead or stalled too often, or asked to stop while its worker was gone.
                        let cancelled: Bool = row["cancel_requested"]
                        try db.execute(
                            sql: """
                                UPDATE job SET status = ?, error = ?, finished_at = ?, lease_losses = ?, lease_owner = NULL,
                                lease_expires_at = NULL, process_id = NULL WHERE id = ?
                                """,
                            arguments: [cancelled ? "cancelled" : "failed", cancelled ? nil : JobRecord.poisonError(leaseLosses: losses), time, losses, id])
                        continue
                    }
                    try db.execute(
                        sql: """
                            UPDATE job SET status = 'running', epoch = epoch + 1, lease_owner = ?, lease_expires_at = ?, lease_losses = ?,
                            process_id = ?, host = ?, started_at = COALESCE(started_at, ?), finished_at = NULL, error = NULL,
                            error_node_id = NULL WHERE id = ?
                            """,
                        arguments: [worker.id, expires, losses, worker.processID, worker.host, time, id])
                    guard let claimed = try Row.fetchOne(db, sql: "SELECT * FROM job WHERE id = ?", arguments: [id]) else { break }
                    let job: JobRecord
                    do { job = try Self.record(claimed) } catch {
                        // Unreadable (a damaged row): failed with the reason, not claimed over and over.
                        try db.execute(
                            sql: "UPDATE job SET status = 'failed', error = ?, finished_at = ?, lease_owner = NULL, lease_expires_at = NULL, process_id = NULL WHERE id = ?",
                            arguments: ["the job cannot be run: \(error)", time, id])
                        continue
                    }
                    claim = JobClaim(job: job, lease: JobLease(jobID: id, epoch: job.epoch), isResumption: (row["epoch"] as Int) > 0)
                    break
                }
                return .commit
            }
            return claim
        }
    }

    public func renew(_ lease: JobLease, policy: ClaimPolicy, now: Date) async throws -> Bool {
        let expires = now.timeIntervalSince1970 + policy.leaseSeconds
        return try await database.write { db in
            try db.execute(
                sql: "UPDATE job SET lease_expires_at = ? WHERE id = ? AND epoch = ? AND status = 'running' AND lease_expires_at IS NOT NULL",
                arguments: [expires, lease.jobID, lease.epoch])
            guard db.changesCount > 0 else { throw JobStoreError.leaseLost(lease.jobID) }
            return try Bool.fetchOne(db, sql: "SELECT cancel_requested FROM job WHERE id = ?", arguments: [lease.jobID]) ?? false
        }
    }

    public func release(_ lease: JobLease) async throws {
        try await database.write { db in
            // A job someone asked to cancel meanwhile ends cancelled rather than going back.
            try db.execute(
                sql: """
                    UPDATE job SET status = CASE WHEN cancel_requested THEN 'cancelled' ELSE 'queued' END,
                    finished_at = CASE WHEN cancel_requested THEN ? ELSE NULL END,
                    lease_owner = NULL, lease_expires_at = NULL, process_id = NULL WHERE id = ? AND epoch = ? AND status = 'running'
                    """,
                arguments: [Date().timeIntervalSince1970, lease.jobID, lease.epoch])
            guard db.changesCount > 0 else { throw JobStoreError.leaseLost(lease.jobID) }
        }
    }
}
