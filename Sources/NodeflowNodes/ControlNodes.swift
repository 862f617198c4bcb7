import Nodeflow

/// Today's `nodetool.control.*` nodes, which make and take streams, and today's streaming
/// `nodetool.output.Output` and `nodetool.list.GenerateSequence`.
enum ControlNodes {
    static let all: [any Node.Type] = [ForEach.self, Collect.self, Reroute.self, ControlIf.self, Output.self]
    /// Types whose names mean something else in 0.5.3's files.
    static let currentFormatOnly: [any Node.Type] = [StreamingGenerateSequence.self]
}

/// Yields each item of a list, with its index. A `None` item sends only its index.
struct ForEach: GeneratorNode {
    static let metadata = NodeMetadata(
        type: "nodetool.control.ForEach", title: "For Each", description: "Sends each item of a list on, one at a time, with its index.",
        properties: [PropertyDescriptor("input_list", .list(.any), default: [], description: "The list to go through.")],
        outputs: [OutputDescriptor("output", .any), OutputDescriptor("index", .int)], isCacheable: false, runsInline: true)

    func generate(_ context: NodeContext) async throws -> any NodeItemIterator {
        Items(list: try context.input("input_list"))
    }

    struct Items: NodeItemIterator {
        let list: [Value]
        var index = 0

        mutating func next() async throws -> NodeOutputs? {
            guard index < list.count else { return nil }
            defer { index += 1 }
            let item = list[index]
            return item == .null ? ["index": .int(index)] : ["output": item, "index": .int(index)]
        }
    }
}

/// Gathers every value of a stream into one list, sent when the stream ends (`[]` for none).
struct Collect: StreamConsumerNode {
    static let metadata = NodeMetadata(
        type: "nodetool.control.Collect", description: "Gathers every value of a stream into a list, sent when the stream ends.",
        properties: [PropertyDescriptor("input_item", .any, default: .null, description: "The values to gather.")],
        outputs: [OutputDescriptor("output", .list(.any))], isCacheable: false, runsInline: true)
    static let passesStreamOn = false

    func makeReader(_ context: NodeContext) throws -> any NodeStreamReader {
        Reader(limits: context)
    }

    struct Reader: NodeStreamReader {
        let limits: NodeContext
        var items: [Value] = []

        mutating func receive(_ value: Value, on handle: String, emit: inout StreamEmitter) async throws {
            guard handle == "input_item" else { return }
            if items.count & 0xFFFF == 0xFFFF { try limits.checkCount(items.count + 1, of: "the collected list") }
            items.append(value)
        }

        mutating func finish(emit: inout StreamEmitter) async throws {
            emit.emit(NodeOutputs(.list(items)))
            items = []
        }
    }
}

/// Passes every value on as it is.
struct Reroute: StreamConsumerNode {
    static let metadata = NodeMetadata(
        type: "nodetool.control.Reroute", description: "Passes every value on unchanged (to tidy a graph's edges).",
        properties: [PropertyDescriptor("input_value", .any, default: .null, description: "The values to pass on.")],
        outputs: [OutputDescriptor("output", .any)], isCacheable: false, runsInline: true)

    func makeReader(_ context: NodeContext) throws -> any NodeStreamReader { Reader() }

    struct Reader: NodeStreamReader {
        mutating func receive(_ value: Value, on handle: String, emit: inout StreamEmitter) async throws {
            if handle == "input_value" { emit.emit(NodeOutputs(value)) }
        }

        mutating func finish(emit: inout StreamEmitter) async throws {}
    }
}

/// Sends each value to `if_true` or `if_false`. Conditions that arrive are paired one to one with
/// the values after them; a value with no condition of its own takes the latest one (at first
/// the `condition` property). With no value arriving, the `value` property is sent once.
struct ControlIf: StreamConsumerNode {
    static let metadata = NodeMetadata(
        type: "nodetool.control.If", description: "Sends each value to if_true or if_false by its condition.",
        properties: [
            PropertyDescriptor("condition", .bool, default: false, description: "The condition."),
            PropertyDescriptor("value", .any, default: .list([]), description: "The value to send on."),
        ],
        outputs: [OutputDescriptor("if_true", .any), OutputDescriptor("if_false", .any)], isCacheable: false, runsInline: true)

    func makeReader(_ context: NodeContext) throws -> any NodeStreamReader {
        Reader(current: context["condition"].isTruthy, fallback: context["value"])
    }

    struct Reader: NodeStreamReader {
        var current: Bool
        let fallback: Value
        var conditions: [Bool] = []
        var nextCondition = 0
        var sent = false

        mutating func receive(_ value: Value, on handle: String, emit: inout StreamEmitter) async throws {
            switch handle {
            case "condition":
                current = value.isTruthy
                conditions.append(current)
            case "value":
                send(value, &emit)
            default:
                break
            }
        }

        mutating func finish(emit: inout StreamEmitter) async throws {
            if !sent { send(fallback, &emit) }
        }

        private mutating func send(_ value: Value, _ emit: inout StreamEmitter) {
            var condition = current
            if nextCondition < conditions.count {
                condition = conditions[nextCondition]
                nextCondition += 1
                if nextCondition == conditions.count { conditions.removeAll(); nextCondition = 0 }
            }
            sent = true
            guard value != .null else { return }
            emit.emit(condition ? ["if_true": value] : ["if_false": value])
        }
    }
}

/// Today's output node: records every value it receives under its `name` (the job's result is the
/// list of them) and posts an `output_update` for each.
struct Output: StreamConsumerNode {
    static let metadata = NodeMetadata(
        type: "nodetool.output.Output", description: "Records every value it receives as the job's output under its name.",
        properties: [
            PropertyDescriptor("name", .string, default: "", description: "The output's name in the job's result."),
            PropertyDescriptor("value", .any, default: .null, description: "The value to record when none arrives."),
            PropertyDescriptor("description", .string, default: "", description: "What the output is."),
        ],
        outputs: [OutputDescriptor("output", .any)], isCacheable: false, role: .output, runsInline: true)

    func makeReader(_ context: NodeContext) throws -> any NodeStreamReader {
        let name = context["name"].stringValue ?? ""
        return Reader(context: context, name: name.isEmpty ? context.nodeID : name)
    }

    struct Reader: NodeStreamReader {
        let context: NodeContext
        let name: String
        var received = false

        mutating func receive(_ value: Value, on handle: String, emit: inout StreamEmitter) async throws {
            received = true
            try record(value, &emit)
        }

        mutating func finish(emit: inout StreamEmitter) async throws {
            if !received { try record(context["value"], &emit) }
        }

        private func record(_ value: Value, _ emit: inout StreamEmitter) throws {
            try context.recordOutput(value, name: name)
            if value != .null { emit.emit(NodeOutputs(value)) }
        }
    }
}

/// Today's `nodetool.list.GenerateSequence`: the integers of Python's `range(start, stop, step)`,
/// one at a time.
struct StreamingGenerateSequence: GeneratorNode {
    static let metadata = NodeMetadata(
        type: "nodetool.list.GenerateSequence", title: "Generate Sequence",
        description: "Sends the integers from start up to (not including) stop, by step, one at a time.",
        properties: [
            PropertyDescriptor("start", .int, default: 0, description: "The first number."),
            PropertyDescriptor("stop", .int, default: 0, description: "The number to stop before."),
            PropertyDescriptor("step", .int, default: 1, description: "The step; must not be 0."),
        ],
        outputs: [OutputDescriptor("output", .int)], isCacheable: false, runsInline: true)

    func generate(_ context: NodeContext) async throws -> any NodeItemIterator {
        let start: Int = try context.input("start"), stop: Int = try context.input("stop"), step: Int = try context.input("step")
        guard step != 0 else { throw NodeError("range() arg 3 must not be zero") }
        return Numbers(next: Int128(start), stop: Int128(stop), step: Int128(step))
    }

    struct Numbers: NodeItemIterator {
        var next: Int128
        let stop: Int128
        let step: Int128

        mutating func next() async throws -> NodeOutputs? {
            guard step > 0 ? next < stop : next > stop else { return nil }
            defer { next += step }
            return NodeOutputs(.int(Int(next)))
        }
    }
}
