import Foundation
import Nodeflow
import NodeflowNodes
import Testing

/// The workflows of `Conformance/` (copied from the project's shared conformance set), each with
/// the params to pass and the outputs nodetool 0.5.3 gives.
enum ConformanceCase {
    static let directory = Bundle.module.url(forResource: "Conformance", withExtension: nil)!

    static var names: [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return files.filter { $0.hasSuffix(".expected.json") }.map { String($0.dropLast(".expected.json".count)) }.sorted()
    }

    static func load(_ name: String) throws -> (workflow: Workflow, params: Value, expected: Value) {
        func read(_ suffix: String) throws -> Value {
            try Value(jsonBytes: Array(try Data(contentsOf: directory.appendingPathComponent(name + suffix))))
        }
        let workflow = try Workflow(jsonValue: try read(".json"))
        let params = (try? read(".params.json")) ?? [:]
        return (workflow, params, try read(".expected.json"))
    }
}

@Suite("Conformance with nodetool 0.5.3", .timeLimit(.minutes(1)))
struct ConformanceTests {
    @Test("the conformance set is present")
    func present() {
        #expect(ConformanceCase.names.count >= 9)
    }

    @Test("the runner gives nodetool's outputs", arguments: ConformanceCase.names)
    func runner(name: String) async throws {
        let (workflow, params, expected) = try ConformanceCase.load(name)
        let runner = WorkflowRunner(jobID: name, configuration: .init(registry: .standard))
        let context = ProcessingContext()
        async let drained: Void = { for await _ in context.messages {} }()
        let outputs = try await runner.run(RunJobRequest(graph: workflow.graph, params: params.dictValue ?? [:]), context: context)
        await drained
        // Value's == tells 3 from 3.0, so ints and floats must match exactly.
        #expect(Value.dict(outputs) == expected)
    }

    @Test("`nodeflow run FILE --jsonl` gives nodetool's outputs", arguments: ConformanceCase.names)
    func command(name: String) async throws {
        let binary = try #require(NodeflowBinary.url, "the nodeflow executable is built beside the tests")
        let (_, params, expected) = try ConformanceCase.load(name)
        var arguments = ["run", ConformanceCase.directory.appendingPathComponent(name + ".json").path, "--jsonl"]
        for (key, value) in params.dictValue ?? [:] { arguments += ["-p", "\(key)=\(value.jsonString())"] }
        let (status, output) = try await NodeflowBinary.run(binary, arguments)
        #expect(status == 0)
        let lines = output.split(separator: "\n").map { try? Value(json: String($0)) }
        let last = try #require(lines.last ?? nil)
        #expect(last["type"] == "job_update")
        #expect(last["status"] == "completed")
        #expect(last["result"] == expected)
    }
}

/// The `nodeflow` executable that `swift build` puts beside the test bundle.
enum NodeflowBinary {
    static var url: URL? {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = directory.appendingPathComponent("nodeflow")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }

    /// A fresh data directory, so that tests never share a job store or a cache.
    static func temporaryDataDirectory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("nodeflow-data-\(UUID().uuidString)").path
    }

    /// Runs the binary to its end. The waiting happens on a thread of its own: blocking the
    /// cooperative pool (two threads here) would stall every other test, timing ones included.
    static func run(_ binary: URL, _ arguments: [String], dataDirectory: String = temporaryDataDirectory()) async throws -> (Int32, String) {
        let (status, output, _) = try await runCapturing(binary, arguments, dataDirectory: dataDirectory)
        return (status, output)
    }

    /// Runs the binary to its end and returns its status, standard output and standard error.
    static func runCapturing(_ binary: URL, _ arguments: [String], dataDirectory: String = temporaryDataDirectory(), environment: [String: String] = [:]) async throws -> (Int32, String, String) {
        try await offPool { try runBlocking(binary, arguments, dataDirectory: dataDirectory, environment: environment) }
    }

    private static func runBlocking(_ binary: URL, _ arguments: [String], dataDirectory: String, environment: [String: String]) throws -> (Int32, String, String) {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment.merging(["NODEFLOW_DATA_DIR": dataDirectory]) { _, new in new }) { _, new in new }
        let out = Pipe(), err = Pipe()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Standard error on a thread of its own, so neither pipe can fill up and stall the other.
        let errors = LockedData()
        let reader = Thread { errors.set(err.fileHandleForReading.readDataToEndOfFile()) }
        reader.start()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errors.isSet { usleep(1_000) }
        return (process.terminationStatus, String(decoding: data, as: UTF8.self), String(decoding: errors.data, as: UTF8.self))
    }
}

/// Bytes handed from one thread to another.
final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Data?

    func set(_ data: Data) {
        lock.lock()
        value = data
        lock.unlock()
    }

    var isSet: Bool {
        lock.lock()
        defer { lock.unlock() }
        return value != nil
    }

    var data: Data {
        lock.lock()
        defer { lock.unlock() }
        return value ?? Data()
    }
}

/// Runs blocking work on a thread outside Swift's cooperative pool.
func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try work() }) }
    }
}

extension Process {
    /// Waits for the process to exit without blocking the cooperative pool.
    func exited() async {
        _ = try? await offPool { [self] in waitUntilExit() }
    }
}

extension FileHandle {
    /// Reads to the end of the file without blocking the cooperative pool.
    func readToEnd() async -> Data {
        (try? await offPool { [self] in readDataToEndOfFile() }) ?? Data()
    }

    /// Reads what is available (waiting for at least a byte) without blocking the cooperative pool.
    func readAvailable() async -> Data {
        (try? await offPool { [self] in availableData }) ?? Data()
    }
}
