import Crypto
import Foundation
import Nodeflow
import NodeflowNodes
import NodeflowPython
import Synchronization
import Testing

/// Nodeflow's own test pack (`Examples/PythonPack`, namespace `nodeflowtest`) run by nodetool's real
/// worker (`nodetool-core` from PyPI, in the environment `scripts/python-env.sh` makes), in
/// workflows mixing Swift and Python nodes.
@Suite("Python node packs", .serialized, .timeLimit(.minutes(3)))
struct PythonPackTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The interpreter, or `nil` (with the reason) when the environment cannot be made.
    static let interpreter: Result<String, PythonEnvironmentError> = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [root.appendingPathComponent("scripts/python-env.sh").path]
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        do { try process.run() } catch { return .failure(PythonEnvironmentError(reason: "\(error)")) }
        let path = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0, !path.isEmpty else { return .failure(PythonEnvironmentError(reason: String(message.suffix(400)))) }
        return .success(path)
    }()

    struct PythonEnvironmentError: Error { var reason: String }

    /// The configuration for the test pack, or `nil` (a known issue recorded) without Python.
    static func configuration(workers: Int = 2, secrets: [String: String] = [:]) async throws -> PythonConfiguration? {
        let interpreter: String
        switch try await offPool({ Self.interpreter }) {
        case .success(let path): interpreter = path
        case .failure(let error):
            withKnownIssue("no Python environment with nodetool-core (scripts/python-env.sh failed: \(error.reason))") { Issue.record("not checked") }
            return nil
        }
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONPATH"] = Self.root.appendingPathComponent("Examples/PythonPack").path
        return PythonConfiguration(interpreter: interpreter, environment: environment, workers: workers, cancelGrace: .milliseconds(500), secrets: secrets)
    }

    /// One discovery and one pool for the suite: starting a worker costs a second of CPU, which
    /// the timing tests running beside this suite would feel. Its workers end with the test
    /// process (their input closes).
    static let shared = Task<(PythonPacks, NodeRegistry)?, any Error> {
        guard let configuration = try await configuration() else { return nil }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nodeflow-python-cache-\(UUID().uuidString)")
        let packs = try await PythonPacks.discover(configuration, cache: DiscoveryCache(directory: directory))
        try? FileManager.default.removeItem(at: directory)
        var registry = NodeRegistry.standard
        packs.register(into: &registry)
        return (packs, registry)
    }

    /// Runs `body` with the suite's packs and workers.
    func withPacks(_ body: (PythonPacks, NodeRegistry) async throws -> Void) async throws {
        guard let (packs, registry) = try await Self.shared.value else { return }
        try await body(packs, registry)
    }

    /// Runs `body` with packs and workers of its own (a cache of its own too unless given), shut
    /// down after.
    func withOwnPacks(workers: Int = 1, secrets: [String: String] = [:], cache: DiscoveryCache? = nil,
                      _ body: (PythonPacks, NodeRegistry) async throws -> Void) async throws {
        guard let configuration = try await Self.configuration(workers: workers, secrets: secrets) else { return }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nodeflow-python-cache-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let packs = try await PythonPacks.discover(configuration, cache: cache ?? DiscoveryCache(directory: directory))
        var registry = NodeRegistry.standard
        packs.register(into: &registry)
        do {
            try await body(packs, registry)
        } catch {
            await packs.runtime.pool.shutdown()
            throw error
        }
        await packs.runtime.pool.shutdown()
        #expect(packs.runtime.pool.workerCount == 0)
    }

    /// Runs a graph; its outputs or its error, and every message.
    func run(_ graph: Graph, registry: NodeRegistry, cancelAfter: Duration? = nil) async -> (Result<[String: Value], any Error>, [ProcessingMessage]) {
        let runner = WorkflowRunner(jobID: "py", configuration: .init(registry: registry))
        let context = ProcessingContext()
        async let messages: [ProcessingMessage] = { var all: [ProcessingMessage] = []; for await m in context.messages { all.append(m) }; return all }()
        let result: Result<[String: Value], any Error> = await withTaskGroup(of: Result<[String: Value], any Error>?.self) { group in
            group.addTask {
                do {
                    let outputs = try await runner.run(RunJobRequest(graph: graph), context: context)
                    return .success(Dictionary(uniqueKeysWithValues: outputs.map { ($0.key, $0.value) }))
                } catch {
                    return .failure(error)
                }
            }
            if let cancelAfter {
                group.addTask {
                    try? await Task.sleep(for: cancelAfter)
                    runner.cancel()
                    return nil
                }
            }
            var outcome: Result<[String: Value], any Error> = .failure(CancellationError())
            for await item in group { if let item { outcome = item } }
            return outcome
        }
        return (result, await messages)
    }

    func node(_ id: String, _ type: String, _ data: [String: Value] = [:]) -> NodeSpec {
        NodeSpec(id: id, type: type, data: .init(uniqueKeysWithValues: data.sorted { $0.key < $1.key }))
    }

    func edge(_ source: String, _ target: String, _ handle: String, from slot: String = "output") -> EdgeSpec {
        EdgeSpec(source: source, sourceHandle: slot, target: target, targetHandle: handle)
    }

    @Test("discover registers the pack's types with their metadata; a module that fails to import is named, not unknown")
    func discover() async throws {
        try await withPacks { packs, registry in
            let add = try #require(registry.entry(named: "nodeflowtest.basic.Add")?.metadata)
            #expect(add.properties.map(\.name) == ["a", "b"])
            #expect(add.property(named: "a")?.type == .int)
            #expect(add.property(named: "a")?.defaultValue == 0)
            #expect(add.outputs.map(\.name) == ["output"])
            #expect(registry.entry(named: "nodeflowtest.basic.Split")?.metadata.outputs.map(\.name) == ["first", "rest"])
            #expect(registry.entry(named: "nodeflowtest.basic.Count")?.isStreaming == true)
            #expect(registry.entry(named: "nodeflowtest.basic.MakeImage")?.metadata.outputs.first?.type == .asset("image"))
            #expect(packs.loadErrors.contains { $0.namespace == "nodeflowtest.broken" })

            let problems = GraphValidator(registry: registry, gpuSlots: 0).problems(in: Graph(nodes: [
                node("x", "nodeflowtest.broken.NeedsMissing"), node("y", "nodeflowtest.basic.Add", ["a": "text"]),
            ]))
            #expect(problems.count == 2)
            #expect(problems.contains { $0.message.contains("'nodeflowtest.broken', which is installed but could not be loaded") && $0.message.contains("No module named 'nodeflow_missing_dependency'") })
            #expect(problems.contains { $0.message.contains("property 'a' expects int") })
        }
    }

    @Test("the discovered metadata is cached: a second discovery starts no Python")
    func cached() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nodeflow-python-cache-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let cache = DiscoveryCache(directory: directory)
        try await withOwnPacks(cache: cache) { packs, _ in #expect(packs.runtime.pool.workerCount == 1) }
        try await withOwnPacks(cache: cache) { packs, registry in
            #expect(packs.runtime.pool.workerCount == 0)
            #expect(registry.entry(named: "nodeflowtest.basic.Add") != nil)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }.count == 1)
    }

    @Test("a mixed workflow: Python into Swift, named outputs, image bytes from Python into Python, secrets")
    func mixed() async throws {
        try await withOwnPacks(secrets: ["NODEFLOW_TEST_SECRET": "hunter2"]) { _, registry in
            let graph = Graph(nodes: [
                node("a", "nodeflowtest.basic.Add", ["a": 2, "b": 3]), node("m", "nodetool.math.Multiply", ["b": 10]),
                node("s", "nodeflowtest.basic.Split", ["text": "hello big world"]),
                node("img", "nodeflowtest.basic.MakeImage", ["size": 1000]), node("d", "nodeflowtest.basic.Digest"),
                node("secret", "nodeflowtest.basic.Secret"),
                node("o1", "nodetool.output.IntegerOutput", ["name": "product"]), node("o2", "nodetool.output.StringOutput", ["name": "rest"]),
                node("o3", "nodetool.output.StringOutput", ["name": "digest"]), node("o4", "nodetool.output.IntegerOutput", ["name": "secret"]),
                node("o5", "nodetool.output.ImageOutput", ["name": "image"]),
            ], edges: [
                edge("a", "m", "a"), edge("m", "o1", "value"), edge("s", "o2", "value", from: "rest"),
                edge("img", "d", "image"), edge("d", "o3", "value"), edge("secret", "o4", "value"), edge("img", "o5", "value"),
            ])
            let (result, _) = await run(graph, registry: registry)
            let outputs = try result.get()
            #expect(outputs["product"] == 50)
            #expect(outputs["rest"] == "big world")
            let bytes = (0..<1000).map { UInt8($0 * 7 % 251) }
            #expect(outputs["digest"] == .string("1000:" + SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()))
            #expect(outputs["secret"] == 7)
            #expect(outputs["image"]?["data"] == .bytes(bytes))
            #expect(outputs["image"]?["type"] == "image")
        }
    }

    @Test("5 MB of bytes both ways: Swift to Python as a blob, Python to Swift in checked chunks")
    func largeBlobs() async throws {
        try await withPacks { _, registry in
            let size = 5_000_000
            // Making and checking 5 MB is seconds of work in a debug build: on threads of their
            // own, not the two the tests' tasks share (timing tests run beside this one).
            let (bytes, sentDigest, expected) = try await offPool {
                let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
                let digest = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
                return (bytes, digest, (0..<size).map { UInt8($0 * 7 % 251) })
            }
            let image: Value = ["type": "image", "uri": "", "asset_id": nil, "data": .bytes(bytes)]
            let graph = Graph(nodes: [
                node("in", "nodeflowtest.basic.Digest", ["image": image]), node("make", "nodeflowtest.basic.MakeImage", ["size": .int(size)]),
                node("o1", "nodetool.output.StringOutput", ["name": "sent"]), node("o2", "nodetool.output.ImageOutput", ["name": "received"]),
            ], edges: [edge("in", "o1", "value"), edge("make", "o2", "value")])
            let outputs = try await run(graph, registry: registry).0.get()
            #expect(outputs["sent"] == .string("\(size):" + sentDigest))
            let received = outputs["received"]?["data"]
            #expect(try await offPool { received == .bytes(expected) })
        }
    }

    @Test("progress from Python arrives as node_progress messages, in order")
    func progress() async throws {
        try await withPacks { _, registry in
            let (result, messages) = await run(Graph(nodes: [node("slow", "nodeflowtest.basic.Slow", ["steps": 4, "seconds": 0.02])]), registry: registry)
            _ = try result.get()
            let steps = messages.compactMap { message -> Int? in
                if case .nodeProgress(let p) = message, p.nodeID == "slow" { return p.progress }
                return nil
            }
            #expect(steps == [1, 2, 3, 4])
        }
    }

    @Test("a Python error fails the node with its message and traceback")
    func pythonError() async throws {
        try await withPacks { _, registry in
            let (result, _) = await run(Graph(nodes: [node("f", "nodeflowtest.basic.Fail", ["message": "the disk is full"])]), registry: registry)
            guard case .failure(let error) = result else { Issue.record("the run did not fail"); return }
            let text = "\(error)"
            #expect(text.contains("the disk is full"))
            #expect(text.contains("Traceback") || text.contains("File \""), "\(text)")
            #expect(text.contains("'f'"))
        }
    }

    @Test("a streaming Python node feeds a Swift stream")
    func streaming() async throws {
        try await withPacks { _, registry in
            let graph = Graph(nodes: [
                node("count", "nodeflowtest.basic.Count", ["n": 5]), node("add", "lib.math.Add", ["b": 100]),
                node("collect", "nodetool.control.Collect"), node("out", "nodetool.output.Output", ["name": "items"]),
            ], edges: [edge("count", "add", "a"), edge("add", "collect", "input_item"), edge("collect", "out", "value")])
            let outputs = try await run(graph, registry: registry).0.get()
            #expect(outputs["items"] == [[100, 101, 102, 103, 104]])
        }
    }

    @Test("cancel: a cooperative node stops, and a blocking one's worker is killed; both within a second of the request")
    func cancel() async throws {
        try await withPacks { packs, registry in
            for type in ["nodeflowtest.basic.Slow", "nodeflowtest.basic.Block"] {
                let data: [String: Value] = type.hasSuffix("Slow") ? ["steps": 1000, "seconds": 0.05] : ["seconds": 30]
                let start = ContinuousClock.now
                let (result, _) = await run(Graph(nodes: [node("n", type, data)]), registry: registry, cancelAfter: .seconds(1.5))
                let took = ContinuousClock.now - start
                guard case .failure = result else { Issue.record("\(type): the run was not cancelled"); continue }
                #expect(took < .seconds(2.5), "\(type): the run ended \(took) after it started (cancelled at 1.5 s)")
            }
            // The killed worker is replaced: Python nodes still run.
            let outputs = try await run(Graph(nodes: [node("a", "nodeflowtest.basic.Add", ["a": 1, "b": 1]), node("o", "nodetool.output.IntegerOutput", ["name": "sum"])],
                                              edges: [edge("a", "o", "value")]), registry: registry).0.get()
            #expect(outputs["sum"] == 2)
            #expect(packs.runtime.pool.workerCount <= 2)
        }
    }

    @Test("a worker killed mid-node fails that node with a clear error; the next node gets a new worker")
    func crash() async throws {
        try await withPacks { _, registry in
            let (result, _) = await run(Graph(nodes: [node("c", "nodeflowtest.basic.Crash")]), registry: registry)
            guard case .failure(let error) = result else { Issue.record("the run did not fail"); return }
            #expect("\(error)".contains("the Python worker was killed by signal 9"), "\(error)")
            let outputs = try await run(Graph(nodes: [node("a", "nodeflowtest.basic.Add", ["a": 20, "b": 22]), node("o", "nodetool.output.IntegerOutput", ["name": "sum"])],
                                              edges: [edge("a", "o", "value")]), registry: registry).0.get()
            #expect(outputs["sum"] == 42)
        }
    }

    @Test("200 Python node calls in one run: a chain of Adds through a Swift node")
    func manyCalls() async throws {
        try await withPacks { _, registry in
            var nodes = [node("n0", "nodeflowtest.basic.Add", ["a": 0, "b": 1])]
            var edges: [EdgeSpec] = []
            for i in 1..<200 {
                nodes.append(node("n\(i)", "nodeflowtest.basic.Add", ["b": 1]))
                edges.append(edge("n\(i - 1)", "n\(i)", "a"))
            }
            nodes.append(node("out", "nodetool.output.IntegerOutput", ["name": "total"]))
            edges.append(edge("n199", "out", "value"))
            let start = ContinuousClock.now
            let outputs = try await run(Graph(nodes: nodes, edges: edges), registry: registry).0.get()
            #expect(outputs["total"] == 200)
            #expect(ContinuousClock.now - start < .seconds(60))
        }
    }
}

/// Runs blocking work on a thread outside Swift's cooperative pool.
func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try work() }) }
    }
}
