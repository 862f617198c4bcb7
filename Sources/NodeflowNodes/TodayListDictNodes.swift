import Nodeflow

/// Today's list and dictionary nodes (nodetool-base 50bbc4ee, March 2026): chunks, set
/// operations, the product of a list, the key of a dictionary's largest value.
enum TodayListDictNodes {
    static let all: [any Node.Type] = [ListChunk.self, ListIntersection.self, ListUnion.self, ListDifference.self, ListProduct.self, ArgMax.self]
}

private func listNode(_ name: String, _ description: String, _ properties: [PropertyDescriptor], output: PropertyType = .list(.any)) -> NodeMetadata {
    NodeMetadata(type: "nodetool.list.\(name)", title: name, description: description, properties: properties, outputs: [OutputDescriptor("output", output)], runsInline: true)
}

/// `[values[i:i + chunk_size] for i in range(0, len(values), chunk_size)]`. nodetool declares
/// `chunk_size > 0` without enforcing it (0 fails in `range`, a negative size gives `[]`); here
/// either is an error naming the property.
struct ListChunk: Node {
    static let metadata = listNode("Chunk", "Splits a list into lists of chunk_size items (the last may be shorter).", [
        PropertyDescriptor("values", .list(.any), default: [], description: "The list."),
        PropertyDescriptor("chunk_size", .int, default: 1, description: "Items per chunk; at least 1.", bounds: 1...Double(Int.max)),
    ], output: .list(.list(.any)))
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let values: [Value] = try context.input("values")
        let size = try context.input("chunk_size", in: 1...Int.max)
        var chunks: [Value] = []
        var start = 0
        while start < values.count {
            let end = start + min(size, values.count - start)
            chunks.append(.list(Array(values[start..<end])))
            start = end
        }
        return NodeOutputs(.list(chunks))
    }
}

/// The items of two lists as Python's sets hold them: equal items (`1`, `1.0`, `true`) once, the
/// first one kept. nodetool returns `list(set(...))`, whose order is the hash table's (for texts a
/// new one each run); here the items keep their order: `list1`'s, then `list2`'s.
enum PythonSet {
    /// Each item once, in order, with its key; lists and dicts are unhashable in Python.
    static func unique(_ values: [Value]) throws -> (items: [Value], keys: Set<Value>) {
        var keys = Set<Value>()
        var items: [Value] = []
        for value in values {
            switch value {
            case .list: throw NodeError("unhashable type: 'list'")
            case .dict: throw NodeError("unhashable type: 'dict'")
            default: break
            }
            if keys.insert(Dedupe.key(value)).inserted { items.append(value) }
        }
        return (items, keys)
    }

    static let properties = [
        PropertyDescriptor("list1", .list(.any), default: [], description: "The first list."),
        PropertyDescriptor("list2", .list(.any), default: [], description: "The second list."),
    ]

    static func operands(_ context: NodeContext) throws -> (first: (items: [Value], keys: Set<Value>), second: (items: [Value], keys: Set<Value>)) {
        (try unique(try context.input("list1")), try unique(try context.input("list2")))
    }
}

struct ListIntersection: Node {
    static let metadata = listNode("Intersection", "The items of list1 that list2 also has, each once, in list1's order.", PythonSet.properties)
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let (first, second) = try PythonSet.operands(context)
        return NodeOutputs(.list(first.items.filter { second.keys.contains(Dedupe.key($0)) }))
    }
}

struct ListUnion: Node {
    static let metadata = listNode("Union", "The items of both lists, each once: list1's, then the new ones of list2.", PythonSet.properties)
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let (first, second) = try PythonSet.operands(context)
        return NodeOutputs(.list(first.items + second.items.filter { !first.keys.contains(Dedupe.key($0)) }))
    }
}

struct ListDifference: Node {
    static let metadata = listNode("Difference", "The items of list1 that list2 does not have, each once, in list1's order.", PythonSet.properties)
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let (first, second) = try PythonSet.operands(context)
        return NodeOutputs(.list(first.items.filter { !second.keys.contains(Dedupe.key($0)) }))
    }
}

/// `reduce(operator.mul, values)`: ints stay ints (an overflow is an error: Python's ints have no
/// bound, Nodeflow's 64 bits), a float makes the rest float.
struct ListProduct: Node {
    static let metadata = listNode("Product", "The product of a list of numbers.", [
        PropertyDescriptor("values", .list(.float), default: [], description: "The numbers."),
    ], output: .float)
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let values: [Value] = try context.input("values")
        guard let first = values.first else { throw NodeError("Cannot calculate product of empty list") }
        for value in values {
            switch value {
            case .int, .float: continue
            default: throw NodeError("All values must be numbers")
            }
        }
        var product = first
        for value in values.dropFirst() { product = try Multiply.apply(product, value) }
        return NodeOutputs(product)
    }
}

/// `max(scores.items(), key=lambda x: x[1])[0]`: the first key of the largest value (a NaN is
/// never larger, nor is anything larger than a NaN).
struct ArgMax: Node {
    static let metadata = NodeMetadata(
        type: "nodetool.dictionary.ArgMax", title: "Arg Max", description: "The key of a dictionary's largest value (the first, when several are equal).",
        properties: [PropertyDescriptor("scores", .dict, default: [:], description: "Labels and their scores.")],
        outputs: [OutputDescriptor("output", .string)], runsInline: true)

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        guard case .dict(let scores) = context["scores"], !scores.isEmpty else { throw NodeError("Input dictionary cannot be empty") }
        var best: (key: String, score: Value)?
        for (key, value) in scores {
            guard let score = PythonNumber.number(value) else {
                throw NodeError("'scores' must hold numbers; '\(key)' holds \(value.kindName) \(value.pythonRepr)")
            }
            if let current = best, PythonNumber.order(score, current.score) != .descending { continue }
            best = (key, score)
        }
        return NodeOutputs(.string(best!.key))
    }
}
