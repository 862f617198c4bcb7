import Synchronization

/// An in-memory ``ResultCache`` bounded by entry count and approximate size, evicting the least
/// recently used entry first.
public final class MemoryResultCache: ResultCache {
    /// Counters of a cache's use.
    public struct Statistics: Sendable, Hashable {
        public var hits = 0
        public var misses = 0
        public var entries = 0
        /// The approximate size of the stored values, in bytes.
        public var bytes = 0
        public var evictions = 0
    }

    private let state: Mutex<LRUStore>

    /// Makes a cache.
    /// - Parameters:
    ///   - maxEntries: the most entries kept.
    ///   - maxBytes: the most bytes of values kept (approximate).
    public init(maxEntries: Int = 10_000, maxBytes: Int = 256 << 20) {
        state = Mutex(LRUStore(maxEntries: max(1, maxEntries), maxBytes: max(1, maxBytes)))
    }

    public func outputs(for key: CacheKey) -> NodeOutputs? {
        state.withLock { $0.lookup(key) }
    }

    public func store(_ outputs: NodeOutputs, for key: CacheKey) {
        let size = outputs.slots.reduce(64) { $0 + $1.key.utf8.count + $1.value.approximateSize }
        state.withLock { $0.insert(outputs, size: size, for: key) }
    }

    public func removeAll() {
        state.withLock { $0.removeAll() }
    }

    /// Hits, misses, entries, size and evictions so far.
    public var statistics: Statistics {
        state.withLock { $0.statistics }
    }
}

/// A least-recently-used map: a dictionary into a doubly linked list kept in an array, so every
/// operation is O(1).
struct LRUStore {
    private struct Entry {
        var key: CacheKey
        var outputs: NodeOutputs
        var size: Int
        var previous: Int
        var next: Int
    }

    private var index: [CacheKey: Int] = [:]
    private var entries: [Entry] = []
    private var freeSlots: [Int] = []
    private var head = -1  // most recently used
    private var tail = -1  // least recently used
    let maxEntries: Int
    let maxBytes: Int
    private(set) var statistics = MemoryResultCache.Statistics()

    init(maxEntries: Int, maxBytes: Int) {
        self.maxEntries = maxEntries
        self.maxBytes = maxBytes
    }

    mutating func lookup(_ key: CacheKey) -> NodeOutputs? {
        guard let slot = index[key] else {
            statistics.misses += 1
            return nil
        }
        statistics.hits += 1
        moveToFront(slot)
        return entries[slot].outputs
    }

    mutating func insert(_ outputs: NodeOutputs, size: Int, for key: CacheKey) {
        if let slot = index[key] {
            statistics.bytes += size - entries[slot].size
            entries[slot].outputs = outputs
            entries[slot].size = size
            moveToFront(slot)
        } else {
            let entry = Entry(key: key, outputs: outputs, size: size, previous: -1, next: -1)
            let slot: Int
            if let free = freeSlots.popLast() {
                slot = free
                entries[slot] = entry
            } else {
                slot = entries.count
                entries.append(entry)
            }
            index[key] = slot
            linkAtFront(slot)
            statistics.entries += 1
            statistics.bytes += size
        }
        while statistics.entries > maxEntries || (statistics.bytes > maxBytes && statistics.entries > 1) {
            evictLeastRecentlyUsed()
        }
    }

    mutating func removeAll() {
        index.removeAll()
        entries.removeAll()
        freeSlots.removeAll()
        head = -1
        tail = -1
        statistics.entries = 0
        statistics.bytes = 0
    }

    private mutating func evictLeastRecentlyUsed() {
        let slot = tail
        guard slot >= 0 else { return }
        unlink(slot)
        index[entries[slot].key] = nil
        statistics.entries -= 1
        statistics.bytes -= entries[slot].size
        statistics.evictions += 1
        entries[slot].outputs = NodeOutputs(.null)  // release the value now
        freeSlots.append(slot)
    }

    private mutating func moveToFront(_ slot: Int) {
        guard head != slot else { return }
        unlink(slot)
        linkAtFront(slot)
    }

    private mutating func linkAtFront(_ slot: Int) {
        entries[slot].previous = -1
        entries[slot].next = head
        if head >= 0 { entries[head].previous = slot }
        head = slot
        if tail < 0 { tail = slot }
    }

    private mutating func unlink(_ slot: Int) {
        let previous = entries[slot].previous
        let next = entries[slot].next
        if previous >= 0 { entries[previous].next = next } else { head = next }
        if next >= 0 { entries[next].previous = previous } else { tail = previous }
        entries[slot].previous = -1
        entries[slot].next = -1
    }
}

extension Value {
    /// A rough size of the value in memory, in bytes, for cache bounds.
    var approximateSize: Int {
        switch self {
        case .null, .bool, .int, .float: 16
        case .string(let s): 16 + s.utf8.count
        case .bytes(let b): 16 + b.count
        case .list(let l): l.reduce(16) { $0 + $1.approximateSize }
        case .dict(let d): d.reduce(16) { $0 + $1.key.utf8.count + $1.value.approximateSize }
        }
    }
}
