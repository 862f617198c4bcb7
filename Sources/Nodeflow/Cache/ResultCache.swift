import DequeModule
import OrderedCollections
import Crypto

/// Where the runner keeps results of cacheable nodes, by ``CacheKey``.
///
/// Implementations must be safe to call from many tasks at once. The calls are synchronous so the
/// runner can consult the cache without a task hop; a disk-backed cache does its I/O inline.
public protocol ResultCache: Sendable {
    /// The outputs stored under `key`, or `nil`.
    func outputs(for key: CacheKey) -> NodeOutputs?
    /// Stores outputs under `key`, replacing any earlier entry.
    func store(_ outputs: NodeOutputs, for key: CacheKey)
    /// Removes every entry.
    func removeAll()
}

/// The identity of a node's computation: a SHA-256 over a canonical encoding of the node's type and
/// its resolved property values. The same inputs give the same key in every process.
public struct CacheKey: Sendable, Hashable, CustomStringConvertible {
    /// The 32 bytes of the digest.
    public let digest: [UInt8]

    /// The key of a node of type `nodeType` whose resolved properties are `inputs`.
    ///
    /// Property order does not matter; int and float values give different keys.
    public init(nodeType: String, inputs: OrderedDictionary<String, Value>) {
        var encoder = CanonicalEncoder()
        encoder.encodeString("nodeflow.cache.v1")
        encoder.encodeString(nodeType)
        encoder.encode(.dict(inputs))
        digest = Array(SHA256.hash(data: encoder.bytes))
    }

    /// The digest in lowercase hex, e.g. for a file name.
    public var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for b in digest {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public var description: String { hex }
}

/// A byte encoding of values in which equal values encode equally: dictionary keys sorted, every
/// field tagged and length-prefixed, numbers as fixed-width little-endian bits.
struct CanonicalEncoder {
    private(set) var bytes: [UInt8] = []

    mutating func encode(_ value: Value) {
        switch value {
        case .null: bytes.append(0)
        case .bool(let b): bytes.append(1); bytes.append(b ? 1 : 0)
        case .int(let i): bytes.append(2); appendInteger(UInt64(bitPattern: Int64(i)))
        case .float(let d): bytes.append(3); appendInteger(d.isNaN ? Double.nan.bitPattern : d.bitPattern)
        case .string(let s): bytes.append(4); encodeString(s)
        case .bytes(let b):
            bytes.append(5)
            appendInteger(UInt64(b.count))
            bytes.append(contentsOf: b)
        case .list(let list):
            bytes.append(6)
            appendInteger(UInt64(list.count))
            for element in list { encode(element) }
        case .dict(let dict):
            bytes.append(7)
            appendInteger(UInt64(dict.count))
            for key in dict.keys.sorted() {
                encodeString(key)
                encode(dict[key]!)
            }
        }
    }

    mutating func encodeString(_ s: String) {
        let utf8 = s.utf8
        appendInteger(UInt64(utf8.count))
        bytes.append(contentsOf: utf8)
    }

    private mutating func appendInteger(_ v: UInt64) {
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }
}
