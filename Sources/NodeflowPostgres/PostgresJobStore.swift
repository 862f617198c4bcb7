import Foundation
import Logging
import Nodeflow
import NodeflowJobs
import OrderedCollections
import PostgresNIO

/// The ``JobStore`` on PostgreSQL, for workers on many machines: the same contract as
/// ``SQLiteJobStore`` (the shared store tests run on both), with claims in one statement
/// (`FOR UPDATE SKIP LOCKED`) and idle workers woken by `LISTEN`/`NOTIFY`.
///
/// Open it with ``connect(url:logger:)`` and ``close()`` it when done: its connection pool runs
/// in a task of its own meanwhile.
public final class PostgresJobStore: JobStore {
    let client: PostgresClient
    private let pool: Task<Void, Never>
    let logger: Logger
    /// The channel `NOTIFY` wakes workers on.
    static let channel = "nodeflow_jobs"

    private init(client: PostgresClient, pool: Task<Void, Never>, logger: Logger) {
        self.client = client
        self.pool = pool
        self.logger = logger
    }

    /// Connects to the database at `url` (`postgres://user:password@host:port/database`, or
    /// `postgresql://…`; `?sslmode=require` asks for TLS) and migrates it to the current schema.
    public static func connect(url: String, logger: Logger = Logger(label: "nodeflow.postgres")) async throws -> PostgresJobStore {
        let parsed = try PostgresURL(url)
        try await parsed.probe(logger: logger)
        let configuration = parsed.clientConfiguration
        // The pool's own notices (each failed connection attempt, a lease before `run()` has
        // started) are not the user's business; errors reach callers as thrown errors.
        var background = logger
        background.logLevel = .critical
        let client = PostgresClient(configuration: configuration, backgroundLogger: background)
        let pool = Task { await client.run() }
        let store = PostgresJobStore(client: client, pool: pool, logger: logger)
        do {
            try await PostgresSchema.migrate(client, logger: logger)
        } catch {
            await store.close()
            throw JobStoreError.unavailable("cannot open the PostgreSQL job store at \(parsed.redacted): \(error)")
        }
        return store
    }

    /// Closes the connections (after the work in flight).
    public func close() async {
        pool.cancel()
        await pool.value
    }

    /// Creates a new, empty database beside the one `adminURL` names, and returns its URL (the
    /// tests give each test a database of its own).
    package static func createDatabase(adminURL: String, logger: Logger = Logger(label: "nodeflow.postgres")) async throws -> String {
        let client = PostgresClient(configuration: try PostgresURL(adminURL).clientConfiguration, backgroundLogger: logger)
        let name = "nodeflow_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            try await client.query("CREATE DATABASE \(unescaped: name)", logger: logger)
            group.cancelAll()
        }
        guard var components = URLComponents(string: adminURL) else { throw JobStoreError.corrupt("not a URL: \(PostgresURL.redacted(adminURL))") }
        components.path = "/" + name
        return components.string ?? adminURL
    }

    // MARK: Jobs

    public func create(_ job: JobRecord) async throws {
        let graph = job.graphJSON ?? job.graph.jsonValue.jsonBytes()
        let compressed = Data(Deflate.compress(graph))
        let params = Value.dict(job.params).jsonString()
        let labels = Array(Set(job.requiredLabels)).sorted()
        try await client.query(
            """
            INSERT INTO nodeflow_job (id, workflow_id, workflow_name, graph_z, graph_size, params, user_id, status, created_at,
            process_id, host, required_labels, epoch, started_at)
            VALUES (\(job.id), \(job.workflowID), \(job.workflowName), \(compressed), \(graph.count), \(params), \(job.userID),
            \(job.status.rawValue), \(job.createdAt.timeIntervalSince1970), \(job.processID.map(Int.init)), \(job.host), \(labels),
            \(job.epoch), \(job.startedAt?.timeIntervalSince1970))
            """, logger: logger)
        if job.status == .queued { try await notifyQueued() }
    }

    func notifyQueued() async throws {
        try await client.query("SELECT pg_notify(\(Self.channel), '')", logger: logger)
    }

    public func job(_ id: String) async throws -> JobRecord? {
        let rows = try await client.query("SELECT \(unescaped: PostgresRows.allColumns) FROM nodeflow_job WHERE id = \(id)", logger: logger)
        for try await row in rows { return try PostgresRows.job(row.makeRandomAccess(), withGraph: true) }
        return nil
    }

    public func jobs(_ query: JobQuery) async throws -> [JobRecord] {
        var sql: PostgresQuery = "SELECT \(unescaped: PostgresRows.summaryColumns) FROM nodeflow_job WHERE TRUE"
        if let status = query.status {
            sql.sql += " AND status = $\(sql.binds.count + 1)"
            sql.binds.append(status.rawValue)
        }
        if let user = query.userID {
            sql.sql += " AND user_id = $\(sql.binds.count + 1)"
            sql.binds.append(user)
        }
        sql.sql += " ORDER BY created_at DESC, id DESC LIMIT $\(sql.binds.count + 1) OFFSET $\(sql.binds.count + 2)"
        sql.binds.append(query.limit)
        sql.binds.append(query.offset)
        var jobs: [JobRecord] = []
        for try await row in try await client.query(sql, logger: logger) { jobs.append(try PostgresRows.job(row.makeRandomAccess(), withGraph: false)) }
        return jobs
    }

    public func status(of id: String) async throws -> JobStatus? {
        for try await (status) in try await client.query("SELECT status FROM nodeflow_job WHERE id = \(id)", logger: logger).decode(String.self) {
            return JobStatus(rawValue: status)
        }
        return nil
    }

    public func jobIDs(startingWith prefix: String, limit: Int) async throws -> [String] {
        var ids: [String] = []
        let rows = try await client.query(
            "SELECT id FROM nodeflow_job WHERE id >= \(prefix) AND left(id, length(\(prefix))) = \(prefix) ORDER BY id LIMIT \(limit)", logger: logger)
        for try await id in rows.decode(String.self) { ids.append(id) }
        return ids
    }

    public func markRunning(_ id: String, processID: Int32, host: String) async throws -> JobLease {
        let now = Date().timeIntervalSince1970
        let rows = try await client.query(
            """
            UPDATE nodeflow_job SET status = 'running', started_at = COALESCE(started_at, \(now)), finished_at = NULL, error = NULL,
            error_node_id = NULL, process_id = \(Int(processID)), host = \(host), epoch = epoch + 1, lease_owner = NULL, lease_expires_at = NULL,
            cancel_requested = CASE WHEN status = 'queued' THEN cancel_requested ELSE FALSE END WHERE id = \(id) RETURNING epoch
            """, logger: logger)
        for try await epoch in rows.decode(Int.self) { return JobLease(jobID: id, epoch: epoch) }
        throw JobStoreError.notFound(id)
    }

    public func record(_ lease: JobLease, messages: [ProcessingMessage], results: [NodeResultRecord]) async throws {
        guard !messages.isEmpty || !results.isEmpty else { return }
        // A run's results travel inside its messages (a node's completion carries them);
        // results given apart are kept apart.
        let raw = EventBlock.encode(messages)
        let block = Data(Deflate.compress(raw))
        let count = messages.count
        let logger = logger
        do {
            try await client.withTransaction(logger: logger) { connection in
                // The fence and the sequence in one row lock: appends of one job take turns.
                let rows = try await connection.query(
                    "SELECT epoch, status, last_seq FROM nodeflow_job WHERE id = \(lease.jobID) FOR UPDATE", logger: logger)
                var last: Int?
                for try await (epoch, status, lastSeq) in rows.decode((Int, String, Int).self) where epoch == lease.epoch && status == "running" {
                    last = lastSeq
                }
                guard let last else { throw JobStoreError.leaseLost(lease.jobID) }
                for result in results {
                    try await connection.query(
                        """
                        INSERT INTO nodeflow_node_result (job_id, node_id, outputs, started_at, duration)
                        VALUES (\(lease.jobID), \(result.nodeID), \(result.outputs.jsonValue.jsonString()), \(result.startedAt?.timeIntervalSince1970),
                        \(result.duration))
                        ON CONFLICT (job_id, node_id) DO UPDATE SET outputs = EXCLUDED.outputs, started_at = EXCLUDED.started_at,
                        duration = EXCLUDED.duration
                        """, logger: logger)
                }
                guard count > 0 else { return }
                try await connection.query(
                    """
                    INSERT INTO nodeflow_event_block (job_id, first_seq, last_seq, format, size, data)
                    VALUES (\(lease.jobID), \(last + 1), \(last + count), \(EventBlock.format), \(raw.count), \(block))
                    """, logger: logger)
                try await connection.query("UPDATE nodeflow_job SET last_seq = \(last + count) WHERE id = \(lease.jobID)", logger: logger)
            }
        } catch let error as PostgresTransactionError {
            throw error.closureError ?? error  // the fence's own error, as the caller expects it
        }
    }

    public func finish(_ lease: JobLease, status: JobStatus, outputs: OrderedDictionary<String, Value>?, error: String?, errorNodeID: String?) async throws {
        let encoded = outputs.map { Value.dict($0).jsonString() }
        let rows = try await client.query(
            """
            UPDATE nodeflow_job SET status = \(status.rawValue), finished_at = \(Date().timeIntervalSince1970), outputs = \(encoded),
            error = \(error), error_node_id = \(errorNodeID), process_id = NULL, lease_owner = NULL, lease_expires_at = NULL
            WHERE id = \(lease.jobID) AND epoch = \(lease.epoch) AND status = 'running' RETURNING id
            """, logger: logger)
        for try await _ in rows.decode(String.self) { return }
        throw JobStoreError.leaseLost(lease.jobID)
    }

    public func events(_ id: String, after: Int) async throws -> [JobEvent] {
        var events: [JobEvent] = []
        for block in try await blocks(of: id, after: after) { events += try block.events(job: id, after: after) }
        return events
    }

    func blocks(of id: String, after: Int) async throws -> [StoredEventBlock] {
        let rows = try await client.query(
            "SELECT first_seq, format, size, data FROM nodeflow_event_block WHERE job_id = \(id) AND last_seq > \(after) ORDER BY first_seq",
            logger: logger)
        var blocks: [StoredEventBlock] = []
        for try await (first, format, size, data) in rows.decode((Int, Int, Int, Data).self) {
            blocks.append(StoredEventBlock(firstSequence: first, format: format, size: size, data: Array(data)))
        }
        return blocks
    }

    public func nodeResults(_ id: String) async throws -> [String: NodeResultRecord] { try await recordedResults(id).nodes }

    public func iterationResults(_ id: String) async throws -> [String: [Int: NodeOutputs]] { try await recordedResults(id).iterations }

    public func recordedResults(_ id: String) async throws -> (nodes: [String: NodeResultRecord], iterations: [String: [Int: NodeOutputs]]) {
        var nodes: [String: NodeResultRecord] = [:]
        let rows = try await client.query(
            "SELECT node_id, outputs, started_at, duration FROM nodeflow_node_result WHERE job_id = \(id)", logger: logger)
        for try await (nodeID, text, started, duration) in rows.decode((String, String, Double?, Double?).self) {
            nodes[nodeID] = try NodeResultRecord(stored: text, nodeID: nodeID, startedAt: started, duration: duration, jobID: id)
        }
        var collected = RecordedResults(nodes: nodes)
        for block in try await blocks(of: id, after: 0) { collected.add(try block.messages(job: id)) }
        return (collected.nodes, collected.iterations)
    }

    public func requestCancel(_ id: String) async throws -> Bool {
        let rows = try await client.query(
            """
            UPDATE nodeflow_job SET cancel_requested = TRUE,
            status = CASE WHEN status = 'queued' THEN 'cancelled' ELSE status END,
            finished_at = CASE WHEN status = 'queued' THEN \(Date().timeIntervalSince1970) ELSE finished_at END
            WHERE id = \(id) AND status IN ('queued', 'running') RETURNING id
            """, logger: logger)
        for try await _ in rows.decode(String.self) { return true }
        return false
    }

    public func isCancelRequested(_ id: String) async throws -> Bool {
        for try await flag in try await client.query("SELECT cancel_requested FROM nodeflow_job WHERE id = \(id)", logger: logger).decode(Bool.self) {
            return flag
        }
        return false
    }

    public func jobCounts() async throws -> [JobStatus: Int] {
        var counts: [JobStatus: Int] = [:]
        for try await (status, n) in try await client.query("SELECT status, COUNT(*)::bigint FROM nodeflow_job GROUP BY status", logger: logger).decode(
            (String, Int).self)
        {
            if let status = JobStatus(rawValue: status) { counts[status] = n }
        }
        return counts
    }

    public func failOrphans(host: String, crashed: Set<String>, isAlive: @Sendable (Int32) -> Bool) async throws -> [String] {
        var running: [(String, Int?)] = []
        let rows = try await client.query(
            "SELECT id, process_id FROM nodeflow_job WHERE status = 'running' AND host = \(host) AND lease_expires_at IS NULL", logger: logger)
        for try await (id, pid) in rows.decode((String, Int?).self) { running.append((id, pid)) }
        let orphans = running.compactMap { id, pid -> String? in
            guard let pid else { return id }
            return isAlive(Int32(clamping: pid)) ? nil : id
        }
        let now = Date().timeIntervalSince1970
        for id in orphans {
            let error = crashed.contains(id) ? JobRecord.crashError : JobRecord.orphanError
            try await client.query(
                """
                UPDATE nodeflow_job SET status = 'failed', finished_at = \(now), error = \(error), process_id = NULL
                WHERE id = \(id) AND status = 'running' AND lease_expires_at IS NULL
                """, logger: logger)
        }
        return orphans
    }
}
