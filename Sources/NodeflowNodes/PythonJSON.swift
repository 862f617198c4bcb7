import Nodeflow

/// Python's `json.dumps` as nodetool's nodes call it: `", "` and `": "` between items (`","` and
/// newlines with an indent), non-ASCII escaped (`ensure_ascii`), floats as Python writes them
/// (`1.0`, `1e+16`, `NaN`, `Infinity`), bytes decoded as UTF-8 text.
enum PythonJSON {
    static func dumps(_ value: Value, indent: Int? = nil) -> String {
        var out = ""
        write(value, indent: indent.map { max(0, $0) }, level: 0, into: &out)
        return out
    }

    private static func write(_ value: Value, indent: Int?, level: Int, into out: inout String) {
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .float(let f):
            if f.isNaN { out += "NaN" } else if f.isInfinite { out += f < 0 ? "-Infinity" : "Infinity" } else { out += value.pythonRepr }
        case .string(let s): string(s, into: &out)
        case .bytes(let b): string(String(decoding: b, as: UTF8.self), into: &out)
        case .list(let items):
            guard !items.isEmpty else { out += "[]"; return }
            out += "["
            for (i, item) in items.enumerated() {
                separator(first: i == 0, indent: indent, level: level + 1, into: &out)
                write(item, indent: indent, level: level + 1, into: &out)
            }
            closing("]", indent: indent, level: level, into: &out)
        case .dict(let d):
            guard !d.isEmpty else { out += "{}"; return }
            out += "{"
            for (i, (key, item)) in d.enumerated() {
                separator(first: i == 0, indent: indent, level: level + 1, into: &out)
                string(key, into: &out)
                out += ": "
                write(item, indent: indent, level: level + 1, into: &out)
            }
            closing("}", indent: indent, level: level, into: &out)
        }
    }

    private static func separator(first: Bool, indent: Int?, level: Int, into out: inout String) {
        if let indent {
            if !first { out += "," }
            out += "\n" + String(repeating: " ", count: indent * level)
        } else if !first {
            out += ", "
        }
    }

    private static func closing(_ bracket: String, indent: Int?, level: Int, into out: inout String) {
        if let indent { out += "\n" + String(repeating: " ", count: indent * level) }
        out += bracket
    }

    private static func string(_ s: String, into out: inout String) {
        out += "\""
        for unit in s.utf16 {
            switch unit {
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0x08: out += "\\b"
            case 0x0C: out += "\\f"
            case 0x20..<0x7F: out.unicodeScalars.append(Unicode.Scalar(unit)!)
            default:
                let hex = String(unit, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            }
        }
        out += "\""
    }
}
