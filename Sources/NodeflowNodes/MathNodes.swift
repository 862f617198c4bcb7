import Foundation
import Nodeflow

/// The `nodetool.math.*` nodes, with numpy's rules: int op int stays int (but `/` gives a float),
/// and lists of numbers work element-wise, the shorter one padded with zeros.
enum MathNodes {
    static let all: [any Node.Type] = [Add.self, Subtract.self, Multiply.self, Divide.self, Modulus.self, Power.self, Sqrt.self, Sine.self, Cosine.self]
}

/// A number or a list of numbers, as math nodes take them.
private let operand: PropertyType = .union([.int, .float, .list(.any)])

/// Two-operand arithmetic on scalars or lists.
protocol BinaryMathNode: Node {
    /// The two operands' property names (`a`, `b`; `base`, `exponent` for Power).
    static var operandNames: (String, String) { get }
    static func apply(_ a: Value, _ b: Value) throws -> Value
}

extension BinaryMathNode {
    static func binaryMetadata(_ name: String, _ description: String, a: String = "a", b: String = "b", defaults: (Value, Value) = (0.0, 0.0)) -> NodeMetadata {
        NodeMetadata(
            type: "nodetool.math.\(name)", title: name, description: description,
            properties: [
                PropertyDescriptor(a, operand, default: defaults.0, description: "The first operand: a number or a list of numbers."),
                PropertyDescriptor(b, operand, default: defaults.1, description: "The second operand: a number or a list of numbers."),
            ],
            outputs: [OutputDescriptor("output", operand)], runsInline: true)
    }

    static var operandNames: (String, String) { ("a", "b") }

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let names = Self.operandNames
        let a = context[names.0], b = context[names.1]
        // Two numbers: the common case, with no list handling.
        switch (a, b) {
        case (.int, .int), (.int, .float), (.float, .int), (.float, .float):
            return NodeOutputs(try Self.apply(a, b))
        default:
            return NodeOutputs(try ElementWise.combine(a, b, names: names, Self.apply))
        }
    }
}

/// Applies a scalar operation element-wise, numpy style.
enum ElementWise {
    static func combine(_ a: Value, _ b: Value, names: (String, String), _ op: (Value, Value) throws -> Value) throws -> Value {
        let x = try elements(a, name: names.0), y = try elements(b, name: names.1)
        // A single element (a scalar or a one-item list) broadcasts; otherwise pad with zeros.
        if case .list = a {} else if case .list = b {} else { return try op(a, b) }
        var xs = x, ys = y
        if xs.count == 1 && ys.count != 1 {
            xs = Array(repeating: xs[0], count: ys.count)
        } else if ys.count == 1 && xs.count != 1 {
            ys = Array(repeating: ys[0], count: xs.count)
        } else if xs.count != ys.count {
            let n = max(xs.count, ys.count)
            xs += Array(repeating: .int(0), count: n - xs.count)
            ys += Array(repeating: .int(0), count: n - ys.count)
        }
        let result = try zip(xs, ys).map { try op($0, $1) }
        // numpy's `.item()`: a one-element result is a scalar.
        return result.count == 1 ? result[0] : .list(result)
    }

    static func map(_ a: Value, name: String, _ op: (Value) throws -> Value) throws -> Value {
        guard case .list = a else { return try op(a) }
        let result = try elements(a, name: name).map(op)
        return result.count == 1 ? result[0] : .list(result)
    }

    private static func elements(_ v: Value, name: String) throws -> [Value] {
        switch v {
        case .int, .float: return [v]
        case .bool(let b): return [.int(b ? 1 : 0)]
        case .list(let items):
            return try items.map { item in
                switch item {
                case .int, .float: return item
                case .bool(let b): return .int(b ? 1 : 0)
                default: throw NodeError("'\(name)' must hold numbers only, but it holds \(item.kindName) \(item.pythonRepr)")
                }
            }
        case .dict(let d) where d["type"]?.stringValue == "tensor":
            return try elements(d["value"] ?? .list([]), name: name)
        default:
            throw NodeError("'\(name)' must be a number or a list of numbers, got \(v.kindName) \(v.pythonRepr)")
        }
    }
}

/// Scalar arithmetic with Python's int/float rules.
enum Scalar {
    static func both(_ a: Value, _ b: Value) -> (Int, Int)? {
        if case .int(let x) = a, case .int(let y) = b { return (x, y) }
        return nil
    }

    static func double(_ v: Value) -> Double { v.doubleValue ?? .nan }

    static func checked(_ r: (partialValue: Int, overflow: Bool), _ what: String) throws -> Value {
        if r.overflow { throw NodeError("integer overflow in \(what)") }
        return .int(r.partialValue)
    }
}

struct Add: BinaryMathNode {
    static let metadata = binaryMetadata("Add", "Adds two numbers (or lists of numbers, element-wise).")
    static func apply(_ a: Value, _ b: Value) throws -> Value {
        if let (x, y) = Scalar.both(a, b) { return try Scalar.checked(x.addingReportingOverflow(y), "addition") }
        return .float(Scalar.double(a) + Scalar.double(b))
    }
}

struct Subtract: BinaryMathNode {
    static let metadata = binaryMetadata("Subtract", "Subtracts b from a.")
    static func apply(_ a: Value, _ b: Value) throws -> Value {
        if let (x, y) = Scalar.both(a, b) { return try Scalar.checked(x.subtractingReportingOverflow(y), "subtraction") }
        return .float(Scalar.double(a) - Scalar.double(b))
    }
}

struct Multiply: BinaryMathNode {
    static let metadata = binaryMetadata("Multiply", "Multiplies two numbers.")
    static func apply(_ a: Value, _ b: Value) throws -> Value {
        if let (x, y) = Scalar.both(a, b) { return try Scalar.checked(x.multipliedReportingOverflow(by: y), "multiplication") }
        return .float(Scalar.double(a) * Scalar.double(b))
    }
}

struct Divide: BinaryMathNode {
    static let metadata = binaryMetadata("Divide", "Divides a by b; the result is always a float, as Python's `/`.")
    static func apply(_ a: Value, _ b: Value) throws -> Value {
        let y = Scalar.double(b)
        if y == 0 { throw NodeError("division by zero: b is \(b.pythonRepr)") }
        return .float(Scalar.double(a) / y)
    }
}

struct Modulus: BinaryMathNode {
    static let metadata = binaryMetadata("Modulus", "The remainder of a divided by b, with the sign of b (Python's `%`).")
    static func apply(_ a: Value, _ b: Value) throws -> Value {
        if let (x, y) = Scalar.both(a, b) {
            if y == 0 { throw NodeError("modulo by zero: b is 0") }
            // Int.min % -1 overflows in the machine's instruction, but its value is 0.
            let (r, overflow) = x.remainderReportingOverflow(dividingBy: y)
            if overflow { return .int(0) }
            return .int(r != 0 && (r < 0) != (y < 0) ? r + y : r)
        }
        let x = Scalar.double(a), y = Scalar.double(b)
        if y == 0 { throw NodeError("modulo by zero: b is \(b.pythonRepr)") }
        var r = fmod(x, y)
        if r != 0 && (r < 0) != (y < 0) { r += y }
        return .float(r)
    }
}

struct Power: BinaryMathNode {
    static var operandNames: (String, String) { ("base", "exponent") }
    static let metadata = binaryMetadata("Power", "Raises base to the power of exponent.", a: "base", b: "exponent", defaults: (1.0, 2.0))
    static func apply(_ a: Value, _ b: Value) throws -> Value {
        if let (x, y) = Scalar.both(a, b) {
            guard y >= 0 else { throw NodeError("an integer cannot be raised to a negative integer power (\(x) ** \(y)); use a float") }
            var result = 1, base = x, e = y
            while e > 0 {
                if e & 1 == 1 {
                    let r = result.multipliedReportingOverflow(by: base)
                    if r.overflow { throw NodeError("integer overflow in \(x) ** \(y)") }
                    result = r.partialValue
                }
                e >>= 1
                if e > 0 {
                    let r = base.multipliedReportingOverflow(by: base)
                    if r.overflow { throw NodeError("integer overflow in \(x) ** \(y)") }
                    base = r.partialValue
                }
            }
            return .int(result)
        }
        return .float(pow(Scalar.double(a), Scalar.double(b)))
    }
}

/// One-operand math on a number or a list.
protocol UnaryMathNode: Node {
    static var operandName: String { get }
    static func apply(_ x: Double) throws -> Double
}

extension UnaryMathNode {
    static func unaryMetadata(_ name: String, _ operandName: String, _ description: String, default value: Value) -> NodeMetadata {
        NodeMetadata(
            type: "nodetool.math.\(name)", title: name, description: description,
            properties: [PropertyDescriptor(operandName, operand, default: value, description: "A number or a list of numbers.")],
            outputs: [OutputDescriptor("output", operand)], runsInline: true)
    }

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let x = context[Self.operandName]
        if let d = x.doubleValue { return NodeOutputs(.float(try Self.apply(d))) }
        return NodeOutputs(try ElementWise.map(x, name: Self.operandName) { .float(try Self.apply(Scalar.double($0))) })
    }
}

struct Sqrt: UnaryMathNode {
    static let operandName = "x"
    static let metadata = unaryMetadata("Sqrt", "x", "The square root, computed in single precision as nodetool does.", default: 1.0)
    static func apply(_ x: Double) throws -> Double {
        if x < 0 { throw NodeError("square root of a negative number (\(x))") }
        return Double(Float(x).squareRoot())
    }
}

struct Sine: UnaryMathNode {
    static let operandName = "angle_rad"
    static let metadata = unaryMetadata("Sine", "angle_rad", "The sine of an angle in radians.", default: 0.0)
    static func apply(_ x: Double) throws -> Double { sin(x) }
}

struct Cosine: UnaryMathNode {
    static let operandName = "angle_rad"
    static let metadata = unaryMetadata("Cosine", "angle_rad", "The cosine of an angle in radians.", default: 0.0)
    static func apply(_ x: Double) throws -> Double { cos(x) }
}
