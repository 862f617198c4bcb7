import OrderedCollections
import DequeModule
import OrderedCollections

/// A Swift type that converts to and from ``Value``, so nodes can read typed properties
/// (`let n: Int = try context.input("count")`) and return typed results.
public protocol ValueConvertible: Sendable {
    /// Converts a value, returning `nil` when its kind does not fit.
    init?(value: Value)
    /// The value form.
    var value: Value { get }
}

extension Value: ValueConvertible {
    public init?(value: Value) { self = value }
    public var value: Value { self }
}

extension Bool: ValueConvertible {
    public init?(value: Value) {
        guard case .bool(let b) = value else { return nil }
        self = b
    }
    public var value: Value { .bool(self) }
}

extension Int: ValueConvertible {
    /// Accepts an int, or a float with no fractional part (as pydantic's lax mode does).
    public init?(value: Value) {
        switch value {
        case .int(let i): self = i
        case .float(let d) where d.rounded() == d && abs(d) < 9.2e18: self = Int(d)
        default: return nil
        }
    }
    public var value: Value { .int(self) }
}

extension Double: ValueConvertible {
    /// Accepts a float or an int.
    public init?(value: Value) {
        switch value {
        case .float(let d): self = d
        case .int(let i): self = Double(i)
        default: return nil
        }
    }
    public var value: Value { .float(self) }
}

extension String: ValueConvertible {
    public init?(value: Value) {
        guard case .string(let s) = value else { return nil }
        self = s
    }
    public var value: Value { .string(self) }
}

extension Array: ValueConvertible where Element: ValueConvertible {
    public init?(value: Value) {
        guard case .list(let list) = value else { return nil }
        var result: [Element] = []
        result.reserveCapacity(list.count)
        for element in list {
            guard let converted = Element(value: element) else { return nil }
            result.append(converted)
        }
        self = result
    }
    public var value: Value { .list(map(\.value)) }
}

extension OrderedDictionary: ValueConvertible where Key == String, Value: ValueConvertible {
    public init?(value: Nodeflow.Value) {
        guard case .dict(let dict) = value else { return nil }
        var result = OrderedDictionary<String, Value>()
        for (key, element) in dict {
            guard let converted = Value(value: element) else { return nil }
            result[key] = converted
        }
        self = result
    }
    public var value: Nodeflow.Value { .dict(mapValues(\.value)) }
}

extension Optional: ValueConvertible where Wrapped: ValueConvertible {
    /// `.null` becomes `nil`; anything else must convert to `Wrapped`.
    public init?(value: Value) {
        if value.isNull {
            self = .none
        } else if let wrapped = Wrapped(value: value) {
            self = .some(wrapped)
        } else {
            return nil
        }
    }
    public var value: Value { map(\.value) ?? .null }
}
