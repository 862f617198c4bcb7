import Crypto
import Foundation
import Nodeflow
@testable import NodeflowPython
import Testing

/// The bridge's parts that need no Python: frames, result blobs, Python's type annotations.
@Suite("Python bridge without Python")
struct BridgeTests {
    @Test("a frame round-trips with its length prefix; garbage is an error, not a crash")
    func frames() throws {
        let frame = WorkerFrame(type: "execute", requestID: "w1-1", data: ["node_type": "a.B", "fields": ["x": 1]])
        let bytes = try frame.encoded()
        let length = Int(bytes[0]) << 24 | Int(bytes[1]) << 16 | Int(bytes[2]) << 8 | Int(bytes[3])
        #expect(length == bytes.count - 4)
        let back = try WorkerFrame.decode(Array(bytes[4...]))
        #expect(back.type == "execute" && back.requestID == "w1-1" && back.data["fields"]?["x"] == 1)
        #expect(throws: BridgeError.self) { try WorkerFrame.decode([0xc1, 0x00]) }
        #expect(throws: BridgeError.self) { try WorkerFrame.decode(MessagePackEncoder.encode(["request_id": "x"])) }
        #expect(throws: BridgeError.self) { try WorkerFrame.decode(MessagePackEncoder.encode([1, 2])) }
    }

    func blobFrame(_ type: String, _ data: MessagePack) -> WorkerFrame { WorkerFrame(type: type, requestID: "r", data: data) }

    @Test("result blobs: chunks in order, size and SHA-256 checked")
    func blobs() throws {
        let bytes: [UInt8] = Array("hello, world".utf8)
        let digest = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        var good = BlobAssembler()
        try good.receive(blobFrame("blob.start", ["name": "output", "size": .int(Int64(bytes.count))]))
        try good.receive(blobFrame("blob.chunk", ["name": "output", "offset": 0, "bytes": .binary(Array(bytes[0..<5]))]))
        try good.receive(blobFrame("blob.chunk", ["name": "output", "offset": 5, "bytes": .binary(Array(bytes[5...]))]))
        try good.receive(blobFrame("blob.end", ["name": "output", "size": .int(Int64(bytes.count)), "sha256": .string(digest)]))
        #expect(try good.finished() == ["output": bytes])

        var outOfOrder = BlobAssembler()
        try outOfOrder.receive(blobFrame("blob.start", ["name": "o", "size": 12]))
        #expect(throws: BridgeError.self) { try outOfOrder.receive(blobFrame("blob.chunk", ["name": "o", "offset": 5, "bytes": .binary(bytes)])) }

        var damaged = BlobAssembler()
        try damaged.receive(blobFrame("blob.start", ["name": "o", "size": 12]))
        try damaged.receive(blobFrame("blob.chunk", ["name": "o", "offset": 0, "bytes": .binary(bytes)]))
        #expect(throws: BridgeError.self) { try damaged.receive(blobFrame("blob.end", ["name": "o", "size": 12, "sha256": "00"])) }

        var tooMany = BlobAssembler()
        try tooMany.receive(blobFrame("blob.start", ["name": "o", "size": 3]))
        #expect(throws: BridgeError.self) { try tooMany.receive(blobFrame("blob.chunk", ["name": "o", "offset": 0, "bytes": .binary(bytes)])) }

        var unfinished = BlobAssembler()
        try unfinished.receive(blobFrame("blob.start", ["name": "o", "size": 3]))
        #expect(throws: BridgeError.self) { try unfinished.finished() }
        var stray = BlobAssembler()
        #expect(throws: BridgeError.self) { try stray.receive(blobFrame("blob.end", ["name": "o", "size": 0, "sha256": ""])) }
    }

    @Test("Python annotations as property types", arguments: [
        ("int", PropertyType.int), ("float", .float), ("str", .string), ("bool", .bool), ("bytes", .bytes),
        ("list[str]", .list(.string)), ("List[int]", .list(.int)), ("dict[str, Any]", .dict),
        ("Union[int, NoneType]", .union([.int, .null])), ("int | None", .union([.int, .null])), ("Optional[str]", .union([.string, .null])),
        ("Literal['a', 'b']", .enumeration(["a", "b"])), ("ImageRef", .asset("image")), ("list[ImageRef]", .list(.asset("image"))),
        ("SomeModel", .any), ("Any", .any), ("list[", .any), ("", .any),
    ])
    func annotations(annotation: String, expected: PropertyType) {
        #expect(PythonTypes.property(annotation) == expected)
    }

    @Test("nodetool's type metadata of outputs as property types")
    func outputTypes() {
        #expect(PythonTypes.metadata(["type": "list", "type_args": [["type": "int"]]]) == .list(.int))
        #expect(PythonTypes.metadata(["type": "str", "optional": true]) == .union([.string, .null]))
        #expect(PythonTypes.metadata(["type": "enum", "values": ["x", "y"]]) == .enumeration(["x", "y"]))
        #expect(PythonTypes.metadata(["type": "image"]) == .asset("image"))
        #expect(PythonTypes.metadata(["type": "something_new"]) == .any)
        // Nesting a hostile file could send stops at a depth, as `any`.
        var deep: Value = ["type": "int"]
        for _ in 0..<100 { deep = ["type": "list", "type_args": [deep]] }
        guard case .list = PythonTypes.metadata(deep) else { Issue.record("a deep list type is not a list"); return }
    }

    @Test("the discover answer becomes node types; a module that failed names its namespace")
    func discovered() throws {
        let answer: Value = [
            "protocol_version": 6,
            "nodes": [[
                "node_type": "acme.text.Shout", "title": "Shout", "description": "Upper-cases.",
                "properties": [["name": "text", "type": ["type": "str"], "default": "", "description": "The text."], ["name": "limit", "type": ["type": "Optional[int]"]]],
                "outputs": [["name": "output", "type": ["type": "str", "optional": false, "type_args": []]]],
                "is_streaming_output": false, "is_dynamic": false, "required_settings": ["ACME_KEY"],
            ]],
            "load_errors": [["module": "nodetool.nodes.acme.vision", "phase": "import", "error_type": "ModuleNotFoundError", "error": "No module named 'torch'"]],
        ]
        let pool = PythonWorkerPool(configuration: PythonConfiguration(interpreter: "/nonexistent/python"))
        let packs = try PythonPacks(discovered: answer, runtime: PythonRuntime(pool: pool))
        var registry = NodeRegistry()
        packs.register(into: &registry)
        let meta = try #require(registry.entry(named: "acme.text.Shout")?.metadata)
        #expect(meta.property(named: "text")?.type == .string)
        #expect(meta.property(named: "limit")?.type == .union([.int, .null]))
        #expect(meta.property(named: "limit")?.defaultValue == .null)
        #expect(registry.unavailability(of: "acme.vision.Detect")?.reason.contains("No module named 'torch'") == true)
        #expect(registry.unavailability(of: "acme.text.Other") == nil)
        #expect(PythonPacks.pack(of: "acme.text.Shout") == "acme")
    }
}
