import Nodeflow

/// Splits a template into text, `{{ }}` and `{% %}` pieces, applying `-` whitespace control and
/// dropping `{# #}` comments.
enum TemplateLexer {
    enum Token {
        case text(String)
        case output(String)
        case tag(String)
    }

    static func tokens(_ source: String) throws -> [Token] {
        var tokens: [Token] = []
        var rest = Substring(source)
        var trimNext = false
        while !rest.isEmpty {
            guard let open = openingDelimiter(in: rest) else {
                tokens.append(.text(trimNext ? String(rest.drop(while: \.isWhitespace)) : String(rest)))
                break
            }
            var text = String(rest[..<open.lowerBound])
            if trimNext { text = String(text.drop(while: \.isWhitespace)) }
            let kind = rest[rest.index(before: open.upperBound)]
            let close = kind == "{" ? "}}" : kind == "%" ? "%}" : "#}"
            var inner = rest[open.upperBound...]
            guard let end = inner.range(of: close) else {
                throw JinjaTemplate.SyntaxError(message: "'\(rest[open])' is never closed with '\(close)'")
            }
            rest = rest[end.upperBound...]
            inner = inner[..<end.lowerBound]
            if inner.hasPrefix("-") {
                inner = inner.dropFirst()
                while let last = text.last, last.isWhitespace { text.removeLast() }
            }
            trimNext = inner.hasSuffix("-")
            if trimNext { inner = inner.dropLast() }
            if !text.isEmpty { tokens.append(.text(text)) }
            let body = inner.trimmingCharacters(in: .whitespacesAndNewlines)
            switch kind {
            case "{": tokens.append(.output(body))
            case "%": tokens.append(.tag(body))
            default: break  // a comment
            }
        }
        return tokens
    }

    /// The first `{{`, `{%` or `{#` in `text`.
    private static func openingDelimiter(in text: Substring) -> Range<Substring.Index>? {
        var i = text.startIndex
        while let brace = text[i...].firstIndex(of: "{") {
            let after = text.index(after: brace)
            guard after < text.endIndex else { return nil }
            if "{%#".contains(text[after]) { return brace..<text.index(after: after) }
            i = after
        }
        return nil
    }
}

/// Builds the parts of a template from its tokens.
struct TemplateParser {
    let tokens: [TemplateLexer.Token]
    var position = 0
    /// Blocks open around the current one: bounded, so that a hostile template cannot exhaust the stack.
    private var depth = 0
    static let maxDepth = 64

    init(tokens: [TemplateLexer.Token]) {
        self.tokens = tokens
    }

    /// The next tag's first word, if the next token is a tag.
    var peek: String? {
        guard position < tokens.count, case .tag(let tag) = tokens[position] else { return nil }
        return String(tag.split(separator: " ", maxSplits: 1).first ?? "")
    }

    /// Parts up to (not including) a tag whose first word is in `ends`.
    mutating func parseParts(until ends: Set<String>) throws -> [JinjaTemplate.Part] {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maxDepth else { throw JinjaTemplate.SyntaxError(message: "blocks nested more than \(Self.maxDepth) deep") }
        var parts: [JinjaTemplate.Part] = []
        while position < tokens.count {
            switch tokens[position] {
            case .text(let text):
                parts.append(.text(text))
                position += 1
            case .output(let source):
                parts.append(.output(try ExpressionParser.parse(source)))
                position += 1
            case .tag(let tag):
                let words = tag.split(separator: " ", maxSplits: 1).map(String.init)
                let keyword = words.first ?? ""
                if ends.contains(keyword) { return parts }
                position += 1
                let rest = words.count > 1 ? words[1] : ""
                switch keyword {
                case "for": parts.append(try parseFor(rest))
                case "if": parts.append(try parseIf(rest))
                default: throw JinjaTemplate.SyntaxError(message: "unknown tag '{% \(tag) %}'")
                }
            }
        }
        if !ends.isEmpty { throw JinjaTemplate.SyntaxError(message: "missing '{% \(ends.sorted().last!) %}'") }
        return parts
    }

    private mutating func parseFor(_ header: String) throws -> JinjaTemplate.Part {
        let pieces = header.split(separator: " ", maxSplits: 2).map(String.init)
        guard pieces.count == 3, pieces[1] == "in", pieces[0].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
            throw JinjaTemplate.SyntaxError(message: "'{% for \(header) %}' must read 'for NAME in EXPRESSION'")
        }
        let sequence = try ExpressionParser.parse(pieces[2])
        let body = try parseParts(until: ["else", "endfor"])
        var otherwise: [JinjaTemplate.Part] = []
        if peek == "else" {
            position += 1
            otherwise = try parseParts(until: ["endfor"])
        }
        position += 1  // endfor
        return .loop(variable: pieces[0], sequence: sequence, body: body, otherwise: otherwise)
    }

    private mutating func parseIf(_ condition: String) throws -> JinjaTemplate.Part {
        var branches: [(condition: JinjaTemplate.Expression, body: [JinjaTemplate.Part])] = []
        var current = try ExpressionParser.parse(condition)
        var otherwise: [JinjaTemplate.Part] = []
        while true {
            let body = try parseParts(until: ["elif", "else", "endif"])
            branches.append((current, body))
            guard case .tag(let tag) = tokens[position] else { break }
            position += 1
            if tag.hasPrefix("elif") {
                current = try ExpressionParser.parse(String(tag.dropFirst(4)))
                continue
            }
            if tag == "else" {
                otherwise = try parseParts(until: ["endif"])
                position += 1
            }
            break
        }
        return .branch(branches, otherwise: otherwise)
    }
}

/// Parses one expression: names, literals, `.attr`, `[index]`, filters, comparisons, not/and/or.
struct ExpressionParser {
    enum Token: Equatable {
        case name(String)
        case number(Value)
        case string(String)
        case symbol(String)
    }

    private var tokens: [Token]
    private var position = 0
    private var depth = 0
    /// Operators applied so far: a chain (`x|f|f|…`, `a and b and …`) nests as deep as it is long
    /// when evaluated, so it counts against a bound too.
    private var links = 0
    static let maxLinks = 256

    private mutating func link() throws(JinjaTemplate.SyntaxError) {
        links += 1
        guard links <= Self.maxLinks else { throw JinjaTemplate.SyntaxError(message: "an expression of more than \(Self.maxLinks) operations") }
    }

    static func parse(_ source: String) throws -> JinjaTemplate.Expression {
        var parser = ExpressionParser(tokens: try tokenize(source))
        guard !parser.tokens.isEmpty else { throw JinjaTemplate.SyntaxError(message: "an empty expression") }
        let expression = try parser.parseOr()
        guard parser.position == parser.tokens.count else { throw JinjaTemplate.SyntaxError(message: "unexpected text in '\(source)'") }
        return expression
    }

    private init(tokens: [Token]) {
        self.tokens = tokens
    }

    private static func tokenize(_ source: String) throws -> [Token] {
        var tokens: [Token] = []
        let chars = Array(source)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c.isWhitespace { i += 1; continue }
            if c.isLetter || c == "_" {
                var j = i
                while j < chars.count, chars[j].isLetter || chars[j].isNumber || chars[j] == "_" { j += 1 }
                tokens.append(.name(String(chars[i..<j])))
                i = j
            } else if c.isNumber {
                var j = i
                while j < chars.count, chars[j].isNumber || chars[j] == "." { j += 1 }
                let text = String(chars[i..<j])
                if let n = Int(text) { tokens.append(.number(.int(n))) } else if let d = Double(text) { tokens.append(.number(.float(d))) } else {
                    throw JinjaTemplate.SyntaxError(message: "a bad number '\(text)'")
                }
                i = j
            } else if c == "'" || c == "\"" {
                var j = i + 1
                var text = ""
                while j < chars.count, chars[j] != c {
                    if chars[j] == "\\", j + 1 < chars.count {
                        j += 1
                        // Python's escapes, as Jinja reads string literals.
                        switch chars[j] {
                        case "n": text.append("\n")
                        case "t": text.append("\t")
                        case "r": text.append("\r")
                        case "0": text.append("\0")
                        case "\\", "'", "\"": text.append(chars[j])
                        default: text.append("\\"); text.append(chars[j])
                        }
                        j += 1
                        continue
                    }
                    text.append(chars[j])
                    j += 1
                }
                guard j < chars.count else { throw JinjaTemplate.SyntaxError(message: "a string is never closed in '\(source)'") }
                tokens.append(.string(text))
                i = j + 1
            } else {
                let two = i + 1 < chars.count ? String(chars[i...i + 1]) : ""
                if ["==", "!=", "<=", ">="].contains(two) {
                    tokens.append(.symbol(two))
                    i += 2
                } else if ".[](),|<>".contains(c) {
                    tokens.append(.symbol(String(c)))
                    i += 1
                } else {
                    throw JinjaTemplate.SyntaxError(message: "unexpected '\(c)' in '\(source)'")
                }
            }
        }
        return tokens
    }

    private var next: Token? { position < tokens.count ? tokens[position] : nil }

    private mutating func take(_ symbol: String) -> Bool {
        guard next == .symbol(symbol) else { return false }
        position += 1
        return true
    }

    private mutating func takeKeyword(_ word: String) -> Bool {
        guard next == .name(word) else { return false }
        position += 1
        return true
    }

    private mutating func parseOr() throws -> JinjaTemplate.Expression {
        depth += 1
        defer { depth -= 1 }
        guard depth <= TemplateParser.maxDepth else { throw JinjaTemplate.SyntaxError(message: "an expression nested more than \(TemplateParser.maxDepth) deep") }
        var left = try parseAnd()
        while takeKeyword("or") {
            try link()
            left = .or(left, try parseAnd())
        }
        return left
    }

    private mutating func parseAnd() throws -> JinjaTemplate.Expression {
        var left = try parseNot()
        while takeKeyword("and") {
            try link()
            left = .and(left, try parseNot())
        }
        return left
    }

    private mutating func parseNot() throws -> JinjaTemplate.Expression {
        if takeKeyword("not") {
            depth += 1
            defer { depth -= 1 }
            guard depth <= TemplateParser.maxDepth else { throw JinjaTemplate.SyntaxError(message: "an expression nested more than \(TemplateParser.maxDepth) deep") }
            return .not(try parseNot())
        }
        let left = try parseFiltered()
        for op in ["==", "!=", "<=", ">=", "<", ">"] where take(op) {
            return .compare(left, op, try parseFiltered())
        }
        return left
    }

    private mutating func parseFiltered() throws -> JinjaTemplate.Expression {
        var value = try parsePostfix()
        while take("|") {
            try link()
            guard case .name(let name)? = next else { throw JinjaTemplate.SyntaxError(message: "a filter name must follow '|'") }
            position += 1
            var arguments: [JinjaTemplate.Expression] = []
            if take("(") {
                if !take(")") {
                    repeat { arguments.append(try parseOr()) } while take(",")
                    guard take(")") else { throw JinjaTemplate.SyntaxError(message: "')' missing after the arguments of '\(name)'") }
                }
            }
            value = .filter(value, name, arguments)
        }
        return value
    }

    private mutating func parsePostfix() throws -> JinjaTemplate.Expression {
        var value = try parsePrimary()
        while true {
            if take(".") {
                try link()
                guard case .name(let name)? = next else { throw JinjaTemplate.SyntaxError(message: "a name must follow '.'") }
                position += 1
                value = .attribute(value, name)
            } else if take("[") {
                try link()
                let key = try parseOr()
                guard take("]") else { throw JinjaTemplate.SyntaxError(message: "']' missing") }
                value = .index(value, key)
            } else {
                return value
            }
        }
    }

    private mutating func parsePrimary() throws -> JinjaTemplate.Expression {
        switch next {
        case .name(let name)?:
            position += 1
            switch name {
            case "true", "True": return .literal(.bool(true))
            case "false", "False": return .literal(.bool(false))
            case "none", "None": return .literal(.null)
            default: return .name(name)
            }
        case .number(let value)?:
            position += 1
            return .literal(value)
        case .string(let text)?:
            position += 1
            return .literal(.string(text))
        case .symbol("(")?:
            position += 1
            let inner = try parseOr()
            guard take(")") else { throw JinjaTemplate.SyntaxError(message: "')' missing") }
            return inner
        default:
            throw JinjaTemplate.SyntaxError(message: "an expression is missing")
        }
    }
}
