import Foundation
import Nodeflow
import NodeflowJobs
import PostgresNIO

/// The queue on PostgreSQL: a claim is one statement that locks the oldest claimable row and
/// skips rows other workers hold (`FOR UPDATE SKIP LOCKED`), so that claims of many workers do
/// not wait on each other; queued jobs are announced with `NOTIFY`.
extension PostgresJobStore {
    public func claim(for worker: WorkerIdentity, policy: ClaimPolicy, now: Date) async throws -> JobClaim? {
        let time = now.timeIntervalSince1970
        let labels = worker.labels.sorted()
        // An idle worker polls: a read first, which takes no lock and writes nothing.
        var claimable = false
        for try await found in try await client.query(
            """
            SELECT EXISTS (SELECT 1 FROM nodeflow_job WHERE (status = 'queued' OR (status = 'running' AND lease_expires_at < \(time)))
            AND required_labels <@ \(labels)::text[])
            """, logger: logger
        ).decode(Bool.self) {
            claimable = found
        }
        guard claimable else { return nil }
        // Lapsed jobs past the poison limit, or asked to cancel while their worker was gone,
        // end here rather than being claimed again.
        let poison = JobRecord.poisonErrorParts
        try await client.query(
            """
            UPDATE nodeflow_job SET lease_losses = lease_losses + 1, finished_at = \(time), lease_owner = NULL, lease_expires_at = NULL,
            process_id = NULL, status = CASE WHEN cancel_requested THEN 'cancelled' ELSE 'failed' END,
            error = CASE WHEN cancel_requested THEN NULL ELSE \(poison.0) || (lease_losses + 1)::text || \(poison.1) END
            WHERE status = 'running' AND lease_expires_at < \(time) AND (lease_losses + 1 >= \(policy.poisonAfter) OR cancel_requested)
            """, logger: logger)
        // The oldest queued and the oldest lapsed job, each read in its index's order and locked
        // (rows other workers hold are skipped), then the older of the two: one OR would sort
        // every queued job on each claim.
        let rows = try await client.query(
            """
            WITH queued AS (
                SELECT id, created_at FROM nodeflow_job WHERE status = 'queued' AND required_labels <@ \(labels)::text[]
                ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED),
            lapsed AS (
                SELECT id, created_at FROM nodeflow_job
                WHERE status = 'running' AND lease_expires_at < \(time) AND required_labels <@ \(labels)::text[]
                ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
            UPDATE nodeflow_job SET status = 'running', epoch = epoch + 1, lease_owner = \(worker.id),
            lease_expires_at = \(time + policy.leaseSeconds), lease_losses = lease_losses + CASE WHEN status = 'running' THEN 1 ELSE 0 END,
            process_id = \(Int(worker.processID)), host = \(worker.host), started_at = COALESCE(started_at, \(time)), finished_at = NULL,
            error = NULL, error_node_id = NULL
            WHERE id = (SELECT id FROM (SELECT * FROM queued UNION ALL SELECT * FROM lapsed) candidates ORDER BY created_at, id LIMIT 1)
            RETURNING \(unescaped: PostgresRows.allColumns)
            """, logger: logger)
        for try await row in rows {
            let random = row.makeRandomAccess()
            let job: JobRecord
            do { job = try PostgresRows.job(random, withGraph: true) } catch {
                // Unreadable: failed with the reason, not claimed over and over.
                let id = try random["id"].decode(String.self)
                try await client.query(
                    """
                    UPDATE nodeflow_job SET status = 'failed', error = \("the job cannot be run: \(error)"), finished_at = \(time),
                    lease_owner = NULL, lease_expires_at = NULL, process_id = NULL WHERE id = \(id)
                    """, logger: logger)
                return try await claim(for: worker, policy: policy, now: now)
            }
            return JobClaim(job: job, lease: JobLease(jobID: job.id, epoch: job.epoch), isResumption: job.epoch > 1)
        }
        return nil
    }

    public func renew(_ lease: JobLease, policy: ClaimPolicy, now: Date) async throws -> Bool {
        let rows = try await client.query(
            """
            UPDATE nodeflow_job SET lease_expires_at = \(now.timeIntervalSince1970 + policy.leaseSeconds)
            WHERE id = \(lease.jobID) AND epoch = \(lease.epoch) AND status = 'running' AND lease_expires_at IS NOT NULL
            RETURNING cancel_requested
            """, logger: logger)
        for try await cancel in rows.decode(Bool.self) { return cancel }
        throw JobStoreError.leaseLost(lease.jobID)
    }

    public func release(_ lease: JobLease) async throws {
        let rows = try await client.query(
            """
            UPDATE nodeflow_job SET status = CASE WHEN cancel_requested THEN 'cancelled' ELSE 'queued' END,
            finished_at = CASE WHEN cancel_requested THEN \(Date().timeIntervalSince1970) ELSE NULL END,
            lease_owner = NULL, lease_expires_at = NULL, process_id = NULL
            WHERE id = \(lease.jobID) AND epoch = \(lease.epoch) AND status = 'running' RETURNING status
            """, logger: logger)
        for try await status in rows.decode(String.self) {
            if status == "queued" { try await notifyQueued() }
            return
        }
        throw JobStoreError.leaseLost(lease.jobID)
    }

    /// Workers are woken by NOTIFY; the poll is the fallback.
    public var idlePollInterval: Duration { .milliseconds(500) }

    /// Listens on a connection of its own until cancelled (reconnecting after a failure).
    public func listenForQueuedJobs(_ onQueued: @escaping @Sendable () -> Void) async throws {
        while !Task.isCancelled {
            do {
                try await client.withConnection { connection in
                    try await connection.listen(on: Self.channel) { notifications in
                        onQueued()  // anything queued while nobody listened
                        for try await _ in notifications { onQueued() }
                    }
                }
                // The notifications ended without an error (the connection closed): listen again,
                // after a pause, rather than at once and over and over.
                try? await Task.sleep(for: .seconds(1))
            } catch is CancellationError {
                return
            } catch {
                if Task.isCancelled { return }
                logger.warning("lost the connection listening for queued jobs; polling until it is back", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }
}
