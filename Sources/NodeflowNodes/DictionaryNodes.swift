import DequeModule
import OrderedCollections
import Nodeflow

/// The `nodetool.dictionary.*` nodes.
enum DictionaryNodes {
    static let all: [any Node.Type] = [GetValue.self, Update.self, Remove.self, Zip.self]
}

private func dictionaryNode(_ name: String, _ description: String, _ properties: [PropertyDescriptor], output: PropertyType = .dict) -> NodeMetadata {
    NodeMetadata(type: "nodetool.dictionary.\(name)", title: name, description: description, properties: properties, outputs: [OutputDescriptor("output", output)], runsInline: true)
}

private let dictionaryProperty = PropertyDescriptor("dictionary", .dict, default: [:], description: "The dictionary.")

struct GetValue: Node {
    static let metadata = dictionaryNode("GetValue", "The value under a key, or a default when the key is missing.", [
        dictionaryProperty,
        PropertyDescriptor("key", .string, default: "", description: "The key."),
        PropertyDescriptor("default", .any, default: .null, description: "The value when the key is missing."),
    ], output: .any)
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let dictionary: OrderedDictionary<String, Value> = try context.input("dictionary")
        return NodeOutputs(dictionary[try context.input("key", as: String.self)] ?? context["default"])
    }
}

struct Update: Node {
    static let metadata = dictionaryNode("Update", "The dictionary with new key-value pairs added or replaced.", [
        dictionaryProperty, PropertyDescriptor("new_pairs", .dict, default: [:], description: "The pairs to add."),
    ])
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        var dictionary: OrderedDictionary<String, Value> = try context.input("dictionary")
        let pairs: OrderedDictionary<String, Value> = try context.input("new_pairs")
        dictionary.merge(pairs) { _, new in new }
        return NodeOutputs(.dict(dictionary))
    }
}

struct Remove: Node {
    static let metadata = dictionaryNode("Remove", "The dictionary without a key (unchanged when the key is missing).", [
        dictionaryProperty, PropertyDescriptor("key", .string, default: "", description: "The key to remove."),
    ])
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        var dictionary: OrderedDictionary<String, Value> = try context.input("dictionary")
        dictionary.removeValue(forKey: try context.input("key", as: String.self))
        return NodeOutputs(.dict(dictionary))
    }
}

struct Zip: Node {
    static let metadata = dictionaryNode("Zip", "A dictionary from a list of keys and a list of values, paired in order (extra items are dropped).", [
        PropertyDescriptor("keys", .list(.any), default: [], description: "The keys."),
        PropertyDescriptor("values", .list(.any), default: [], description: "The values."),
    ])
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let keys: [Value] = try context.input("keys"), values: [Value] = try context.input("values")
        var dictionary = OrderedDictionary<String, Value>()
        for (key, value) in zip(keys, values) {
            switch key {
            case .string, .int, .float, .bool, .null: dictionary[key.pythonStr] = value
            default: throw NodeError("a key must be a string or a number, got \(key.kindName) \(key.pythonRepr)")
            }
        }
        return NodeOutputs(.dict(dictionary))
    }
}
