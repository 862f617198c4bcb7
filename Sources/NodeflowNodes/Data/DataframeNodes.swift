import Nodeflow
import OrderedCollections

/// Building nodetool `DataframeRef` values: `{"type": "dataframe", "uri": "", "asset_id": null,
/// "data": [[...]], "columns": [{"name", "data_type", "description"}]}`.
enum DataframeValues {
    /// A dataframe from rows of dicts; columns in order of first appearance, missing cells null.
    /// The most cells a dataframe built from rows may have.
    static let maxCells = ValueLimits().maxListCount

    static func from(rows: [Value]) throws -> Value {
        var columns = OrderedSet<String>()
        for (i, row) in rows.enumerated() {
            guard case .dict(let d) = row else { throw NodeError("row \(i) is \(row.kindName), not an object") }
            for key in d.keys { columns.append(key) }
        }
        // Rows with keys of their own make rows × columns cells, most of them null.
        let (cells, overflow) = rows.count.multipliedReportingOverflow(by: columns.count)
        if overflow || cells > maxCells { throw ValueLimitError(what: "a dataframe of \(rows.count) rows × \(columns.count) columns", size: overflow ? nil : cells, limit: maxCells, unit: "cells") }
        let data: [Value] = rows.map { row in .list(columns.map { row[$0] ?? .null }) }
        return make(columns: Array(columns), data: data)
    }

    static func make(columns: [String], data: [Value]) -> Value {
        let defs: [Value] = columns.enumerated().map { i, name in
            ["name": .string(name), "data_type": .string(dataType(column: i, in: data)), "description": ""]
        }
        return ["type": "dataframe", "uri": "", "asset_id": nil, "data": .list(data), "columns": .list(defs)]
    }

    /// pandas' dtype names as nodetool maps them: int, float, string (object columns), object.
    private static func dataType(column: Int, in data: [Value]) -> String {
        var kinds = Set<String>()
        for row in data { if case .list(let cells) = row, column < cells.count { kinds.insert(cells[column].kindName) } }
        if kinds == ["int"] { return "int" }
        if kinds.isSubset(of: ["int", "float"]) && !kinds.isEmpty { return "float" }
        if kinds == ["str"] { return "string" }
        return "object"
    }
}

/// Nodeflow's dataframe nodes (nodetool 0.5.3 reads CSV through pandas nodes outside its base library).
enum DataframeNodes {
    static let all: [any Node.Type] = [FromCSV.self, ToCSV.self]
}

struct FromCSV: Node {
    static let metadata = NodeMetadata(
        type: "nodeflow.dataframe.FromCSV", title: "From CSV", description: "Reads CSV text (a header row, then rows) into a dataframe; numbers become ints or floats.",
        properties: [
            PropertyDescriptor("text", textType, default: "", description: "The CSV text."),
            PropertyDescriptor("delimiter", .string, default: ",", description: "The field separator (one character)."),
        ],
        outputs: [OutputDescriptor("output", AssetRef.type("dataframe"))], runsInline: true)

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let delimiter: String = try context.input("delimiter")
        guard delimiter.count == 1, let separator = delimiter.first else { throw NodeError("'delimiter' must be one character, got '\(delimiter)'") }
        var records = try CSV.parse(try context.text("text"), separator: separator)
        guard !records.isEmpty else { return NodeOutputs(DataframeValues.make(columns: [], data: [])) }
        let header = records.removeFirst()
        let data: [Value] = try records.enumerated().map { i, record in
            guard record.count == header.count else {
                throw NodeError("CSV row \(i + 2) has \(record.count) fields, the header has \(header.count)")
            }
            return .list(record.map(CSV.cell))
        }
        return NodeOutputs(DataframeValues.make(columns: header, data: data))
    }
}

struct ToCSV: Node {
    static let metadata = NodeMetadata(
        type: "nodeflow.dataframe.ToCSV", title: "To CSV", description: "Writes a dataframe as CSV text with a header row.",
        properties: [PropertyDescriptor("dataframe", AssetRef.type("dataframe"), default: DataframeValues.make(columns: [], data: []), description: "The dataframe.")],
        outputs: [OutputDescriptor("output", .string)], runsInline: true)

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        guard case .dict(let frame) = context["dataframe"], let columns = Dataframe.columnNames(of: frame) else {
            throw NodeInputError(nodeID: context.nodeID, nodeType: Self.metadata.type, property: "dataframe", value: context["dataframe"], expected: "a dataframe")
        }
        var lines = [columns.map(CSV.quote).joined(separator: ",")]
        for row in frame["data"]?.listValue ?? [] {
            lines.append((row.listValue ?? []).map { CSV.quote($0.isNull ? "" : $0.pythonStr) }.joined(separator: ","))
        }
        return NodeOutputs(.string(lines.joined(separator: "\n") + "\n"))
    }
}

/// RFC 4180 CSV: quoted fields with doubled quotes, any line ending.
enum CSV {
    static func parse(_ text: String, separator: Character) throws -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var quoted = false
        var wasQuoted = false
        var chars = text.makeIterator()
        var pending: Character? = nil
        func next() -> Character? {
            if let p = pending { pending = nil; return p }
            return chars.next()
        }
        while let c = next() {
            if quoted {
                if c == "\"" {
                    if let n = next() {
                        if n == "\"" { field.append("\"") } else { quoted = false; pending = n }
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(c)
                }
            } else if c == "\"" && field.isEmpty && !wasQuoted {
                quoted = true
                wasQuoted = true
            } else if c == separator {
                record.append(field); field = ""; wasQuoted = false
            } else if c == "\n" || c == "\r\n" || c == "\r" {
                record.append(field); field = ""; wasQuoted = false
                records.append(record); record = []
            } else {
                field.append(c)
            }
        }
        if quoted { throw NodeError("the CSV text ends inside a quoted field") }
        if !field.isEmpty || !record.isEmpty || wasQuoted {
            record.append(field)
            records.append(record)
        }
        return records
    }

    static func cell(_ text: String) -> Value {
        if let i = Int(text) { return .int(i) }
        if let d = Double(text), text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) { return .float(d) }
        if text.isEmpty { return .null }
        return .string(text)
    }

    static func quote(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
