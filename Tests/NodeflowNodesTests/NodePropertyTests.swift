import Foundation
import Nodeflow
import NodeflowNodes
import PropertyBased
import Testing

/// Feeds every registered node type extreme and mistyped values for every property and checks
/// that each run ends in an orderly way: an output, a validation problem, a node error or a
/// cancellation — never a trap (which would end this process), never a hang.
///
/// The seed is fixed, so `swift test` runs the same cases each time. A longer search:
///
///     NODEFLOW_PROPERTY_CASES=400 NODEFLOW_PROPERTY_SEED=7 swift test --filter NodeProperty
@Suite("Every node type under hostile values", .timeLimit(.minutes(5)))
struct NodePropertyTests {
    static let cases = Int(ProcessInfo.processInfo.environment["NODEFLOW_PROPERTY_CASES"] ?? "") ?? 12
    static let seed = UInt64(ProcessInfo.processInfo.environment["NODEFLOW_PROPERTY_SEED"] ?? "") ?? 20_261_127

    /// Where SaveText and SaveList write during the test.
    static let scratch: String = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("nodeflow-property-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }()

    /// Values that broke nodes before, and their neighbours.
    static let extremes: [Value] = {
        var values: [Value] = [
            .int(.min), .int(.max), .int(0), .int(-1), .int(1), .int(Int(Int32.max) + 1),
            .float(1e308), .float(-1e308), .float(.nan), .float(.infinity), .float(-.infinity), .float(-0.0), .float(.leastNonzeroMagnitude),
            .null, .bool(true), .bool(false), .string(""), .string("{:9999999999}"), .string("{:.999999999f}"),
            .string("(a+)+$"), .string("$..*..*..*..*"), .string(String(repeating: "a", count: 46) + "!"),
            .string(String(repeating: "x", count: 20_000)), .string("{0}{1}{x}{"), .string("💥\u{0}\u{FFFF}"),
            .list([]), .list(Array(repeating: .int(7), count: 5_000)), .list([.int(.min), .float(.nan), .null, .string("a")]),
            .dict([:]), .dict(["type": "dataframe", "columns": .list([]), "data": .list([.list([.int(1)])])]),
            .dict(["type": "text", "uri": "data:text/plain,hi"]), .dict(["a": .dict(["b": .list([.int(1)])])]),
        ]
        values.append(.list(values))
        return values
    }()

    @Test("every property of every node type, extreme and mistyped values: each run ends in order")
    func everyNodeType() async throws {
        var rng = Xoshiro(seed: (Self.seed, 0x9E37_79B9_7F4A_7C15, 42, 7))
        let pick = Gen<Value?>.element(of: Self.extremes)
        let random = Gen.int(in: -1_000...1_000)
        let types = NodeRegistry.standard.allMetadata
        var outcomes: [String: Int] = [:]
        for _ in 0..<Self.cases {
            for meta in types {
                var data: [String: Value] = [:]
                for property in meta.properties {
                    // Mostly extremes; sometimes a plain small number, sometimes nothing.
                    switch random.run(using: &rng) % 4 {
                    case 0: data[property.name] = .int(random.run(using: &rng))
                    case 1: continue
                    default: data[property.name] = pick.run(using: &rng) ?? .null
                    }
                }
                // Nodes that save files write into a folder of this test's own, whatever the value.
                if meta.properties.contains(where: { $0.name == "folder" }) { data["folder"] = .string(Self.scratch) }
                let outcome = try await Self.runBounded(meta.type, data)
                outcomes[outcome, default: 0] += 1
            }
        }
        // The run covered every kind of end, so the values reached the nodes.
        #expect(outcomes["completed", default: 0] > 0)
        #expect(outcomes["failed", default: 0] > 0)
        #expect(outcomes["invalid", default: 0] > 0)
    }

    /// Runs one node; cancels it after a second; fails the test if it has not ended 9 s later.
    static func runBounded(_ type: String, _ data: [String: Value]) async throws -> String {
        let node = NodeSpec(id: "n", type: type, data: .init(uniqueKeysWithValues: data.sorted { $0.key < $1.key }))
        let runner = WorkflowRunner(jobID: "p", configuration: .init(registry: .standard))
        let context = ProcessingContext(limits: ValueLimits(maxListCount: 200_000, maxStringBytes: 4 << 20))
        let clock = ContinuousClock()
        let start = clock.now
        return try await withThrowingTaskGroup(of: String?.self) { group in
            group.addTask {
                for await _ in context.messages {}
                return nil
            }
            group.addTask {
                do {
                    try await runner.run(RunJobRequest(graph: Graph(nodes: [node])), context: context)
                    return "completed"
                } catch is GraphValidationError {
                    return "invalid"
                } catch is NodeFailure {
                    return "failed"
                } catch is CancellationError {
                    return "cancelled"
                }
            }
            group.addTask {
                // Ended early (the usual case) when the run's outcome cancels the group.
                if (try? await Task.sleep(for: .seconds(1))) != nil { runner.cancel() }
                return nil
            }
            var outcome: String?
            while let next = try await group.next() {
                if let next {
                    outcome = next
                    group.cancelAll()
                }
            }
            let elapsed = clock.now - start
            // A node that ignores the cancel would run far longer; the bound leaves room for a test
            // pool shared with slow suites on two cores.
            #expect(elapsed < .seconds(10), "\(type) with \(data.mapValues { $0.jsonString().prefix(60) }) took \(elapsed)")
            return outcome ?? "none"
        }
    }
}
