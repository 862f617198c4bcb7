/// What to say about a node type the registry does not know: a type from a namespace Nodeflow has
/// nothing of is one of nodetool's Python nodes (packs such as `huggingface.*` and `comfy.*`, and
/// the Python parts of its own library: `nodetool.agents.*`, `nodetool.image.*`), reported once per
/// namespace; a type renamed between nodetool
/// generations gets its other name as the hint; anything else gets the nearest name.
enum UnknownTypes {
    /// The pack a type belongs to: the shortest prefix of its namespace that no registered type
    /// shares (`huggingface`, `nodetool.agents`, `lib.pillow`); `nil` when every prefix is shared
    /// (`nodetool.text.FormatTxt` is a typo in a namespace Nodeflow has, not a pack).
    static func pack(of type: String, namespaces: Set<String>) -> String? {
        let components = type.split(separator: ".", omittingEmptySubsequences: false)
        guard components.count >= 2, components.count <= 20, type.utf8.count <= 200 else { return nil }
        for length in 1..<components.count {
            let prefix = components[0..<length].joined(separator: ".")
            if !namespaces.contains(prefix) { return prefix }
        }
        return nil
    }

    private static func short(_ name: String) -> String {
        name.count > 80 ? String(name.prefix(77)) + "..." : name
    }

    static func message(pack: String, nodes: [NodeSpec]) -> String {
        let count = nodes.count == 1 ? "1 node uses a type" : "\(nodes.count) nodes use types"
        return "\(count) of '\(pack)', a namespace of nodetool's Python nodes that is not available: \(listing(nodes)). Nodes written in Python run when their pack (\(distribution(of: pack))) is installed beside nodetool-core in the Python given with --python (or NODEFLOW_PYTHON)"
    }

    /// Where a namespace's Python nodes come from, and how to install them.
    static func distribution(of pack: String) -> String {
        let root = String(pack.split(separator: ".").first ?? Substring(pack))
        switch root {
        case "huggingface": return "nodetool-huggingface: pip install nodetool-huggingface"
        case "mlx": return "nodetool-mlx: pip install nodetool-mlx"
        case "nodetool", "lib", "anthropic", "apify", "gemini", "kie", "messaging", "mistral", "openai", "search", "vector":
            return "nodetool-base: pip install git+https://github.com/nodetool-ai/nodetool-base"
        default: return "nodetool-\(root)"
        }
    }

    static func message(unavailable namespace: String, reason: String, nodes: [NodeSpec]) -> String {
        let count = nodes.count == 1 ? "1 node uses a type" : "\(nodes.count) nodes use types"
        return "\(count) of '\(namespace)', which is installed but could not be loaded: \(reason). Nodes: \(listing(nodes))"
    }

    /// The nodes by type: `type (nodes 'a', 'b')`, at most 8 types and 5 ids each.
    private static func listing(_ nodes: [NodeSpec]) -> String {
        var byType: [(type: String, ids: [String])] = []
        for node in nodes {
            if let i = byType.firstIndex(where: { $0.type == node.type }) { byType[i].ids.append(node.id) } else { byType.append((node.type, [node.id])) }
        }
        let listed = byType.prefix(8).map { entry in
            let ids = entry.ids.prefix(5).map { "'\(short($0))'" }.joined(separator: ", ")
            return "\(short(entry.type)) (node\(entry.ids.count == 1 ? "" : "s") \(ids)\(entry.ids.count > 5 ? ", …" : ""))"
        }.joined(separator: ", ")
        let more = byType.count > 8 ? " and \(byType.count - 8) more types" : ""
        return listed + more
    }

    /// Names that changed between nodetool 0.5.3's library and today's (both directions).
    private static let renames: [String: String] = {
        let pairs = [
            ("nodetool.text.FormatText", "nodetool.text.Template"),
            ("nodetool.control.If", "nodetool.boolean.If"),
            ("nodetool.list.ListRange", "nodetool.list.GenerateSequence"),
            ("nodetool.output.Output", "nodetool.output.StringOutput"),
            ("lib.math.Add", "nodetool.math.Add"), ("lib.math.Subtract", "nodetool.math.Subtract"),
            ("lib.math.Multiply", "nodetool.math.Multiply"), ("lib.math.Divide", "nodetool.math.Divide"),
            ("lib.math.Modulus", "nodetool.math.Modulus"),
            ("nodetool.text.HtmlToText", "nodetool.text.HTMLToText"),
            ("lib.json.StringifyJSON", "nodetool.json.StringifyJSON"), ("lib.json.ParseJSON", "nodetool.json.ParseJSON"),
        ]
        var table: [String: String] = [:]
        for (a, b) in pairs {
            table[a] = b
            if table[b] == nil { table[b] = a }
        }
        for typed in ["IntegerOutput", "FloatOutput", "BooleanOutput", "TextOutput", "ListOutput", "DictionaryOutput"] {
            table["nodetool.output.\(typed)"] = "nodetool.output.Output"
        }
        return table
    }()

    /// Whether a registered name lies at most two edits away (`nodetool.txt.FormatText`): a typo,
    /// not a pack.
    static func isNearMiss(_ type: String, registry: NodeRegistry) -> Bool {
        guard let nearest = registry.nearestTypeName(to: type) else { return false }
        return editDistance(Array(type.lowercased()), Array(nearest.lowercased())) <= 2
    }

    /// The type's name in the other generation of nodetool's library, when it has one.
    static func renamed(_ type: String) -> String? { renames[type] }
}
