import Foundation
import Nodeflow
import OrderedCollections

/// The rest of today's `nodetool.data.*` nodes (nodetool-base 50bbc4ee, March 2026), on ``Table``.
/// Tables have no pandas index: a row's index is its position (nodetool keeps a frame's labels
/// through `memory://` refs, so after `Filter` or `Append` its labels can differ).
enum DataframeEditNodes {
    static let all: [any Node.Type] = [
        DataSlice.self, DataAddColumn.self, DataAppend.self, DataMerge.self, DropDuplicates.self, DropNA.self, FillNA.self,
        FilterNone.self, FindRow.self, RowIterator.self, ForEachRow.self, Pivot.self, LoadCSVFile.self,
    ]
}


/// `df.iloc[start:end]`, end -1 meaning the last row included.
struct DataSlice: Node {
    static let metadata = dataMetadata("Slice", "Slice", "The rows from start_index up to (not including) end_index; -1 for the end.", [
        dataframeProperty("dataframe", "The dataframe."),
        PropertyDescriptor("start_index", .int, default: 0, description: "The first row (negative counts from the end)."),
        PropertyDescriptor("end_index", .int, default: -1, description: "The row to stop before; -1 for the end."),
    ])

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        var table = try Table(context, "dataframe")
        let start: Int = try context.input("start_index")
        let end: Int = try context.input("end_index")
        table.rows = PythonSlice.apply(table.rows, start: start, stop: end == -1 ? table.rows.count : end, step: 1)
        return try context.output(table)
    }
}

/// `df[column_name] = values`: a new column at the end, or an existing one replaced in place.
struct DataAddColumn: Node {
    static let metadata = dataMetadata("AddColumn", "Add Column", "Adds a list of values as a column (replacing a column of that name).", [
        dataframeProperty("dataframe", "The dataframe."),
        PropertyDescriptor("column_name", .string, default: "", description: "The new column's name."),
        PropertyDescriptor("values", .list(.any), default: [], description: "The column's values, one per row."),
    ])

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        var table = try Table(context, "dataframe")
        let name: String = try context.input("column_name")
        let values: [Value] = try context.input("values")
        if table.columns.isEmpty && table.rows.isEmpty {
            table.rows = Array(repeating: [], count: values.count)  // pandas takes the length of the first column
        }
        guard values.count == table.rows.count else {
            throw NodeError("Length of values (\(values.count)) does not match length of index (\(table.rows.count))")
        }
        var column = Table(columns: [name], rows: values.map { [$0] })
        column.settleColumnTypes()
        if let c = table.columns.firstIndex(of: name) {
            for r in table.rows.indices { table.rows[r][c] = column.rows[r][0] }
        } else {
            table.columns.append(name)
            for r in table.rows.indices { table.rows[r].append(column.rows[r][0]) }
        }
        return try context.output(table)
    }
}

/// `pd.concat([a, b])`: b's rows after a's; an empty frame gives the other unchanged.
struct DataAppend: Node {
    static let metadata = dataMetadata("Append", "Append", "Appends the rows of the second dataframe to the first (the columns must match).", [
        dataframeProperty("dataframe_a", "The first dataframe."),
        dataframeProperty("dataframe_b", "The dataframe to append."),
    ])

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let a = try Table(context, "dataframe_a"), b = try Table(context, "dataframe_b")
        if a.isEmptyFrame { return try context.output(b) }
        if b.isEmptyFrame { return try context.output(a) }
        guard a.columns == b.columns else {
            throw NodeError("Columns in dataframe A (\(a.indexRepr)) do not match columns in dataframe B (\(b.indexRepr))")
        }
        try context.checkCount(a.rows.count &+ b.rows.count, of: "the appended rows")
        var table = Table(columns: a.columns, rows: a.rows + b.rows)
        table.settleColumnTypes()
        return try context.output(table)
    }
}

/// `pd.concat([a, b], axis=1)`: b's columns after a's, rows matched by position, the shorter
/// frame's missing rows NaN.
struct DataMerge: Node {
    static let metadata = dataMetadata("Merge", "Merge", "Puts the columns of two dataframes side by side, row by row.", [
        dataframeProperty("dataframe_a", "The first dataframe."),
        dataframeProperty("dataframe_b", "The second dataframe."),
    ])

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let a = try Table(context, "dataframe_a"), b = try Table(context, "dataframe_b")
        let count = max(a.rows.count, b.rows.count)
        try context.checkCount(count &* max(a.columns.count &+ b.columns.count, 1), of: "the dataframe's cells")
        func row(_ t: Table, _ r: Int) -> [Value] { r < t.rows.count ? t.rows[r] : Array(repeating: Table.missing, count: t.columns.count) }
        var table = Table(columns: a.columns + b.columns, rows: (0..<count).map { row(a, $0) + row(b, $0) })
        if a.rows.count != b.rows.count { table.settleColumnTypes() }
        return try context.output(table)
    }
}

/// `df.drop_duplicates()`: the first of each set of equal rows (NaN equal to NaN).
struct DropDuplicates: Node {
    static let metadata = dataMetadata("DropDuplicates", "Drop Duplicates", "Removes rows equal to an earlier row.", [
        dataframeProperty("df", "The dataframe."),
    ])

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        var table = try Table(context, "df")
        var seen = Set<[Value]>()
        table.rows = table.rows.filter { seen.insert($0.map(Table.hashKey)).inserted }
        return try context.output(table)
    }
}

/// `df.dropna()`: the rows with no missing cell (NaN or None).
struct DropNA: Node {
    static let metadata = dataMetadata("DropNA", "Drop NA", "Removes rows with a missing value.", [
        dataframeProperty("df", "The dataframe."),
    ])

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        var table = try Table(context, "df")
        table.rows = table.rows.filter { !$0.contains(where: Table.isNA) }
        return try context.output(table)
    }
}

/// `df[cols].fillna(...)`: a value (or a dict of values by column), the previous or next value,
/// or a numeric column's mean or median.
struct FillNA: Node {
    static let metadata = dataMetadata("FillNA", "Fill NA", "Fills missing values: with a value, forward, backward, or a numeric column's mean or median.", [
        dataframeProperty("dataframe", "The dataframe."),
        PropertyDescriptor("value", .any, default: 0, description: "The value to fill with (method value); a dict gives a value per column."),
        PropertyDescriptor("method", .string, default: "value", description: "value, forward, backward, mean or median."),
        PropertyDescriptor("columns", .string, default: "", description: "Comma-separated columns to fill; empty for all."),
    ])

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        var table = try Table(context, "dataframe")
        let method: String = try context.input("method")
        guard ["value", "forward", "backward", "mean", "median"].contains(method) else { throw NodeError("Unknown fill method: \(method)") }
        let names: String = try context.input("columns")
        var cols = Array(table.columns.indices)
        if !names.isEmpty {
            cols = try names.split(separator: ",", omittingEmptySubsequences: false).map { try table.column($0.trimmingCharacters(in: .whitespaces)) }
        }
        for c in cols {
            switch method {
            case "value":
                var fill = context["value"]
                switch fill {
                case .null: continue
                case .dict(let byColumn):
                    guard let v = byColumn[table.columns[c]] else { continue }
                    fill = v
                case .list: throw NodeError("\"value\" parameter must be a scalar or dict, but you passed a \"list\"")
                default: break
                }
                table.fill(c, with: fill)
            case "forward", "backward":
                var last: Value?
                for r in (method == "forward" ? Array(table.rows.indices) : Array(table.rows.indices.reversed())) {
                    if Table.isNA(table.rows[r][c]) {
                        if let last { table.rows[r][c] = last }
                    } else {
                        last = table.rows[r][c]
                    }
                }
            default:  // mean, median: float and int columns only
                guard let numbers = table.numericColumn(c) else { continue }
                let xs = numbers.filter { !$0.isNaN }
                guard !xs.isEmpty else { continue }
                let fill: Double
                if method == "mean" {
                    fill = xs.reduce(0, +) / Double(xs.count)
                } else {
                    let s = xs.sorted()
                    fill = s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
                }
                table.fill(c, with: .float(fill))
            }
        }
        return try context.output(table)
    }
}

/// Sends on the values of a stream that are not None.
struct FilterNone: StreamConsumerNode {
    static let metadata = NodeMetadata(
        type: "nodetool.data.FilterNone", title: "Filter None", description: "Sends on the values of a stream that are not None.",
        properties: [PropertyDescriptor("value", .any, default: .null, description: "The stream.")],
        outputs: [OutputDescriptor("output", .any)], isCacheable: false, runsInline: true)

    func makeReader(_ context: NodeContext) throws -> any NodeStreamReader { Reader() }

    struct Reader: NodeStreamReader {
        mutating func receive(_ value: Value, on handle: String, emit: inout StreamEmitter) async throws {
            if handle == "value", !value.isNull { emit.emit(NodeOutputs(value)) }
        }

        mutating func finish(emit: inout StreamEmitter) async throws {}
    }
}

/// `df.query(condition).head(1)`.
struct FindRow: Node {
    static let metadata = dataMetadata("FindRow", "Find Row", "The first row for which the condition holds (a dataframe of one row, or none).", [
        dataframeProperty("df", "The dataframe."),
        PropertyDescriptor("condition", .string, default: "", description: "The condition, in pandas' query syntax."),
    ])

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        var table = try Table(context, "df")
        let query = try PandasQuery(try context.input("condition"))
        table.rows = try query.rows(of: table, first: true)
        return try context.output(table)
    }
}

/// `df.iterrows()`: each row as a dict (`row.to_dict()`, so an all-number row of int and float
/// columns is all floats), with its index.
struct RowIterator: GeneratorNode {
    static let metadata = NodeMetadata(
        type: "nodetool.data.RowIterator", title: "Row Iterator", description: "Sends each row of a dataframe as a dict, with its index.",
        properties: [dataframeProperty("dataframe", "The dataframe.")],
        outputs: [OutputDescriptor("dict", .dict), OutputDescriptor("index", .any)], isCacheable: false)

    func generate(_ context: NodeContext) async throws -> any NodeItemIterator {
        DataframeRows(table: try Table(context, "dataframe"), slot: "dict")
    }
}

/// `df.iterrows()` as `row` and `index`.
struct ForEachRow: GeneratorNode {
    static let metadata = NodeMetadata(
        type: "nodetool.data.ForEachRow", title: "For Each Row", description: "Sends each row of a dataframe as a dict, with its index.",
        properties: [dataframeProperty("dataframe", "The dataframe.")],
        outputs: [OutputDescriptor("row", .dict), OutputDescriptor("index", .any)], isCacheable: false)

    func generate(_ context: NodeContext) async throws -> any NodeItemIterator {
        DataframeRows(table: try Table(context, "dataframe"), slot: "row")
    }
}

/// The rows of a table as `iterrows` gives them.
private struct DataframeRows: NodeItemIterator {
    let table: Table
    let slot: String
    let floatRows: Bool
    var index = 0

    init(table: Table, slot: String) {
        self.table = table
        self.slot = slot
        // A row is a Series of the columns' common dtype: int64 and float64 columns make float64.
        let kinds = table.columns.indices.map { table.dtype(of: $0) }
        floatRows = kinds.contains(.float) && kinds.allSatisfy { $0 == .float || $0 == .int }
    }

    mutating func next() async throws -> NodeOutputs? {
        guard index < table.rows.count else { return nil }
        defer { index += 1 }
        let cells = table.rows[index].map { cell -> Value in
            if floatRows, case .int(let i) = cell { return .float(Double(i)) }
            return cell
        }
        let row = OrderedDictionary(zip(table.columns, cells), uniquingKeysWith: { _, b in b })
        return NodeOutputs(slots: [slot: .dict(row), "index": .int(index)])
    }
}

/// `df.pivot_table(index=, columns=, values=, aggfunc=).reset_index()`.
struct Pivot: Node {
    static let metadata = dataMetadata("Pivot", "Pivot", "Reshapes a dataframe: one row per index value, one column per columns value, the values aggregated.", [
        dataframeProperty("dataframe", "The dataframe."),
        PropertyDescriptor("index", .string, default: "", description: "The column whose values become the rows."),
        PropertyDescriptor("columns", .string, default: "", description: "The column whose values become the columns."),
        PropertyDescriptor("values", .string, default: "", description: "The column to aggregate."),
        PropertyDescriptor("aggfunc", .string, default: "sum", description: "sum, mean, count, min, max, first or last."),
    ])

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let table = try Table(context, "dataframe")
        let how: String = try context.input("aggfunc")
        guard ["sum", "mean", "count", "min", "max", "first", "last"].contains(how), let aggregate = GroupAggregation(rawValue: how) else {
            throw NodeError("Unknown aggregation function: \(how)")
        }
        let ic = try table.column(try context.input("index"))
        let cc = try table.column(try context.input("columns"))
        let vc = try table.column(try context.input("values"))
        // Keys as Python hashes them (1 == 1.0), shown as first seen; NaN keys dropped.
        var rowKeys: [Value: Value] = [:], columnKeys: [Value: Value] = [:]
        var groups: OrderedDictionary<[Value], [Value]> = [:]
        for row in table.rows {
            let i = row[ic], c = row[cc]
            if Table.isNA(i) || Table.isNA(c) { continue }
            let ik = Table.hashKey(i), ck = Table.hashKey(c)
            if rowKeys[ik] == nil { rowKeys[ik] = i }
            if columnKeys[ck] == nil { columnKeys[ck] = c }
            groups[[ik, ck], default: []].append(row[vc])
        }
        var results: [[Value]: Value] = [:]
        for (key, cells) in groups {
            let r = try aggregate.apply(cells, column: table.columns[vc])
            if !Table.isNA(r) { results[key] = r }  // agged.dropna(how="all")
        }
        let usedRows = Set(results.keys.map { $0[0] }), usedColumns = Set(results.keys.map { $0[1] })
        let rowOrder = try Self.sorted(usedRows.map { rowKeys[$0]! }, what: "index")
        let columnOrder = try Self.sorted(usedColumns.map { columnKeys[$0]! }, what: "column")
        // Every (index, column) pair gets a cell: the product can be far larger than the input.
        let (cells, overflow) = rowOrder.count.multipliedReportingOverflow(by: columnOrder.count &+ 1)
        try context.checkCount(overflow ? Int.max : cells, of: "the pivoted dataframe's cells")
        var rows: [[Value]] = []
        var anyMissing = false
        for i in rowOrder {
            var row = [i]
            for c in columnOrder {
                if let v = results[[Table.hashKey(i), Table.hashKey(c)]] { row.append(v) } else { row.append(Table.missing); anyMissing = true }
            }
            rows.append(row)
        }
        // unstack fills absent pairs with NaN across one block: numbers all become floats.
        let numeric = results.values.allSatisfy { if case .int = $0 { return true }; if case .float = $0 { return true }; return false }
        if anyMissing && numeric {
            for r in rows.indices { for c in 1..<rows[r].count { if case .int(let n) = rows[r][c] { rows[r][c] = .float(Double(n)) } } }
        }
        return try context.output(Table(columns: [table.columns[ic]] + columnOrder.map(\.pythonStr), rows: rows))
    }

    private static func sorted(_ keys: [Value], what: String) throws -> [Value] {
        var failure: NodeError?
        let result = keys.sorted { a, b in
            guard let order = Value.pythonCompare(a, b) else {
                failure = failure ?? NodeError("cannot sort the \(what) values: \(a.kindName) and \(b.kindName)")
                return false
            }
            return order == .ascending
        }
        if let failure { throw failure }
        return result
    }
}

/// `pd.read_csv(file_path)` on a local file.
struct LoadCSVFile: Node {
    static let metadata = dataMetadata("LoadCSVFile", "Load CSV File", "Reads a local CSV file into a dataframe, with pandas' column types.", [
        PropertyDescriptor("file_path", .string, default: "", description: "The path of the CSV file."),
    ])

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let path: String = try context.input("file_path")
        guard !path.isEmpty else { throw NodeError("file_path cannot be empty") }
        let expanded = (path as NSString).expandingTildeInPath
        guard let data = FileManager.default.contents(atPath: expanded) else { throw NodeError("[Errno 2] No such file or directory: '\(path)'") }
        try context.checkSize(data.count, of: "the CSV file")
        guard let text = String(data: data, encoding: .utf8) else { throw NodeError("'\(path)' is not UTF-8 text") }
        var csv = text
        if csv.hasPrefix("\u{FEFF}") { csv.removeFirst() }  // pandas drops a UTF-8 byte order mark
        return try context.output(try PandasCSV.read(csv))
    }
}
