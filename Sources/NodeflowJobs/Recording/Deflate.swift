import CZlib

/// zlib's deflate for what the store keeps in bulk (graphs, event blocks): fast settings, since
/// recording must keep up with a run.
package enum Deflate {
    /// Compressed `bytes` (zlib format).
    package static func compress(_ bytes: [UInt8], level: Int32 = 1) -> [UInt8] {
        var length = compressBound(uLong(bytes.count))
        var out = [UInt8](repeating: 0, count: Int(length))
        let status = bytes.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { output in
                compress2(output.baseAddress, &length, input.baseAddress, uLong(input.count), level)
            }
        }
        precondition(status == Z_OK, "compress2 cannot fail with a buffer of compressBound's size")
        out.removeSubrange(Int(length)...)
        return out
    }

    /// The bytes `compressed` holds, known to be `size` long; `nil` when they are damaged.
    package static func decompress(_ compressed: [UInt8], size: Int) -> [UInt8]? {
        guard size >= 0, size <= 1 << 31 else { return nil }
        var length = uLong(size)
        var out = [UInt8](repeating: 0, count: max(size, 1))
        let status = compressed.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { output in
                uncompress(output.baseAddress, &length, input.baseAddress, uLong(input.count))
            }
        }
        guard status == Z_OK, Int(length) == size else { return nil }
        if size == 0 { return [] }
        return out
    }
}
