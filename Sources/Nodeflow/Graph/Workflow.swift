import DequeModule
import OrderedCollections

/// A workflow document in nodetool's format: `{"id", "name", "description", "graph": {...}, ...}`.
///
/// Loading accepts a full document or a bare graph (`{"nodes": [...], "edges": [...]}`), keeps
/// every key it does not use, and ``jsonValue`` writes it all back.
///
/// ```swift
/// let workflow = try Workflow(json: try String(contentsOfFile: "add.json", encoding: .utf8))
/// print(workflow.graph.nodes.count)
/// ```
public struct Workflow: Sendable, Hashable {
    public var id: String?
    public var name: String?
    public var description: String?
    public var graph: Graph
    /// Every other key of the document, kept as read.
    public var otherFields: OrderedDictionary<String, Value>
    /// Whether the file was a bare graph, so that writing it back keeps that shape.
    public var isBareGraph: Bool

    public init(
        id: String? = nil, name: String? = nil, description: String? = nil, graph: Graph,
        otherFields: OrderedDictionary<String, Value> = [:]
    ) {
        self.id = id
        self.name = name
        self.description = description
        self.graph = graph
        self.otherFields = otherFields
        self.isBareGraph = false
    }

    /// Reads a workflow document or a bare graph from JSON text.
    /// - Throws: ``JSONSyntaxError`` for text that is not JSON, ``WorkflowFormatError`` for JSON
    ///   that is not a workflow (naming the path of the bad key, e.g. `graph.nodes[3].type`).
    public init(json text: String) throws {
        try self.init(jsonValue: try Value(json: text))
    }

    /// Reads a workflow from an already parsed JSON value; see ``init(json:)``.
    public init(jsonValue: Value) throws {
        guard case .dict(var document) = jsonValue else {
            throw WorkflowFormatError(path: "", reason: "expected a JSON object, found \(jsonValue.kindName)")
        }
        if let kind = WorkflowFormats.comfyUIKind(document) {
            throw WorkflowFormatError(path: "", reason: "this is a ComfyUI workflow (\(kind)), not a nodetool workflow; nodetool runs ComfyUI graphs through its 'comfy' nodes, written in Python, which Nodeflow does not have")
        }
        if document["graph"] == nil, document["nodes"] != nil {
            self.graph = try Graph(jsonValue: jsonValue, path: "")
            self.otherFields = [:]
            self.isBareGraph = true
            return
        }
        if document["graph"] == nil, let compact = try WorkflowFormats.compactGraph(document) {
            self.graph = compact
            self.otherFields = [:]
            self.isBareGraph = true
            return
        }
        guard let graphValue = document["graph"] else {
            throw WorkflowFormatError(path: "", reason: "expected a \"graph\" key, \"nodes\" and \"edges\" for a bare graph, or nodetool's compact form ({node_id: {\"type\": …, \"data\": …}})")
        }
        self.graph = try Graph(jsonValue: graphValue, path: "graph")
        self.id = try document.optionalString("id", path: "")
        self.name = try document.optionalString("name", path: "")
        self.description = try document.optionalString("description", path: "")
        document["graph"] = .null  // placeholder keeps the key's position for writing back
        self.otherFields = document
        self.isBareGraph = false
    }

    /// The document as JSON, with every key it was read with, in the same order.
    public var jsonValue: Value {
        if isBareGraph { return graph.jsonValue }
        var document = otherFields
        if let id { document["id"] = .string(id) }
        if let name { document["name"] = .string(name) }
        if let description { document["description"] = .string(description) }
        document["graph"] = graph.jsonValue
        return .dict(document)
    }
}

/// JSON that is not a valid workflow document.
public struct WorkflowFormatError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Where the problem is, e.g. `graph.nodes[3].type`.
    public var path: String
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { path.isEmpty ? "invalid workflow: \(reason)" : "invalid workflow at \(path): \(reason)" }
}

extension Graph {
    init(jsonValue: Value, path: String) throws {
        guard case .dict(var object) = jsonValue else {
            throw WorkflowFormatError(path: path, reason: "expected a graph object, found \(jsonValue.kindName)")
        }
        let prefix = path.isEmpty ? "" : path + "."
        var nodes: [NodeSpec] = []
        if let nodesValue = object["nodes"] {
            guard case .list(let list) = nodesValue else {
                throw WorkflowFormatError(path: prefix + "nodes", reason: "expected a list, found \(nodesValue.kindName)")
            }
            nodes.reserveCapacity(list.count)
            for (i, element) in list.enumerated() {
                nodes.append(try NodeSpec(jsonValue: element, path: "\(prefix)nodes[\(i)]"))  // the path is built only for an error
            }
        }
        var edges: [EdgeSpec] = []
        if let edgesValue = object["edges"] {
            guard case .list(let list) = edgesValue else {
                throw WorkflowFormatError(path: prefix + "edges", reason: "expected a list, found \(edgesValue.kindName)")
            }
            edges.reserveCapacity(list.count)
            for (i, element) in list.enumerated() {
                edges.append(try EdgeSpec(jsonValue: element, path: "\(prefix)edges[\(i)]"))  // built only for an error
            }
        }
        object["nodes"] = .null
        object["edges"] = .null
        self.init(nodes: nodes, edges: edges, otherFields: object)
    }

    /// The graph as JSON, with every key it was read with.
    public var jsonValue: Value {
        var object = otherFields
        object["nodes"] = .list(nodes.map(\.jsonValue))
        object["edges"] = .list(edges.map(\.jsonValue))
        return .dict(object)
    }
}

extension NodeSpec {
    init(jsonValue: Value, path: @autoclosure () -> String) throws {
        guard case .dict(let object) = jsonValue else {
            throw WorkflowFormatError(path: path(), reason: "expected a node object, found \(jsonValue.kindName)")
        }
        guard let id = try object.idString("id", path: path()) else {
            throw WorkflowFormatError(path: path(), reason: "a node needs an \"id\"")
        }
        guard let type = try object.optionalString("type", path: path()) else {
            throw WorkflowFormatError(path: path(), reason: "node '\(id)' needs a \"type\"")
        }
        var data: OrderedDictionary<String, Value> = [:]
        switch object["data"] {
        case nil, .null?: break
        case .dict(let d)?: data = d
        case let other?:
            throw WorkflowFormatError(path: path() + ".data", reason: "expected an object of property values, found \(other.kindName)")
        }
        // Newer files keep the values under "properties"; where both are given, "properties" wins.
        switch object["properties"] {
        case nil, .null?: break
        case .dict(let p)?:
            if data.isEmpty { data = p } else { for (k, v) in p { data[k] = v } }
        case let other?:
            throw WorkflowFormatError(path: path() + ".properties", reason: "expected an object of property values, found \(other.kindName)")
        }
        let parentID = try object.idString("parent_id", path: path())
        // Known keys stay in `otherFields` so that their order survives a round trip; their
        // values there are stale (the properties win when writing back). Leaving the object as
        // read shares its storage with the parsed document instead of copying it per node.
        self.init(id: id, type: type, data: data, parentID: parentID, otherFields: object)
    }

    /// The node as JSON, with every key it was read with.
    public var jsonValue: Value {
        var object = otherFields
        object["id"] = .string(id)
        object["type"] = .string(type)
        if let parentID {
            object["parent_id"] = .string(parentID)
        } else if object["parent_id"] != nil {
            object["parent_id"] = .null
        }
        object["data"] = .dict(data)
        return .dict(object)
    }
}

extension EdgeSpec {
    init(jsonValue: Value, path: @autoclosure () -> String) throws {
        guard case .dict(let object) = jsonValue else {
            throw WorkflowFormatError(path: path(), reason: "expected an edge object, found \(jsonValue.kindName)")
        }
        let id = try object.idString("id", path: path())
        guard let source = try object.idString("source", path: path()) else {
            throw WorkflowFormatError(path: path(), reason: "an edge needs a \"source\"")
        }
        guard let target = try object.idString("target", path: path()) else {
            throw WorkflowFormatError(path: path(), reason: "an edge needs a \"target\"")
        }
        guard let targetHandle = try object.optionalString("targetHandle", path: path()) else {
            throw WorkflowFormatError(path: path(), reason: "an edge needs a \"targetHandle\" (the target property)")
        }
        let sourceHandle = try object.optionalString("sourceHandle", path: path()) ?? "output"
        self.init(
            id: id, source: source, sourceHandle: sourceHandle, target: target, targetHandle: targetHandle,
            otherFields: object)
    }

    /// The edge as JSON, with every key it was read with.
    public var jsonValue: Value {
        var object = otherFields
        if let id { object["id"] = .string(id) }
        object["source"] = .string(source)
        object["sourceHandle"] = .string(sourceHandle)
        object["target"] = .string(target)
        object["targetHandle"] = .string(targetHandle)
        return .dict(object)
    }
}

extension OrderedDictionary where Key == String, Value == Nodeflow.Value {
    fileprivate func optionalString(_ key: String, path: @autoclosure () -> String) throws -> String? {
        switch self[key] {
        case nil, .null?: return nil
        case .string(let s)?: return s
        case let other?:
            let path = path()
            throw WorkflowFormatError(path: path.isEmpty ? key : "\(path).\(key)", reason: "expected a string, found \(other.kindName)")
        }
    }

    /// An id may be written as a string or a number; numbers are read as their decimal text.
    fileprivate func idString(_ key: String, path: @autoclosure () -> String) throws -> String? {
        switch self[key] {
        case .int(let i)?: return String(i)
        default: return try optionalString(key, path: path())
        }
    }
}
