import Foundation
import Nodeflow
import NodeflowNodes
import Testing

/// The data, record-list and HTML nodes beyond the conformance cases: nodetool's 2025 list nodes,
/// errors that name what is wrong, hostile input.
@Suite("Data, record-list and HTML nodes")
struct DataNodeTests {
    /// Runs one node of `type` with `data` into a ListOutput or StringOutput; the job's result.
    func run(_ type: String, _ data: [String: Value], output: String = "nodetool.output.ListOutput", limits: ValueLimits = ValueLimits()) async throws -> Value? {
        let graph = Graph(
            nodes: [NodeSpec(id: "n", type: type, data: .init(uniqueKeysWithValues: data.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })),
                    NodeSpec(id: "o", type: output, data: ["name": "out"])],
            edges: [EdgeSpec(source: "n", target: "o", targetHandle: "value")])
        let runner = WorkflowRunner(jobID: "t", configuration: .init(registry: .standard))
        let context = ProcessingContext(limits: limits)
        async let drained: Void = { for await _ in context.messages {} }()
        let result: Result<Value?, any Error>
        do { result = .success(try await runner.run(RunJobRequest(graph: graph), context: context)["out"]) } catch { result = .failure(error) }
        await drained
        return try result.get()
    }

    func failure(_ type: String, _ data: [String: Value]) async -> String {
        do {
            let value = try await run(type, data)
            return "no error (\(value.map { "\($0)" } ?? "nil"))"
        } catch {
            return "\(error)"
        }
    }

    static let recordCases: [String] = {
        guard let value = try? StreamCase.read("nodes2025/record_list_nodes", ".json"), case .dict(let cases) = value else { return [] }
        return Array(cases.keys).sorted()
    }()

    @Test("nodetool's 2025 list nodes give what they gave in nodetool", arguments: recordCases)
    func recordListNodes(name: String) async throws {
        let all = try #require(StreamCase.read("nodes2025/record_list_nodes", ".json").dictValue)
        let testCase = try #require(all[name]?.dictValue)
        let type = try #require(testCase["type"]?.stringValue)
        let properties = testCase["properties"]?.dictValue ?? [:]
        let data = Dictionary(uniqueKeysWithValues: properties.map { ($0.key, $0.value) })
        if let error = testCase["error"]?.stringValue {
            let message = error.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? error
            #expect(await failure(type, data).contains(message))
        } else {
            #expect(try await run(type, data) == StreamCase.restoringNaN(testCase["output"] ?? .null))
        }
    }

    @Test("the record-list cases are present")
    func recordCasesPresent() {
        #expect(Self.recordCases.count >= 10)
    }

    static let failing: [(String, [String: Value], String)] = [
        ("nodetool.data.ImportCSV", ["csv_data": "a,b\n1,2,3\n"], "CSV line 2 has 3 fields, the header has 2"),
        ("nodetool.data.ImportCSV", ["csv_data": ""], "no columns"),
        ("nodetool.data.ImportCSV", ["csv_data": "a\n\"open"], "ends inside a quoted field"),
        ("nodetool.data.FromList", ["values": [1]], "List must contain dicts."),
        ("nodetool.data.FromList", ["values": [["a": ["no": 1]]]], "no 'value' key"),
        ("nodetool.data.JSONToDataframe", ["text": "{\"a\": 1}"], "column 'a' is int, not a list"),
        ("nodetool.data.JSONToDataframe", ["text": "{\"a\": [1], \"b\": [1, 2]}"], "All arrays must be of the same length"),
        ("nodetool.data.JSONToDataframe", ["text": "[1,"], "'text' is not valid JSON"),
        ("nodetool.data.Filter", ["df": frame, "condition": "age > 1"], "names 'age', which is not a column (columns: n, s)"),
        ("nodetool.data.Filter", ["df": frame, "condition": "n >"], "unexpected end at character 4"),
        ("nodetool.data.Filter", ["df": frame, "condition": "s > 1"], "compares str 'a' with int 1 using '>'"),
        ("nodetool.data.Filter", ["df": frame, "condition": "n + 1"], "gives int 2, not True or False"),
        ("nodetool.data.Filter", ["df": frame, "condition": "n.foo()"], ".foo(), which Nodeflow does not support"),
        ("nodetool.data.Filter", ["df": frame, "condition": ""], "the condition is empty"),
        ("nodetool.data.Filter", ["df": frame, "condition": .string(String(repeating: "(", count: 100_000) + "n")], "nesting deeper than 64"),
        ("nodetool.data.Filter", ["df": "not a frame", "condition": "n > 1"], "property 'df'"),
        ("nodetool.data.SelectColumn", ["dataframe": frame, "columns": "n, s"], "no column ' s'"),
        ("nodetool.data.SortByColumn", ["df": mixed, "column": "v"], "cannot sort column 'v'"),
        ("nodetool.data.Join", ["dataframe_a": frame, "dataframe_b": mixed, "join_on": "n"], "do not match columns"),
        ("nodetool.data.Aggregate", ["dataframe": frame, "columns": "n", "aggregation": "mode"], "Unknown aggregation function: mode"),
        ("nodetool.data.Aggregate", ["dataframe": frame, "columns": "n", "aggregation": "mean"], "agg function failed [how->mean]: column 's'"),
        ("nodetool.list.MapField", ["values": [1], "field": "a"], "property 'values' expects list[dict], but the file gives list [1]"),
        ("nodetool.list.MapTemplate", ["values": [[:]], "template": "{% for x in y %}"], "not a valid template"),
    ]

    static let frame: Value = ["type": "dataframe", "columns": [["name": "n"], ["name": "s"]], "data": [[1, "a"], [2, "b"]]]
    static let mixed: Value = ["type": "dataframe", "columns": [["name": "v"]], "data": [[1], ["x"]]]

    @Test("errors name what is wrong and where", arguments: 0..<failing.count)
    func errors(index: Int) async throws {
        let (type, data, message) = Self.failing[index]
        let error = await failure(type, data)
        #expect(error.contains(message), "\(type): \(error)")
    }

    @Test("Filter: a missing cell compares false, != true; isna and notna find it")
    func missingCells() async throws {
        let frame: Value = ["type": "dataframe", "columns": ["a"], "data": [[1.0], [.float(.nan)], [3.0]]]
        let rows = { (condition: String) async throws -> Int in
            let filtered = try await self.run("nodetool.data.Filter", ["df": frame, "condition": .string(condition)], output: "nodetool.output.DataframeOutput")
            return filtered?["data"]?.listValue?.count ?? -1
        }
        #expect(try await rows("a > 0") == 2)
        #expect(try await rows("a != 1") == 2)
        #expect(try await rows("a.isna()") == 1)
        #expect(try await rows("a.notna() and a < 2") == 1)
        #expect(try await rows("not a == 1") == 2)
    }

    @Test("text.Collect joins every item of a stream, the first included (nodetool loses it)")
    func textCollect() async throws {
        let graph = Graph(
            nodes: [NodeSpec(id: "l", type: "nodetool.constant.List", data: ["value": ["a", "b", "c"]]),
                    NodeSpec(id: "f", type: "nodetool.control.ForEach"),
                    NodeSpec(id: "c", type: "nodetool.text.Collect", data: ["separator": ", "]),
                    NodeSpec(id: "o", type: "nodetool.output.Output", data: ["name": "joined"])],
            edges: [EdgeSpec(source: "l", target: "f", targetHandle: "input_list"), EdgeSpec(source: "f", target: "c", targetHandle: "input_item"),
                    EdgeSpec(source: "c", target: "o", targetHandle: "value")])
        let runner = WorkflowRunner(jobID: "t", configuration: .init(registry: .standard))
        let context = ProcessingContext()
        async let drained: Void = { for await _ in context.messages {} }()
        let outputs = try await runner.run(RunJobRequest(graph: graph), context: context)
        await drained
        #expect(outputs["joined"] == ["a, b, c"])
    }

    @Test("HTML full of unclosed tags and comments is read in one pass")
    func hostileHTML() async throws {
        let html = String(repeating: "<a<b <!-- x <script ", count: 20_000)
        let start = ContinuousClock.now
        let text = try await run("nodetool.text.HtmlToText", ["html": .string(html)], output: "nodetool.output.StringOutput")
        let soup = try await run("lib.beautifulsoup.HTMLToText", ["text": .string(html)], output: "nodetool.output.StringOutput")
        #expect(text?.stringValue != nil && soup?.stringValue != nil)
        #expect(ContinuousClock.now - start < .seconds(20))  // quadratic scanning would take hours
    }

    @Test("HTML entities: named, decimal, hexadecimal, invalid code points, unknown names")
    func entities() async throws {
        let soup = try await run("lib.beautifulsoup.HTMLToText", ["text": "&eacute;&#233;&#xE9;&#xD800;&#99999999999;&bogus; &amp"], output: "nodetool.output.StringOutput")
        #expect(soup == "ééé\u{FFFD}\u{FFFD}&bogus &amp")
        let markdown = try await run("nodetool.text.HtmlToText", ["html": "&eacute;&#233;&#xE9;&#xD800;&#99999999999;&bogus; &amp x &lt"], output: "nodetool.output.StringOutput")
        #expect(markdown == "eee\u{FFFD}\u{FFFD}&bogus; & x &lt\n\n")
    }

    @Test("HTML nested so deep that its Markdown would be gigabytes fails at the size limit, quickly")
    func deepNesting() async throws {
        let limits = ValueLimits(maxStringBytes: 1 << 20)
        for piece in ["<blockquote>x", "<ul><li>x"] {
            let html = String(repeating: piece, count: 20_000)
            let start = ContinuousClock.now
            do {
                let text = try await run("nodetool.text.HtmlToText", ["html": .string(html)], output: "nodetool.output.StringOutput", limits: limits)
                Issue.record("\(piece): no error, \(text?.stringValue?.utf8.count ?? 0) bytes")
            } catch {
                #expect("\(error)".contains("the text"), "\(error)")
            }
            #expect(ContinuousClock.now - start < .seconds(20))
        }
        // End tags with nothing open to close are skipped without a scan of the open elements.
        let unmatched = String(repeating: "<div>", count: 30_000) + String(repeating: "</span>", count: 30_000) + "end"
        let start = ContinuousClock.now
        let soup = try await run("lib.beautifulsoup.HTMLToText", ["text": .string(unmatched), "preserve_linebreaks": false], output: "nodetool.output.StringOutput")
        #expect(soup == "end")
        #expect(ContinuousClock.now - start < .seconds(20))
    }

    @Test("a pivot whose index × columns passes the cell limit fails before it is built")
    func pivotLimit() async throws {
        let n = 4_000  // 4,000 × 4,001 cells: over the default limit of 10 million
        let rows: [Value] = (0..<n).map { i in .list([.int(i), .int(i), .int(1)]) }
        let frame: Value = ["type": "dataframe", "columns": ["r", "c", "v"], "data": .list(rows)]
        let error = await failure("nodetool.data.Pivot", ["dataframe": frame, "index": "r", "columns": "c", "values": "v", "aggfunc": "sum"])
        #expect(error.contains("the pivoted dataframe's cells"), "\(error)")
    }
}
