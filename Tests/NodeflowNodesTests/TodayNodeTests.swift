import Foundation
import Nodeflow
import NodeflowNodes
import Testing

/// Today's base nodes beyond the conformance cases: files, limits, hostile values.
@Suite("Today's base nodes")
struct TodayNodeTests {
    func run(_ nodes: [NodeSpec], _ edges: [EdgeSpec] = []) async throws -> [String: Value] {
        let runner = WorkflowRunner(jobID: "t", configuration: .init(registry: .standard))
        let context = ProcessingContext()
        async let drained: Void = { for await _ in context.messages {} }()
        let result: Result<[String: Value], any Error>
        do {
            let outputs = try await runner.run(RunJobRequest(graph: Graph(nodes: nodes, edges: edges)), context: context)
            result = .success(Dictionary(uniqueKeysWithValues: outputs.map { ($0.key, $0.value) }))
        } catch {
            result = .failure(error)
        }
        await drained
        return try result.get()
    }

    func out(_ name: String) -> NodeSpec { NodeSpec(id: "out-\(name)", type: "nodetool.output.StringOutput", data: ["name": .string(name)]) }

    @Test("SaveJSON writes the file under a timestamped name and outputs its path")
    func saveJSON() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("savejson-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let outputs = try await run(
            [NodeSpec(id: "s", type: "nodetool.dictionary.SaveJSON", data: ["data": ["a": [1, 2]], "folder": .string(folder.path), "name": "run-%Y-%%.json", "indent": 0]), out("path")],
            [EdgeSpec(source: "s", target: "out-path", targetHandle: "value")])
        let path = try #require(outputs["path"]?.stringValue)
        #expect(path.hasPrefix(folder.path))
        let year = Calendar(identifier: .gregorian).component(.year, from: Date())
        #expect(path.hasSuffix("run-\(year)-%.json"))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "{\n\"a\": [\n1,\n2\n]\n}")
    }

    @Test("Flatten takes a list nested as deep as a file may nest it (500), on an explicit stack")
    func deepFlatten() async throws {
        var nested: Value = [1]
        for _ in 0..<500 { nested = .list([nested]) }
        let outputs = try await run(
            [NodeSpec(id: "f", type: "nodetool.list.Flatten", data: ["values": .list([nested, 2])]),
             NodeSpec(id: "o", type: "nodetool.output.ListOutput", data: ["name": "flat"])],
            [EdgeSpec(source: "f", target: "o", targetHandle: "value")])
        #expect(outputs["flat"] == [1, 2])
    }

    static let failing: [(String, [String: Value], String)] = [
        // A string in a list of floats is found by validation, before the node runs.
        ("nodetool.list.Average", ["values": ["a", 1]], "property 'values' expects list[float]"),
        ("lib.json.ParseList", ["json_string": "{\"a\": 1}"], "must represent an array/list"),
        ("lib.json.ParseList", ["json_string": "[1,"], "not valid JSON"),
        ("nodetool.list.Minimum", ["values": []], "Cannot find minimum of empty list"),
    ]

    @Test("errors name what is wrong", arguments: 0..<4)
    func errors(index: Int) async throws {
        let (type, data, message) = Self.failing[index]
        do {
            _ = try await run([NodeSpec(id: "n", type: type, data: .init(uniqueKeysWithValues: data.sorted { $0.key < $1.key }))])
            Issue.record("\(type) did not fail")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
        }
    }

    @Test("ToJSON writes NaN and infinities as Python does")
    func specialFloats() async throws {
        let outputs = try await run(
            [NodeSpec(id: "j", type: "nodetool.dictionary.ToJSON", data: ["dictionary": ["n": .float(.nan), "i": .float(-.infinity), "b": .bytes(Array("hé".utf8))]]), out("json")],
            [EdgeSpec(source: "j", target: "out-json", targetHandle: "value")])
        #expect(outputs["json"] == #"{"n": NaN, "i": -Infinity, "b": "h\u00e9"}"#)
    }

    @Test("Average sums ints as Python does, without overflow")
    func averageOfHugeInts() async throws {
        let outputs = try await run(
            [NodeSpec(id: "a", type: "nodetool.list.Average", data: ["values": [.int(.max), 1]]), NodeSpec(id: "o", type: "nodetool.output.FloatOutput", data: ["name": "mean"])],
            [EdgeSpec(source: "a", target: "o", targetHandle: "value")])
        #expect(outputs["mean"] == .float(4.611686018427388e18))
    }
}
