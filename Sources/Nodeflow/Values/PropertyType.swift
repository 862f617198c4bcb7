/// The declared type of a node property or output, written the way nodetool's metadata does
/// (`int`, `float`, `list[any]`, `int | float`).
///
/// Types decide which edges validation accepts and how a value is coerced when it reaches a
/// property: an int flowing into a `float` property becomes a float, as in pydantic.
public indirect enum PropertyType: Sendable, Hashable {
    case any
    case null
    case bool
    case int
    case float
    case string
    case bytes
    case list(PropertyType)
    case dict
    /// One of several types, e.g. `int | float`.
    case union([PropertyType])
    /// A string from a fixed set, e.g. a sort order.
    case enumeration([String])
    /// A nodetool asset reference (`{"type": "image", "uri": ...}`), named by its `type` field.
    case asset(String)

    /// `int | float`, the usual type of a math operand.
    public static let number: PropertyType = .union([.int, .float])
    /// `T | None`.
    public static func optional(_ wrapped: PropertyType) -> PropertyType { .union([wrapped, .null]) }

    /// Whether a value of this type may flow along an edge into a property of type `target`.
    ///
    /// `any` fits everything; an int fits a float; a union fits when one of its members does.
    public func canFlow(into target: PropertyType) -> Bool {
        if self == target { return true }  // the common case (Add into Add), without the pairwise walk
        switch (self, target) {
        case (.any, _), (_, .any): return true
        case (.union(let members), _): return members.contains { $0.canFlow(into: target) }
        case (_, .union(let members)): return members.contains { self.canFlow(into: $0) }
        case (.int, .float): return true
        case (.list(let a), .list(let b)): return a.canFlow(into: b)
        // A single value into a list property arrives as a one-item list (as in nodetool).
        case (_, .list(let element)): return self.canFlow(into: element)
        case (.enumeration, .string), (.string, .enumeration): return true
        case (.enumeration(let a), .enumeration(let b)): return Set(a).isSubset(of: Set(b))
        case (.asset(let a), .asset(let b)): return a == b
        case (.dict, .asset), (.asset, .dict): return true
        default: return self == target
        }
    }

    /// Converts a value to this type, or returns `nil` when it does not fit.
    ///
    /// An int is accepted where a float is expected and stays an int (as in nodetool, where
    /// `FloatOutput` fed `4` outputs `4`); a float with no fractional part becomes an int where an
    /// int is expected; everything else must already have the right kind.
    public func coerce(_ value: Value) -> Value? {
        switch (self, value) {
        case (.any, _): return value
        case (.null, .null): return value
        case (.bool, .bool): return value
        case (.int, .int): return value
        case (.int, .float): return Int(value: value).map(Value.int)
        case (.float, .float): return value
        // nodetool assigns an int to a float property as it is (Python would too): it stays an int.
        case (.float, .int): return value
        case (.string, .string): return value
        case (.bytes, .bytes): return value
        case (.dict, .dict): return value
        case (.enumeration(let cases), .string(let s)): return cases.contains(s) ? value : nil
        case (.asset(let kind), .dict(let d)):
            // An asset reference is a dict; its `type`, where given, must match.
            if let type = d["type"]?.stringValue, type != kind { return nil }
            return value
        case (.list(let element), .list(let list)):
            if case .any = element { return value }
            var converted: [Value] = []
            converted.reserveCapacity(list.count)
            for item in list {
                guard let c = element.coerce(item) else { return nil }
                converted.append(c)
            }
            return .list(converted)
        case (.union(let members), _):
            // Keep the value as it is when a member takes it unchanged; convert only otherwise.
            for member in members where member.accepts(value) { return value }
            for member in members {
                if let c = member.coerce(value) { return c }
            }
            return nil
        default: return nil
        }
    }

    /// Whether a value already has this type, with no conversion.
    public func accepts(_ value: Value) -> Bool {
        switch (self, value) {
        case (.any, _), (.null, .null), (.bool, .bool), (.int, .int), (.float, .float), (.float, .int),
            (.string, .string), (.bytes, .bytes), (.dict, .dict):
            return true
        case (.enumeration(let cases), .string(let s)): return cases.contains(s)
        case (.asset(let kind), .dict(let d)): return (d["type"]?.stringValue ?? kind) == kind
        case (.list(let element), .list(let list)):
            if case .any = element { return true }
            return list.allSatisfy { element.accepts($0) }
        case (.union(let members), _): return members.contains { $0.accepts(value) }
        default: return false
        }
    }
}

extension PropertyType: CustomStringConvertible {
    /// The type as nodetool writes it: `int`, `list[str]`, `int | float`, `enum[ascending, descending]`.
    public var description: String {
        switch self {
        case .any: "any"
        case .null: "none"
        case .bool: "bool"
        case .int: "int"
        case .float: "float"
        case .string: "str"
        case .bytes: "bytes"
        case .list(let element): "list[\(element)]"
        case .dict: "dict"
        case .union(let members): members.map(\.description).joined(separator: " | ")
        case .enumeration(let cases): "enum[\(cases.joined(separator: ", "))]"
        case .asset(let kind): kind
        }
    }
}
