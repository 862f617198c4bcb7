import OrderedCollections

/// The other shapes a workflow file can take: nodetool's compact form, and ComfyUI's files,
/// recognised so that they get an error that says what they are.
enum WorkflowFormats {
    /// "UI format" or "API format" when `document` is a ComfyUI workflow.
    static func comfyUIKind(_ document: OrderedDictionary<String, Value>) -> String? {
        if document["last_node_id"] != nil || (document["links"] != nil && document["nodes"] != nil && document["graph"] == nil) {
            return "UI format"
        }
        guard document["graph"] == nil, document["nodes"] == nil, !document.isEmpty else { return nil }
        let isAPI = document.values.allSatisfy { value in
            if case .dict(let node) = value { return node["class_type"] != nil }
            return false
        }
        return isAPI ? "API format" : nil
    }

    /// nodetool's compact form, as 0.5.3's `read_graph` reads it: `{node_id: {"type": T, "data":
    /// {property: value | [source_id, output]}}}`, where a two-item list naming another node is
    /// an edge from that node's output. `nil` when `document` is not in that form.
    static func compactGraph(_ document: OrderedDictionary<String, Value>) throws -> Graph? {
        guard !document.isEmpty, document.values.allSatisfy({ value in
            if case .dict(let node) = value, case .string? = node["type"] { return true }
            return false
        }) else { return nil }
        var nodes: [NodeSpec] = []
        var edges: [EdgeSpec] = []
        for (id, value) in document {
            guard case .dict(let object) = value, case .string(let type)? = object["type"] else { continue }
            var data: OrderedDictionary<String, Value> = [:]
            switch object["data"] {
            case nil, .null?: break
            case .dict(let d)?:
                for (property, value) in d {
                    if case .list(let pair) = value, pair.count == 2, case .string(let source)? = pair.first,
                        case .string(let output) = pair[1], document[source] != nil
                    {
                        edges.append(EdgeSpec(id: "\(source).\(output)->\(id).\(property)", source: source, sourceHandle: output, target: id, targetHandle: property))
                    } else {
                        data[property] = value
                    }
                }
            case let other?:
                throw WorkflowFormatError(path: "\(id).data", reason: "expected an object of property values, found \(other.kindName)")
            }
            let parent: String? = if case .string(let p)? = object["parent_id"] { p } else { nil }
            nodes.append(NodeSpec(id: id, type: type, data: data, parentID: parent))
        }
        return Graph(nodes: nodes, edges: edges)
    }
}
