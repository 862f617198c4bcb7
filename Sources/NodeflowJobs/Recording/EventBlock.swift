import Nodeflow
import OrderedCollections

/// A run of messages as the store keeps them: one compact binary block per flush instead of a
/// JSON row per message.
///
/// Strings are written by field ("slot": node id, node name, node type, status, ...): a string
/// equal to the last one written in its slot is a single byte, any other is written out — no
/// hashing, and a node's id, name and type cost nothing the second time (running, then
/// completed). Values keep their exact kind (ints, floats including NaN and ±Infinity, bytes).
/// The block is then deflated, which takes care of what repeats across nodes. A trivial node's
/// two messages take a few dozen bytes, where their JSON took about a kilobyte. ``decode(_:)``
/// gives back exactly the messages that were encoded.
package enum EventBlock {
    /// The current format, stored with each block.
    package static let format = 1

    /// The slots strings are remembered in.
    fileprivate enum Slot: Int {
        case nodeID, nodeName, nodeType, outputName, inputName, other
        static let count = 6
    }

    /// Node statuses by their code in a block.
    fileprivate static let nodeStatuses: [NodeStatus] = [.waiting, .running, .completed, .error, .cancelled]

    fileprivate static func code(of status: NodeStatus) -> UInt8 {
        switch status {
        case .waiting: 0
        case .running: 1
        case .completed: 2
        case .error: 3
        case .cancelled: 4
        }
    }

    /// The block's bytes, before compression.
    package static func encode(_ messages: some Collection<ProcessingMessage>) -> [UInt8] {
        var encoder = Encoder()
        encoder.body.count(messages.count)
        for message in messages { encoder.message(message) }
        return encoder.body.bytes
    }

    /// The messages a block holds.
    /// - Throws: `ByteReader.Damaged` when the bytes are not a block of this format.
    package static func decode(_ bytes: [UInt8]) throws -> [ProcessingMessage] {
        var decoder = Decoder(reader: ByteReader(bytes))
        let count = try decoder.reader.count()
        var messages: [ProcessingMessage] = []
        messages.reserveCapacity(count)
        for _ in 0..<count { messages.append(try decoder.message()) }
        guard decoder.reader.isAtEnd else { throw ByteReader.Damaged() }
        return messages
    }

    /// A node's outputs alone, in the same exact encoding: what the disk cache keeps.
    static func encode(outputs: NodeOutputs) -> [UInt8] {
        var encoder = Encoder()
        encoder.dict(outputs.slots, keys: .outputName)
        return encoder.body.bytes
    }

    /// The outputs ``encode(outputs:)`` wrote.
    /// - Throws: `ByteReader.Damaged` for anything else.
    static func decodeOutputs(_ bytes: [UInt8]) throws -> NodeOutputs {
        var decoder = Decoder(reader: ByteReader(bytes))
        let slots = try decoder.dict(keys: .outputName)
        guard decoder.reader.isAtEnd else { throw ByteReader.Damaged() }
        return NodeOutputs(slots: slots)
    }

    // MARK: Encoding

    private struct Encoder {
        var body = ByteWriter(capacity: 1 << 16)
        var last = [String](repeating: "", count: Slot.count)

        /// 0: the slot's last string again; n + 1: a new string of n UTF-8 bytes follows.
        mutating func string(_ s: String, _ slot: Slot = .other) {
            if last[slot.rawValue] == s {
                body.byte(0)
                return
            }
            var s = s
            s.withUTF8 { utf8 in
                body.count(utf8.count + 1)
                body.raw(utf8)
            }
            last[slot.rawValue] = s
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
                string(m.nodeID, .nodeID)
                string(m.nodeName, .nodeName)
                string(m.nodeType, .nodeType)
                body.byte(EventBlock.code(of: m.status))
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
                if let result = m.result {
                    // The usual result, one value in `output`, without building a dictionary.
                    if let single = result.singleValue {
                        body.byte(0)
                        value(single)
                    } else {
                        body.byte(1)
                        dict(result.slots, keys: .outputName)
                    }
                }
                if let edgeValues = m.edgeValues {
                    body.count(edgeValues.count)
                    for named in edgeValues {
                        string(named.name, .inputName)
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
            case .outputUpdate(let m):
                body.byte(6)
                string(m.nodeID)
                string(m.outputName)
                value(m.value)
            }
        }

        mutating func dict(_ d: OrderedDictionary<String, Value>, keys: Slot = .other) {
            body.count(d.count)
            for (key, v) in d {
                string(key, keys)
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
        var last = [String](repeating: "", count: Slot.count)
        var depth = 0

        mutating func string(_ slot: Slot = .other) throws -> String {
            let tag = try reader.varint()
            if tag == 0 { return last[slot.rawValue] }
            guard tag - 1 <= UInt64(Int.max) else { throw ByteReader.Damaged() }
            let s = String(decoding: try reader.raw(Int(tag - 1)), as: UTF8.self)
            last[slot.rawValue] = s
            return s
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
                let nodeID = try string(.nodeID), nodeName = try string(.nodeName), nodeType = try string(.nodeType)
                let code = Int(try reader.byte())
                guard code < EventBlock.nodeStatuses.count else { throw ByteReader.Damaged() }
                let status = EventBlock.nodeStatuses[code]
                var update = NodeUpdate(nodeID: nodeID, nodeName: nodeName, nodeType: nodeType, status: status)
                let flags = try reader.byte()
                if flags & 1 != 0 { update.error = try string() }
                if flags & 2 != 0 {
                    update.result = try reader.byte() == 0 ? NodeOutputs(try value()) : NodeOutputs(slots: try dict(keys: .outputName))
                }
                if flags & 4 != 0 {
                    let n = try reader.count()
                    var named: [NamedValue] = []
                    named.reserveCapacity(n)
                    for _ in 0..<n { named.append(NamedValue(name: try string(.inputName), value: try value())) }
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
            case 6:
                return .outputUpdate(OutputUpdate(nodeID: try string(), outputName: try string(), value: try value()))
            default:
                throw ByteReader.Damaged()
            }
        }

        mutating func dict(keys: Slot = .other) throws -> OrderedDictionary<String, Value> {
            let n = try reader.count()
            var d = OrderedDictionary<String, Value>(minimumCapacity: n)
            for _ in 0..<n { d[try string(keys)] = try value() }
            return d
        }

        mutating func value() throws -> Value {
            depth += 1
            defer { depth -= 1 }
            guard depth < 600 else { throw ByteReader.Damaged() }  // values come from JSON (at most 512 deep) or nodes
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
