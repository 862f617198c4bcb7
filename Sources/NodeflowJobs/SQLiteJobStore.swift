import Foundation
import GRDB
import Nodeflow
import OrderedCollections

/// The default ``JobStore``: one SQLite file (WAL mode) that needs no set-up, shared safely by
/// every process that opens it. Each state change is one transaction; migrations run on open.
public final class SQLiteJobStore: JobStore {
    let database: DatabasePool
    let path: String


    /// Opens (creating if needed) the store at `path`, and migrates it to the current schema.
    ///
    /// Processes opening one file at the same moment take turns (a lock file beside it), so that
    /// switching a new file to WAL and migrating it happen once.
    public init(path: String) throws {
        var configuration = Configuration()
        // Other processes (the server, its workers) may hold the write lock for a moment: wait,
        // for up to about 10 s, in short steps. SQLite's own timeout sleeps in steps of up to
        // 100 ms, which made a contended write wait ten times longer than the lock was held.
        configuration.busyMode = .callback { attempts in
            usleep(UInt32(min(1_000, 20 << min(attempts, 6))))
            return attempts < 10_000
        }
        // Space freed by pruning goes back to the file system (takes effect on a new file, or
        // after the first prune's VACUUM of an older one).
        configuration.prepareDatabase { db in
            if !db.configuration.readonly { try db.execute(sql: "PRAGMA auto_vacuum = INCREMENTAL") }
            // In WAL mode, NORMAL syncs at checkpoints rather than at every commit: a killed
            // process loses nothing committed; a power cut may lose the last commits, never the
            // file's consistency.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        let lock = open(path + ".lock", O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard lock >= 0 else { throw JobStoreError.corrupt("cannot create the lock file \(path).lock") }
        defer { Glibc.close(lock) }
        flock(lock, LOCK_EX)
        defer { flock(lock, LOCK_UN) }
        self.path = path
        database = try DatabasePool(path: path, configuration: configuration)
        // A read says whether anything is to do: migrating always writes (and syncs) the file.
        if try !database.read(Self.migrator.hasCompletedMigrations) {
            try Self.migrator.migrate(database)
        }
    }

    /// The schema, one migration per version; never edit a migration that has shipped.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: jobs, events, node results") { db in
            try db.create(table: "job") { t in
                t.primaryKey("id", .text)
                t.column("workflow_id", .text)
                t.column("workflow_name", .text)
                t.column("graph", .text).notNull()
                t.column("params", .text).notNull()
                t.column("user_id", .text).notNull()
                t.column("status", .text).notNull()
                t.column("created_at", .double).notNull()
                t.column("started_at", .double)
                t.column("finished_at", .double)
                t.column("error", .text)
                t.column("error_node_id", .text)
                t.column("outputs", .text)
                t.column("process_id", .integer)
                t.column("host", .text)
                t.column("cancel_requested", .boolean).notNull().defaults(to: false)
            }
            try db.create(index: "job_by_status_created", on: "job", columns: ["status", "created_at"])
            try db.create(index: "job_by_created", on: "job", columns: ["created_at"])
            try db.create(table: "job_event") { t in
                t.column("job_id", .text).notNull().references("job", onDelete: .cascade)
                t.column("seq", .integer).notNull()
                t.column("message", .text).notNull()
                t.primaryKey(["job_id", "seq"])
            }
            try db.create(table: "node_result") { t in
                t.column("job_id", .text).notNull().references("job", onDelete: .cascade)
                t.column("node_id", .text).notNull()
                t.column("outputs", .text).notNull()
                t.column("started_at", .double)
                t.column("duration", .double)
                t.primaryKey(["job_id", "node_id"])
            }
        }
        migrator.registerMigration("v2: event blocks, compressed graphs") { db in
            // One row per recorder flush, holding its messages as a deflated EventBlock; node
            // results are read from the blocks. Jobs recorded before keep their job_event and
            // node_result rows, which are still read.
            try db.create(table: "job_event_block", options: [.withoutRowID]) { t in
                t.column("job_id", .text).notNull().references("job", onDelete: .cascade)
                t.column("first_seq", .integer).notNull()
                t.column("last_seq", .integer).notNull()
                t.column("format", .integer).notNull()
                t.column("size", .integer).notNull()
                t.column("data", .blob).notNull()
                t.primaryKey(["job_id", "first_seq"])
            }
            try db.alter(table: "job") { t in
                t.add(column: "graph_z", .blob)
                t.add(column: "graph_size", .integer)
            }
        }
        migrator.registerMigration("v3: a queue of jobs for workers, leases and fencing") { db in
            try db.alter(table: "job") { t in
                t.add(column: "required_labels", .text).notNull().defaults(to: "")
                t.add(column: "epoch", .integer).notNull().defaults(to: 0)
                t.add(column: "lease_owner", .text)
                t.add(column: "lease_expires_at", .double)
                t.add(column: "lease_losses", .integer).notNull().defaults(to: 0)
            }
            // What a claim looks for beside queued jobs: running ones whose lease lapsed.
            try db.create(index: "job_by_lease", on: "job", columns: ["lease_expires_at"], condition: Column("lease_expires_at") != nil)
        }
        return migrator
    }

    public func create(_ job: JobRecord) async throws {
        // The graph is most of a job's row: kept deflated (a 100,000-node chain: 18 MB of JSON, 1 MB).
        let graph = job.graphJSON ?? job.graph.jsonValue.jsonBytes()
        let compressed = Deflate.compress(graph)
        let params = Value.dict(job.params).jsonString()
        try await database.write { db in
            try db.execute(
                sql: """
                    INSERT INTO job (id, workflow_id, workflow_name, graph, graph_z, graph_size, params, user_id, status, created_at,
                    process_id, host, required_labels, epoch, started_at)
                    VALUES (?, ?, ?, '', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    job.id, job.workflowID, job.workflowName, Data(compressed), graph.count, params, job.userID, job.status.rawValue,
                    job.createdAt.timeIntervalSince1970, job.processID, job.host, LabelColumn.encode(job.requiredLabels), job.epoch,
                    job.startedAt?.timeIntervalSince1970,
                ])
        }
    }

    public func job(_ id: String) async throws -> JobRecord? {
        // Rows become Sendable records inside the closure, so the read runs off the caller's thread.
        try await database.read { db in try Row.fetchOne(db, sql: "SELECT * FROM job WHERE id = ?", arguments: [id]).map(Self.record) }
    }

    /// The columns of a job but its graph, for listings.
    private static let summaryColumns = "id, workflow_id, workflow_name, '' AS graph, NULL AS graph_z, NULL AS graph_size, params, user_id, status, created_at, started_at, finished_at, error, error_node_id, outputs, process_id, host, cancel_requested, required_labels, epoch, lease_owner, lease_expires_at, lease_losses"

    /// Jobs matching `query`, newest first, without their graphs (an empty graph each; ``job(_:)``
    /// reads one whole).
    public func jobs(_ query: JobQuery) async throws -> [JobRecord] {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let status = query.status {
            conditions.append("status = ?")
            arguments += [status.rawValue]
        }
        if let user = query.userID {
            conditions.append("user_id = ?")
            arguments += [user]
        }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        arguments += [query.limit, query.offset]
        let sql = "SELECT \(Self.summaryColumns) FROM job \(filter) ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?"
        return try await database.read { [arguments] db in try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.record) }
    }

    public func status(of id: String) async throws -> JobStatus? {
        try await database.read { db in
            try String.fetchOne(db, sql: "SELECT status FROM job WHERE id = ?", arguments: [id]).flatMap(JobStatus.init(rawValue:))
        }
    }

    /// The ids of jobs that start with `prefix` (at most `limit`), for commands that accept a
    /// short id as `git` accepts a short hash.
    public func jobIDs(startingWith prefix: String, limit: Int = 10) async throws -> [String] {
        // `id >= prefix` starts the scan in the primary key; the comparison of the first
        // characters ends it right (LIKE would treat % and _ in the prefix as wildcards).
        try await database.read { db in
            try String.fetchAll(
                db, sql: "SELECT id FROM job WHERE id >= ?1 AND substr(id, 1, length(?1)) = ?1 ORDER BY id LIMIT ?2",
                arguments: [prefix, limit])
        }
    }

    public func markRunning(_ id: String, processID: Int32, host: String) async throws -> JobLease {
        let now = Date().timeIntervalSince1970
        return try await database.write { db in
            // A cancel requested while the job was queued stands (the run stops at once); one left
            // from an earlier run of a job being resumed does not. No lease: the job is this
            // process's (orphans are found by process id), and no worker claims it.
            try db.execute(
                sql: """
                    UPDATE job SET status = 'running', started_at = COALESCE(started_at, ?), finished_at = NULL, error = NULL,
                    error_node_id = NULL, process_id = ?, host = ?, epoch = epoch + 1, lease_owner = NULL, lease_expires_at = NULL,
                    cancel_requested = CASE WHEN status = 'queued' THEN cancel_requested ELSE 0 END WHERE id = ?
                    """,
                arguments: [now, processID, host, id])
            guard db.changesCount > 0, let epoch = try Int.fetchOne(db, sql: "SELECT epoch FROM job WHERE id = ?", arguments: [id]) else {
                throw JobStoreError.notFound(id)
            }
            return JobLease(jobID: id, epoch: epoch)
        }
    }

    /// Throws ``JobStoreError/leaseLost(_:)`` unless `lease` is the running job's current one.
    static func checkFence(_ lease: JobLease, in db: Database) throws {
        let row = try Row.fetchOne(db, sql: "SELECT epoch, status FROM job WHERE id = ?", arguments: [lease.jobID])
        guard let row, row["epoch"] as Int == lease.epoch, row["status"] as String == JobStatus.running.rawValue else {
            throw JobStoreError.leaseLost(lease.jobID)
        }
    }

    public func record(_ lease: JobLease, messages: [ProcessingMessage], results: [NodeResultRecord]) async throws {
        guard !messages.isEmpty || !results.isEmpty else { return }
        let id = lease.jobID
        let resultRows = results.map { ($0.nodeID, $0.outputs.jsonValue.jsonString(), $0.startedAt?.timeIntervalSince1970, $0.duration) }
        let count = messages.count
        try await database.writeWithoutTransaction { db in
            // Encoded on GRDB's writer queue, not on the cooperative pool (a block of thousands
            // of messages must not hold one of the run's threads while its nodes wait), and
            // before the transaction, so other processes are not kept waiting for the lock.
            let block = messages.isEmpty ? nil : { () -> (size: Int, data: Data) in
                let raw = EventBlock.encode(messages)
                return (raw.count, Data(Deflate.compress(raw)))
            }()
            try db.inTransaction {
                try Self.checkFence(lease, in: db)
                if let block {
                    let last = try Self.lastSequence(of: id, in: db)
                    try db.execute(
                        sql: "INSERT INTO job_event_block (job_id, first_seq, last_seq, format, size, data) VALUES (?, ?, ?, ?, ?, ?)",
                        arguments: [id, last + 1, last + count, EventBlock.format, block.size, block.data])
                }
                let insertResult = try db.cachedStatement(sql: "INSERT OR REPLACE INTO node_result (job_id, node_id, outputs, started_at, duration) VALUES (?, ?, ?, ?, ?)")
                for (node, outputs, started, duration) in resultRows {
                    try insertResult.execute(arguments: [id, node, outputs, started, duration])
                }
                return .commit
            }
        }
    }

    /// The sequence number of the job's last recorded message (0 for none).
    private static func lastSequence(of id: String, in db: Database) throws -> Int {
        let blocks = try Int.fetchOne(db, sql: "SELECT MAX(last_seq) FROM job_event_block WHERE job_id = ?", arguments: [id]) ?? 0
        let rows = try Int.fetchOne(db, sql: "SELECT MAX(seq) FROM job_event WHERE job_id = ?", arguments: [id]) ?? 0
        return max(blocks, rows)
    }

    public func finish(_ lease: JobLease, status: JobStatus, outputs: OrderedDictionary<String, Value>?, error: String?, errorNodeID: String?) async throws {
        let now = Date().timeIntervalSince1970
        let encoded = outputs.map { Value.dict($0).jsonString() }
        try await database.write { db in
            try db.execute(
                sql: """
                    UPDATE job SET status = ?, finished_at = ?, outputs = ?, error = ?, error_node_id = ?, process_id = NULL,
                    lease_owner = NULL, lease_expires_at = NULL WHERE id = ? AND epoch = ? AND status = 'running'
                    """,
                arguments: [status.rawValue, now, encoded, error, errorNodeID, lease.jobID, lease.epoch])
            guard db.changesCount > 0 else { throw JobStoreError.leaseLost(lease.jobID) }
        }
    }

    public func events(_ id: String, after: Int) async throws -> [JobEvent] {
        let (rows, blocks) = try await database.read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT seq, message FROM job_event WHERE job_id = ? AND seq > ? ORDER BY seq", arguments: [id, after])
                .map { row -> (Int, String) in (row["seq"], row["message"]) }
            return (rows, try Self.blocks(of: id, after: after, in: db))
        }
        var events = try rows.map { JobEvent(sequence: $0.0, message: try Value(json: $0.1)) }
        for block in blocks { events += try block.events(job: id, after: after) }
        return events
    }

    public func nodeResults(_ id: String) async throws -> [String: NodeResultRecord] {
        try await recordedResults(id).nodes
    }

    public func iterationResults(_ id: String) async throws -> [String: [Int: NodeOutputs]] {
        try await recordedResults(id).iterations
    }

    /// What resume needs, from one pass over the job's events: each top-level node's result, and
    /// the results of nodes in top-level Loops by iteration.
    public func recordedResults(_ id: String) async throws -> (nodes: [String: NodeResultRecord], iterations: [String: [Int: NodeOutputs]]) {
        let (rows, blocks) = try await database.read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT node_id, outputs, started_at, duration FROM node_result WHERE job_id = ?", arguments: [id])
                .map { row -> (String, String, Double?, Double?) in (row["node_id"], row["outputs"], row["started_at"], row["duration"]) }
            return (rows, try Self.blocks(of: id, after: 0, in: db))
        }
        var nodes: [String: NodeResultRecord] = [:]
        for (nodeID, text, started, duration) in rows {  // jobs recorded before event blocks
            nodes[nodeID] = try NodeResultRecord(stored: text, nodeID: nodeID, startedAt: started, duration: duration, jobID: id)
        }
        var collected = RecordedResults(nodes: nodes)
        for block in blocks { collected.add(try block.messages(job: id)) }
        return (collected.nodes, collected.iterations)
    }

    private static func blocks(of id: String, after: Int, in db: Database) throws -> [StoredEventBlock] {
        try Row.fetchAll(
            db, sql: "SELECT first_seq, format, size, data FROM job_event_block WHERE job_id = ? AND last_seq > ? ORDER BY first_seq",
            arguments: [id, after]
        ).map { row in
            let data: Data = row["data"]
            return StoredEventBlock(firstSequence: row["first_seq"], format: row["format"], size: row["size"], data: Array(data))
        }
    }

    public func requestCancel(_ id: String) async throws -> Bool {
        let now = Date().timeIntervalSince1970
        return try await database.write { db in
            // A queued job is nobody's yet: it ends here. A running one ends when its process
            // sees the request (it polls for it).
            try db.execute(
                sql: "UPDATE job SET status = 'cancelled', cancel_requested = 1, finished_at = ? WHERE id = ? AND status = 'queued'",
                arguments: [now, id])
            if db.changesCount > 0 { return true }
            try db.execute(sql: "UPDATE job SET cancel_requested = 1 WHERE id = ? AND status = 'running'", arguments: [id])
            return db.changesCount > 0
        }
    }

    /// Whether someone asked for the job to be cancelled (the running process polls it).
    public func isCancelRequested(_ id: String) async throws -> Bool {
        try await database.read { db in
            try Bool.fetchOne(db, sql: "SELECT cancel_requested FROM job WHERE id = ?", arguments: [id]) ?? false
        }
    }

    public func jobCounts() async throws -> [JobStatus: Int] {
        let rows = try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT status, COUNT(*) AS n FROM job GROUP BY status").map { row -> (String, Int) in (row["status"], row["n"]) }
        }
        var counts: [JobStatus: Int] = [:]
        for (status, n) in rows {
            if let status = JobStatus(rawValue: status) { counts[status] = n }
        }
        return counts
    }

    public func failOrphans(host: String, crashed: Set<String>, isAlive: @Sendable (Int32) -> Bool) async throws -> [String] {
        let running = try await database.read { db in
            // Jobs that workers hold by lease are not orphans: when their worker dies, the lease
            // lapses and another worker takes them over.
            try Row.fetchAll(db, sql: "SELECT id, process_id FROM job WHERE status = 'running' AND host = ? AND lease_expires_at IS NULL", arguments: [host])
                .map { row -> (String, Int32?) in (row["id"], row["process_id"]) }
        }
        let orphans = running.compactMap { id, pid -> String? in
            guard let pid else { return id }
            return isAlive(pid) ? nil : id
        }
        guard !orphans.isEmpty else { return [] }
        let now = Date().timeIntervalSince1970
        try await database.write { db in
            for id in orphans {
                try db.execute(
                    sql: "UPDATE job SET status = 'failed', finished_at = ?, error = ?, process_id = NULL WHERE id = ? AND status = 'running' AND lease_expires_at IS NULL",
                    arguments: [now, crashed.contains(id) ? JobRecord.crashError : JobRecord.orphanError, id])
            }
        }
        return orphans
    }

    static func record(_ row: Row) throws -> JobRecord {
        let id: String = row["id"]
        let graphBytes: [UInt8]
        if let compressed = row["graph_z"] as Data?, let size = row["graph_size"] as Int? {
            guard let bytes = Deflate.decompress(Array(compressed), size: size) else { throw JobStoreError.corrupt("graph of job '\(id)'") }
            graphBytes = bytes
        } else {
            graphBytes = Array((row["graph"] as String).utf8)
        }
        let paramsText: String = row["params"]
        guard case .dict(let params) = try Value(json: paramsText) else { throw JobStoreError.corrupt("params of job '\(id)'") }
        let statusText: String = row["status"]
        guard let status = JobStatus(rawValue: statusText) else { throw JobStoreError.corrupt("status '\(statusText)' of job '\(id)'") }
        var job = JobRecord(
            id: id, workflowID: row["workflow_id"], workflowName: row["workflow_name"],
            graph: graphBytes.isEmpty ? Graph() : try Workflow(jsonValue: try Value(jsonBytes: graphBytes)).graph, params: params, userID: row["user_id"],
            status: status, createdAt: Date(timeIntervalSince1970: row["created_at"]))
        job.startedAt = (row["started_at"] as Double?).map(Date.init(timeIntervalSince1970:))
        job.finishedAt = (row["finished_at"] as Double?).map(Date.init(timeIntervalSince1970:))
        job.error = row["error"]
        job.errorNodeID = row["error_node_id"]
        if let outputsText = row["outputs"] as String? {
            guard case .dict(let outputs) = try Value(json: outputsText) else { throw JobStoreError.corrupt("outputs of job '\(id)'") }
            job.outputs = outputs
        }
        job.processID = row["process_id"]
        job.host = row["host"]
        job.cancelRequested = row["cancel_requested"]
        job.requiredLabels = LabelColumn.decode(row["required_labels"])
        job.epoch = row["epoch"]
        job.leaseOwner = row["lease_owner"]
        job.leaseExpiresAt = (row["lease_expires_at"] as Double?).map(Date.init(timeIntervalSince1970:))
        job.leaseLosses = row["lease_losses"]
        return job
    }
}
