import Crypto
import Foundation
import Nodeflow
import Synchronization

/// A ``ResultCache`` in a directory, shared by every process that uses the directory, bounded in
/// size with least-recently-used eviction.
///
/// Each entry is one file named by its key, written to a temporary file and renamed into place, so
/// a reader never sees half an entry; each file carries a SHA-256 of its contents, so a torn or
/// damaged file is detected, ignored and removed rather than read as valid. Reading an entry
/// touches its modification time, which eviction uses as the last use.
public final class DiskResultCache: ResultCache {
    /// Counters of this process's use of the cache, and the directory's size.
    public struct Statistics: Sendable {
        public var entries: Int
        public var bytes: Int
        public var hits: Int
        public var misses: Int
        public var corrupt: Int
    }

    private struct Counters {
        var hits = 0
        var misses = 0
        var corrupt = 0
        var bytesSinceCheck = 0
    }

    public let directory: URL
    public let maxBytes: Int
    private let counters = Mutex(Counters())
    private static let magic = Array("NFC2".utf8)

    /// Opens (creating if needed) a cache in `directory`.
    public init(directory: URL, maxBytes: Int = 1 << 30) throws {
        self.directory = directory
        self.maxBytes = maxBytes
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    private func url(for key: CacheKey) -> URL {
        let hex = key.hex
        return directory.appendingPathComponent(String(hex.prefix(2)), isDirectory: true).appendingPathComponent(hex)
    }

    public func outputs(for key: CacheKey) -> NodeOutputs? {
        let file = url(for: key)
        guard let data = FileManager.default.contents(atPath: file.path) else {
            counters.withLock { $0.misses += 1 }
            return nil
        }
        guard let outputs = Self.decode(Array(data)) else {
            // A torn or damaged entry: never trust it, and make room for a good one.
            try? FileManager.default.removeItem(at: file)
            counters.withLock { $0.corrupt += 1; $0.misses += 1 }
            return nil
        }
        try? FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: file.path)
        counters.withLock { $0.hits += 1 }
        return outputs
    }

    public func store(_ outputs: NodeOutputs, for key: CacheKey) {
        let bytes = Self.encode(outputs)
        let file = url(for: key)
        let folder = file.deletingLastPathComponent()
        let temporary = folder.appendingPathComponent(".tmp-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data(bytes).write(to: temporary)
            if rename(temporary.path, file.path) != 0 { try? FileManager.default.removeItem(at: temporary) }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            return  // a cache that cannot write is only slower
        }
        let check = counters.withLock { counters -> Bool in
            counters.bytesSinceCheck += bytes.count
            guard counters.bytesSinceCheck > max(1 << 20, maxBytes / 20) else { return false }
            counters.bytesSinceCheck = 0
            return true
        }
        if check { evict() }
    }

    public func removeAll() {
        for entry in (try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)) ?? [] {
            try? FileManager.default.removeItem(at: entry)
        }
    }

    /// The entries and bytes on disk now, and this process's hits and misses.
    public var statistics: Statistics {
        let files = entries()
        let c = counters.withLock { $0 }
        return Statistics(entries: files.count, bytes: files.reduce(0) { $0 + $1.size }, hits: c.hits, misses: c.misses, corrupt: c.corrupt)
    }

    /// Removes the least recently used entries until the cache is under 90% of its bound.
    public func evict() {
        var files = entries()
        var total = files.reduce(0) { $0 + $1.size }
        guard total > maxBytes else { return }
        files.sort { $0.used < $1.used }
        for file in files where total > maxBytes * 9 / 10 {
            try? FileManager.default.removeItem(at: file.url)
            total -= file.size
        }
    }

    private func entries() -> [(url: URL, size: Int, used: Date)] {
        let keys: [URLResourceKey] = [.fileSizeKey, .contentModificationDateKey, .isRegularFileKey]
        guard let walker = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: keys) else { return [] }
        var result: [(URL, Int, Date)] = []
        for case let url as URL in walker where !url.lastPathComponent.hasPrefix(".tmp-") {
            guard let values = try? url.resourceValues(forKeys: Set(keys)), values.isRegularFile == true else { continue }
            result.append((url, values.fileSize ?? 0, values.contentModificationDate ?? .distantPast))
        }
        return result
    }

    // MARK: File format: "NFC2", payload length (8 bytes, little-endian), SHA-256 of the payload,
    // payload (the slots in the job store's exact binary encoding: NaN, Infinity and bytes come
    // back as they were, which JSON could not promise). Entries of the older JSON format fail the
    // magic check and count as damaged: they are removed and computed again.

    static func encode(_ outputs: NodeOutputs) -> [UInt8] {
        let payload = EventBlock.encode(outputs: outputs)
        var bytes = magic
        withUnsafeBytes(of: UInt64(payload.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: SHA256.hash(data: payload))
        bytes.append(contentsOf: payload)
        return bytes
    }

    static func decode(_ bytes: [UInt8]) -> NodeOutputs? {
        let header = magic.count + 8 + 32
        guard bytes.count >= header, Array(bytes[0..<magic.count]) == magic else { return nil }
        var length: UInt64 = 0
        for (i, b) in bytes[magic.count..<(magic.count + 8)].enumerated() { length |= UInt64(b) << (8 * UInt64(i)) }
        guard UInt64(bytes.count - header) == length else { return nil }
        let payload = Array(bytes[header...])
        guard Array(SHA256.hash(data: payload)) == Array(bytes[(magic.count + 8)..<header]) else { return nil }
        return try? EventBlock.decodeOutputs(payload)
    }
}
