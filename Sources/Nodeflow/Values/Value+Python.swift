/// Python's text forms and ordering of values, so nodes behave like nodetool's.
extension Value {
    /// Python's `str()`: strings as they are, everything else as ``pythonRepr``.
    public var pythonStr: String {
        if case .string(let s) = self { return s }
        return pythonRepr
    }

    /// Python's `repr()`: `None`, `True`, `3`, `3.0`, `'text'`, `[1, 'a']`, `{'k': 1}`.
    public var pythonRepr: String {
        switch self {
        case .null: return "None"
        case .bool(let b): return b ? "True" : "False"
        case .int(let i): return String(i)
        case .float(let d):
            if d.isNaN { return "nan" }
            if d.isInfinite { return d < 0 ? "-inf" : "inf" }
            return JSONWriter.pythonRepr(d)
        case .string(let s): return Self.quote(s)
        case .bytes(let b): return "b'" + b.map { (32..<127).contains($0) && $0 != 39 && $0 != 92 ? String(UnicodeScalar($0)) : "\\x" + String($0, radix: 16).leftPadded(2) }.joined() + "'"
        case .list(let l): return "[" + l.map(\.pythonRepr).joined(separator: ", ") + "]"
        case .dict(let d): return "{" + d.map { Self.quote($0.key) + ": " + $0.value.pythonRepr }.joined(separator: ", ") + "}"
        }
    }

    private static func quote(_ s: String) -> String {
        // Python prefers single quotes, and switches to double quotes when the text has a single quote only.
        let useDouble = s.contains("'") && !s.contains("\"")
        let q: Character = useDouble ? "\"" : "'"
        var out = String(q)
        for c in s.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where Character(c) == q: out += "\\" + String(q)
            case _ where c.value < 0x20 || c.value == 0x7F: out += "\\x" + String(c.value, radix: 16).leftPadded(2)
            default: out.unicodeScalars.append(c)
            }
        }
        out.append(q)
        return out
    }

    /// Python's ordering (`<`) of two values: numbers (and bools) by value, strings by code point,
    /// lists lexicographically. `nil` where Python raises `TypeError` (e.g. a str against an int).
    public static func pythonCompare(_ a: Value, _ b: Value) -> ComparisonResult? {
        switch (a, b) {
        case (.string(let x), .string(let y)):
            return compareSequences(Array(x.unicodeScalars).map(\.value), Array(y.unicodeScalars).map(\.value))
        case (.bytes(let x), .bytes(let y)):
            return compareSequences(x, y)
        case (.list(let x), .list(let y)):
            for (u, v) in zip(x, y) where u != v {
                return pythonCompare(u, v)
            }
            return x.count < y.count ? .ascending : (x.count > y.count ? .descending : .same)
        case (.int(let x), .int(let y)):
            return x < y ? .ascending : (x > y ? .descending : .same)
        default:
            guard let x = a.numericValue, let y = b.numericValue else { return nil }
            return x < y ? .ascending : (x > y ? .descending : .same)
        }
    }

    /// The outcome of ``pythonCompare(_:_:)``.
    public enum ComparisonResult: Sendable { case ascending, same, descending }

    /// The value as Python compares it as a number (bools are ints); `nil` for other kinds.
    public var numericValue: Double? {
        switch self {
        case .bool(let b): b ? 1 : 0
        case .int(let i): Double(i)
        case .float(let d): d
        default: nil
        }
    }

    private static func compareSequences<T: Comparable>(_ x: [T], _ y: [T]) -> ComparisonResult {
        for (u, v) in zip(x, y) where u != v {
            return u < v ? .ascending : .descending
        }
        return x.count < y.count ? .ascending : (x.count > y.count ? .descending : .same)
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

extension Value {
    /// Python's `==`: `1 == 1.0 == True`, lists and dicts element by element.
    public func pythonEquals(_ other: Value) -> Bool {
        switch (self, other) {
        case (.list(let a), .list(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.pythonEquals($1) }
        case (.dict(let a), .dict(let b)):
            guard a.count == b.count else { return false }
            for (key, value) in a {
                guard let o = b[key], o.pythonEquals(value) else { return false }
            }
            return true
        case (.int(let a), .int(let b)):
            return a == b
        default:
            if let x = numericValue, let y = other.numericValue { return x == y }
            return self == other
        }
    }
}
