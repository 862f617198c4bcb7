import Foundation
import Nodeflow

/// Python's `str.format` for templates: `{name}`, `{0}`, `{}` (numbered automatically),
/// `{name[key]}`, `{{`/`}}` escapes, `!r`/`!s` conversions, and the common format specs
/// (`[[fill]align][sign][width][,][.precision][type]` with types `s d f e %`).
enum PythonFormat {
    /// Fills `template`.
    /// - Parameter maxBytes: the longest result allowed; a longer one (a width of 10⁹, a value
    ///   repeated 10⁶ times) throws ``ValueLimitError`` before it is built.
    static func format(_ template: String, positional: [Value], keywords: [String: Value], maxBytes: Int = ValueLimits().maxStringBytes) throws -> String {
        var out = ""
        var chars = Array(template)
        var i = 0
        var autoIndex = 0
        chars.append("\0")
        let end = chars.count - 1
        while i < end {
            let c = chars[i]
            if c == "{" {
                if chars[i + 1] == "{" {
                    out.append("{")
                    i += 2
                    continue
                }
                var j = i + 1
                var depth = 1
                while j < end {
                    if chars[j] == "{" { depth += 1 }
                    if chars[j] == "}" { depth -= 1; if depth == 0 { break } }
                    j += 1
                }
                guard j < end else { throw NodeError("single '{' encountered in format string") }
                let field = String(chars[(i + 1)..<j])
                try Task.checkCancellation()
                out += try render(field, positional: positional, keywords: keywords, autoIndex: &autoIndex, maxBytes: maxBytes)
                if out.utf8.count > maxBytes { throw ValueLimitError(what: "the formatted text", size: out.utf8.count, limit: maxBytes, unit: "bytes") }
                i = j + 1
            } else if c == "}" {
                guard chars[i + 1] == "}" else { throw NodeError("single '}' encountered in format string") }
                out.append("}")
                i += 2
            } else {
                out.append(c)
                i += 1
            }
        }
        return out
    }

    private static func render(_ field: String, positional: [Value], keywords: [String: Value], autoIndex: inout Int, maxBytes: Int) throws -> String {
        var name = field
        var spec = ""
        var conversion: Character?
        if let colon = name.firstIndex(of: ":") {
            spec = String(name[name.index(after: colon)...])
            name = String(name[..<colon])
        }
        if let bang = name.firstIndex(of: "!") {
            conversion = name[name.index(after: bang)...].first
            name = String(name[..<bang])
        }
        // Split off `[key]` and `.attr` accessors.
        var head = name
        var accessors: [String] = []
        if let cut = name.firstIndex(where: { $0 == "[" || $0 == "." }) {
            head = String(name[..<cut])
            var rest = name[cut...]
            while let first = rest.first {
                if first == "[" {
                    guard let close = rest.firstIndex(of: "]") else { throw NodeError("missing ']' in format field '{\(field)}'") }
                    accessors.append(String(rest[rest.index(after: rest.startIndex)..<close]))
                    rest = rest[rest.index(after: close)...]
                } else if first == "." {
                    let after = rest.index(after: rest.startIndex)
                    let stop = rest[after...].firstIndex(where: { $0 == "[" || $0 == "." }) ?? rest.endIndex
                    accessors.append(String(rest[after..<stop]))
                    rest = rest[stop...]
                } else {
                    throw NodeError("invalid format field '{\(field)}'")
                }
            }
        }
        var value: Value
        if head.isEmpty {
            guard autoIndex < positional.count else { throw NodeError("the template has more '{}' fields than values (\(positional.count))") }
            value = positional[autoIndex]
            autoIndex += 1
        } else if let index = Int(head) {
            guard index >= 0, index < positional.count else { throw NodeError("the template refers to value {\(index)}, but there are \(positional.count) values") }
            value = positional[index]
        } else {
            guard let v = keywords[head] else {
                let known = keywords.keys.sorted().joined(separator: ", ")
                throw NodeError("the template refers to '{\(head)}', but values has no key '\(head)' (keys: \(known.isEmpty ? "none" : known))")
            }
            value = v
        }
        for key in accessors {
            switch value {
            case .dict(let d):
                guard let v = d[key] else { throw NodeError("'{\(field)}': no key '\(key)'") }
                value = v
            case .list(let l):
                guard let k = Int(key), k >= 0, k < l.count else { throw NodeError("'{\(field)}': index \(key) is out of range") }
                value = l[k]
            default:
                throw NodeError("'{\(field)}': cannot index a \(value.kindName)")
            }
        }
        let text: String
        switch conversion {
        case "r"?: text = value.pythonRepr
        case "s"?, nil: text = value.pythonStr
        default: throw NodeError("unknown conversion '!\(conversion!)' in '{\(field)}'")
        }
        return spec.isEmpty ? text : try applySpec(spec, value: conversion == nil ? value : .string(text), field: field, maxBytes: maxBytes)
    }

    /// Python's own ceiling on a width or precision ("Too many decimal digits in format string").
    private static let maxSpecNumber = Int(Int32.max)
    /// The most digits `%f` and friends are asked for; Python refuses more ("precision too big").
    private static let maxPrecision = 10_000

    private static func applySpec(_ spec: String, value: Value, field: String, maxBytes: Int) throws -> String {
        var s = ArraySlice(spec)
        var fill: Character = " "
        var align: Character?
        if s.count >= 2, "<>^=".contains(s[1]) {
            fill = s[0]
            align = s[1]
            s = s.dropFirst(2)
        } else if let first = s.first, "<>^=".contains(first) {
            align = first
            s = s.dropFirst()
        }
        var sign: Character = "-"
        if let first = s.first, "+- ".contains(first) {
            sign = first
            s = s.dropFirst()
        }
        if s.first == "0" {
            fill = "0"
            if align == nil { align = "=" }
            s = s.dropFirst()
        }
        var widthText = ""
        while let d = s.first, d.isASCII, d.isNumber { widthText.append(d); s = s.dropFirst() }
        var grouping = false
        if s.first == "," { grouping = true; s = s.dropFirst() }
        var precision: Int?
        if s.first == "." {
            s = s.dropFirst()
            var p = ""
            while let d = s.first, d.isASCII, d.isNumber { p.append(d); s = s.dropFirst() }
            guard let number = Int(p), number <= maxSpecNumber else {
                throw NodeError(p.isEmpty ? "format specifier missing precision in '{\(field)}'" : "too many decimal digits in format string '{\(field)}'")
            }
            precision = number
        }
        guard widthText.isEmpty || (Int(widthText).map { $0 <= maxSpecNumber } ?? false) else {
            throw NodeError("too many decimal digits in format string '{\(field)}'")
        }
        let width = Int(widthText) ?? 0
        if width > maxBytes { throw ValueLimitError(what: "the field '{\(field)}' padded to width \(width)", size: width, limit: maxBytes, unit: "bytes") }
        let type = s.first
        if s.count > 1 { throw NodeError("invalid format spec '\(spec)' in '{\(field)}'") }

        var body: String
        var isNumber = true
        switch (type, value) {
        case (nil, .string(let t)), ("s"?, .string(let t)):
            isNumber = false
            body = precision.map { String(t.prefix($0)) } ?? t
        case ("d"?, .int(let i)), (nil, .int(let i)):
            body = grouping ? group(String(i.magnitude)) : String(i.magnitude)
            if i < 0 { body = "-" + body }
        case ("f"?, _), ("F"?, _), ("%"?, _), ("e"?, _), (nil, .float), ("g"?, _):
            guard var d = value.doubleValue else { throw NodeError("format spec '\(spec)' needs a number, got \(value.kindName)") }
            if type == "%" { d *= 100 }
            let p = precision ?? 6
            guard p <= maxPrecision else { throw NodeError("precision too big in '{\(field)}' (\(p); at most \(maxPrecision))") }
            switch type {
            case "e"?: body = String(format: "%.\(p)e", d)
            case "g"?: body = String(format: "%.\(max(p, 1))g", d)
            case nil: body = precision.map { String(format: "%.\($0)g", d) } ?? value.pythonStr
            default: body = String(format: "%.\(p)f", d)
            }
            if grouping {
                let negative = body.hasPrefix("-")
                let digits = negative ? String(body.dropFirst()) : body
                let parts = digits.split(separator: ".", maxSplits: 1)
                body = (negative ? "-" : "") + group(String(parts[0])) + (parts.count > 1 ? "." + parts[1] : "")
            }
            if type == "%" { body += "%" }
        default:
            isNumber = false
            body = value.pythonStr
        }
        if isNumber, sign != "-", !body.hasPrefix("-") { body = String(sign) + body }
        let padding = max(0, width - body.count)
        guard padding > 0 else { return body }
        let pad = String(repeating: fill, count: padding)
        switch align ?? (isNumber ? ">" : "<") {
        case ">": return pad + body
        case "^":
            let left = padding / 2
            return String(repeating: fill, count: left) + body + String(repeating: fill, count: padding - left)
        case "=":
            if let first = body.first, "+- ".contains(first) { return String(first) + pad + body.dropFirst() }
            return pad + body
        default: return body + pad
        }
    }

    private static func group(_ digits: String) -> String {
        var out = ""
        for (i, c) in digits.reversed().enumerated() {
            if i > 0 && i % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return String(out.reversed())
    }
}
