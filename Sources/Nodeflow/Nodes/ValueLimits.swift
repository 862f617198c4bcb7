/// How large a value one node may make: the guard against runaway output (a sequence to 10¹²,
/// a template padded to 10 GB) that would otherwise exhaust memory before a cancel is read.
///
/// Set on the ``ProcessingContext``; nodes check through ``NodeContext/checkCount(_:of:)`` and
/// ``NodeContext/checkSize(_:of:)`` before they build a list or a string.
public struct ValueLimits: Sendable, Hashable {
    /// The most items a list a node makes may hold.
    public var maxListCount: Int
    /// The most UTF-8 bytes a string a node makes may hold.
    public var maxStringBytes: Int

    /// The defaults: 10 million items, 256 MiB of text.
    public init(maxListCount: Int = 10_000_000, maxStringBytes: Int = 256 << 20) {
        self.maxListCount = maxListCount
        self.maxStringBytes = maxStringBytes
    }
}

/// A node would make a value larger than the run's ``ValueLimits`` allow.
public struct ValueLimitError: Error, Sendable, CustomStringConvertible {
    /// What was too large, e.g. "the sequence".
    public var what: String
    /// How large it would be (`nil` when too large to count).
    public var size: Int?
    public var limit: Int
    /// "items" or "bytes".
    public var unit: String

    public init(what: String, size: Int?, limit: Int, unit: String) {
        self.what = what
        self.size = size
        self.limit = limit
        self.unit = unit
    }

    public var description: String {
        let size = size.map { "\($0) \(unit)" } ?? "more \(unit) than can be counted"
        return "\(what) would hold \(size), over the limit of \(limit) \(unit) (ValueLimits)"
    }
}

extension NodeContext {
    /// The run's value limits.
    public var limits: ValueLimits { processing.limits }

    /// Throws ``ValueLimitError`` when a list of `count` items (`nil`: too many to count) is over
    /// the limit.
    public func checkCount(_ count: Int?, of what: String) throws {
        let limit = processing.limits.maxListCount
        guard let count, count <= limit else { throw ValueLimitError(what: what, size: count, limit: limit, unit: "items") }
    }

    /// Throws ``ValueLimitError`` when a string of `bytes` UTF-8 bytes (`nil`: too many to count) is
    /// over the limit.
    public func checkSize(_ bytes: Int?, of what: String) throws {
        let limit = processing.limits.maxStringBytes
        guard let bytes, bytes <= limit else { throw ValueLimitError(what: what, size: bytes, limit: limit, unit: "bytes") }
    }
}
