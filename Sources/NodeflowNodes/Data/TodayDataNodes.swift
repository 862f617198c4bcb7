import Nodeflow
import OrderedCollections

/// Today's `nodetool.data.*` nodes (nodetool-base, March 2026), on ``Table``: what pandas does for
/// them, without pandas. Dataframes stay inline values (`columns` + `data`), as in 0.5.3.
enum TodayDataNodes {
    static let all: [any Node.Type] = [
        ImportCSV.self, FromList.self, DataJSONToDataframe.self, ToList.self, DataFilter.self, SelectColumn.self, ExtractColumn.self,
        Rename.self, SortByColumn.self, DataJoin.self, Aggregate.self,
    ]
}


/// `pd.read_csv` on a string.
struct ImportCSV: Node {
    static let metadata = dataMetadata("ImportCSV", "Import CSV", "Reads CSV text into a dataframe, with pandas' column types.", [
        PropertyDescriptor("csv_data", .string, default: "", description: "The CSV text."),
    ])

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        try context.output(try PandasCSV.read(try context.input("csv_data")))
    }
}

/// A dataframe from a list of dicts; a dict cell gives its `value`, other non-scalars their text.
struct FromList: Node {
    static let metadata = dataMetadata("FromList", "From List", "A dataframe from a list of dicts, one row each.", [
        PropertyDescriptor("values", .list(.any), default: [], description: "The rows (dicts)."),
    ])

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let values: [Value] = try context.input("values")
        let rows: [Value] = try values.map { value in
            guard case .dict(let d) = value else { throw NodeError("List must contain dicts.") }
            return .dict(try d.mapValues { cell in
                switch cell {
                case .dict(let inner):
                    guard let v = inner["value"] else { throw NodeError("a dict cell has no 'value' key: \(cell.pythonRepr)") }
                    return v
                case .int, .float, .string, .bool: return cell
                default: return .string(cell.pythonStr)
                }
            })
        }
        return try context.output(try Table.fromRecords(rows, limits: context))
    }
}

/// `pd.DataFrame(json.loads(text))`: a list of dicts (rows) or a dict of lists (columns).
struct DataJSONToDataframe: Node {
    static let metadata = dataMetadata("JSONToDataframe", "Convert JSON to DataFrame", "A dataframe from JSON: a list of objects (rows) or an object of lists (columns).", [
        PropertyDescriptor("text", .string, default: "", description: "The JSON text."),
    ])

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let value: Value
        do { value = try Value(json: try context.input("text", as: String.self)) } catch let error as JSONSyntaxError {
            throw NodeError("'text' is not valid JSON: \(error)")
        }
        switch value {
        case .list(let items) where items.allSatisfy({ $0.dictValue != nil }):
            return try context.output(try Table.fromRecords(items, limits: context))
        case .dict(let columns):
            var length: Int?
            for (name, column) in columns {
                guard case .list(let cells) = column else { throw NodeError("column '\(name)' is \(column.kindName), not a list (pandas needs an index for single values)") }
                if let length, length != cells.count { throw NodeError("All arrays must be of the same length (column '\(name)' has \(cells.count), another \(length))") }
                length = cells.count
            }
            var table = Table(columns: Array(columns.keys), rows: (0..<(length ?? 0)).map { r in columns.values.map { $0.listValue![r] } })
            table.settleColumnTypes()
            return try context.output(table)
        default:
            throw NodeError("the JSON is \(value.kindName); a dataframe is made from a list of objects or an object of lists")
        }
    }
}

/// `df.to_dict("records")`.
struct ToList: Node {
    static let metadata = dataMetadata("ToList", "To List", "The dataframe's rows as a list of dicts.", [
        dataframeProperty("dataframe", "The dataframe."),
    ], output: .list(.dict))

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        NodeOutputs(.list(try Table(context, "dataframe").records))
    }
}

/// `df.query(condition)` (``PandasQuery``).
struct DataFilter: Node {
    static let metadata = dataMetadata("Filter", "Filter", "The rows for which the condition holds, e.g. age > 30 and name != 'Bob'.", [
        dataframeProperty("df", "The dataframe."),
        PropertyDescriptor("condition", .string, default: "", description: "The condition, in pandas' query syntax."),
    ])

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        var table = try Table(context, "df")
        let query = try PandasQuery(try context.input("condition"))
        table.rows = try query.rows(of: table)
        return try context.output(table)
    }
}

/// `df[columns.split(",")]`.
struct SelectColumn: Node {
    static let metadata = dataMetadata("SelectColumn", "Select Column", "The named columns (comma-separated), in that order.", [
        dataframeProperty("dataframe", "The dataframe."),
        PropertyDescriptor("columns", .string, default: "", description: "Comma-separated column names."),
    ])

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let table = try Table(context, "dataframe")
        let names = (try context.input("columns", as: String.self)).split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let indices = try names.map { try table.column($0) }
        return try context.output(Table(columns: names, rows: table.rows.map { row in indices.map { row[$0] } }))
    }
}

/// `df[column_name].tolist()`.
struct ExtractColumn: Node {
    static let metadata = dataMetadata("ExtractColumn", "Extract Column", "One column's values as a list.", [
        dataframeProperty("dataframe", "The dataframe."),
        PropertyDescriptor("column_name", .string, default: "", description: "The column."),
    ], output: .list(.any))

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let table = try Table(context, "dataframe")
        return NodeOutputs(.list(table.cells(of: try table.column(try context.input("column_name")))))
    }
}

/// `df.rename(columns={old: new, ...})` from `old1:new1,old2:new2`.
struct Rename: Node {
    static let metadata = dataMetadata("Rename", "Rename", "Renames columns: old1:new1,old2:new2 (unknown names are ignored, as pandas does).", [
        dataframeProperty("dataframe", "The dataframe."),
        PropertyDescriptor("rename_map", .string, default: "", description: "The renames, old:new, comma-separated."),
    ])

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        var table = try Table(context, "dataframe")
        var renames: [String: String] = [:]
        for mapping in (try context.input("rename_map", as: String.self)).split(separator: ",", omittingEmptySubsequences: false) {
            guard let colon = mapping.firstIndex(of: ":") else { continue }
            renames[mapping[..<colon].trimmingCharacters(in: .whitespaces)] = mapping[mapping.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        table.columns = table.columns.map { renames[$0] ?? $0 }
        return try context.output(table)
    }
}

/// `df.sort_values(column)`: ascending, missing cells last, ties in their order.
struct SortByColumn: Node {
    static let metadata = dataMetadata("SortByColumn", "Sort By Column", "The rows sorted by one column, ascending; missing values last.", [
        dataframeProperty("df", "The dataframe."),
        PropertyDescriptor("column", .string, default: "", description: "The column to sort by."),
    ])

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        var table = try Table(context, "df")
        let c = try table.column(try context.input("column"))
        var failure: NodeError?
        let present = table.rows.filter { !Table.isMissing($0[c]) && !$0[c].isNull }
        let absent = table.rows.filter { Table.isMissing($0[c]) || $0[c].isNull }
        let sorted = present.enumerated().sorted { a, b in
            guard let order = Value.pythonCompare(a.element[c], b.element[c]) else {
                failure = failure ?? NodeError("cannot sort column '\(table.columns[c])': it holds \(a.element[c].kindName) and \(b.element[c].kindName) values")
                return a.offset < b.offset
            }
            return order == .same ? a.offset < b.offset : order == .ascending
        }
        if let failure { throw failure }
        table.rows = sorted.map(\.element) + absent
        return try context.output(table)
    }
}

/// `pd.merge(a, b, on=join_on)` (an inner join, left order kept); as nodetool requires, both
/// frames have the same columns, so the others come out as `name_x` and `name_y`.
struct DataJoin: Node {
    static let metadata = dataMetadata("Join", "Join", "Joins two dataframes with the same columns on one column (inner join).", [
        dataframeProperty("dataframe_a", "The first dataframe."),
        dataframeProperty("dataframe_b", "The second dataframe."),
        PropertyDescriptor("join_on", .string, default: "", description: "The column to join on."),
    ])

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let a = try Table(context, "dataframe_a"), b = try Table(context, "dataframe_b")
        guard a.columns == b.columns else {
            throw NodeError("Columns in dataframe A (\(a.columns.joined(separator: ", "))) do not match columns in dataframe B (\(b.columns.joined(separator: ", ")))")
        }
        let key = try a.column(try context.input("join_on"))
        let others = a.columns.indices.filter { $0 != key }
        var byKey: [Value: [Int]] = [:]  // b's rows by key, so the join is linear
        for (j, row) in b.rows.enumerated() where !Table.isMissing(row[key]) { byKey[Self.hashable(row[key]), default: []].append(j) }
        var rows: [[Value]] = []
        for row in a.rows {
            for j in byKey[Self.hashable(row[key])] ?? [] {
                try context.checkCount(rows.count + 1, of: "the joined rows")
                rows.append(a.columns.indices.map { row[$0] } + others.map { b.rows[j][$0] })
            }
        }
        let columns = a.columns.enumerated().map { $0.offset == key ? $0.element : $0.element + "_x" } + others.map { b.columns[$0] + "_y" }
        return try context.output(Table(columns: columns, rows: rows))
    }

    /// Keys equal as Python compares them hash alike (1 and 1.0).
    private static func hashable(_ v: Value) -> Value {
        if case .float(let d) = v, d == d.rounded(), abs(d) < 9e15 { return .int(Int(d)) }
        if case .bool(let b) = v { return .int(b ? 1 : 0) }
        return v
    }
}

/// `df.groupby(columns).<aggregation>().reset_index()`.
struct Aggregate: Node {
    static let metadata = dataMetadata("Aggregate", "Aggregate", "Groups rows by columns and aggregates the others: sum, mean, count, min, max, std, var, median, first, last.", [
        dataframeProperty("dataframe", "The dataframe."),
        PropertyDescriptor("columns", .string, default: "", description: "Comma-separated columns to group by."),
        PropertyDescriptor("aggregation", .string, default: "sum", description: "sum, mean, count, min, max, std, var, median, first or last."),
    ])

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let table = try Table(context, "dataframe")
        let how: String = try context.input("aggregation")
        guard let aggregate = GroupAggregation(rawValue: how) else { throw NodeError("Unknown aggregation function: \(how)") }
        let keys = try (try context.input("columns", as: String.self)).split(separator: ",", omittingEmptySubsequences: false)
            .map { try table.column($0.trimmingCharacters(in: .whitespaces)) }
        let others = table.columns.indices.filter { !keys.contains($0) }
        var groups: OrderedDictionary<[Value], [Int]> = [:]
        for (r, row) in table.rows.enumerated() {
            let key = keys.map { row[$0] }
            if key.contains(where: { Table.isMissing($0) || $0.isNull }) { continue }  // pandas drops NaN keys
            groups[key, default: []].append(r)
        }
        var failure: NodeError?
        let ordered = groups.keys.sorted { a, b in
            for (x, y) in zip(a, b) {
                guard let order = Value.pythonCompare(x, y) else {
                    failure = failure ?? NodeError("cannot sort the groups: a key column holds \(x.kindName) and \(y.kindName) values")
                    return false
                }
                if order != .same { return order == .ascending }
            }
            return false
        }
        if let failure { throw failure }
        var rows: [[Value]] = []
        for key in ordered {
            let members = groups[key]!
            var row = key
            for c in others {
                row.append(try aggregate.apply(members.map { table.rows[$0][c] }, column: table.columns[c]))
            }
            rows.append(row)
        }
        var result = Table(columns: keys.map { table.columns[$0] } + others.map { table.columns[$0] }, rows: rows)
        result.settleColumnTypes()
        return try context.output(result)
    }
}

/// One of pandas' group reductions, over one group's cells of one column (missing cells skipped).
enum GroupAggregation: String {
    case sum, mean, count, min, max, std, `var`, median, first, last

    func apply(_ cells: [Value], column: String) throws -> Value {
        let present = cells.filter { !Table.isMissing($0) && !$0.isNull }
        func numbers() throws -> [Double] {
            try present.map { cell in
                switch cell {
                case .int(let i): Double(i)
                case .float(let d): d
                case .bool(let b): b ? 1 : 0
                default: throw NodeError("agg function failed [how->\(rawValue)]: column '\(column)' holds \(cell.kindName) \(cell.pythonRepr)")
                }
            }
        }
        switch self {
        case .count: return .int(present.count)
        case .first: return present.first ?? Table.missing
        case .last: return present.last ?? Table.missing
        case .sum:
            if present.allSatisfy({ if case .int = $0 { return true }; if case .bool = $0 { return true }; return false }) {
                var total = 0
                for cell in present {
                    let n: Int
                    switch cell {
                    case .int(let i): n = i
                    case .bool(let b): n = b ? 1 : 0
                    default: n = 0
                    }
                    let (r, o) = total.addingReportingOverflow(n)
                    if o { throw NodeError("the sum of column '\(column)' overflows") }
                    total = r
                }
                return .int(total)
            }
            if present.allSatisfy({ $0.stringValue != nil }) { return .string(present.compactMap(\.stringValue).joined()) }
            return .float(try numbers().reduce(0, +))
        case .min, .max:
            var best: Value?
            for cell in present {
                guard let current = best else { best = cell; continue }
                guard let order = Value.pythonCompare(cell, current) else {
                    throw NodeError("agg function failed [how->\(rawValue)]: column '\(column)' holds \(cell.kindName) and \(current.kindName) values")
                }
                if (self == .min && order == .ascending) || (self == .max && order == .descending) { best = cell }
            }
            return best ?? Table.missing
        case .mean:
            let xs = try numbers()
            return xs.isEmpty ? Table.missing : .float(xs.reduce(0, +) / Double(xs.count))
        case .median:
            let xs = try numbers().sorted()
            guard !xs.isEmpty else { return Table.missing }
            return .float(xs.count % 2 == 1 ? xs[xs.count / 2] : (xs[xs.count / 2 - 1] + xs[xs.count / 2]) / 2)
        case .std, .var:
            let xs = try numbers()
            guard xs.count > 1 else { return Table.missing }
            let mean = xs.reduce(0, +) / Double(xs.count)
            let variance = xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(xs.count - 1)
            return .float(self == .var ? variance : variance.squareRoot())
        }
    }
}
