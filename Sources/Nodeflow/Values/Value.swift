import DequeModule
import OrderedCollections

/// A dynamic value: what node properties hold and what nodes produce.
///
/// `Value` keeps integers and floating-point numbers apart the way nodetool (Python) does:
/// `1 + 2` is the int `3`, `7 / 2` is the float `3.5`, and `3` is not equal to `3.0`.
/// Dictionaries keep their insertion order, as Python's do, but compare without regard to it.
///
/// ```swift
/// let v: Value = ["name": "Ada", "scores": [1, 2.5]]
/// print(v.jsonString())   // {"name":"Ada","scores":[1,2.5]}
/// ```
public enum Value: Sendable {
    case null
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    case bytes([UInt8])
    case list([Value])
    case dict(OrderedDictionary<String, Value>)
}

extension Value {
    /// The name of the value's kind, as error messages show it (`int`, `float`, `list`, ...).
    public var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "bool"
        case .int: "int"
        case .float: "float"
        case .string: "str"
        case .bytes: "bytes"
        case .list: "list"
        case .dict: "dict"
        }
    }

    /// Whether the value is `.null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The number as a `Double`, for an int or a float; `nil` otherwise.
    public var doubleValue: Double? {
        switch self {
        case .int(let i): Double(i)
        case .float(let d): d
        default: nil
        }
    }

    /// The string, for a `.string`; `nil` otherwise.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The elements, for a `.list`; `nil` otherwise.
    public var listValue: [Value]? {
        if case .list(let l) = self { return l }
        return nil
    }

    /// The entries, for a `.dict`; `nil` otherwise.
    public var dictValue: OrderedDictionary<String, Value>? {
        if case .dict(let d) = self { return d }
        return nil
    }

    /// Python truthiness: `None`, `False`, `0`, `0.0`, empty strings and containers are false.
    public var isTruthy: Bool {
        switch self {
        case .null: false
        case .bool(let b): b
        case .int(let i): i != 0
        case .float(let d): d != 0
        case .string(let s): !s.isEmpty
        case .bytes(let b): !b.isEmpty
        case .list(let l): !l.isEmpty
        case .dict(let d): !d.isEmpty
        }
    }

    /// Looks up a key of a dictionary value; `nil` for other kinds or a missing key.
    public subscript(key: String) -> Value? {
        if case .dict(let d) = self { return d[key] }
        return nil
    }
}

// MARK: - Equality and hashing

extension Value: Hashable {
    /// Values are equal when they have the same kind and contents; dictionaries compare
    /// regardless of key order (as in Python), and `.int(3)` differs from `.float(3)`.
    public static func == (lhs: Value, rhs: Value) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.float(let a), .float(let b)): return a == b || (a.isNaN && b.isNaN)
        case (.string(let a), .string(let b)): return a == b
        case (.bytes(let a), .bytes(let b)): return a == b
        case (.list(let a), .list(let b)): return a == b
        case (.dict(let a), .dict(let b)):
            guard a.count == b.count else { return false }
            for (key, value) in a {
                guard let other = b[key], other == value else { return false }
            }
            return true
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0 as UInt8)
        case .bool(let b): hasher.combine(1 as UInt8); hasher.combine(b)
        case .int(let i): hasher.combine(2 as UInt8); hasher.combine(i)
        case .float(let d): hasher.combine(3 as UInt8); hasher.combine(d.isNaN ? .nan : d)
        case .string(let s): hasher.combine(4 as UInt8); hasher.combine(s)
        case .bytes(let b): hasher.combine(5 as UInt8); hasher.combine(b)
        case .list(let l): hasher.combine(6 as UInt8); hasher.combine(l)
        case .dict(let d):
            // Order-independent: combine the entries' hashes commutatively.
            hasher.combine(7 as UInt8)
            hasher.combine(d.count)
            var sum = 0
            for (key, value) in d {
                var entry = Hasher()
                entry.combine(key)
                entry.combine(value)
                sum &+= entry.finalize()
            }
            hasher.combine(sum)
        }
    }
}

// MARK: - Literals

extension Value: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .float(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: Value...) { self = .list(elements) }
    public init(dictionaryLiteral elements: (String, Value)...) {
        self = .dict(OrderedDictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}

extension Value: CustomStringConvertible {
    /// The value as compact JSON.
    public var description: String { jsonString() }
}
