import Foundation
import Nodeflow
import OrderedCollections

extension MessagePack {
    /// A Nodeflow value as the worker's Python side reads it (`bytes` for bytes, maps with string keys).
    public init(_ value: Nodeflow.Value) {
        switch value {
        case .null: self = .nil
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .int(Int64(i))
        case .float(let d): self = .float64(d)
        case .string(let s): self = .string(s)
        case .bytes(let b): self = .binary(b)
        case .list(let items): self = .array(items.map(MessagePack.init))
        case .dict(let d): self = .map(d.map { (key: .string($0.key), value: MessagePack($0.value)) })
        }
    }

    /// The value as a Nodeflow value: integers above `Int.max` and 32-bit floats become floats,
    /// map keys that are not strings are written as Python's `str()` writes them, a timestamp
    /// becomes an ISO 8601 string (as Python's `isoformat`).
    /// - Throws: ``BridgeError`` for an extension type other than the timestamp.
    public func value() throws(BridgeError) -> Nodeflow.Value {
        switch self {
        case .nil: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(Int(i))
        case .uint(let u): return .float(Double(u))
        case .float32(let f): return .float(Double(f))
        case .float64(let d): return .float(d)
        case .string(let s): return .string(s)
        case .binary(let b): return .bytes(b)
        case .array(let items):
            var out: [Nodeflow.Value] = []
            out.reserveCapacity(items.count)
            for item in items { out.append(try item.value()) }
            return .list(out)
        case .map(let entries):
            var out = OrderedDictionary<String, Nodeflow.Value>(minimumCapacity: entries.count)
            for (key, value) in entries { out[try key.keyText()] = try value.value() }
            return .dict(out)
        case .timestamp(let seconds, let nanoseconds):
            let date = Date(timeIntervalSince1970: Double(seconds) + Double(nanoseconds) / 1e9)
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            return .string(formatter.string(from: date))
        case .extended(let type, _):
            throw BridgeError("the worker sent a msgpack extension of type \(type), which Nodeflow does not read")
        }
    }

    private func keyText() throws(BridgeError) -> String {
        switch self {
        case .string(let s): return s
        case .nil: return "None"
        case .bool(let b): return b ? "True" : "False"
        default: return try value().pythonStr
        }
    }

    /// The string under `key` of a map.
    func string(_ key: String) -> String? {
        if case .string(let s)? = self[key] { return s }
        return nil
    }
}

/// A fault in talking to a Python worker: a malformed frame, a protocol violation, a worker that
/// exited or could not start.
public struct BridgeError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
