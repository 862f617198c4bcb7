import Foundation
import Nodeflow

/// nodetool's asset references: `{"type": "image", "uri": ..., "asset_id": ..., "data": ...}`.
/// Values pass through the engine as they are; nodes that need the bytes read a `file://` or
/// `data:` uri, or the inline `data`.
enum AssetRef {
    /// An empty reference of a kind, as nodetool's defaults are.
    static func empty(_ kind: String) -> Value {
        ["type": .string(kind), "uri": "", "asset_id": nil, "data": nil]
    }

    /// The property type of a reference of a kind.
    static func type(_ kind: String) -> PropertyType { .asset(kind) }

    /// The bytes a reference points to: inline `data` (bytes, or a string as UTF-8), else a
    /// `file://` uri or a `data:` uri.
    static func bytes(of value: Value, property: String, context: NodeContext) throws -> [UInt8] {
        guard case .dict(let ref) = value else {
            throw NodeInputError(nodeID: context.nodeID, nodeType: context.node.type, property: property, value: value, expected: "an asset reference")
        }
        switch ref["data"] {
        case .bytes(let b)?: return b
        case .string(let s)?: return Array(s.utf8)
        default: break
        }
        let uri = ref["uri"]?.stringValue ?? ""
        if uri.hasPrefix("file://") {
            let path = String(uri.dropFirst("file://".count))
            guard let data = FileManager.default.contents(atPath: path) else {
                throw NodeError("'\(property)': cannot read \(path)")
            }
            return Array(data)
        }
        if uri.hasPrefix("data:"), let comma = uri.firstIndex(of: ",") {
            let header = uri[uri.index(uri.startIndex, offsetBy: 5)..<comma]
            let payload = String(uri[uri.index(after: comma)...])
            if header.hasSuffix(";base64") {
                guard let data = Data(base64Encoded: payload) else { throw NodeError("'\(property)': the data: uri is not valid base64") }
                return Array(data)
            }
            return Array((payload.removingPercentEncoding ?? payload).utf8)
        }
        if uri.isEmpty { throw NodeError("'\(property)' is an empty \(ref["type"]?.stringValue ?? "asset") reference") }
        throw NodeError("'\(property)': only file:// and data: uris can be read here, not \(uri)")
    }
}
