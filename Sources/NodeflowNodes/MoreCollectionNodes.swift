import Foundation
import Nodeflow
import OrderedCollections

/// The rest of `nodetool.list.*` and `nodetool.dictionary.*`.
enum MoreCollectionNodes {
    static let all: [any Node.Type] = [SelectElements.self, Dedupe.self, Randomize.self, SaveList.self, DictionaryParseJSON.self, Combine.self, Filter.self, ReduceDictionaries.self]
}

private let valuesProperty = PropertyDescriptor("values", .list(.any), default: [], description: "The list.")

private func listNode(_ name: String, _ description: String, _ properties: [PropertyDescriptor], output: PropertyType = .list(.any), cacheable: Bool = true) -> NodeMetadata {
    NodeMetadata(type: "nodetool.list.\(name)", title: name, description: description, properties: properties, outputs: [OutputDescriptor("output", output)], isCacheable: cacheable, runsInline: cacheable)
}

private func dictionaryNode(_ name: String, _ description: String, _ properties: [PropertyDescriptor], output: PropertyType = .dict) -> NodeMetadata {
    NodeMetadata(type: "nodetool.dictionary.\(name)", title: name, description: description, properties: properties, outputs: [OutputDescriptor("output", output)], runsInline: true)
}

struct SelectElements: Node {
    static let metadata = listNode("SelectElements", "The items at the given indices, in that order (negative indices count from the end).", [
        valuesProperty, PropertyDescriptor("indices", .list(.int), default: [], description: "The indices."),
    ])
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let values: [Value] = try context.input("values"), indices: [Int] = try context.input("indices")
        return NodeOutputs(.list(try indices.map { index in
            let at = index < 0 ? values.count + index : index
            guard values.indices.contains(at) else { throw NodeError("index \(index) is out of range for a list of \(values.count) items") }
            return values[at]
        }))
    }
}

struct Dedupe: Node {
    static let metadata = listNode("Dedupe", "The list without repeated items, keeping each first occurrence in order (1, 1.0 and true count as equal, as in Python).", [valuesProperty])
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        var seen = Set<Value>()
        var result: [Value] = []
        for value in try context.input("values", as: [Value].self) where seen.insert(Self.key(value)).inserted {
            result.append(value)
        }
        return NodeOutputs(.list(result))
    }

    /// Python's hash equality: equal numbers are one key whatever their type.
    static func key(_ value: Value) -> Value {
        switch value {
        case .bool(let b): return .int(b ? 1 : 0)
        case .float(let d) where d.rounded() == d && abs(d) < 9.2e18: return .int(Int(d))
        case .list(let l): return .list(l.map(key))
        default: return value
        }
    }
}

struct Randomize: Node {
    static let metadata = listNode("Randomize", "The list in a random order; give a seed for the same order every time.", [
        valuesProperty, PropertyDescriptor("seed", .optional(.int), default: .null, description: "A seed for a repeatable order; null for a new order each run."),
    ], cacheable: false)
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        var values: [Value] = try context.input("values")
        if let seed = try context.input("seed", as: Int?.self) {
            var generator = SplitMix64(seed: UInt64(bitPattern: Int64(seed)))
            values.shuffle(using: &generator)
        } else {
            values.shuffle()
        }
        return NodeOutputs(.list(values))
    }
}

/// A small, fast, seedable generator (SplitMix64), so a seed gives the same order on every platform.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

struct SaveList: Node {
    static let metadata = listNode("SaveList", "Saves a list as a text file, one item per line, and outputs a reference to it.", [
        valuesProperty,
        PropertyDescriptor("folder", .string, default: "", description: "The folder (a path; empty for the current directory)."),
        PropertyDescriptor("name", .string, default: "text.txt", description: "The file name."),
    ], output: AssetRef.type("text"), cacheable: false)
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let lines = try context.input("values", as: [Value].self).map(\.pythonStr).joined(separator: "\n")
        return NodeOutputs(try FileAssets.save(Array(lines.utf8), folder: try context.input("folder"), name: try context.input("name"), kind: "text"))
    }
}

struct DictionaryParseJSON: Node {
    static let metadata = dictionaryNode("ParseJSON", "Parses a JSON text that holds an object into a dictionary.", [
        PropertyDescriptor("json_string", .string, default: "", description: "The JSON text."),
    ])
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let value: Value
        do { value = try Value(json: try context.input("json_string", as: String.self)) } catch let error as JSONSyntaxError { throw NodeError("'json_string' is not valid JSON: \(error)") }
        guard case .dict = value else { throw NodeError("'json_string' holds \(value.kindName), not a JSON object") }
        return NodeOutputs(value)
    }
}

struct Combine: Node {
    static let metadata = dictionaryNode("Combine", "Merges two dictionaries; keys of dict_b win.", [
        PropertyDescriptor("dict_a", .dict, default: [:], description: "The first dictionary."),
        PropertyDescriptor("dict_b", .dict, default: [:], description: "The second dictionary."),
    ])
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        var a: OrderedDictionary<String, Value> = try context.input("dict_a")
        a.merge(try context.input("dict_b", as: OrderedDictionary<String, Value>.self)) { _, new in new }
        return NodeOutputs(.dict(a))
    }
}

struct Filter: Node {
    static let metadata = dictionaryNode("Filter", "The entries whose keys are in a list, in the list's order.", [
        PropertyDescriptor("dictionary", .dict, default: [:], description: "The dictionary."),
        PropertyDescriptor("keys", .list(.string), default: [], description: "The keys to keep."),
    ])
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let dictionary: OrderedDictionary<String, Value> = try context.input("dictionary")
        var result = OrderedDictionary<String, Value>()
        for key in try context.input("keys", as: [String].self) {
            if let value = dictionary[key] { result[key] = value }
        }
        return NodeOutputs(.dict(result))
    }
}

struct ReduceDictionaries: Node {
    static let metadata = dictionaryNode("ReduceDictionaries", "Turns a list of dictionaries into one, keyed by a field of each.", [
        PropertyDescriptor("dictionaries", .list(.dict), default: [], description: "The dictionaries."),
        PropertyDescriptor("key_field", .string, default: "", description: "The field whose value becomes the key."),
        PropertyDescriptor("value_field", .optional(.string), default: .null, description: "The field whose value becomes the value; null for the rest of the dictionary."),
        PropertyDescriptor("conflict_resolution", .enumeration(["first", "last", "error"]), default: "first", description: "What to do when two dictionaries give the same key."),
    ])
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let dictionaries: [OrderedDictionary<String, Value>] = try context.input("dictionaries")
        let keyField: String = try context.input("key_field")
        let valueField = try context.input("value_field", as: String?.self).flatMap { $0.isEmpty ? nil : $0 }
        let resolution: String = try context.input("conflict_resolution")
        var result = OrderedDictionary<String, Value>()
        for (i, d) in dictionaries.enumerated() {
            guard let keyValue = d[keyField] else { throw NodeError("dictionary \(i) has no key field '\(keyField)'") }
            let key = keyValue.pythonStr
            let value: Value
            if let valueField {
                guard let v = d[valueField] else { throw NodeError("dictionary \(i) has no value field '\(valueField)'") }
                value = v
            } else {
                var rest = d
                rest.removeValue(forKey: keyField)
                value = .dict(rest)
            }
            if result[key] != nil {
                switch resolution {
                case "first": continue
                case "last": result[key] = value
                default: throw NodeError("duplicate key '\(key)' (dictionary \(i))")
                }
            } else {
                result[key] = value
            }
        }
        return NodeOutputs(.dict(result))
    }
}
