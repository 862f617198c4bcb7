import Nodeflow
import OrderedCollections

/// A dataframe as the data nodes work on it: named columns and rows of cells. It is read from and
/// written as nodetool's `DataframeRef` value (`columns` + `data`). Cells pandas would hold as NaN
/// (a missing key, an empty CSV field) are `.float(.nan)`, as pandas' `to_dict` gives them.
struct Table {
    var columns: [String]
    var rows: [[Value]]

    static let missing = Value.float(.nan)

    init(columns: [String], rows: [[Value]]) {
        self.columns = columns
        self.rows = rows
    }

    /// The dataframe in property `name`; an unset `DataframeRef` is an empty table.
    init(_ context: NodeContext, _ name: String) throws {
        let value = context[name]
        guard case .dict(let frame) = value, let columns = Dataframe.columnNames(of: frame) else {
            throw NodeInputError(nodeID: context.nodeID, nodeType: context.node.type, property: name, value: value, expected: "a dataframe")
        }
        var rows: [[Value]] = []
        if case .list(let data)? = frame["data"] {
            rows.reserveCapacity(data.count)
            for (i, row) in data.enumerated() {
                guard case .list(let cells) = row, cells.count == columns.count else {
                    throw NodeError("property '\(name)': row \(i) of the dataframe does not have \(columns.count) cells")
                }
                rows.append(cells)
            }
        }
        self.init(columns: columns, rows: rows)
    }

    /// The `DataframeRef` value.
    var value: Value { DataframeValues.make(columns: columns, data: rows.map(Value.list)) }

    /// `pd.DataFrame(records)`: columns in order of first appearance, a missing key NaN, each
    /// column's type settled as pandas settles it (``settleColumnTypes()``).
    static func fromRecords(_ records: [Value], limits: NodeContext) throws -> Table {
        var columns = OrderedSet<String>()
        for (i, record) in records.enumerated() {
            guard case .dict(let d) = record else { throw NodeError("item \(i) is \(record.kindName), not a dict") }
            for key in d.keys { columns.append(key) }
        }
        let (cells, overflow) = records.count.multipliedReportingOverflow(by: columns.count)
        if overflow || cells > DataframeValues.maxCells {
            throw ValueLimitError(what: "a dataframe of \(records.count) rows × \(columns.count) columns", size: overflow ? nil : cells, limit: DataframeValues.maxCells, unit: "cells")
        }
        var table = Table(columns: Array(columns), rows: records.map { record in
            let d = record.dictValue ?? [:]
            return columns.map { d[$0] ?? missing }
        })
        table.settleColumnTypes()
        return table
    }

    /// `df.to_dict("records")`.
    var records: [Value] {
        rows.map { row in .dict(OrderedDictionary(zip(columns, row), uniquingKeysWith: { _, last in last })) }  // repeated names: the last cell
    }

    /// The index of column `name`, or pandas' `KeyError` as a clear message.
    func column(_ name: String) throws -> Int {
        guard let i = columns.firstIndex(of: name) else {
            throw NodeError("the dataframe has no column '\(name)' (columns: \(columns.isEmpty ? "none" : columns.joined(separator: ", ")))")
        }
        return i
    }

    /// The cells of column `i`.
    func cells(of i: Int) -> [Value] { rows.map { $0[i] } }

    /// pandas' dtype inference over each column: ints stay ints unless a cell is missing or a float
    /// (then every number is a float and a missing cell NaN); anything else is an object column,
    /// where cells keep their kinds.
    mutating func settleColumnTypes() {
        for c in columns.indices {
            var ints = 0, floats = 0, missing = 0, others = 0
            for row in rows {
                switch row[c] {
                case .int: ints += 1
                case .float(let d) where d.isNaN: missing += 1
                case .float: floats += 1
                case .null: missing += 1
                default: others += 1
                }
            }
            guard others == 0, ints > 0, floats > 0 || missing > 0 else { continue }
            for r in rows.indices {
                switch rows[r][c] {
                case .int(let i): rows[r][c] = .float(Double(i))
                case .null: rows[r][c] = Table.missing
                default: break
                }
            }
        }
    }

    static func isMissing(_ value: Value) -> Bool {
        if case .float(let d) = value { return d.isNaN }
        return false
    }

    /// Whether pandas' `isna` holds: NaN or None.
    static func isNA(_ value: Value) -> Bool { isMissing(value) || value.isNull }

    /// A cell as Python hashes it: 1, 1.0 and True alike; NaN and None one missing key.
    static func hashKey(_ value: Value) -> Value {
        switch value {
        case .float(let d) where d.isNaN: return .null
        case .float(let d) where d == d.rounded() && abs(d) < 9e15: return .int(Int(d))
        case .bool(let b): return .int(b ? 1 : 0)
        default: return value
        }
    }

    /// A column's pandas dtype, as far as the nodes need it.
    enum ColumnType { case int, float, bool, object }

    func dtype(of c: Int) -> ColumnType {
        var ints = false, floats = false, bools = false, others = false
        for row in rows {
            switch row[c] {
            case .int: ints = true
            case .float: floats = true
            case .bool: bools = true
            default: others = true
            }
        }
        if others || (bools && (ints || floats)) { return .object }
        if bools { return .bool }
        if floats { return .float }
        return ints ? .int : .object
    }

    /// A float or int column's cells as numbers (NaN for missing); nil for other columns.
    func numericColumn(_ c: Int) -> [Double]? {
        guard [ColumnType.int, .float].contains(dtype(of: c)) else { return nil }
        return rows.map { row in
            switch row[c] {
            case .int(let i): Double(i)
            case .float(let d): d
            default: .nan
            }
        }
    }

    /// `fillna(value)` on column `c`: a float column keeps a whole-number fill as a float.
    mutating func fill(_ c: Int, with value: Value) {
        var fill = value
        if case .int(let i) = value, dtype(of: c) == .float { fill = .float(Double(i)) }
        for r in rows.indices where Table.isNA(rows[r][c]) { rows[r][c] = fill }
    }

    /// pandas' `DataFrame.empty`: no rows or no columns.
    var isEmptyFrame: Bool { rows.isEmpty || columns.isEmpty }

    /// The columns as pandas prints them: `Index(['a', 'b'], dtype='str')`.
    var indexRepr: String { "Index([\(columns.map { Value.string($0).pythonRepr }.joined(separator: ", "))], dtype='\(columns.isEmpty ? "object" : "str")')" }
}

/// `pd.read_csv` on text: a header row, blank lines skipped, short rows padded with NaN, and
/// each column read as ints, floats, bools or strings as pandas infers them.
enum PandasCSV {
    static func read(_ text: String) throws -> Table {
        var records = try CSV.parse(text, separator: ",").filter { !($0.count == 1 && $0[0].isEmpty) }
        guard !records.isEmpty else { throw NodeError("the CSV text has no columns (it is empty)") }
        var header: [String] = []
        var seen: [String: Int] = [:]
        for (i, raw) in records.removeFirst().enumerated() {
            var name = raw.isEmpty ? "Unnamed: \(i)" : raw
            if let n = seen[name] {  // pandas renames duplicates: a, a.1, a.2
                seen[name] = n + 1
                name = "\(name).\(n)"
            } else {
                seen[name] = 1
            }
            header.append(name)
        }
        var rows: [[String?]] = []
        rows.reserveCapacity(records.count)
        for (i, record) in records.enumerated() {
            guard record.count <= header.count else {
                throw NodeError("CSV line \(i + 2) has \(record.count) fields, the header has \(header.count)")
            }
            rows.append(record.map { naStrings.contains($0) ? nil : $0 } + Array(repeating: nil, count: header.count - record.count))
        }
        var cells = Array(repeating: [Value](), count: rows.count)
        for c in header.indices {
            let column = inferColumn(rows.map { $0[c] })
            for r in rows.indices { cells[r].append(column[r]) }
        }
        return Table(columns: header, rows: cells)
    }

    /// The fields pandas reads as missing in any column (`na_values`' defaults).
    static let naStrings: Set<String> = [
        "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
    ]

    /// One column's cells as pandas types them: all ints (none missing) → ints; all numbers →
    /// floats with NaN for the missing; all True/False (none missing) → bools; else strings and NaN.
    private static func inferColumn(_ texts: [String?]) -> [Value] {
        let present = texts.compactMap { $0 }
        let hasMissing = present.count < texts.count
        if !present.isEmpty, present.allSatisfy({ Int($0.trimmingSpaces) != nil }) {
            return texts.map { t in t.flatMap { Int($0.trimmingSpaces) }.map { hasMissing ? .float(Double($0)) : .int($0) } ?? Table.missing }
        }
        if !present.isEmpty, present.allSatisfy({ float($0) != nil }) {
            return texts.map { t in t.flatMap(float).map(Value.float) ?? Table.missing }
        }
        let bools = ["True": true, "TRUE": true, "true": true, "False": false, "FALSE": false, "false": false]
        if !present.isEmpty, !hasMissing, present.allSatisfy({ bools[$0] != nil }) {
            return texts.map { .bool(bools[$0!]!) }
        }
        return texts.map { t in t.map(Value.string) ?? Table.missing }
    }

    private static func float(_ text: String) -> Double? {
        let t = text.trimmingSpaces
        switch t.lowercased() {
        case "inf", "+inf", "infinity", "+infinity": return .infinity
        case "-inf", "-infinity": return -.infinity
        default: break
        }
        guard t.first.map({ $0.isNumber || $0 == "-" || $0 == "+" || $0 == "." }) == true else { return nil }
        return Double(t)
    }
}

extension String {
    fileprivate var trimmingSpaces: Substring {
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return s
    }
}

extension Int {
    fileprivate init?(_ text: Substring) { self.init(String(text)) }
}

extension Double {
    fileprivate init?(_ text: Substring) { self.init(String(text)) }
}
