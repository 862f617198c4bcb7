/// One message of nodetool's worker protocol: a msgpack map `{type, request_id, data}`, sent with
/// a 4-byte big-endian length before it.
public struct WorkerFrame: Sendable {
    public var type: String
    public var requestID: String?
    public var data: MessagePack

    public init(type: String, requestID: String?, data: MessagePack) {
        self.type = type
        self.requestID = requestID
        self.data = data
    }

    /// The largest frame either side sends (the worker's `NODETOOL_BRIDGE_MAX_FRAME_SIZE` default).
    public static let maxSize = 256 * 1024 * 1024

    /// The frame with its length prefix.
    public func encoded() throws(BridgeError) -> [UInt8] {
        var out: [UInt8] = [0, 0, 0, 0]
        MessagePackEncoder.write(["type": .string(type), "request_id": requestID.map(MessagePack.string) ?? .nil, "data": data], into: &out)
        let length = out.count - 4
        guard length <= Self.maxSize else { throw BridgeError("a request of \(length) bytes is larger than the worker takes (\(Self.maxSize))") }
        out[0] = UInt8(length >> 24 & 0xFF)
        out[1] = UInt8(length >> 16 & 0xFF)
        out[2] = UInt8(length >> 8 & 0xFF)
        out[3] = UInt8(length & 0xFF)
        return out
    }

    /// A frame from its payload (the bytes after the length).
    public static func decode(_ payload: [UInt8]) throws(BridgeError) -> WorkerFrame {
        let message: MessagePack
        do { message = try MessagePackDecoder.decode(payload) } catch { throw BridgeError("the worker sent \(error)") }
        guard case .string(let type)? = message["type"] else { throw BridgeError("the worker sent a frame without a type") }
        return WorkerFrame(type: type, requestID: message.string("request_id"), data: message["data"] ?? .nil)
    }

    /// Whether the frame ends its request.
    var isFinal: Bool { type == "result" || type == "error" || type == "discover" }
}
