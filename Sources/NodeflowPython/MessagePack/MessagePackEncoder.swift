/// Writes msgpack, choosing the smallest encoding of each value as Python's `msgpack` does.
public enum MessagePackEncoder {
    public static func encode(_ value: MessagePack) -> [UInt8] {
        var out: [UInt8] = []
        write(value, into: &out)
        return out
    }

    public static func write(_ value: MessagePack, into out: inout [UInt8]) {
        switch value {
        case .nil: out.append(0xC0)
        case .bool(let b): out.append(b ? 0xC3 : 0xC2)
        case .int(let i): writeInt(i, into: &out)
        case .uint(let u):
            if u <= UInt64(Int64.max) { writeInt(Int64(u), into: &out) } else { out.append(0xCF); big(u, 8, &out) }
        case .float32(let f): out.append(0xCA); big(UInt64(f.bitPattern), 4, &out)
        case .float64(let d): out.append(0xCB); big(d.bitPattern, 8, &out)
        case .string(let s):
            let bytes = Array(s.utf8)
            header(bytes.count, fix: 0xA0, fixMax: 31, eight: 0xD9, sixteen: 0xDA, thirtyTwo: 0xDB, into: &out)
            out += bytes
        case .binary(let b):
            header(b.count, fix: nil, fixMax: -1, eight: 0xC4, sixteen: 0xC5, thirtyTwo: 0xC6, into: &out)
            out += b
        case .array(let items):
            header(items.count, fix: 0x90, fixMax: 15, eight: nil, sixteen: 0xDC, thirtyTwo: 0xDD, into: &out)
            for item in items { write(item, into: &out) }
        case .map(let entries):
            header(entries.count, fix: 0x80, fixMax: 15, eight: nil, sixteen: 0xDE, thirtyTwo: 0xDF, into: &out)
            for (key, item) in entries {
                write(key, into: &out)
                write(item, into: &out)
            }
        case .extended(let type, let data): writeExtension(type, data, into: &out)
        case .timestamp(var seconds, var nanoseconds):
            // Nanoseconds beyond a second carry into the seconds (the formats hold fewer than 10⁹).
            if nanoseconds >= 1_000_000_000 {
                let (sum, overflow) = seconds.addingReportingOverflow(Int64(nanoseconds / 1_000_000_000))
                seconds = overflow ? .max : sum
                nanoseconds %= 1_000_000_000
            }
            // The three timestamp layouts, smallest first (as msgpack's spec and Python do).
            if nanoseconds == 0, seconds >= 0, seconds <= Int64(UInt32.max) {
                var data: [UInt8] = []
                big(UInt64(seconds), 4, &data)
                writeExtension(-1, data, into: &out)
            } else if seconds >= 0, seconds < (1 << 34) {
                var data: [UInt8] = []
                big(UInt64(nanoseconds) << 34 | UInt64(seconds), 8, &data)
                writeExtension(-1, data, into: &out)
            } else {
                var data: [UInt8] = []
                big(UInt64(nanoseconds), 4, &data)
                big(UInt64(bitPattern: seconds), 8, &data)
                writeExtension(-1, data, into: &out)
            }
        }
    }

    private static func writeInt(_ i: Int64, into out: inout [UInt8]) {
        if i >= 0 {
            if i <= 0x7F { out.append(UInt8(i)) }
            else if i <= 0xFF { out.append(0xCC); out.append(UInt8(i)) }
            else if i <= 0xFFFF { out.append(0xCD); big(UInt64(i), 2, &out) }
            else if i <= 0xFFFF_FFFF { out.append(0xCE); big(UInt64(i), 4, &out) }
            else { out.append(0xCF); big(UInt64(i), 8, &out) }
        } else {
            if i >= -32 { out.append(UInt8(bitPattern: Int8(i))) }
            else if i >= -128 { out.append(0xD0); out.append(UInt8(bitPattern: Int8(i))) }
            else if i >= -32768 { out.append(0xD1); big(UInt64(UInt16(bitPattern: Int16(i))), 2, &out) }
            else if i >= -2_147_483_648 { out.append(0xD2); big(UInt64(UInt32(bitPattern: Int32(i))), 4, &out) }
            else { out.append(0xD3); big(UInt64(bitPattern: i), 8, &out) }
        }
    }

    private static func writeExtension(_ type: Int8, _ data: [UInt8], into out: inout [UInt8]) {
        switch data.count {
        case 1: out.append(0xD4)
        case 2: out.append(0xD5)
        case 4: out.append(0xD6)
        case 8: out.append(0xD7)
        case 16: out.append(0xD8)
        default: header(data.count, fix: nil, fixMax: -1, eight: 0xC7, sixteen: 0xC8, thirtyTwo: 0xC9, into: &out)
        }
        out.append(UInt8(bitPattern: type))
        out += data
    }

    private static func header(_ count: Int, fix: UInt8?, fixMax: Int, eight: UInt8?, sixteen: UInt8, thirtyTwo: UInt8, into out: inout [UInt8]) {
        if let fix, count <= fixMax { out.append(fix | UInt8(count)) }
        else if let eight, count <= 0xFF { out.append(eight); out.append(UInt8(count)) }
        else if count <= 0xFFFF { out.append(sixteen); big(UInt64(count), 2, &out) }
        else { out.append(thirtyTwo); big(UInt64(count), 4, &out) }
    }

    private static func big(_ value: UInt64, _ width: Int, _ out: inout [UInt8]) {
        for shift in stride(from: (width - 1) * 8, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }
}
