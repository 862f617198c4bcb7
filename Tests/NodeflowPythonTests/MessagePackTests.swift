import Foundation
import NodeflowPython
import Testing

@Suite("msgpack")
struct MessagePackTests {
    func hex(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var chars = Array(text.filter { !$0.isWhitespace })
        while chars.count >= 2 {
            bytes.append(UInt8(String(chars[0..<2]), radix: 16)!)
            chars.removeFirst(2)
        }
        return bytes
    }

    /// Encodings Python's msgpack 1.x writes for these values (`msgpack.packb(v).hex()`).
    static let knownEncodings: [(MessagePack, String)] = [
        (.nil, "c0"), (true, "c3"), (false, "c2"),
        (0, "00"), (127, "7f"), (128, "cc80"), (255, "ccff"), (256, "cd0100"), (65535, "cdffff"), (65536, "ce00010000"),
        (4_294_967_296, "cf0000000100000000"), (.uint(UInt64.max), "cfffffffffffffffff"),
        (-1, "ff"), (-32, "e0"), (-33, "d0df"), (-128, "d080"), (-129, "d1ff7f"), (-32768, "d18000"), (-32769, "d2ffff7fff"),
        (.int(Int64.min), "d38000000000000000"),
        (1.5, "cb3ff8000000000000"), (.float32(1.5), "ca3fc00000"),
        ("", "a0"), ("a", "a161"), (.string(String(repeating: "x", count: 32)), "d920" + String(repeating: "78", count: 32)),
        ("é", "a2c3a9"), (.binary([1, 2, 3]), "c403010203"), (.binary([]), "c400"),
        ([], "90"), ([1, "a"], "9201a161"), ([:], "80"), (["a": 1], "81a16101"),
        (.extended(type: 5, data: [1]), "d40501"), (.extended(type: 5, data: [1, 2, 3]), "c703050102 03"),
        (.timestamp(seconds: 1, nanoseconds: 0), "d6ff00000001"),
        (.timestamp(seconds: 1, nanoseconds: 1), "d7ff0000000400000001"),
        (.timestamp(seconds: -1, nanoseconds: 0), "c70cff00000000ffffffffffffffff"),
    ]

    @Test("encodes as Python's msgpack does, and decodes back", arguments: 0..<knownEncodings.count)
    func vectors(index: Int) throws {
        let (value, expected) = Self.knownEncodings[index]
        #expect(MessagePackEncoder.encode(value) == hex(expected), "\(value)")
        #expect(try MessagePackDecoder.decode(hex(expected)) == value)
    }

    @Test("nanoseconds beyond a second carry into the seconds")
    func timestampCarry() throws {
        let bytes = MessagePackEncoder.encode(.timestamp(seconds: 1, nanoseconds: 1_500_000_000))
        #expect(try MessagePackDecoder.decode(bytes) == .timestamp(seconds: 2, nanoseconds: 500_000_000))
    }

    @Test("lengths at the boundaries of each header")
    func boundaries() throws {
        for count in [15, 16, 31, 32, 255, 256, 65535, 65536] {
            let string = MessagePack.string(String(repeating: "é", count: count / 2) + (count % 2 == 1 ? "a" : ""))
            let array = MessagePack.array(Array(repeating: .nil, count: count))
            let map = MessagePack.map((0..<count).map { (key: .int(Int64($0)), value: .nil) })
            let binary = MessagePack.binary(Array(repeating: 7, count: count))
            for value in [string, array, map, binary] {
                #expect(try MessagePackDecoder.decode(MessagePackEncoder.encode(value)) == value)
            }
        }
    }

    @Test("random values round-trip")
    func randomRoundTrip() throws {
        var generator = SystemRandomNumberGenerator()
        func random(_ depth: Int) -> MessagePack {
            switch Int.random(in: 0..<(depth > 3 ? 9 : 11), using: &generator) {
            case 0: return .nil
            case 1: return .bool(Bool.random(using: &generator))
            case 2: return .int(Int64.random(in: Int64.min...Int64.max, using: &generator) >> Int64.random(in: 0..<63, using: &generator))
            case 3: return .uint(UInt64.random(in: UInt64(Int64.max) + 1...UInt64.max, using: &generator))
            case 4: return .float64(Double(bitPattern: UInt64.random(in: 0...UInt64.max, using: &generator)))
            case 5: return .float32(Float(bitPattern: UInt32.random(in: 0...UInt32.max, using: &generator)))
            case 6: return .string(String((0..<Int.random(in: 0..<40, using: &generator)).map { _ in "aé😀\n\"".randomElement(using: &generator)! }))
            case 7: return .binary((0..<Int.random(in: 0..<40, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) })
            case 8: return .timestamp(seconds: Int64.random(in: -1_000_000_000_000...1_000_000_000_000, using: &generator), nanoseconds: UInt32.random(in: 0..<1_000_000_000, using: &generator))
            case 9: return .array((0..<Int.random(in: 0..<6, using: &generator)).map { _ in random(depth + 1) })
            default: return .map((0..<Int.random(in: 0..<6, using: &generator)).map { _ in (key: random(depth + 1), value: random(depth + 1)) })
            }
        }
        for _ in 0..<2_000 {
            let value = random(0)
            #expect(try MessagePackDecoder.decode(MessagePackEncoder.encode(value)) == value)
        }
    }

    @Test("malformed input is an error naming the offset, never a crash", arguments: [
        ("", "ends inside a value"), ("c1", "never used"), ("cd01", "2-byte number"), ("a3616263ff", "after the value"),
        ("a2c3", "runs past the end"), ("a2ffff", "not valid UTF-8"), ("dbffffffff", "runs past the end"),
        ("ddffffffff", "runs past the end"), ("dfffffffff", "runs past the end"), ("c6ffffffff00", "runs past the end"),
        ("d6ff0000", "runs past the end"), ("c705ff0102030405", "timestamp of 5 bytes"), ("d7ffffffffff00000000", "nanoseconds"),
    ])
    func malformed(input: String, reason: String) {
        do {
            _ = try MessagePackDecoder.decode(hex(input))
            Issue.record("decoded \(input)")
        } catch {
            #expect(error.description.contains(reason), "\(error)")
        }
    }

    @Test("nesting deeper than the limit is an error, not a stack overflow")
    func deepNesting() {
        let bytes = [UInt8](repeating: 0x91, count: 100_000) + [0xC0]
        do {
            _ = try MessagePackDecoder.decode(bytes)
            Issue.record("decoded")
        } catch {
            #expect(error.description.contains("nested more than 512 deep"))
        }
    }
}

extension MessagePackTests {
    /// Random values Python can hold as dict keys and re-encode unchanged: no float32 (Python
    /// widens it), scalar keys only.
    static func pythonCompatible(_ depth: Int, _ generator: inout some RandomNumberGenerator) -> MessagePack {
        func scalar() -> MessagePack {
            switch Int.random(in: 0..<8, using: &generator) {
            case 0: return .nil
            case 1: return .bool(Bool.random(using: &generator))
            case 2: return .int(Int64.random(in: Int64.min...Int64.max, using: &generator) >> Int64.random(in: 0..<63, using: &generator))
            case 3: return .uint(UInt64.random(in: UInt64(Int64.max) + 1...UInt64.max, using: &generator))
            case 4: return .float64(Double(Int.random(in: -1_000_000...1_000_000, using: &generator)) / 7)
            case 5: return .string(String((0..<Int.random(in: 0..<40, using: &generator)).map { _ in "aé😀\n\"".randomElement(using: &generator)! }))
            case 6: return .binary((0..<Int.random(in: 0..<300, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) })
            default: return .timestamp(seconds: Int64.random(in: -1_000_000_000_000...1_000_000_000_000, using: &generator), nanoseconds: UInt32.random(in: 0..<1_000_000_000, using: &generator))
            }
        }
        guard depth < 4 else { return scalar() }
        switch Int.random(in: 0..<4, using: &generator) {
        case 0: return .array((0..<Int.random(in: 0..<8, using: &generator)).map { _ in pythonCompatible(depth + 1, &generator) })
        case 1:
            var entries: [(key: MessagePack, value: MessagePack)] = []
            for k in 0..<Int.random(in: 0..<8, using: &generator) { entries.append((.string("k\(k)"), pythonCompatible(depth + 1, &generator))) }
            return .map(entries)
        default: return scalar()
        }
    }

    @Test("Python's msgpack reads what we write and writes it back byte for byte, for random values")
    func againstPython() async throws {
        // Python runs on threads of its own: the blocking pipes must not hold the tests' shared pool.
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            Thread.detachNewThread { continuation.resume(with: Result { try Self.checkAgainstPython() }) }
        }
    }

    static func checkAgainstPython() throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/msgpack_echo.py")
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        check.arguments = ["python3", "-c", "import msgpack"]
        check.standardError = FileHandle.nullDevice
        try check.run()
        check.waitUntilExit()
        guard check.terminationStatus == 0 else {
            withKnownIssue("Python's msgpack is not installed (python3 -m pip install msgpack; .ci/run installs it)") { Issue.record("not checked") }
            return
        }
        var generator = SystemRandomNumberGenerator()
        let values = (0..<300).map { _ in Self.pythonCompatible(0, &generator) }
        var input: [UInt8] = []
        var encoded: [[UInt8]] = []
        for value in values {
            let bytes = MessagePackEncoder.encode(value)
            encoded.append(bytes)
            let n = UInt32(bytes.count)
            input += [UInt8(n >> 24), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)] + bytes
        }
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = ["python3", script.path]
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        python.standardInput = stdin
        python.standardOutput = stdout
        python.standardError = stderr
        signal(SIGPIPE, SIG_IGN)  // if Python stops reading, the write fails instead of ending the tests
        try python.run()
        let framed = Data(input)
        let writer = Thread {
            try? stdin.fileHandleForWriting.write(contentsOf: framed)  // the throwing form: a closed pipe is an error, not a trap
            try? stdin.fileHandleForWriting.close()
        }
        writer.start()
        let output = Array(stdout.fileHandleForReading.readDataToEndOfFile())
        python.waitUntilExit()
        let errors = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(python.terminationStatus == 0, "\(errors.suffix(800))")
        var offset = 0
        for (i, value) in values.enumerated() {
            guard output.count - offset >= 4 else { Issue.record("Python answered \(i) of \(values.count)"); return }
            let n = Int(output[offset]) << 24 | Int(output[offset + 1]) << 16 | Int(output[offset + 2]) << 8 | Int(output[offset + 3])
            let back = Array(output[offset + 4..<offset + 4 + n])
            offset += 4 + n
            #expect(back == encoded[i], "Python re-encodes \(value) differently")
            #expect(try MessagePackDecoder.decode(back) == value)
        }
    }
}
