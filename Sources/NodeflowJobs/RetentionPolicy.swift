import Foundation

/// How much job history a store keeps: finished jobs (completed, failed, cancelled) past any of
/// the limits are deleted, oldest first; queued and running jobs are never deleted.
///
/// The default keeps 30 days, at most 1,000 finished jobs and at most 1 GiB on disk — enough to
/// look back at a month of work, small enough that a workflow run in a loop cannot fill a disk.
public struct RetentionPolicy: Sendable, Hashable {
    /// Finished jobs older than this (by when they were created) are deleted; `nil` keeps any age.
    public var maxAge: TimeInterval?
    /// At most this many finished jobs are kept, the newest; `nil` keeps any number.
    public var maxJobs: Int?
    /// The store's data is kept under this many bytes by deleting the oldest finished jobs;
    /// `nil` sets no bound.
    public var maxBytes: Int?

    public init(maxAge: TimeInterval? = 30 * 86_400, maxJobs: Int? = 1_000, maxBytes: Int? = 1 << 30) {
        self.maxAge = maxAge
        self.maxJobs = maxJobs
        self.maxBytes = maxBytes
    }

    /// 30 days, 1,000 finished jobs, 1 GiB.
    public static let `default` = RetentionPolicy()
}

/// What a prune did.
public struct PruneReport: Sendable, Hashable {
    /// The ids of the jobs deleted.
    public var deletedJobs: [String]
    /// The store's size on disk (database and write-ahead log) before and after.
    public var bytesBefore: Int
    public var bytesAfter: Int

    public init(deletedJobs: [String], bytesBefore: Int, bytesAfter: Int) {
        self.deletedJobs = deletedJobs
        self.bytesBefore = bytesBefore
        self.bytesAfter = bytesAfter
    }
}
