import Nodeflow
import OrderedCollections

/// A run of messages as the store keeps them: one compact binary block per flush instead of a
/// JSON row per message.
///
/// Strings (node ids, names, types, keys) are written once per block and referred to by index;
/// values keep their exact kind (ints, floats including NaN and ±Infinity, bytes); the block is
/// then deflated. A trivial node's two messages take a few dozen bytes, where their JSON took
/// about a kilobyte. ``decode(_:)`` gives back exactly the messages that were encoded.
enum EventBlock {
    /// The current format, stored with each block.
    static let format = 1

    /// The block's bytes, before compression.
    static func encode(_ messages: some Collection<ProcessingMessage>) -> [UInt8] {
        var encoder = Encoder()
        encoder.body.count(messages.count)
        for message in messages { encoder.message(message) }
        var out = ByteWriter(capacity: encoder.body.bytes.count + encoder.tableBytes + 16)
        out.count(encoder.strings.count)
        for s in encoder.strings.keys {
            out.count(s.utf8.count)
            out.raw(s.utf8)
        }
        out.raw(encoder.body.bytes)
        return out.bytes
    }

    /// The messages a block holds.
    /// - Throws: `ByteReader.Damaged` when the bytes are not a block of this format.
    static func decode(_ bytes: [UInt8]) throws -> [ProcessingMessage] {
        var reader = ByteReader(bytes)
        let stringCount = try reader.count()
        var strings: [String] = []
        strings.reserveCapacity(stringCount)
        for _ in 0..<stringCount {
            let length = try reader.count()
            strings.append(String(decoding: try reader.raw(length), as: UTF8.self))
        }
        var decoder = Decoder(reader: reader, strings: strings)
        let count = try decoder.reader.count()
        var messages: [ProcessingMessage] = []
        messages.reserveCapacity(count)
        for _ in 0..<count { messages.append(try decoder.message()) }
        return messages
    }

    // MARK: Encoding

    private struct Encoder {
        var strings: OrderedDictionary<String, Int> = [:]
        var tableBytes = 0
        var body = ByteWriter(capacity: 4096)

        /// The strings written last, by field: a node's id, name and type come twice in a row
        /// (running, then completed), and its status repeats across nodes; comparing them is
        /// cheaper than hashing.
        var recent: [(String, Int)] = Array(repeating: ("", -1), count: 8)

        mutating func string(_ s: String, slot: Int) {
            let (last, index) = recent[slot]
            if index >= 0, last == s {
                body.count(index)
                return
            }
            string(s)
            recent[slot] = (s, strings[s]!)
        }

        mutating func string(_ s: String) {
            if let index = strings[s] {
                body.count(index)
            } else {
                let index = strings.count
                strings[s] = index
                tableBytes += s.utf8.count + 2
                body.count(index)
            }
        }

        mutating func optionalString(_ s: String?) {
            if let s {
                body.byte(1)
                string(s)
            } else {
                body.byte(0)
            }
        }

        mutating func message(_ message: ProcessingMessage) {
            switch message {
            case .jobUpdate(let m):
                body.byte(1)
                string(m.jobID)
                string(m.status.rawValue)
                if let result = m.result {
                    body.byte(1)
                    dict(result)
                } else {
                    body.byte(0)
                }
                optionalString(m.error)
                optionalString(m.failedNodeID)
                optionalString(m.message)
            case .nodeUpdate(let m):
                body.byte(2)
                string(m.nodeID, slot: 0)
                string(m.nodeName, slot: 1)
                string(m.nodeType, slot: 2)
                string(m.status.rawValue, slot: m.status == .running ? 3 : 4)
                var flags: UInt8 = 0
                if m.error != nil { flags |= 1 }
                if m.result != nil { flags |= 2 }
                if m.edgeValues != nil { flags |= 4 }
                if m.startedAt != nil { flags |= 8 }
                if m.duration != nil { flags |= 16 }
                if let cached = m.cached { flags |= cached ? 96 : 32 }
                if !m.iterationPath.isEmpty { flags |= 128 }
                body.byte(flags)
                if let error = m.error { string(error) }
                if let result = m.result { dict(result.slots) }
                if let edgeValues = m.edgeValues {
                    body.count(edgeValues.count)
                    for named in edgeValues {
                        string(named.name)
                        value(named.value)
                    }
                }
                if let startedAt = m.startedAt { body.double(startedAt) }
                if let duration = m.duration { body.double(duration) }
                if !m.iterationPath.isEmpty {
                    body.count(m.iterationPath.count)
                    for i in m.iterationPath { body.int(i) }
                }
            case .nodeProgress(let m):
                body.byte(3)
                string(m.nodeID)
                body.int(m.progress)
                body.int(m.total)
            case .logUpdate(let m):
                body.byte(4)
                string(m.nodeID)
                string(m.nodeName)
                string(m.content)
                string(m.severity.rawValue)
            case .error(let m):
                body.byte(5)
                string(m.error)
            }
        }

        mutating func dict(_ d: OrderedDictionary<String, Value>) {
            body.count(d.count)
            for (key, v) in d {
                string(key)
                value(v)
            }
        }

        mutating func value(_ v: Value) {
            switch v {
            case .null: body.byte(0)
            case .bool(let b): body.byte(b ? 2 : 1)
            case .int(let i):
                body.byte(3)
                body.int(i)
            case .float(let d):
                body.byte(4)
                body.double(d)
            case .string(let s):
                body.byte(5)
                string(s)
            case .bytes(let b):
                body.byte(6)
                body.count(b.count)
                body.raw(b)
            case .list(let items):
                body.byte(7)
                body.count(items.count)
                for item in items { value(item) }
            case .dict(let d):
                body.byte(8)
                dict(d)
            }
        }
    }

    // MARK: Decoding

    private struct Decoder {
        var reader: ByteReader
        let strings: [String]
        var depth = 0

        mutating func string() throws -> String {
            let index = try reader.varint()
            guard index < UInt64(strings.count) else { throw ByteReader.Damaged() }
            return strings[Int(index)]
        }

        mutating func optionalString() throws -> String? {
            try reader.byte() == 0 ? nil : try string()
        }

        mutating func status<T: RawRepresentable<String>>(_: T.Type) throws -> T {
            guard let status = T(rawValue: try string()) else { throw ByteReader.Damaged() }
            return status
        }

        mutating func message() throws -> ProcessingMessage {
            switch try reader.byte() {
            case 1:
                let jobID = try string()
                let status = try status(JobStatus.self)
                let result = try reader.byte() == 0 ? nil : try dict()
                return .jobUpdate(JobUpdate(
                    jobID: jobID, status: status, result: result, error: try optionalString(), failedNodeID: try optionalString(),
                    message: try optionalString()))
            case 2:
                var update = NodeUpdate(nodeID: try string(), nodeName: try string(), nodeType: try string(), status: try status(NodeStatus.self))
                let flags = try reader.byte()
                if flags & 1 != 0 { update.error = try string() }
                if flags & 2 != 0 { update.result = NodeOutputs(slots: try dict()) }
                if flags & 4 != 0 {
                    let n = try reader.count()
                    var named: [NamedValue] = []
                    named.reserveCapacity(n)
                    for _ in 0..<n { named.append(NamedValue(name: try string(), value: try value())) }
                    update.edgeValues = named
                }
                if flags & 8 != 0 { update.startedAt = try reader.double() }
                if flags & 16 != 0 { update.duration = try reader.double() }
                if flags & 32 != 0 { update.cached = flags & 64 != 0 }
                if flags & 128 != 0 {
                    let n = try reader.count()
                    update.iterationPath = try (0..<n).map { _ in try reader.int() }
                }
                return .nodeUpdate(update)
            case 3:
                return .nodeProgress(NodeProgress(nodeID: try string(), progress: try reader.int(), total: try reader.int()))
            case 4:
                return .logUpdate(LogUpdate(nodeID: try string(), nodeName: try string(), content: try string(), severity: try status(LogUpdate.Severity.self)))
            case 5:
                return .error(ErrorMessage(error: try string()))
            default:
                throw ByteReader.Damaged()
            }
        }

        mutating func dict() throws -> OrderedDictionary<String, Value> {
            let n = try reader.count()
            var d = OrderedDictionary<String, Value>(minimumCapacity: n)
            for _ in 0..<n { d[try string()] = try value() }
            return d
        }

        mutating func value() throws -> Value {
            depth += 1
            defer { depth -= 1 }
            guard depth < 10_000 else { throw ByteReader.Damaged() }
            switch try reader.byte() {
            case 0: return .null
            case 1: return .bool(false)
            case 2: return .bool(true)
            case 3: return .int(try reader.int())
            case 4: return .float(try reader.double())
            case 5: return .string(try string())
            case 6: return .bytes(Array(try reader.raw(try reader.count())))
            case 7:
                let n = try reader.count()
                var items: [Value] = []
                items.reserveCapacity(n)
                for _ in 0..<n { items.append(try value()) }
                return .list(items)
            case 8: return .dict(try dict())
            default: throw ByteReader.Damaged()
            }
        }
    }
}
