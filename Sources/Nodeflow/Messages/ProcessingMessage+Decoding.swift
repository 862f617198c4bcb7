import Foundation
import OrderedCollections

/// A message's JSON that does not read back as a message: which message, which field, why.
public struct MessageDecodingError: Error, Sendable, CustomStringConvertible {
    public var type: String
    public var field: String
    public var reason: String

    public var description: String { "a '\(type)' message's field '\(field)' \(reason)" }
}

/// Reading messages back from their JSON (nodetool's shape): what the job store, the server's
/// followers and clients get, as typed values rather than dictionaries matched by key.
extension ProcessingMessage {
    public init(jsonValue: Value) throws {
        var fields = MessageFields(jsonValue, type: "message")
        let type = try fields.string("type")
        fields.type = type
        switch type {
        case "job_update": self = .jobUpdate(try JobUpdate(fields))
        case "node_update": self = .nodeUpdate(try NodeUpdate(fields))
        case "node_progress": self = .nodeProgress(try NodeProgress(nodeID: fields.string("node_id"), progress: fields.int("progress"), total: fields.int("total")))
        case "log_update":
            let severity = try fields.optionalString("severity").map { text in
                guard let severity = LogUpdate.Severity(rawValue: text) else { throw fields.error("severity", "is '\(text)', not info, warning or error") }
                return severity
            }
            self = .logUpdate(
                LogUpdate(nodeID: try fields.string("node_id"), nodeName: try fields.string("node_name"), content: try fields.string("content"), severity: severity ?? .info))
        case "output_update":
            var update = OutputUpdate(nodeID: try fields.string("node_id"), outputName: try fields.string("output_name"), value: fields.value("value"))
            if let outputType = try fields.optionalString("output_type") { update.outputType = outputType }
            self = .outputUpdate(update)
        case "error": self = .error(ErrorMessage(error: try fields.string("error")))
        default: throw fields.error("type", "is '\(type)', not a message type Nodeflow posts")
        }
    }
}

extension JobUpdate {
    fileprivate init(_ fields: MessageFields) throws {
        let text = try fields.string("status")
        guard let status = JobStatus(rawValue: text) else { throw fields.error("status", "is '\(text)', not a job status") }
        self.init(
            jobID: try fields.string("job_id"), status: status, result: try fields.optionalDict("result"), error: try fields.optionalString("error"),
            failedNodeID: try fields.optionalString("node_id"), message: try fields.optionalString("message"))
    }
}

extension NodeUpdate {
    fileprivate init(_ fields: MessageFields) throws {
        let text = try fields.string("status")
        guard let status = NodeStatus(rawValue: text) else { throw fields.error("status", "is '\(text)', not a node status") }
        var startedAt: Double?
        if let started = try fields.optionalString("started_at") {
            guard let date = try? Date(started, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) else {
                throw fields.error("started_at", "is '\(started)', not an ISO 8601 time")
            }
            startedAt = date.timeIntervalSince1970
        }
        let iteration = try fields.optionalList("iteration")?.map { item -> Int in
            guard case .int(let index) = item else { throw fields.error("iteration", "holds \(item.jsonString()), not an index") }
            return index
        }
        self.init(
            nodeID: try fields.string("node_id"), nodeName: try fields.string("node_name"), nodeType: try fields.string("node_type"), status: status,
            error: try fields.optionalString("error"), result: try fields.optionalDict("result").map(NodeOutputs.init(slots:)),
            properties: try fields.optionalDict("properties"), startedAt: startedAt, duration: try fields.optionalNumber("duration"),
            cached: try fields.optionalBool("cached"), iterationPath: iteration ?? [])
    }
}

/// The fields of one message's JSON object, read with errors that name the field.
private struct MessageFields {
    let object: OrderedDictionary<String, Value>
    var type: String

    init(_ value: Value, type: String) {
        object = value.dictValue ?? [:]
        self.type = type
    }

    func error(_ field: String, _ reason: String) -> MessageDecodingError { MessageDecodingError(type: type, field: field, reason: reason) }

    func value(_ key: String) -> Value { object[key] ?? .null }

    func string(_ key: String) throws -> String {
        guard let text = try optionalString(key) else { throw error(key, "is missing") }
        return text
    }

    func optionalString(_ key: String) throws -> String? {
        switch object[key] {
        case nil, .null?: return nil
        case .string(let text)?: return text
        case let other?: throw error(key, "is \(other.jsonString()), not a string")
        }
    }

    func int(_ key: String) throws -> Int {
        guard case .int(let number)? = object[key] else { throw error(key, "is \(object[key]?.jsonString() ?? "missing"), not an integer") }
        return number
    }

    func optionalNumber(_ key: String) throws -> Double? {
        switch object[key] {
        case nil, .null?: return nil
        case .float(let number)?: return number
        case .int(let number)?: return Double(number)
        case let other?: throw error(key, "is \(other.jsonString()), not a number")
        }
    }

    func optionalBool(_ key: String) throws -> Bool? {
        switch object[key] {
        case nil, .null?: return nil
        case .bool(let flag)?: return flag
        case let other?: throw error(key, "is \(other.jsonString()), not true or false")
        }
    }

    func optionalDict(_ key: String) throws -> OrderedDictionary<String, Value>? {
        switch object[key] {
        case nil, .null?: return nil
        case .dict(let dict)?: return dict
        case let other?: throw error(key, "is \(other.jsonString()), not an object")
        }
    }

    func optionalList(_ key: String) throws -> [Value]? {
        switch object[key] {
        case nil, .null?: return nil
        case .list(let list)?: return list
        case let other?: throw error(key, "is \(other.jsonString()), not a list")
        }
    }
}
