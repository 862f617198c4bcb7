import Nodeflow

/// The `nodetool.boolean.*` nodes.
enum BooleanNodes {
    static let all: [any Node.Type] = [LogicalOperator.self, Not.self, Compare.self, If.self, IsNone.self, IsIn.self, All.self, Some.self]
}

private func booleanNode(_ name: String, _ description: String, _ properties: [PropertyDescriptor], output: PropertyType = .bool) -> NodeMetadata {
    NodeMetadata(type: "nodetool.boolean.\(name)", title: name, description: description, properties: properties, outputs: [OutputDescriptor("output", output)], runsInline: true)
}

struct LogicalOperator: Node {
    static let metadata = booleanNode("LogicalOperator", "Combines two booleans with and, or, xor, nand or nor.", [
        PropertyDescriptor("a", .bool, default: false, description: "The first boolean."),
        PropertyDescriptor("b", .bool, default: false, description: "The second boolean."),
        PropertyDescriptor("operation", .enumeration(["and", "or", "xor", "nand", "nor"]), default: "and", description: "The operation."),
    ])
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let a: Bool = try context.input("a"), b: Bool = try context.input("b")
        let result: Bool
        switch try context.input("operation", as: String.self) {
        case "and": result = a && b
        case "or": result = a || b
        case "xor": result = a != b
        case "nand": result = !(a && b)
        default: result = !(a || b)
        }
        return NodeOutputs(.bool(result))
    }
}

struct Not: Node {
    static let metadata = booleanNode("Not", "The opposite of a boolean.", [PropertyDescriptor("value", .bool, default: false, description: "The boolean to negate.")])
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        NodeOutputs(.bool(!(try context.input("value", as: Bool.self))))
    }
}

struct Compare: Node {
    static let metadata = booleanNode("Compare", "Compares two values with ==, !=, >, <, >= or <= (Python's rules: 1 == 1.0, strings by code point).", [
        PropertyDescriptor("a", .any, description: "The first value."),
        PropertyDescriptor("b", .any, description: "The second value."),
        PropertyDescriptor("comparison", .enumeration(["==", "!=", ">", "<", ">=", "<="]), default: "==", description: "The comparison."),
    ])
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let a = context["a"], b = context["b"]
        let op: String = try context.input("comparison")
        switch op {
        case "==": return NodeOutputs(.bool(PythonEquality.equal(a, b)))
        case "!=": return NodeOutputs(.bool(!PythonEquality.equal(a, b)))
        default:
            guard let order = Value.pythonCompare(a, b) else {
                throw NodeError("cannot compare \(a.kindName) \(a.pythonRepr) with \(b.kindName) \(b.pythonRepr) using \(op)")
            }
            switch op {
            case ">": return NodeOutputs(.bool(order == .descending))
            case "<": return NodeOutputs(.bool(order == .ascending))
            case ">=": return NodeOutputs(.bool(order != .ascending))
            default: return NodeOutputs(.bool(order != .descending))
            }
        }
    }
}

/// Python's `==`: numbers compare by value across int and float (and bool), containers element-wise.
enum PythonEquality {
    static func equal(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.list(let x), .list(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
        case (.dict(let x), .dict(let y)):
            return x.count == y.count && x.allSatisfy { key, value in y[key].map { equal(value, $0) } ?? false }
        default:
            if let x = number(a), let y = number(b) { return x == y }
            return a == b
        }
    }

    private static func number(_ v: Value) -> Double? {
        switch v {
        case .bool(let b): b ? 1 : 0
        case .int(let i): Double(i)
        case .float(let d): d
        default: nil
        }
    }
}

struct If: Node {
    static let metadata = booleanNode("If", "One of two values, chosen by a condition.", [
        PropertyDescriptor("condition", .bool, description: "The condition."),
        PropertyDescriptor("if_true", .any, description: "The value when the condition holds."),
        PropertyDescriptor("if_false", .any, description: "The value when it does not."),
    ], output: .any)
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        NodeOutputs(try context.input("condition", as: Bool.self) ? context["if_true"] : context["if_false"])
    }
}

struct IsNone: Node {
    static let metadata = booleanNode("IsNone", "Whether a value is null (None).", [PropertyDescriptor("value", .any, description: "The value to check.")])
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        NodeOutputs(.bool(context["value"].isNull))
    }
}

struct IsIn: Node {
    static let metadata = booleanNode("IsIn", "Whether a value is one of a list of options (Python's `in`).", [
        PropertyDescriptor("value", .any, description: "The value to look for."),
        PropertyDescriptor("options", .list(.any), description: "The options."),
    ])
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let value = context["value"]
        let options: [Value] = try context.input("options")
        return NodeOutputs(.bool(options.contains { PythonEquality.equal($0, value) }))
    }
}

struct All: Node {
    static let metadata = booleanNode("All", "Whether every value in a list is true (true for an empty list).", [PropertyDescriptor("values", .list(.bool), description: "The booleans.")])
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        NodeOutputs(.bool(try context.input("values", as: [Value].self).allSatisfy(\.isTruthy)))
    }
}

struct Some: Node {
    static let metadata = booleanNode("Some", "Whether any value in a list is true (false for an empty list).", [PropertyDescriptor("values", .list(.bool), description: "The booleans.")])
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        NodeOutputs(.bool(try context.input("values", as: [Value].self).contains(where: \.isTruthy)))
    }
}
