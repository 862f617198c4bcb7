import DequeModule
import OrderedCollections

/// A JSON document that could not be parsed, with the line and column of the problem.
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, e.g. "expected ',' or '}' after an object member".
    public var reason: String
    /// The 1-based line of the problem.
    public var line: Int
    /// The 1-based column (in bytes) of the problem.
    public var column: Int

    public var description: String { "invalid JSON at line \(line), column \(column): \(reason)" }
}

extension Value {
    /// Parses JSON text into a value, keeping integers (`3`) and floats (`3.0`, `3e0`) apart
    /// and object keys in their order.
    ///
    /// - Throws: ``JSONSyntaxError`` naming the line and column of the first problem.
    public init(json text: String) throws {
        var text = text
        self = try text.withUTF8 { try JSONParser.parse($0) }
    }

    /// Parses UTF-8 JSON bytes into a value; see ``init(json:)-(String)``.
    public init(jsonBytes bytes: [UInt8]) throws {
        self = try bytes.withUnsafeBufferPointer { try JSONParser.parse($0) }
    }
}

/// A recursive-descent JSON parser over UTF-8 bytes. It distinguishes integer literals from
/// floating-point ones, which `JSONDecoder` does not let a dynamic value do.
struct JSONParser {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    private var depth = 0
    private static let maxDepth = 512

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws -> Value {
        var parser = JSONParser(bytes: bytes)
        return try parser.parseDocument()
    }

    mutating func parseDocument() throws -> Value {
        skipWhitespace()
        // A UTF-8 byte order mark is tolerated at the very start.
        if index == 0, bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
            index = 3
            skipWhitespace()
        }
        let value = try parseValue()
        skipWhitespace()
        if index < bytes.count { throw error("unexpected data after the JSON value") }
        return value
    }

    private mutating func parseValue() throws -> Value {
        guard index < bytes.count else { throw error("unexpected end of input, expected a value") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "N"): try expectLiteral("NaN"); return .float(.nan)
        case UInt8(ascii: "I"): try expectLiteral("Infinity"); return .float(.infinity)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw error("unexpected character '\(Character(Unicode.Scalar(bytes[index])))', expected a value")
        }
    }

    /// Objects up to this many members are built from plain arrays (a repeated key found by a
    /// linear scan); larger ones go through the dictionary's hash table as they are read.
    private static let smallObject = 16

    private mutating func parseObject() throws -> Value {
        try enter()
        index += 1
        var large: OrderedDictionary<String, Value>?
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return .dict([:])
        }
        // Room for a typical object's members at once, rather than growing 1, 2, 4, 8.
        var keys: [String] = []
        var values: [Value] = []
        keys.reserveCapacity(8)
        values.reserveCapacity(8)
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw error("expected a string key in an object") }
            let key = try parseString()
            skipWhitespace()
            guard peek() == UInt8(ascii: ":") else { throw error("expected ':' after the object key \"\(key)\"") }
            index += 1
            skipWhitespace()
            let value = try parseValue()
            if large != nil {
                large![key] = value
            } else if let existing = keys.firstIndex(of: key) {
                values[existing] = value  // a repeated key: the last value wins, in the first place
            } else if keys.count < Self.smallObject {
                keys.append(key)
                values.append(value)
            } else {
                var dict = OrderedDictionary(uncheckedUniqueKeys: keys, values: values)
                dict[key] = value
                large = dict
            }
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"):
                index += 1
                depth -= 1
                return .dict(large ?? OrderedDictionary(uncheckedUniqueKeys: keys, values: values))
            default: throw error("expected ',' or '}' after an object member")
            }
        }
    }

    private mutating func parseArray() throws -> Value {
        try enter()
        index += 1
        var array: [Value] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return .list(array)
        }
        while true {
            skipWhitespace()
            array.append(try parseValue())
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"):
                index += 1
                depth -= 1
                return .list(array)
            default: throw error("expected ',' or ']' after an array element")
            }
        }
    }

    private mutating func enter() throws {
        depth += 1
        if depth > Self.maxDepth { throw error("nesting deeper than \(Self.maxDepth) levels") }
    }

    private mutating func parseNumber() throws -> Value {
        let start = index
        var isInteger = true
        if peek() == UInt8(ascii: "-") {
            index += 1
            if peek() == UInt8(ascii: "I") {
                try expectLiteral("Infinity")
                return .float(-.infinity)
            }
        }
        guard let first = peek(), isDigit(first) else { throw error("expected a digit in a number") }
        while let c = peek(), isDigit(c) { index += 1 }
        if peek() == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            guard let c = peek(), isDigit(c) else { throw error("expected a digit after the decimal point") }
            while let c = peek(), isDigit(c) { index += 1 }
        }
        if let c = peek(), c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            if let s = peek(), s == UInt8(ascii: "+") || s == UInt8(ascii: "-") { index += 1 }
            guard let c = peek(), isDigit(c) else { throw error("expected a digit in the exponent") }
            while let c = peek(), isDigit(c) { index += 1 }
        }
        if isInteger {
            // Digits straight to an Int; only one that overflows takes the slow road.
            var value = 0
            var overflow = false
            let negative = bytes[start] == UInt8(ascii: "-")
            for i in (negative ? start + 1 : start)..<index {
                let digit = Int(bytes[i] &- UInt8(ascii: "0"))
                let (times10, o1) = value.multipliedReportingOverflow(by: 10)
                let (next, o2) = negative ? times10.subtractingReportingOverflow(digit) : times10.addingReportingOverflow(digit)
                if o1 || o2 {
                    overflow = true
                    break
                }
                value = next
            }
            if !overflow { return .int(value) }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        // Integers too large for 64 bits become floats, as a lossy but valid reading.
        guard let double = Double(text) else { throw error("the number \(text) is out of range") }
        return .float(double)
    }

    private mutating func parseString() throws -> String {
        index += 1  // opening quote
        let start = index
        // Fast path: no escapes; plain ASCII needs no UTF-8 validation.
        var high: UInt8 = 0
        while index < bytes.count {
            let c = bytes[index]
            high |= c
            if c == UInt8(ascii: "\"") {
                let s = high < 0x80
                    ? String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                    : try decodeUTF8(start..<index)
                index += 1
                return s
            }
            if c == UInt8(ascii: "\\") { break }
            if c < 0x20 { throw error("control character in a string (escape it as \\u00\(hex(c)))") }
            index += 1
        }
        var scalars: [UInt8] = Array(UnsafeBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            let c = bytes[index]
            switch c {
            case UInt8(ascii: "\""):
                index += 1
                return try decodeUTF8Array(scalars)
            case UInt8(ascii: "\\"):
                index += 1
                guard let e = peek() else { break }
                index += 1
                switch e {
                case UInt8(ascii: "\""): scalars.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): scalars.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "/"): scalars.append(UInt8(ascii: "/"))
                case UInt8(ascii: "b"): scalars.append(0x08)
                case UInt8(ascii: "f"): scalars.append(0x0C)
                case UInt8(ascii: "n"): scalars.append(0x0A)
                case UInt8(ascii: "r"): scalars.append(0x0D)
                case UInt8(ascii: "t"): scalars.append(0x09)
                case UInt8(ascii: "u"):
                    var code = try parseHex4()
                    if (0xD800..<0xDC00).contains(code) {
                        // A high surrogate must be followed by an escaped low surrogate.
                        guard peek() == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "u")
                        else { throw error("unpaired UTF-16 surrogate in a \\u escape") }
                        index += 2
                        let low = try parseHex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw error("invalid UTF-16 surrogate pair") }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00..<0xE000).contains(code) {
                        throw error("unpaired UTF-16 surrogate in a \\u escape")
                    }
                    guard let scalar = Unicode.Scalar(code) else { throw error("invalid \\u escape") }
                    scalars.append(contentsOf: Array(String(Character(scalar)).utf8))
                default:
                    index -= 1
                    throw error("invalid escape sequence in a string")
                }
            default:
                if c < 0x20 { throw error("control character in a string") }
                scalars.append(c)
                index += 1
            }
        }
        throw error("unterminated string")
    }

    private mutating func parseHex4() throws -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("incomplete \\u escape") }
        var code: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[index]
            let digit: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw error("invalid hex digit in a \\u escape")
            }
            code = code << 4 | digit
            index += 1
        }
        return code
    }

    private func decodeUTF8(_ range: Range<Int>) throws -> String {
        let slice = UnsafeBufferPointer(rebasing: bytes[range])
        guard let s = String(validating: slice, as: UTF8.self) else { throw error("invalid UTF-8 in a string") }
        return s
    }

    private func decodeUTF8Array(_ array: [UInt8]) throws -> String {
        guard let s = String(validating: array, as: UTF8.self) else { throw error("invalid UTF-8 in a string") }
        return s
    }

    private mutating func expectLiteral(_ literal: StaticString) throws {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw error("unexpected end of input") }
        let base = literal.utf8Start
        for i in 0..<count where bytes[index + i] != base[i] {
            throw error("invalid literal, expected \(literal)")
        }
        index += count
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    private func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

    private func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }

    private func hex(_ c: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(c >> 4)], digits[Int(c & 0xF)]])
    }

    private func error(_ reason: String) -> JSONSyntaxError {
        var line = 1
        var lineStart = 0
        let end = min(index, bytes.count)
        for i in 0..<end where bytes[i] == 0x0A {
            line += 1
            lineStart = i + 1
        }
        return JSONSyntaxError(reason: reason, line: line, column: end - lineStart + 1)
    }
}
