import Foundation
import Nodeflow
import OrderedCollections

/// How to select jobs from the store.
public struct JobQuery: Sendable {
    public var status: JobStatus?
    public var userID: String?
    public var limit: Int
    public var offset: Int

    public init(status: JobStatus? = nil, userID: String? = nil, limit: Int = 50, offset: Int = 0) {
        self.status = status
        self.userID = userID
        self.limit = limit
        self.offset = offset
    }
}

/// Where jobs, their messages and their nodes' results are kept. Implementations must be safe to
/// use from several tasks and several processes at once.
public protocol JobStore: Sendable {
    /// Adds a new job: `queued` for a worker to claim, or `running` (with its process, host,
    /// epoch and start) for a job the creating process runs itself.
    func create(_ job: JobRecord) async throws
    /// The job with this id, if any.
    func job(_ id: String) async throws -> JobRecord?
    /// Jobs, newest first, as summaries: their graphs may be left empty (``job(_:)`` reads a job
    /// whole), since a listing has no use for them and a graph may be large.
    func jobs(_ query: JobQuery) async throws -> [JobRecord]
    /// Marks a job running in this process (not through the queue: no worker may claim it) and
    /// returns the lease its writes are fenced with.
    func markRunning(_ id: String, processID: Int32, host: String) async throws -> JobLease
    /// Appends messages and node results in one transaction.
    /// - Throws: ``JobStoreError/leaseLost(_:)`` when `lease` is no longer the job's.
    func record(_ lease: JobLease, messages: [ProcessingMessage], results: [NodeResultRecord]) async throws
    /// Ends a job.
    /// - Throws: ``JobStoreError/leaseLost(_:)`` when `lease` is no longer the job's.
    func finish(_ lease: JobLease, status: JobStatus, outputs: OrderedDictionary<String, Value>?, error: String?, errorNodeID: String?) async throws
    /// Claims the oldest job `worker` may run — a queued one, or a running one whose lease
    /// lapsed — in one transaction, so that no two workers claim one job. A lapsed job past the
    /// policy's poison limit is failed instead.
    func claim(for worker: WorkerIdentity, policy: ClaimPolicy, now: Date) async throws -> JobClaim?
    /// Extends a claimed job's lease by the policy's lease from `now`.
    /// - Returns: whether someone asked for the job to be cancelled.
    /// - Throws: ``JobStoreError/leaseLost(_:)`` when another worker took the job over.
    func renew(_ lease: JobLease, policy: ClaimPolicy, now: Date) async throws -> Bool
    /// Hands a claimed job back to the queue unfinished (a worker shutting down); the next
    /// worker resumes it from its recorded node results.
    func release(_ lease: JobLease) async throws
    /// Calls `onQueued` whenever a job may have become claimable (queued, or handed back), until
    /// the task is cancelled; workers claim at once instead of at their next poll. A store that
    /// cannot tell returns at once (workers poll).
    func listenForQueuedJobs(_ onQueued: @escaping @Sendable () -> Void) async throws
    /// The ids of jobs that start with `prefix` (at most `limit`, in order), for commands that
    /// accept a short id as `git` accepts a short hash.
    func jobIDs(startingWith prefix: String, limit: Int) async throws -> [String]
    /// How often an idle worker looks for queued jobs: often for a store that cannot announce
    /// them (a cheap read), seldom for one that can (``listenForQueuedJobs(_:)``).
    var idlePollInterval: Duration { get }
    /// Releases what the store holds open (a database connection pool); the store is not used
    /// after.
    func close() async
    /// What resume needs: each top-level node's result, and the results of nodes inside
    /// top-level Loops by iteration.
    func recordedResults(_ id: String) async throws -> (nodes: [String: NodeResultRecord], iterations: [String: [Int: NodeOutputs]])
    /// The job's messages after sequence number `after`, in order.
    func events(_ id: String, after: Int) async throws -> [JobEvent]
    /// The results recorded for the job's nodes, by node id.
    func nodeResults(_ id: String) async throws -> [String: NodeResultRecord]
    /// A job's status alone (`nil` for no such job): what a follower polls, without reading the
    /// job's graph.
    func status(of id: String) async throws -> JobStatus?
    /// The results recorded for nodes inside top-level Loops, by node id, then iteration.
    func iterationResults(_ id: String) async throws -> [String: [Int: NodeOutputs]]
    /// Cancels a queued job at once, and asks the process running a running one to cancel it;
    /// `false` when the job is neither.
    func requestCancel(_ id: String) async throws -> Bool
    /// Whether someone asked for the job to be cancelled (the running process polls it).
    func isCancelRequested(_ id: String) async throws -> Bool
    /// How many jobs have each status.
    func jobCounts() async throws -> [JobStatus: Int]
    /// Marks running jobs of `host` whose process is gone as failed; returns their ids.
    func failOrphans(host: String, crashed: Set<String>, isAlive: @Sendable (Int32) -> Bool) async throws -> [String]
    /// Whether the store holds more than `policy` allows.
    func exceeds(_ policy: RetentionPolicy, now: Date) async throws -> Bool
    /// Deletes finished jobs past `policy` and returns the space; never a queued or running job.
    @discardableResult
    func prune(_ policy: RetentionPolicy, now: Date) async throws -> PruneReport
}

extension JobStore {
    /// The job, or an error naming the id when there is none.
    public func requireJob(_ id: String) async throws -> JobRecord {
        guard let job = try await job(id) else { throw JobStoreError.notFound(id) }
        return job
    }
}

/// A job store problem a user can act on.
public enum JobStoreError: Error, Sendable, CustomStringConvertible {
    case notFound(String)
    case corrupt(String)
    /// The job is no longer this process's to write: another worker took it over, or it ended.
    case leaseLost(String)
    /// The store cannot be reached or opened (a database server), with the reason.
    case unavailable(String)

    public var description: String {
        switch self {
        case .notFound(let id): "no job with id '\(id)'"
        case .corrupt(let reason): "the job store holds data it cannot read: \(reason)"
        case .unavailable(let reason): reason
        case .leaseLost(let id): "job '\(id)' is no longer held by this process (its lease lapsed and another worker took it over, or it ended); nothing more is written for it here"
        }
    }
}

extension JobStore {
    /// Whether the store holds more than `policy` allows now.
    public func exceeds(_ policy: RetentionPolicy) async throws -> Bool { try await exceeds(policy, now: Date()) }

    /// Prunes by `policy` now.
    @discardableResult
    public func prune(_ policy: RetentionPolicy) async throws -> PruneReport { try await prune(policy, now: Date()) }

    public func listenForQueuedJobs(_ onQueued: @escaping @Sendable () -> Void) async throws {}

    public func close() async {}

    public var idlePollInterval: Duration { .milliseconds(25) }

    /// Claims a job now.
    public func claim(for worker: WorkerIdentity, policy: ClaimPolicy = ClaimPolicy()) async throws -> JobClaim? {
        try await claim(for: worker, policy: policy, now: Date())
    }

    /// Marks running jobs of `host` whose process is gone as failed, none of them known crashed.
    public func failOrphans(host: String, isAlive: @Sendable (Int32) -> Bool) async throws -> [String] {
        try await failOrphans(host: host, crashed: [], isAlive: isAlive)
    }
}
