/// A msgpack value, with every type nodetool's worker protocol uses: the Python side's `None`,
/// `bool`, `int` (signed and unsigned, up to 64 bits), `float` (32- and 64-bit), `str`, `bytes`,
/// lists, dicts (any key type, in order) and extension types, the timestamp (−1) among them.
public enum MessagePack: Sendable, Hashable {
    case `nil`
    case bool(Bool)
    case int(Int64)
    /// An unsigned integer above `Int64.max` (smaller ones decode as ``int(_:)``).
    case uint(UInt64)
    case float32(Float)
    case float64(Double)
    case string(String)
    case binary([UInt8])
    case array([MessagePack])
    /// A map's entries in the order they were written.
    case map([(key: MessagePack, value: MessagePack)])
    case extended(type: Int8, data: [UInt8])
    /// The timestamp extension (type −1).
    case timestamp(seconds: Int64, nanoseconds: UInt32)

    public static func == (lhs: MessagePack, rhs: MessagePack) -> Bool {
        switch (lhs, rhs) {
        case (.nil, .nil): true
        case (.bool(let a), .bool(let b)): a == b
        case (.int(let a), .int(let b)): a == b
        case (.uint(let a), .uint(let b)): a == b
        case (.float32(let a), .float32(let b)): a == b || (a.isNaN && b.isNaN)
        case (.float64(let a), .float64(let b)): a == b || (a.isNaN && b.isNaN)
        case (.string(let a), .string(let b)): a == b
        case (.binary(let a), .binary(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.map(let a), .map(let b)): a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        case (.extended(let t1, let d1), .extended(let t2, let d2)): t1 == t2 && d1 == d2
        case (.timestamp(let s1, let n1), .timestamp(let s2, let n2)): s1 == s2 && n1 == n2
        default: false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .nil: hasher.combine(0)
        case .bool(let b): hasher.combine(b)
        case .int(let i): hasher.combine(i)
        case .uint(let u): hasher.combine(u)
        case .float32(let f): hasher.combine(f.isNaN ? .nan : f)
        case .float64(let d): hasher.combine(d.isNaN ? .nan : d)
        case .string(let s): hasher.combine(s)
        case .binary(let b): hasher.combine(b)
        case .array(let a): hasher.combine(a)
        case .map(let m): hasher.combine(m.count)
        case .extended(let t, let d): hasher.combine(t); hasher.combine(d)
        case .timestamp(let s, let n): hasher.combine(s); hasher.combine(n)
        }
    }

    /// The value of a string key in a map.
    public subscript(key: String) -> MessagePack? {
        guard case .map(let entries) = self else { return nil }
        return entries.first { $0.key == .string(key) }?.value
    }
}

extension MessagePack: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral, ExpressibleByNilLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByFloatLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(nilLiteral: ()) { self = .nil }
    public init(arrayLiteral elements: MessagePack...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (MessagePack, MessagePack)...) { self = .map(elements.map { (key: $0.0, value: $0.1) }) }
    public init(floatLiteral value: Double) { self = .float64(value) }
}
