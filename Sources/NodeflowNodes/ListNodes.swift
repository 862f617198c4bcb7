import Nodeflow

/// The `nodetool.list.*` nodes.
enum ListNodes {
    static let all: [any Node.Type] = [Length.self, Append.self, Extend.self, Sort.self, Reverse.self, GetElement.self, Slice.self, GenerateSequence.self, ListRange.self]
}

private func listNode(_ name: String, _ description: String, _ properties: [PropertyDescriptor], output: PropertyType = .list(.any)) -> NodeMetadata {
    NodeMetadata(type: "nodetool.list.\(name)", title: name, description: description, properties: properties, outputs: [OutputDescriptor("output", output)], runsInline: true)
}

private let valuesProperty = PropertyDescriptor("values", .list(.any), default: [], description: "The list.")

struct Length: Node {
    static let metadata = listNode("Length", "The number of items in a list.", [valuesProperty], output: .int)
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        NodeOutputs(.int(try context.input("values", as: [Value].self).count))
    }
}

struct Append: Node {
    static let metadata = listNode("Append", "Adds a value at the end of a list.", [
        valuesProperty, PropertyDescriptor("value", .any, default: .null, description: "The value to add."),
    ])
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        var values: [Value] = try context.input("values")
        values.append(context["value"])
        return NodeOutputs(.list(values))
    }
}

struct Extend: Node {
    static let metadata = listNode("Extend", "Adds the items of another list at the end of a list.", [
        valuesProperty, PropertyDescriptor("other_values", .list(.any), default: [], description: "The items to add."),
    ])
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let values: [Value] = try context.input("values"), other: [Value] = try context.input("other_values")
        return NodeOutputs(.list(values + other))
    }
}

struct Sort: Node {
    static let metadata = listNode("Sort", "Sorts a list, ascending or descending (numbers by value, text by code point).", [
        valuesProperty,
        PropertyDescriptor("order", .enumeration(["ascending", "descending"]), default: "ascending", description: "The sort order."),
    ])
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let values: [Value] = try context.input("values")
        let descending = try context.input("order", as: String.self) == "descending"
        var failure: (Value, Value)?
        // A stable sort, as Python's; `reverse=True` keeps equal items in their order too.
        let sorted = values.enumerated().sorted { l, r in
            guard let order = Value.pythonCompare(l.element, r.element) else {
                if failure == nil { failure = (l.element, r.element) }
                return l.offset < r.offset
            }
            switch order {
            case .same: return l.offset < r.offset
            case .ascending: return !descending
            case .descending: return descending
            }
        }
        if let (a, b) = failure {
            throw NodeError("cannot sort a list that mixes \(a.kindName) and \(b.kindName) (\(a.pythonRepr) and \(b.pythonRepr))")
        }
        return NodeOutputs(.list(sorted.map(\.element)))
    }
}

struct Reverse: Node {
    static let metadata = listNode("Reverse", "Reverses a list.", [valuesProperty])
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        NodeOutputs(.list(try context.input("values", as: [Value].self).reversed()))
    }
}

struct GetElement: Node {
    static let metadata = listNode("GetElement", "The item at an index; negative indices count from the end.", [
        valuesProperty, PropertyDescriptor("index", .int, default: 0, description: "The index."),
    ], output: .any)
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let values: [Value] = try context.input("values")
        let index: Int = try context.input("index")
        let at = index < 0 ? values.count + index : index
        guard values.indices.contains(at) else { throw NodeError("index \(index) is out of range for a list of \(values.count) items") }
        return NodeOutputs(values[at])
    }
}

struct Slice: Node {
    static let metadata = listNode("Slice", "A Python slice of a list: values[start:stop:step].", [
        valuesProperty,
        PropertyDescriptor("start", .optional(.int), default: 0, description: "The first index (negative counts from the end)."),
        PropertyDescriptor("stop", .optional(.int), default: 0, description: "The index to stop before; null for the end. (0, the default as in nodetool, gives an empty slice for a positive step.)"),
        PropertyDescriptor("step", .optional(.int), default: 1, description: "The step; negative walks backwards."),
    ])
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let values: [Value] = try context.input("values")
        let step = try context.input("step", as: Int?.self) ?? 1
        guard step != 0 else { throw NodeError("slice step cannot be zero") }
        let start = try context.input("start", as: Int?.self)
        let stop = try context.input("stop", as: Int?.self)
        return NodeOutputs(.list(PythonSlice.apply(values, start: start, stop: stop, step: step)))
    }
}

/// Python's slice index rules.
enum PythonSlice {
    static func apply<T>(_ items: [T], start: Int?, stop: Int?, step: Int) -> [T] {
        let n = items.count
        func clamp(_ i: Int?, _ defaultValue: Int, low: Int, high: Int) -> Int {
            guard var i else { return defaultValue }
            if i < 0 { i += n }
            return min(max(i, low), high)
        }
        var result: [T] = []
        if step > 0 {
            var i = clamp(start, 0, low: 0, high: n)
            let end = clamp(stop, n, low: 0, high: n)
            while i < end {
                result.append(items[i])
                let (next, overflow) = i.addingReportingOverflow(step)
                if overflow { break }
                i = next
            }
        } else {
            var i = clamp(start, n - 1, low: -1, high: n - 1)
            let end = clamp(stop, -1, low: -1, high: n - 1)
            while i > end { result.append(items[i]); i += step }
        }
        return result
    }
}

/// 0.5.3's GenerateSequence; today's library calls the list-returning node ListRange (and its
/// GenerateSequence streams, see StreamingGenerateSequence).
struct GenerateSequence: Node {
    static var metadata: NodeMetadata { rangeMetadata("GenerateSequence") }

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        try Self.range(context)
    }

    static func rangeMetadata(_ name: String) -> NodeMetadata {
        listNode(name, "The integers from start up to (not including) stop, by step.", [
        PropertyDescriptor("start", .int, default: 0, description: "The first number."),
        PropertyDescriptor("stop", .int, default: 0, description: "The number to stop before."),
        PropertyDescriptor("step", .int, default: 1, description: "The step; must not be 0."),
        ], output: .list(.int))
    }

    static func range(_ context: NodeContext) throws -> NodeOutputs {
        let start: Int = try context.input("start"), stop: Int = try context.input("stop"), step: Int = try context.input("step")
        guard step != 0 else { throw NodeError("'step' must not be 0") }
        // The count, computed without overflow, is checked before a single item is made.
        let span = Int128(stop) - Int128(start), wideStep = Int128(step)
        let count: Int128 = (span > 0 && step > 0) || (span < 0 && step < 0) ? (span + wideStep - wideStep.signum()) / wideStep : 0
        try context.checkCount(count <= Int128(Int.max) ? Int(count) : nil, of: "the sequence from \(start) to \(stop) by \(step)")
        var items: [Value] = []
        items.reserveCapacity(Int(count))
        for k in 0..<Int(count) {
            if k & 0xFFFF == 0 { try context.checkCancellation() }
            items.append(.int(start &+ k &* step))  // wraps only in between: the sum lies in start..<stop
        }
        return NodeOutputs(.list(items))
    }
}

/// Today's `nodetool.list.ListRange`: 0.5.3's GenerateSequence under its new name.
struct ListRange: Node {
    static let metadata = GenerateSequence.rangeMetadata("ListRange")

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        try GenerateSequence.range(context)
    }
}
