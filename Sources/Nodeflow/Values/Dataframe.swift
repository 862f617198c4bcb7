import DequeModule
import OrderedCollections

/// Reading nodetool's `DataframeRef` values: `{"type": "dataframe", "columns": [...], "data": [[...]]}`.
public enum Dataframe {
    /// The column names; a column is written either as a name or as `{"name": ..., "data_type": ...}`.
    public static func columnNames(of frame: OrderedDictionary<String, Value>) -> [String]? {
        guard case .list(let columns)? = frame["columns"] else { return nil }
        var names: [String] = []
        for column in columns {
            switch column {
            case .string(let name): names.append(name)
            case .dict(let d): 
                guard let name = d["name"]?.stringValue else { return nil }
                names.append(name)
            default: return nil
            }
        }
        return names
    }

    /// The rows as dicts from column name to value, each with an `index` field (the row number),
    /// as nodetool's Loop iterates a dataframe.
    public static func rows(of frame: OrderedDictionary<String, Value>) -> [Value]? {
        guard let names = columnNames(of: frame) else { return nil }
        guard case .list(let data)? = frame["data"] else { return names.isEmpty ? [] : nil }
        var rows: [Value] = []
        rows.reserveCapacity(data.count)
        for (index, row) in data.enumerated() {
            guard case .list(let cells) = row else { return nil }
            var dict = OrderedDictionary<String, Value>()
            for (name, cell) in zip(names, cells) { dict[name] = cell }
            dict["index"] = .int(index)
            rows.append(.dict(dict))
        }
        return rows
    }
}
