import Crypto
import Foundation
import Nodeflow
import OrderedCollections

/// One `execute` (or `execute.stream`) of a Python node on a worker: the request built from the
/// node's resolved inputs, and its answer read frame by frame.
///
/// Inputs go as `fields`, except asset references whose bytes Nodeflow has (inline `data`, a
/// `file://` or `data:` uri): those go as `blobs`, which the worker writes into the node's
/// workspace. Results come back as values; a reference the worker returns with bytes (`blob://`)
/// carries them as its `data`. Result blobs arrive in chunks (`chunked-v1`), checked against their
/// size and SHA-256.
struct PythonCall {
    let nodeType: String
    let fields: [(key: MessagePack, value: MessagePack)]
    let blobs: [(key: MessagePack, value: MessagePack)]
    let context: NodeContext
    let runtime: PythonRuntime
    let requiresVRAM: Double?

    init(nodeType: String, context: NodeContext, runtime: PythonRuntime, requiresVRAM: Double?) throws {
        self.nodeType = nodeType
        self.context = context
        self.runtime = runtime
        self.requiresVRAM = requiresVRAM
        var fields: [(key: MessagePack, value: MessagePack)] = []
        var blobs: [(key: MessagePack, value: MessagePack)] = []
        for (name, value) in context.inputs.all {
            if let bytes = try Self.assetBytes(value, property: name) {
                blobs.append((.string(name), .binary(bytes)))
            } else if case .list(let items) = value, !items.isEmpty,
                case let all? = try? items.map({ try Self.assetBytes($0, property: name) }), all.allSatisfy({ $0 != nil })
            {
                blobs.append((.string(name), .array(all.map { .binary($0!) })))
            } else {
                fields.append((.string(name), MessagePack(value)))
            }
        }
        self.fields = fields
        self.blobs = blobs
    }

    /// The bytes of an asset reference, when Nodeflow has them; `nil` for any other value and for
    /// an unset reference.
    static func assetBytes(_ value: Value, property: String) throws -> [UInt8]? {
        guard case .dict(let ref) = value, case .string? = ref["type"], ref["uri"] != nil || ref["data"] != nil else { return nil }
        if case .bytes(let b)? = ref["data"] { return b }
        let uri = ref["uri"]?.stringValue ?? ""
        if uri.hasPrefix("file://") {
            let path = String(uri.dropFirst("file://".count))
            guard let data = FileManager.default.contents(atPath: path) else { throw NodeError("property '\(property)': cannot read \(path)") }
            return Array(data)
        }
        if uri.hasPrefix("data:"), let comma = uri.firstIndex(of: ","), uri[..<comma].hasSuffix(";base64") {
            guard let data = Data(base64Encoded: String(uri[uri.index(after: comma)...])) else { throw NodeError("property '\(property)': the data: uri is not valid base64") }
            return Array(data)
        }
        return nil
    }

    func request(streaming: Bool) -> MessagePack {
        var data: [(key: MessagePack, value: MessagePack)] = [
            ("node_type", .string(nodeType)), ("fields", .map(fields)), ("blobs", .map(blobs)),
            ("secrets", .map(runtime.configuration.secrets.sorted { $0.key < $1.key }.map { (.string($0.key), .string($0.value)) })),
            ("node_id", .string(context.nodeID)),
        ]
        if !streaming { data.append(("blob_transfer", "chunked-v1")) }
        if let requiresVRAM { data.append(("requires_vram_gb", .float64(requiresVRAM))) }
        return .map(data)
    }

    /// Runs the request on `worker`, handing each result (`chunk` or `result`) to `receive`.
    /// Cancelling the calling task sends `cancel`; a worker that has not answered within the
    /// grace period is killed and replaced.
    func run(on worker: PythonWorker, streaming: Bool, receive: (NodeOutputs) async throws -> Void) async throws {
        let (id, frames) = worker.request(streaming ? "execute.stream" : "execute", data: request(streaming: streaming), small: blobs.isEmpty)
        var assembler = BlobAssembler()
        try await withTaskCancellationHandler {
            for try await frame in frames {
                switch frame.type {
                case "progress":
                    let progress = frame.data["progress"].flatMap { try? $0.value().doubleValue } ?? 0
                    let total = frame.data["total"].flatMap { try? $0.value().doubleValue } ?? 0
                    context.reportProgress(Int(progress), of: Int(total))
                case "update":
                    if let content = frame.data.string("content") ?? frame.data.string("message") {
                        context.log(content)
                    }
                case "blob.start", "blob.chunk", "blob.end":
                    try assembler.receive(frame)
                case "chunk":
                    try await receive(try outputs(frame.data, extraBlobs: [:]))
                case "result":
                    if !streaming { try await receive(try outputs(frame.data, extraBlobs: try assembler.finished())) }
                case "error":
                    throw PythonNodeError(nodeType: nodeType, message: frame.data.string("error") ?? "unknown error", traceback: frame.data.string("traceback"))
                default:
                    break
                }
            }
            try Task.checkCancellation()
        } onCancel: {
            worker.cancel(id)
            let pool = runtime.pool
            let grace = runtime.configuration.cancelGrace
            // Bounded by the grace period: then the worker is either done with the request or gone.
            Task.detached {
                try? await Task.sleep(for: grace)
                if worker.isPending(id) { pool.discard(worker) }
            }
        }
    }

    /// A `result` or `chunk` as node outputs: each slot's value, a reference's bytes put in its `data`.
    private func outputs(_ data: MessagePack, extraBlobs: [String: [UInt8]]) throws -> NodeOutputs {
        guard case .map(let entries)? = data["outputs"] else { throw PythonNodeError(nodeType: nodeType, message: "the worker's result has no outputs", traceback: nil) }
        var blobs: [String: MessagePack] = [:]
        if case .map(let b)? = data["blobs"] { for (k, v) in b { if case .string(let name) = k { blobs[name] = v } } }
        var slots = OrderedDictionary<String, Value>()
        for (key, raw) in entries {
            guard case .string(let slot) = key else { continue }
            var value: Value
            do { value = try raw.value() } catch { throw PythonNodeError(nodeType: nodeType, message: "output '\(slot)': \(error)", traceback: nil) }
            if let bytes = extraBlobs[slot] {
                value = Self.attach(bytes, to: value)
            } else if case .binary(let bytes)? = blobs[slot] {
                value = Self.attach(bytes, to: value)
            } else if case .array(let parts)? = blobs[slot], case .list(let items) = value, parts.count == items.count {
                value = .list(zip(items, parts).map { item, part in
                    if case .binary(let bytes) = part { return Self.attach(bytes, to: item) }
                    return item
                })
            }
            if case .null = value { continue }  // a slot the item leaves out
            slots[slot] = value
        }
        try context.checkSize(slots.values.reduce(0) { $0 + Self.byteCount($1) }, of: "the outputs of \(nodeType)")
        return NodeOutputs(slots: slots)
    }

    private static func attach(_ bytes: [UInt8], to value: Value) -> Value {
        guard case .dict(var ref) = value else { return .bytes(bytes) }
        ref["data"] = .bytes(bytes)
        if ref["uri"]?.stringValue?.hasPrefix("blob://") == true { ref["uri"] = "" }
        return .dict(ref)
    }

    private static func byteCount(_ value: Value) -> Int {
        switch value {
        case .bytes(let b): b.count
        case .string(let s): s.utf8.count
        case .list(let l): l.reduce(0) { $0 + byteCount($1) }
        case .dict(let d): d.values.reduce(0) { $0 + byteCount($1) }
        default: 8
        }
    }
}

/// Result blobs sent in chunks (`blob.start`, `blob.chunk`…, `blob.end` with size and SHA-256).
struct BlobAssembler {
    private var open: [String: (size: Int, bytes: [UInt8])] = [:]
    private var done: [String: [UInt8]] = [:]

    mutating func receive(_ frame: WorkerFrame) throws {
        guard let name = frame.data.string("name") else { throw BridgeError("a \(frame.type) frame without a name") }
        switch frame.type {
        case "blob.start":
            guard case .int(let size)? = frame.data["size"], size >= 0, size <= WorkerFrame.maxSize * 4 else { throw BridgeError("blob '\(name)': a bad size") }
            open[name] = (Int(size), [])
            open[name]!.bytes.reserveCapacity(Int(size))
        case "blob.chunk":
            guard var blob = open[name] else { throw BridgeError("blob '\(name)': a chunk before its start") }
            guard case .int(let offset)? = frame.data["offset"], Int(offset) == blob.bytes.count, case .binary(let chunk)? = frame.data["bytes"] else {
                throw BridgeError("blob '\(name)': a chunk out of order")
            }
            guard blob.bytes.count + chunk.count <= blob.size else { throw BridgeError("blob '\(name)': more bytes than announced (\(blob.size))") }
            open[name] = nil  // keep the array uniquely referenced while appending
            blob.bytes.append(contentsOf: chunk)
            open[name] = blob
        default:  // blob.end
            guard let blob = open.removeValue(forKey: name) else { throw BridgeError("blob '\(name)': an end before its start") }
            guard blob.bytes.count == blob.size else { throw BridgeError("blob '\(name)': \(blob.bytes.count) bytes arrived, \(blob.size) were announced") }
            let digest = SHA256.hash(data: blob.bytes).map { String(format: "%02x", $0) }.joined()
            guard digest == frame.data.string("sha256") else { throw BridgeError("blob '\(name)': its SHA-256 does not match (the bytes were damaged on the way)") }
            done[name] = blob.bytes
        }
    }

    func finished() throws -> [String: [UInt8]] {
        guard open.isEmpty else { throw BridgeError("blobs \(open.keys.sorted().joined(separator: ", ")) did not end") }
        return done
    }
}

/// A Python node's own error: its message, and Python's traceback.
public struct PythonNodeError: Error, Sendable, CustomStringConvertible {
    public var nodeType: String
    public var message: String
    public var traceback: String?

    public var description: String {
        guard let traceback, !traceback.isEmpty else { return message }
        let lines = traceback.split(separator: "\n", omittingEmptySubsequences: false)
        let shown = lines.count > 24 ? ["  …"] + lines.suffix(23) : lines[...]
        return message + "\n" + shown.joined(separator: "\n")
    }
}
