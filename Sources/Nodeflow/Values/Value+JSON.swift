import DequeModule
import OrderedCollections
import Foundation

extension Value {
    /// The value as JSON text.
    ///
    /// Floats print the way Python's `json.dumps` prints them (`3.0`, `1e-05`), so a float stays a
    /// float when read back; NaN and ±Infinity, which JSON cannot hold, print as `null` (as
    /// pydantic writes them), so the text is always valid RFC 8259 JSON; bytes print as a base64
    /// string.
    /// - Parameter pretty: indent nested containers by two spaces.
    public func jsonString(pretty: Bool = false) -> String {
        var writer = JSONWriter(pretty: pretty)
        writer.write(self)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    /// The value as UTF-8 JSON bytes; see ``jsonString(pretty:)``.
    public func jsonBytes(pretty: Bool = false) -> [UInt8] {
        var writer = JSONWriter(pretty: pretty)
        writer.write(self)
        return writer.bytes
    }
}

/// Writes values as JSON into a byte buffer.
struct JSONWriter {
    private(set) var bytes: [UInt8] = []
    private let pretty: Bool
    private var indent = 0

    init(pretty: Bool) {
        self.pretty = pretty
        bytes.reserveCapacity(256)
    }

    mutating func write(_ value: Value) {
        switch value {
        case .null: append("null")
        case .bool(let b): append(b ? "true" : "false")
        case .int(let i): append(String(i))
        // RFC 8259 has no NaN or Infinity: write null, as pydantic (nodetool's API) does.
        case .float(let d): append(d.isFinite ? Self.pythonRepr(d) : "null")
        case .string(let s): writeString(s)
        case .bytes(let b): writeString(Data(b).base64EncodedString())
        case .list(let list):
            if list.isEmpty { return append("[]") }
            bytes.append(UInt8(ascii: "["))
            indent += 1
            for (i, element) in list.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                newline()
                write(element)
            }
            indent -= 1
            newline()
            bytes.append(UInt8(ascii: "]"))
        case .dict(let dict):
            if dict.isEmpty { return append("{}") }
            bytes.append(UInt8(ascii: "{"))
            indent += 1
            var first = true
            for (key, element) in dict {
                if !first { bytes.append(UInt8(ascii: ",")) }
                first = false
                newline()
                writeString(key)
                bytes.append(UInt8(ascii: ":"))
                if pretty { bytes.append(UInt8(ascii: " ")) }
                write(element)
            }
            indent -= 1
            newline()
            bytes.append(UInt8(ascii: "}"))
        }
    }

    /// Python's `repr` of a float: shortest round-trip digits, always with a `.` or an exponent.
    static func pythonRepr(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
        // Swift's description is already the shortest round-trip form and uses the same
        // switch to exponent notation as Python (1e+16, 1e-05).
        return d.description
    }

    private mutating func newline() {
        guard pretty else { return }
        bytes.append(0x0A)
        for _ in 0..<indent { bytes.append(0x20); bytes.append(0x20) }
    }

    private mutating func append(_ s: String) {
        bytes.append(contentsOf: s.utf8)
    }

    private mutating func writeString(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        for c in s.utf8 {
            switch c {
            case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\\")); bytes.append(c)
            case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\")); bytes.append(c)
            case 0x0A: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "n"))
            case 0x0D: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "r"))
            case 0x09: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "t"))
            case 0..<0x20:
                let digits = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: Array("\\u00".utf8))
                bytes.append(digits[Int(c >> 4)])
                bytes.append(digits[Int(c & 0xF)])
            default: bytes.append(c)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}

// MARK: - Codable

extension Value: Codable {
    /// Decodes any JSON value. Through `JSONDecoder` a number that is integral decodes as
    /// `.int`; use ``init(json:)-(String)`` to keep `3.0` a float.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let b = try? container.decode(Bool.self) {
            self = .bool(b)
        } else if let i = try? container.decode(Int.self) {
            self = .int(i)
        } else if let d = try? container.decode(Double.self) {
            self = .float(d)
        } else if let s = try? container.decode(String.self) {
            self = .string(s)
        } else if let l = try? container.decode([Value].self) {
            self = .list(l)
        } else if let d = try? container.decode([String: Value].self) {
            self = .dict(OrderedDictionary(uniqueKeysWithValues: d.sorted { $0.key < $1.key }))
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a JSON value")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let b): try container.encode(b)
        case .int(let i): try container.encode(i)
        case .float(let d): try container.encode(d)
        case .string(let s): try container.encode(s)
        case .bytes(let b): try container.encode(Data(b).base64EncodedString())
        case .list(let l): try container.encode(l)
        case .dict(let d): try container.encode(Dictionary(uniqueKeysWithValues: d.map { ($0.key, $0.value) }))
        }
    }
}
