import Foundation
import Nodeflow
import NodeflowNodes
import Testing

/// The cases of `Conformance/streams/` and `Conformance/today/`, with the outputs nodetool's actor
/// runner gives with today's base library (see the READMEs there): the job's result, and the same
/// values from the `output_update` messages. Names are `folder/case`.
enum StreamCase {
    static let folders = ["streams", "today"]

    static var names: [String] {
        folders.flatMap { folder in
            let files = (try? FileManager.default.contentsOfDirectory(atPath: ConformanceCase.directory.appendingPathComponent(folder).path)) ?? []
            return files.filter { $0.hasSuffix(".expected.json") }.map { "\(folder)/" + $0.dropLast(".expected.json".count) }
        }.sorted()
    }

    static func read(_ name: String, _ suffix: String) throws -> Value {
        let value = try Value(jsonBytes: Array(try Data(contentsOf: ConformanceCase.directory.appendingPathComponent(name + suffix))))
        return suffix == ".expected.json" ? restoringNaN(value) : value
    }

    /// The harness writes a float NaN (pandas' missing value) as the string "nan" (JSON has no NaN).
    static func restoringNaN(_ value: Value) -> Value {
        switch value {
        case .string("nan"): .float(.nan)
        case .list(let items): .list(items.map(restoringNaN))
        case .dict(let d): .dict(d.mapValues(restoringNaN))
        default: value
        }
    }
}

@Suite("Conformance with nodetool's actor runner (streams, today's base library)", .timeLimit(.minutes(1)))
struct StreamConformanceTests {
    @Test("the stream cases and today's base library cases are present")
    func present() {
        #expect(StreamCase.names.filter { $0.hasPrefix("streams/") }.count >= 20)
        #expect(StreamCase.names.filter { $0.hasPrefix("today/") }.count >= 3)
    }

    @Test("the runner gives nodetool's outputs", arguments: StreamCase.names)
    func runner(name: String) async throws {
        let workflow = try Workflow(jsonValue: try StreamCase.read(name, ".json"))
        let params = try StreamCase.read(name, ".params.json").dictValue ?? [:]
        let expected = try StreamCase.read(name, ".expected.json")
        let runner = WorkflowRunner(jobID: name, configuration: .init(registry: .standard))
        let context = ProcessingContext()
        async let messages: [ProcessingMessage] = { var all: [ProcessingMessage] = []; for await m in context.messages { all.append(m) }; return all }()
        let outcome: Result<Value, any Error>
        do {
            outcome = .success(.dict(try await runner.run(RunJobRequest(graph: workflow.graph, params: params), context: context)))
        } catch {
            outcome = .failure(error)
        }
        let recorded = Self.outputs(from: await messages)
        if let error = expected["error"]?.stringValue {
            guard case .failure(let failure) = outcome else { Issue.record("the job did not fail; nodetool's failed with \(error)"); return }
            #expect("\(failure)".contains(error))
            #expect(recorded == expected["partial_outputs"])
        } else {
            // Value's == tells 3 from 3.0, so ints and floats must match exactly.
            #expect(try outcome.get() == expected)
            #expect(recorded == expected)
        }
    }

    /// The outputs as nodetool records them from `output_update` messages: per name, every value
    /// but `None` and a repeat of the last one.
    static func outputs(from messages: [ProcessingMessage]) -> Value {
        var outputs: [String: [Value]] = [:]
        for case .outputUpdate(let update) in messages where update.value != .null {
            if outputs[update.outputName]?.last == update.value { continue }
            outputs[update.outputName, default: []].append(update.value)
        }
        return .dict(.init(uniqueKeysWithValues: outputs.sorted { $0.key < $1.key }.map { ($0.key, Value.list($0.value)) }))
    }
}
