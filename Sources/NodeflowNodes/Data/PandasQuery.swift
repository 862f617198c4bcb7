import Nodeflow

/// The expressions `DataFrame.query` takes, as nodetool's Filter nodes use them: column names
/// (or `` `quoted names` ``), numbers, strings, `True`/`False`/`None`, lists, arithmetic,
/// comparisons (chained too), `in` / `not in`, `and` / `or` / `not` (and `&` `|` `~`), and the
/// methods `isna()`, `notna()`, `isnull()`, `notnull()`, `between(a, b)` and
/// `str.contains/startswith/endswith/lower/upper/len`. It is evaluated row by row; a comparison
/// with a missing cell (NaN) is false, as in pandas. Anything else is a clear error, never a guess.
struct PandasQuery {
    indirect enum Expression {
        case literal(Value)
        case column(String)
        case list([Expression])
        case not(Expression)
        case negate(Expression)
        case and(Expression, Expression)
        case or(Expression, Expression)
        case arithmetic(String, Expression, Expression)
        /// `a < b <= c`: every adjacent pair must hold.
        case comparison([Expression], [String])
        case method(Expression, String, [Expression])
    }

    let source: String
    let expression: Expression

    /// The deepest nesting a condition may have (a hostile file cannot exhaust the stack).
    static let maxDepth = 64

    init(_ source: String) throws {
        self.source = source
        var parser = Parser(tokens: try Self.tokenize(source), source: source)
        expression = try parser.parseAll()
    }

    /// The rows of `table` that pass (the first only, with `first`), in order. Column names are
    /// looked up once per table, not once per row (a repeated name means its first column).
    func rows(of table: Table, first: Bool = false) throws -> [[Value]] {
        var index: [String: Int] = [:]
        for (i, name) in table.columns.enumerated() where index[name] == nil { index[name] = i }
        var found: [[Value]] = []
        for cells in table.rows {
            let result = try evaluate(expression, Row(index: index, cells: cells))
            guard case .bool(let passes) = result else {
                throw NodeError("the condition '\(source)' gives \(result.kindName) \(result.pythonRepr), not True or False")
            }
            if passes {
                found.append(cells)
                if first { break }
            }
        }
        return found
    }

    /// One row's cells, by column name.
    private struct Row {
        let index: [String: Int]
        let cells: [Value]
        subscript(name: String) -> Value? { index[name].map { cells[$0] } }
    }

    // MARK: Evaluation

    private func evaluate(_ e: Expression, _ row: Row) throws -> Value {
        switch e {
        case .literal(let v): return v
        case .column(let name):
            guard let v = row[name] else {
                throw NodeError("the condition '\(source)' names '\(name)', which is not a column (columns: \(row.index.keys.sorted().joined(separator: ", ")))")
            }
            return v
        case .list(let items): return .list(try items.map { try evaluate($0, row) })
        case .not(let inner): return .bool(!(try truth(evaluate(inner, row))))
        case .negate(let inner):
            switch try evaluate(inner, row) {
            case .int(let i) where i != .min: return .int(-i)
            case .float(let d): return .float(-d)
            case .bool(let b): return .int(b ? -1 : 0)
            case let v: throw NodeError("the condition '\(source)' negates \(v.kindName) \(v.pythonRepr)")
            }
        case .and(let a, let b): return .bool(try truth(evaluate(a, row)) && truth(evaluate(b, row)))
        case .or(let a, let b): return .bool(try truth(evaluate(a, row)) || truth(evaluate(b, row)))
        case .arithmetic(let op, let a, let b): return try arithmetic(op, evaluate(a, row), evaluate(b, row))
        case .comparison(let operands, let ops):
            var left = try evaluate(operands[0], row)
            for (i, op) in ops.enumerated() {
                let right = try evaluate(operands[i + 1], row)
                guard try compare(op, left, right) else { return .bool(false) }
                left = right
            }
            return .bool(true)
        case .method(let target, let name, let arguments):
            return try method(name, try evaluate(target, row), try arguments.map { try evaluate($0, row) })
        }
    }

    private func truth(_ v: Value) throws -> Bool {
        if Table.isMissing(v) { return false }
        return v.isTruthy
    }

    private func compare(_ op: String, _ a: Value, _ b: Value) throws -> Bool {
        switch op {
        case "in", "not in":
            guard case .list(let items) = b else {
                if case .string(let s) = b, case .string(let t) = a { return s.contains(t) == (op == "in") }
                throw NodeError("the condition '\(source)': '\(op)' needs a list on its right, not \(b.kindName)")
            }
            return items.contains { $0.pythonEquals(a) } == (op == "in")
        default: break
        }
        let missing = Table.isMissing(a) || Table.isMissing(b) || a.isNull || b.isNull
        if op == "==" || op == "!=" {
            let equal = missing && !(a.isNull && b.isNull) ? false : a.pythonEquals(b)
            return equal == (op == "==")
        }
        if missing { return false }
        guard let order = Value.pythonCompare(a, b) else {
            throw NodeError("the condition '\(source)' compares \(a.kindName) \(a.pythonRepr) with \(b.kindName) \(b.pythonRepr) using '\(op)'")
        }
        switch op {
        case "<": return order == .ascending
        case "<=": return order != .descending
        case ">": return order == .descending
        default: return order != .ascending  // ">="
        }
    }

    private func arithmetic(_ op: String, _ a: Value, _ b: Value) throws -> Value {
        if op == "+", case .string(let x) = a, case .string(let y) = b { return .string(x + y) }
        if case .int(let x) = a, case .int(let y) = b, op != "/" {
            switch op {
            case "+": let (r, o) = x.addingReportingOverflow(y); if !o { return .int(r) }
            case "-": let (r, o) = x.subtractingReportingOverflow(y); if !o { return .int(r) }
            case "*": let (r, o) = x.multipliedReportingOverflow(by: y); if !o { return .int(r) }
            default:
                guard y != 0 else { return .float(.nan) }  // pandas gives NaN/inf, not an error
                if x == .min && y == -1 { break }
                let q = x / y, r = x % y
                let floor = (r != 0 && (r < 0) != (y < 0)) ? q - 1 : q
                return op == "//" ? .int(floor) : .int(x - floor * y)
            }
        }
        guard let x = a.doubleValue ?? (a.isBoolLike ? (a.isTruthy ? 1 : 0) : nil), let y = b.doubleValue ?? (b.isBoolLike ? (b.isTruthy ? 1 : 0) : nil) else {
            throw NodeError("the condition '\(source)' applies '\(op)' to \(a.kindName) \(a.pythonRepr) and \(b.kindName) \(b.pythonRepr)")
        }
        switch op {
        case "+": return .float(x + y)
        case "-": return .float(x - y)
        case "*": return .float(x * y)
        case "/": return .float(x / y)
        case "//": return .float((x / y).rounded(.down))
        default: return .float(x - (x / y).rounded(.down) * y)
        }
    }

    private func method(_ name: String, _ target: Value, _ arguments: [Value]) throws -> Value {
        func argument(_ i: Int) throws -> Value {
            guard i < arguments.count else { throw NodeError("the condition '\(source)': \(name)() needs \(i + 1) argument\(i == 0 ? "" : "s")") }
            return arguments[i]
        }
        func text() throws -> String? {
            if Table.isMissing(target) || target.isNull { return nil }
            guard case .string(let s) = target else { throw NodeError("the condition '\(source)': .str.\(name.dropFirst(4))() on \(target.kindName) \(target.pythonRepr)") }
            return s
        }
        func stringArgument() throws -> String {
            guard case .string(let s) = try argument(0) else { throw NodeError("the condition '\(source)': \(name)() needs a string") }
            return s
        }
        switch name {
        case "isna", "isnull": return .bool(Table.isMissing(target) || target.isNull)
        case "notna", "notnull": return .bool(!(Table.isMissing(target) || target.isNull))
        case "between":
            return .bool(try compare(">=", target, argument(0)) && compare("<=", target, argument(1)))
        case "str.contains": return .bool(try text()?.contains(stringArgument()) ?? false)
        case "str.startswith": return .bool(try text()?.hasPrefix(stringArgument()) ?? false)
        case "str.endswith": return .bool(try text()?.hasSuffix(stringArgument()) ?? false)
        case "str.lower": return try text().map { .string($0.lowercased()) } ?? Table.missing
        case "str.upper": return try text().map { .string($0.uppercased()) } ?? Table.missing
        case "str.len": return try text().map { .int($0.unicodeScalars.count) } ?? Table.missing
        default: throw NodeError("the condition '\(source)' uses .\(name)(), which Nodeflow does not support")
        }
    }

    // MARK: Tokens

    enum Token: Equatable {
        case number(Value), string(String), name(String), op(String), end
    }

    private static func tokenize(_ source: String) throws -> [(Token, Int)] {
        let chars = Array(source.unicodeScalars)
        var tokens: [(Token, Int)] = []
        var i = 0
        func fail(_ what: String) -> NodeError { NodeError("the condition '\(source)': \(what) at character \(i + 1)") }
        while i < chars.count {
            let c = chars[i]
            if c == " " || c == "\t" || c == "\n" { i += 1; continue }
            let start = i
            if c.properties.isXIDStart || c == "_" {
                while i < chars.count, chars[i].properties.isXIDContinue { i += 1 }
                tokens.append((.name(String(String.UnicodeScalarView(chars[start..<i]))), start))
            } else if ("0"..."9").contains(c) || (c == "." && i + 1 < chars.count && ("0"..."9").contains(chars[i + 1])) {
                while i < chars.count, ("0"..."9").contains(chars[i]) || chars[i] == "." || chars[i] == "_" || chars[i] == "e" || chars[i] == "E"
                    || ((chars[i] == "-" || chars[i] == "+") && (chars[i - 1] == "e" || chars[i - 1] == "E")) { i += 1 }
                let text = String(String.UnicodeScalarView(chars[start..<i])).replacingOccurrences(of: "_", with: "")
                if let n = Int(text) { tokens.append((.number(.int(n)), start)) }
                else if let d = Double(text) { tokens.append((.number(.float(d)), start)) }
                else { throw fail("'\(text)' is not a number") }
            } else if c == "'" || c == "\"" {
                i += 1
                var text = ""
                while i < chars.count, chars[i] != c {
                    if chars[i] == "\\", i + 1 < chars.count {
                        i += 1
                        switch chars[i] { case "n": text += "\n"; case "t": text += "\t"; default: text.unicodeScalars.append(chars[i]) }
                    } else {
                        text.unicodeScalars.append(chars[i])
                    }
                    i += 1
                }
                guard i < chars.count else { throw fail("a string that does not end") }
                i += 1
                tokens.append((.string(text), start))
            } else if c == "`" {
                i += 1
                while i < chars.count, chars[i] != "`" { i += 1 }
                guard i < chars.count else { throw fail("a `quoted name` that does not end") }
                tokens.append((.name("`" + String(String.UnicodeScalarView(chars[(start + 1)..<i]))), start))
                i += 1
            } else {
                let two = i + 1 < chars.count ? String(String.UnicodeScalarView([c, chars[i + 1]])) : ""
                if ["==", "!=", "<=", ">=", "//", "**"].contains(two) {
                    tokens.append((.op(two), start)); i += 2
                } else if "<>+-*/%()[],.&|~".unicodeScalars.contains(c) {
                    tokens.append((.op(String(c)), start)); i += 1
                } else {
                    throw fail("unexpected '\(c)'")
                }
            }
        }
        tokens.append((.end, chars.count))
        return tokens
    }

    // MARK: Parsing

    private struct Parser {
        let tokens: [(Token, Int)]
        let source: String
        var position = 0
        var depth = 0

        var token: Token { tokens[position].0 }

        func fail(_ what: String) -> NodeError {
            NodeError("the condition '\(source)': \(what) at character \(tokens[position].1 + 1)")
        }

        mutating func take(_ op: String) -> Bool {
            if token == .op(op) || token == .name(op) { position += 1; return true }
            return false
        }

        mutating func expect(_ op: String) throws {
            guard take(op) else { throw fail("expected '\(op)'") }
        }

        mutating func parseAll() throws -> Expression {
            guard token != .end else { throw NodeError("the condition is empty") }
            let e = try parseOr()
            guard token == .end else { throw fail("unexpected \(describe(token))") }
            return e
        }

        func describe(_ t: Token) -> String {
            switch t {
            case .number(let v): "number \(v.pythonRepr)"
            case .string(let s): "string '\(s)'"
            case .name(let n): "'\(n)'"
            case .op(let o): "'\(o)'"
            case .end: "end"
            }
        }

        mutating func nested<T>(_ body: (inout Parser) throws -> T) throws -> T {
            depth += 1
            defer { depth -= 1 }
            guard depth <= PandasQuery.maxDepth else { throw fail("nesting deeper than \(PandasQuery.maxDepth)") }
            return try body(&self)
        }

        mutating func parseOr() throws -> Expression {
            var e = try parseAnd()
            while take("or") || take("|") { e = .or(e, try parseAnd()) }
            return e
        }

        mutating func parseAnd() throws -> Expression {
            var e = try parseNot()
            while take("and") || take("&") { e = .and(e, try parseNot()) }
            return e
        }

        mutating func parseNot() throws -> Expression {
            if take("not") || take("~") { return .not(try nested { try $0.parseNot() }) }
            return try parseComparison()
        }

        mutating func parseComparison() throws -> Expression {
            var operands = [try parseSum()]
            var ops: [String] = []
            while true {
                let op: String
                if case .op(let o) = token, ["==", "!=", "<", "<=", ">", ">="].contains(o) {
                    position += 1; op = o
                } else if take("in") {
                    op = "in"
                } else if token == .name("not"), position + 1 < tokens.count, tokens[position + 1].0 == .name("in") {
                    position += 2; op = "not in"
                } else {
                    break
                }
                ops.append(op)
                operands.append(try parseSum())
            }
            return ops.isEmpty ? operands[0] : .comparison(operands, ops)
        }

        mutating func parseSum() throws -> Expression {
            var e = try parseTerm()
            while case .op(let o) = token, o == "+" || o == "-" {
                position += 1
                e = .arithmetic(o, e, try parseTerm())
            }
            return e
        }

        mutating func parseTerm() throws -> Expression {
            var e = try parseUnary()
            while case .op(let o) = token, ["*", "/", "//", "%"].contains(o) {
                position += 1
                e = .arithmetic(o, e, try parseUnary())
            }
            return e
        }

        mutating func parseUnary() throws -> Expression {
            if take("-") { return .negate(try nested { try $0.parseUnary() }) }
            if take("+") { return try nested { try $0.parseUnary() } }
            if token == .op("**") { throw fail("'**' is not supported") }
            return try parsePostfix()
        }

        mutating func parsePostfix() throws -> Expression {
            var e = try parsePrimary()
            while take(".") {
                guard case .name(var name) = token else { throw fail("expected a method name") }
                position += 1
                if name == "str" {
                    try expect(".")
                    guard case .name(let inner) = token else { throw fail("expected a string method") }
                    position += 1
                    name = "str." + inner
                }
                try expect("(")
                var arguments: [Expression] = []
                if !take(")") {
                    repeat { arguments.append(try nested { try $0.parseOr() }) } while take(",")
                    try expect(")")
                }
                e = .method(e, name, arguments)
            }
            return e
        }

        mutating func parsePrimary() throws -> Expression {
            switch token {
            case .number(let v): position += 1; return .literal(v)
            case .string(let s): position += 1; return .literal(.string(s))
            case .name(let n):
                position += 1
                switch n {
                case "True": return .literal(.bool(true))
                case "False": return .literal(.bool(false))
                case "None": return .literal(.null)
                case "and", "or", "not", "in": throw fail("unexpected '\(n)'")
                default: return .column(n.hasPrefix("`") ? String(n.dropFirst()) : n)
                }
            case .op("("):
                position += 1
                let e = try nested { try $0.parseOr() }
                try expect(")")
                return e
            case .op("["):
                position += 1
                var items: [Expression] = []
                if !take("]") {
                    repeat {
                        if token == .op("]") { break }
                        items.append(try nested { try $0.parseOr() })
                    } while take(",")
                    try expect("]")
                }
                return .list(items)
            case .op("@"):
                throw fail("'@' variables are not supported")
            default:
                throw fail("unexpected \(describe(token))")
            }
        }
    }
}

extension Value {
    fileprivate var isBoolLike: Bool {
        if case .bool = self { return true }
        return false
    }
}
