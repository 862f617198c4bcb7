/// Reads msgpack. Malformed or truncated input, a length beyond the input, nesting deeper than
/// `maxDepth` or invalid UTF-8 in a string is an error naming the byte offset — never a crash.
public struct MessagePackDecoder {
    public struct DecodingError: Error, Sendable, Equatable, CustomStringConvertible {
        public var offset: Int
        public var reason: String
        public var description: String { "malformed msgpack at byte \(offset): \(reason)" }
    }

    /// How deep arrays and maps may nest.
    public static let maxDepth = 512

    private let bytes: [UInt8]
    private var position = 0
    private var depth = 0

    /// Decodes one value that must fill `bytes` exactly.
    public static func decode(_ bytes: [UInt8]) throws(DecodingError) -> MessagePack {
        var decoder = MessagePackDecoder(bytes: bytes)
        let value = try decoder.value()
        guard decoder.position == bytes.count else { throw DecodingError(offset: decoder.position, reason: "\(bytes.count - decoder.position) bytes after the value") }
        return value
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    private func fail(_ reason: String) -> DecodingError { DecodingError(offset: position, reason: reason) }

    private mutating func byte() throws(DecodingError) -> UInt8 {
        guard position < bytes.count else { throw fail("the input ends inside a value") }
        defer { position += 1 }
        return bytes[position]
    }

    private mutating func big(_ width: Int) throws(DecodingError) -> UInt64 {
        guard bytes.count - position >= width else { throw fail("the input ends inside a \(width)-byte number") }
        var value: UInt64 = 0
        for i in 0..<width { value = value << 8 | UInt64(bytes[position + i]) }
        position += width
        return value
    }

    private mutating func take(_ count: Int) throws(DecodingError) -> [UInt8] {
        guard count >= 0, bytes.count - position >= count else { throw fail("a length of \(count) runs past the end of the input") }
        defer { position += count }
        return Array(bytes[position..<position + count])
    }

    private mutating func string(_ count: Int) throws(DecodingError) -> MessagePack {
        let start = position
        let raw = try take(count)
        guard let text = String(validating: raw, as: UTF8.self) else { throw DecodingError(offset: start, reason: "a string that is not valid UTF-8") }
        return .string(text)
    }

    private mutating func nested<T>(_ body: (inout MessagePackDecoder) throws(DecodingError) -> T) throws(DecodingError) -> T {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maxDepth else { throw fail("arrays and maps nested more than \(Self.maxDepth) deep") }
        return try body(&self)
    }

    private mutating func array(_ count: Int) throws(DecodingError) -> MessagePack {
        // Each element takes at least one byte: a count beyond the input is malformed, not a reason to allocate.
        guard count <= bytes.count - position else { throw fail("an array of \(count) items runs past the end of the input") }
        return try nested { (d: inout MessagePackDecoder) throws(DecodingError) -> MessagePack in
            var items: [MessagePack] = []
            items.reserveCapacity(count)
            for _ in 0..<count { items.append(try d.value()) }
            return .array(items)
        }
    }

    private mutating func map(_ count: Int) throws(DecodingError) -> MessagePack {
        guard count <= (bytes.count - position) / 2 else { throw fail("a map of \(count) entries runs past the end of the input") }
        return try nested { (d: inout MessagePackDecoder) throws(DecodingError) -> MessagePack in
            var entries: [(key: MessagePack, value: MessagePack)] = []
            entries.reserveCapacity(count)
            for _ in 0..<count {
                let key = try d.value()
                entries.append((key, try d.value()))
            }
            return .map(entries)
        }
    }

    private mutating func extended(_ count: Int) throws(DecodingError) -> MessagePack {
        let type = Int8(bitPattern: try byte())
        let start = position
        let data = try take(count)
        guard type == -1 else { return .extended(type: type, data: data) }
        switch data.count {
        case 4:
            return .timestamp(seconds: Int64(data.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }), nanoseconds: 0)
        case 8:
            let v = data.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            let nanoseconds = UInt32(v >> 34)
            guard nanoseconds < 1_000_000_000 else { throw DecodingError(offset: start, reason: "a timestamp with \(nanoseconds) nanoseconds") }
            return .timestamp(seconds: Int64(v & 0x3_FFFF_FFFF), nanoseconds: nanoseconds)
        case 12:
            let nanoseconds = UInt32(data[0..<4].reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
            guard nanoseconds < 1_000_000_000 else { throw DecodingError(offset: start, reason: "a timestamp with \(nanoseconds) nanoseconds") }
            return .timestamp(seconds: Int64(bitPattern: data[4..<12].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }), nanoseconds: nanoseconds)
        default:
            throw DecodingError(offset: start, reason: "a timestamp of \(data.count) bytes (4, 8 or 12 expected)")
        }
    }

    private mutating func value() throws(DecodingError) -> MessagePack {
        let first = try byte()
        switch first {
        case 0x00...0x7F: return .int(Int64(first))
        case 0x80...0x8F: return try map(Int(first & 0x0F))
        case 0x90...0x9F: return try array(Int(first & 0x0F))
        case 0xA0...0xBF: return try string(Int(first & 0x1F))
        case 0xC0: return .nil
        case 0xC2: return .bool(false)
        case 0xC3: return .bool(true)
        case 0xC4: return .binary(try take(Int(try big(1))))
        case 0xC5: return .binary(try take(Int(try big(2))))
        case 0xC6: return .binary(try take(Int(try big(4))))
        case 0xC7: return try extended(Int(try big(1)))
        case 0xC8: return try extended(Int(try big(2)))
        case 0xC9: return try extended(Int(try big(4)))
        case 0xCA: return .float32(Float(bitPattern: UInt32(try big(4))))
        case 0xCB: return .float64(Double(bitPattern: try big(8)))
        case 0xCC: return .int(Int64(try big(1)))
        case 0xCD: return .int(Int64(try big(2)))
        case 0xCE: return .int(Int64(try big(4)))
        case 0xCF:
            let u = try big(8)
            return u <= UInt64(Int64.max) ? .int(Int64(u)) : .uint(u)
        case 0xD0: return .int(Int64(Int8(bitPattern: UInt8(try big(1)))))
        case 0xD1: return .int(Int64(Int16(bitPattern: UInt16(try big(2)))))
        case 0xD2: return .int(Int64(Int32(bitPattern: UInt32(try big(4)))))
        case 0xD3: return .int(Int64(bitPattern: try big(8)))
        case 0xD4: return try extended(1)
        case 0xD5: return try extended(2)
        case 0xD6: return try extended(4)
        case 0xD7: return try extended(8)
        case 0xD8: return try extended(16)
        case 0xD9: return try string(Int(try big(1)))
        case 0xDA: return try string(Int(try big(2)))
        case 0xDB: return try string(Int(try big(4)))
        case 0xDC: return try array(Int(try big(2)))
        case 0xDD: return try array(Int(try big(4)))
        case 0xDE: return try map(Int(try big(2)))
        case 0xDF: return try map(Int(try big(4)))
        case 0xE0...0xFF: return .int(Int64(Int8(bitPattern: first)))
        default: throw DecodingError(offset: position - 1, reason: "0xc1 is never used")
        }
    }
}
