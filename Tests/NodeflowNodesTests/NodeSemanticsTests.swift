import Foundation
import Nodeflow
import NodeflowNodes
import Testing

/// Runs one node with the given data through the runner and returns its `output`, or throws the
/// node's failure (or the validation error).
func runNode(_ type: String, _ data: [String: Value]) async throws -> Value {
    let node = NodeSpec(id: "n", type: type, data: .init(uniqueKeysWithValues: data.sorted { $0.key < $1.key }))
    let runner = WorkflowRunner(jobID: "t", configuration: .init(registry: .standard))
    let context = ProcessingContext()
    async let messages: [ProcessingMessage] = {
        var all: [ProcessingMessage] = []
        for await m in context.messages { all.append(m) }
        return all
    }()
    do {
        try await runner.run(RunJobRequest(graph: Graph(nodes: [node])), context: context)
    } catch {
        _ = await messages
        throw error
    }
    for case .nodeUpdate(let u) in await messages where u.status == .completed {
        return u.result?["output"] ?? .null
    }
    throw NodeError("no result")
}

/// The reason a node failed, for error tests.
func failure(_ type: String, _ data: [String: Value]) async -> String {
    do {
        let value = try await runNode(type, data)
        return "no error, got \(value)"
    } catch let error as NodeFailure {
        return error.reason
    } catch {
        return "\(error)"
    }
}

@Suite("Math nodes", .timeLimit(.minutes(1)))
struct MathNodeTests {
    @Test("int stays int, float wins, division is true division", arguments: [
        ("nodetool.math.Add", 1, 2, Value.int(3)), ("nodetool.math.Add", 1, 2.5, .float(3.5)),
        ("nodetool.math.Subtract", 1, 3, .int(-2)), ("nodetool.math.Multiply", 4, 2.0, .float(8)),
        ("nodetool.math.Divide", 7, 2, .float(3.5)), ("nodetool.math.Divide", 6, 3, .float(2)),
        ("nodetool.math.Modulus", -7, 3, .int(2)), ("nodetool.math.Modulus", 7, -3, .int(-2)),
        ("nodetool.math.Modulus", -7.5, 2, .float(0.5)),
    ] as [(String, Value, Value, Value)])
    func binary(type: String, a: Value, b: Value, expected: Value) async throws {
        #expect(try await runNode(type, ["a": a, "b": b]) == expected)
    }

    @Test("power keeps ints, rejects negative int exponents")
    func power() async throws {
        #expect(try await runNode("nodetool.math.Power", ["base": 2, "exponent": 10]) == 1024)
        #expect(try await runNode("nodetool.math.Power", ["base": 2.0, "exponent": 0.5]) == .float(2.0.squareRoot()))
        #expect(await failure("nodetool.math.Power", ["base": 2, "exponent": -1]).contains("negative integer power"))
    }

    @Test("division and modulo by zero are clear node errors")
    func byZero() async {
        #expect(await failure("nodetool.math.Divide", ["a": 1, "b": 0]).contains("division by zero"))
        #expect(await failure("nodetool.math.Modulus", ["a": 1, "b": 0.0]).contains("modulo by zero"))
    }

    @Test("sqrt in single precision, as numpy float32; negative is an error")
    func sqrt() async throws {
        #expect(try await runNode("nodetool.math.Sqrt", ["x": 2]) == .float(Double(Float(2).squareRoot())))
        #expect(await failure("nodetool.math.Sqrt", ["x": -1]).contains("negative"))
    }

    @Test("lists work element-wise, the shorter padded with zeros; a scalar broadcasts")
    func elementWise() async throws {
        #expect(try await runNode("nodetool.math.Add", ["a": [1, 2, 3], "b": [10, 20]]) == [11, 22, 3])
        #expect(try await runNode("nodetool.math.Multiply", ["a": [1, 2.5], "b": 2]) == [2, 5.0])
        #expect(try await runNode("nodetool.math.Cosine", ["angle_rad": [0, 0]]) == [1.0, 1.0])
        #expect(await failure("nodetool.math.Add", ["a": [1, "x"], "b": 1]).contains("numbers only"))
    }
}

@Suite("Text nodes", .timeLimit(.minutes(1)))
struct TextNodeTests {
    @Test("concat, join, replace, split with unicode")
    func basics() async throws {
        #expect(try await runNode("nodetool.text.Concat", ["a": "héllo ", "b": "wörld 😀"]) == "héllo wörld 😀")
        #expect(try await runNode("nodetool.text.Join", ["strings": ["a", "b", "c"], "separator": "-"]) == "a-b-c")
        #expect(await failure("nodetool.text.Join", ["strings": ["a", 1]]).contains("item 1"))
        #expect(try await runNode("nodetool.text.Replace", ["text": "a.b.c", "old": ".", "new": "::"]) == "a::b::c")
        #expect(try await runNode("nodetool.text.Split", ["text": "a,,b", "delimiter": ","]) == ["a", "", "b"])
        #expect(await failure("nodetool.text.Split", ["text": "a", "delimiter": ""]).contains("delimiter"))
    }

    @Test("templates follow str.format: names, positions, escapes, specs")
    func template() async throws {
        #expect(try await runNode("nodetool.text.Template", ["string": "{a} and {b}", "values": ["a": 1, "b": 2.0]]) == "1 and 2.0")
        #expect(try await runNode("nodetool.text.Template", ["string": "{1}{0}{{x}}", "values": ["x", "y"]]) == "yx{x}")
        #expect(try await runNode("nodetool.text.Template", ["string": "[{}]", "values": "solo"]) == "[solo]")
        #expect(try await runNode("nodetool.text.Template", ["string": "{v:.2f}|{n:>4}|{s!r}|{l}", "values": ["v": 3.14159, "n": 7, "s": "q", "l": [1, nil, true]]]) == "3.14|   7|'q'|[1, None, True]")
        #expect(await failure("nodetool.text.Template", ["string": "{missing}", "values": ["a": 1]]).contains("no key 'missing'"))
    }

    @Test("extract and chunk use Python slicing and word chunks")
    func extractChunk() async throws {
        #expect(try await runNode("nodetool.text.Extract", ["text": "héllo wörld", "start": -5, "end": 11]) == "wörld")
        #expect(try await runNode("nodetool.text.Chunk", ["text": "a b c d e", "length": 2, "overlap": 1]) == ["a b", "b c", "c d", "d e", "e"])
        #expect(await failure("nodetool.text.Chunk", ["text": "a", "length": 2, "overlap": 2]).contains("overlap"))
    }

    @Test("regular expressions with Python's flags and findall shapes")
    func regex() async throws {
        #expect(try await runNode("nodetool.text.ExtractRegex", ["text": "id=42 name=x", "regex": "id=(\\d+) name=(\\w)"]) == ["42", "x"])
        #expect(try await runNode("nodetool.text.ExtractRegex", ["text": "nothing", "regex": "(\\d)"]) == [])
        #expect(try await runNode("nodetool.text.FindAllRegex", ["text": "A1 b2 C3", "regex": "[a-z]\\d", "ignorecase": true]) == ["A1", "b2", "C3"])
        #expect(try await runNode("nodetool.text.FindAllRegex", ["text": "k=v; x=y", "regex": "(\\w)=(\\w)"]) == [["k", "v"], ["x", "y"]])
        #expect(try await runNode("nodetool.text.FindAllRegex", ["text": "a\nb", "regex": "^\\w$", "multiline": true]) == ["a", "b"])
        #expect(await failure("nodetool.text.FindAllRegex", ["text": "a", "regex": "("]).contains("not a valid regular expression"))
    }

    @Test("JSON parsing and JSONPath")
    func json() async throws {
        #expect(try await runNode("nodetool.text.ParseJSON", ["text": "{\"a\": [1, 2.5]}"]) == ["a": [1, 2.5]])
        #expect(await failure("nodetool.text.ParseJSON", ["text": "{oops"]).contains("not valid JSON"))
        let doc: Value = "{\"items\": [{\"n\": 1}, {\"n\": 2}], \"meta\": {\"n\": 3}}"
        #expect(try await runNode("nodetool.text.ExtractJSON", ["text": doc, "json_path": "$.items[1].n"]) == 2)
        #expect(try await runNode("nodetool.text.ExtractJSON", ["text": doc, "json_path": "$.items[*].n", "find_all": true]) == [1, 2])
        #expect(try await runNode("nodetool.text.ExtractJSON", ["text": doc, "json_path": "$..n", "find_all": true]) == [1, 2, 3])
        #expect(await failure("nodetool.text.ExtractJSON", ["text": doc, "json_path": "$.nope"]).contains("matches nothing"))
    }

    @Test("text references are read from data: and file:// uris")
    func references() async throws {
        let dataRef: Value = ["type": "text", "uri": "data:text/plain;base64,aMOpbGxv", "asset_id": nil, "data": nil]
        #expect(try await runNode("nodetool.text.Concat", ["a": dataRef, "b": "!"]) == "héllo!")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("nodeflow-\(UUID()).txt")
        try "from a file".write(to: path, atomically: true, encoding: .utf8)
        let fileRef: Value = ["type": "text", "uri": .string(path.absoluteString), "asset_id": nil, "data": nil]
        #expect(try await runNode("nodetool.text.Concat", ["a": fileRef]) == "from a file")
    }

    @Test("SaveText writes a file and references it")
    func saveText() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nodeflow-\(UUID())").path
        let ref = try await runNode("nodetool.text.SaveText", ["value": "saved", "folder": .string(folder), "name": "out.txt"])
        #expect(ref["type"] == "text")
        #expect(try String(contentsOfFile: folder + "/out.txt", encoding: .utf8) == "saved")
    }
}

@Suite("List nodes", .timeLimit(.minutes(1)))
struct ListNodeTests {
    @Test("Python slices", arguments: [
        (Value.null, Value.null, Value.int(-1), Value.list([5, 4, 3, 2, 1])),
        (-2, nil, 1, [4, 5]), (1, 5, 2, [2, 4]), (0, 0, 1, []), (-1, -4, -1, [5, 4, 3]), (10, nil, 1, []),
    ] as [(Value, Value, Value, Value)])
    func slice(start: Value, stop: Value, step: Value, expected: Value) async throws {
        #expect(try await runNode("nodetool.list.Slice", ["values": [1, 2, 3, 4, 5], "start": start, "stop": stop, "step": step]) == expected)
    }

    @Test("indexing, selecting, appending, extending, reversing, length")
    func basics() async throws {
        #expect(try await runNode("nodetool.list.GetElement", ["values": [1, 2, 3], "index": -1]) == 3)
        #expect(await failure("nodetool.list.GetElement", ["values": [], "index": 0]).contains("out of range"))
        #expect(try await runNode("nodetool.list.SelectElements", ["values": ["a", "b", "c"], "indices": [2, 0, -1]]) == ["c", "a", "c"])
        #expect(try await runNode("nodetool.list.Append", ["values": [1], "value": "x"]) == [1, "x"])
        #expect(try await runNode("nodetool.list.Extend", ["values": [1], "other_values": [2, 3]]) == [1, 2, 3])
        #expect(try await runNode("nodetool.list.Reverse", ["values": [1, 2, 3]]) == [3, 2, 1])
        #expect(try await runNode("nodetool.list.Length", ["values": []]) == 0)
        #expect(try await runNode("nodetool.list.GenerateSequence", ["start": 5, "stop": 0, "step": -2]) == [5, 3, 1])
    }

    @Test("dedupe keeps first occurrences, as Python compares numbers")
    func dedupe() async throws {
        #expect(try await runNode("nodetool.list.Dedupe", ["values": [3, 1, 1.0, true, 2, "a", "a", 3]]) == [3, 1, 2, "a"])
    }

    @Test("sort ascending and descending, stable; mixed kinds are an error")
    func sort() async throws {
        #expect(try await runNode("nodetool.list.Sort", ["values": [3, 1.5, 2]]) == [1.5, 2, 3])
        #expect(try await runNode("nodetool.list.Sort", ["values": ["b", "B", "a"], "order": "descending"]) == ["b", "a", "B"])
        #expect(await failure("nodetool.list.Sort", ["values": [1, "a"]]).contains("mixes"))
    }

    @Test("randomize with a seed is repeatable and a permutation")
    func randomize() async throws {
        let values: Value = .list((0..<20).map(Value.int))
        let first = try await runNode("nodetool.list.Randomize", ["values": values, "seed": 7])
        #expect(try await runNode("nodetool.list.Randomize", ["values": values, "seed": 7]) == first)
        #expect(first != values)
        #expect(Set(first.listValue ?? []) == Set(values.listValue!))
    }
}

@Suite("Dictionary and boolean nodes", .timeLimit(.minutes(1)))
struct DictionaryBooleanNodeTests {
    @Test("dictionary nodes")
    func dictionaries() async throws {
        #expect(try await runNode("nodetool.dictionary.GetValue", ["dictionary": ["a": 1], "key": "b", "default": "none"]) == "none")
        #expect(try await runNode("nodetool.dictionary.Update", ["dictionary": ["a": 1], "new_pairs": ["a": 2, "b": 3]]) == ["a": 2, "b": 3])
        #expect(try await runNode("nodetool.dictionary.Remove", ["dictionary": ["a": 1, "b": 2], "key": "a"]) == ["b": 2])
        #expect(try await runNode("nodetool.dictionary.Zip", ["keys": ["a", 1], "values": [true, false, nil]]) == ["a": true, "1": false])
        #expect(try await runNode("nodetool.dictionary.Combine", ["dict_a": ["a": 1, "b": 1], "dict_b": ["b": 2]]) == ["a": 1, "b": 2])
        #expect(try await runNode("nodetool.dictionary.Filter", ["dictionary": ["a": 1, "b": 2], "keys": ["b", "z"]]) == ["b": 2])
        #expect(try await runNode("nodetool.dictionary.ParseJSON", ["json_string": "{\"k\": 1}"]) == ["k": 1])
        #expect(await failure("nodetool.dictionary.ParseJSON", ["json_string": "[1]"]).contains("not a JSON object"))
    }

    @Test("reduce dictionaries: first, last, error")
    func reduce() async throws {
        let rows: Value = [["id": "x", "v": 1], ["id": "y", "v": 2], ["id": "x", "v": 3]]
        #expect(try await runNode("nodetool.dictionary.ReduceDictionaries", ["dictionaries": rows, "key_field": "id", "value_field": "v"]) == ["x": 1, "y": 2])
        #expect(try await runNode("nodetool.dictionary.ReduceDictionaries", ["dictionaries": rows, "key_field": "id", "conflict_resolution": "last"]) == ["x": ["v": 3], "y": ["v": 2]])
        #expect(await failure("nodetool.dictionary.ReduceDictionaries", ["dictionaries": rows, "key_field": "id", "conflict_resolution": "error"]).contains("duplicate key 'x'"))
    }

    @Test("logical operators", arguments: [("and", false), ("or", true), ("xor", true), ("nand", true), ("nor", false)])
    func logical(operation: String, expected: Bool) async throws {
        #expect(try await runNode("nodetool.boolean.LogicalOperator", ["a": true, "b": false, "operation": .string(operation)]) == .bool(expected))
    }

    @Test("compare, if, is-none, is-in, all, some — including the nodes nodetool 0.5.3 cannot build")
    func booleans() async throws {
        #expect(try await runNode("nodetool.boolean.Not", ["value": true]) == false)
        #expect(try await runNode("nodetool.boolean.Compare", ["a": 1, "b": 1.0, "comparison": "=="]) == true)
        #expect(try await runNode("nodetool.boolean.Compare", ["a": "a", "b": "b", "comparison": ">="]) == false)
        #expect(await failure("nodetool.boolean.Compare", ["a": "a", "b": 1, "comparison": "<"]).contains("cannot compare"))
        #expect(try await runNode("nodetool.boolean.If", ["condition": true, "if_true": "yes", "if_false": "no"]) == "yes")
        #expect(try await runNode("nodetool.boolean.IsNone", ["value": nil]) == true)
        #expect(try await runNode("nodetool.boolean.IsIn", ["value": 2.0, "options": [1, 2]]) == true)
        #expect(try await runNode("nodetool.boolean.All", ["values": []]) == true)
        #expect(try await runNode("nodetool.boolean.Some", ["values": [false, true]]) == true)
    }

    @Test("a required property with no value is a validation error, not a crash")
    func requiredMissing() async {
        let error = await failure("nodetool.boolean.If", ["condition": true])
        #expect(error.contains("needs a value for 'if_true'"))
    }
}

@Suite("Inputs, outputs, dataframes", .timeLimit(.minutes(1)))
struct InputOutputDataframeTests {
    @Test("numeric inputs clamp to min and max, as nodetool's do")
    func clamp() async throws {
        #expect(try await runNode("nodetool.input.IntegerInput", ["value": 500]) == 100)
        #expect(try await runNode("nodetool.input.FloatInput", ["value": -5.0, "min": -1.0]) == .float(-1))
        // min(max(-5.0, 0), 100) is the int 0 in Python; an int value stays an int.
        #expect(try await runNode("nodetool.input.FloatInput", ["value": -5.0, "min": 0]) == .int(0))
        #expect(try await runNode("nodetool.input.FloatInput", ["value": 3]) == .int(3))
    }

    @Test("a value of the wrong type names the node, property and value")
    func badValue() async {
        let error = await failure("nodetool.output.IntegerOutput", ["value": 3.5])
        #expect(error.contains("node 'n'") && error.contains("'value'") && error.contains("3.5"))
    }

    @Test("CSV into a dataframe and back; JSON into a dataframe")
    func dataframes() async throws {
        let csv = "name,score,note\nada,3,\"a, b\"\nbob,4.5,\"say \"\"hi\"\"\"\n"
        let frame = try await runNode("nodeflow.dataframe.FromCSV", ["text": .string(csv)])
        #expect(frame["data"] == [["ada", 3, "a, b"], ["bob", 4.5, "say \"hi\""]])
        #expect(frame["columns"]?.listValue?.map { $0["data_type"] } == ["string", "float", "string"])
        #expect(try await runNode("nodeflow.dataframe.ToCSV", ["dataframe": frame]) == .string(csv))
        let fromJSON = try await runNode("nodetool.text.JSONToDataframe", ["text": "[{\"a\": 1}, {\"a\": 2, \"b\": \"x\"}]"])
        #expect(fromJSON["data"] == [[1, nil], [2, "x"]])
        #expect(await failure("nodeflow.dataframe.FromCSV", ["text": "a,b\n1\n"]).contains("row 2"))
    }

    @Test("a Loop over a dataframe gets each row as a dict with its index")
    func loopOverDataframe() async throws {
        let frame: Value = ["type": "dataframe", "columns": [["name": "x", "data_type": "int"]], "data": [[10], [20]]]
        let graph = Graph(
            nodes: [
                NodeSpec(id: "df", type: "nodetool.constant.DataFrame", data: ["value": frame]),
                NodeSpec(id: "loop", type: "nodetool.group.Loop"),
                NodeSpec(id: "row", type: "nodetool.input.GroupInput", parentID: "loop"),
                NodeSpec(id: "out", type: "nodetool.output.GroupOutput", parentID: "loop"),
                NodeSpec(id: "result", type: "nodetool.output.ListOutput", data: ["name": "rows"]),
            ],
            edges: [
                EdgeSpec(source: "df", target: "loop", targetHandle: "input"), EdgeSpec(source: "row", target: "out", targetHandle: "input"),
                EdgeSpec(source: "loop", target: "result", targetHandle: "value"),
            ])
        let runner = WorkflowRunner(jobID: "df", configuration: .init(registry: .standard))
        let context = ProcessingContext()
        async let drained: Void = { for await _ in context.messages {} }()
        let outputs = try await runner.run(RunJobRequest(graph: graph), context: context)
        await drained
        #expect(outputs["rows"] == [["x": 10, "index": 0], ["x": 20, "index": 1]])
    }

    @Test("every node type declares typed, described properties and outputs")
    func metadata() {
        for meta in NodeRegistry.standard.allMetadata {
            #expect(!meta.description.isEmpty, "\(meta.type) has no description")
            for property in meta.properties {
                #expect(!property.description.isEmpty, "\(meta.type).\(property.name) has no description")
                if let d = property.defaultValue { #expect(property.type.accepts(d), "\(meta.type).\(property.name) default \(d) is not \(property.type)") }
            }
        }
    }
}

@Suite("Pass-through nodes", .timeLimit(.minutes(1)))
struct PassThroughNodeTests {
    static let image: Value = ["type": "image", "uri": "file:///tmp/x.png", "asset_id": nil, "data": nil]

    @Test("constants, inputs and outputs holding references pass their value through unchanged", arguments: [
        ("nodetool.constant.Bool", Value.bool(true)), ("nodetool.constant.Integer", 7), ("nodetool.constant.Float", 2.5),
        ("nodetool.constant.String", "s"), ("nodetool.constant.List", [1, "a"]), ("nodetool.constant.Dict", ["k": 1]),
        ("nodetool.constant.Text", ["type": "text", "uri": "", "asset_id": nil, "data": "hi"]), ("nodetool.constant.Image", image),
        ("nodetool.constant.Audio", ["type": "audio", "uri": "data:audio/wav;base64,AA==", "asset_id": nil, "data": nil]),
        ("nodetool.constant.Video", ["type": "video", "uri": "file:///v.mp4", "asset_id": "v1", "data": nil]),
        ("nodetool.constant.DataFrame", ["type": "dataframe", "columns": [["name": "a", "data_type": "int"]], "data": [[1]]]),
        ("nodetool.input.BooleanInput", true), ("nodetool.input.StringInput", "x"), ("nodetool.input.TextInput", "plain text"),
        ("nodetool.input.ChatInput", [["role": "user", "content": "hi"]]), ("nodetool.input.ImageInput", image),
        ("nodetool.input.AudioInput", ["type": "audio", "uri": "", "asset_id": nil, "data": nil]),
        ("nodetool.input.VideoInput", ["type": "video", "uri": "", "asset_id": nil, "data": nil]),
        ("nodetool.output.ImageOutput", image), ("nodetool.output.AudioOutput", ["type": "audio", "uri": "", "asset_id": nil, "data": nil]),
        ("nodetool.output.VideoOutput", ["type": "video", "uri": "", "asset_id": nil, "data": nil]),
        ("nodetool.output.DataframeOutput", ["type": "dataframe", "columns": [], "data": []]), ("nodetool.output.TensorOutput", [1.0, 2.0]),
        ("nodetool.output.TextOutput", "t"), ("nodetool.output.BooleanOutput", false), ("nodetool.output.StringOutput", "o"),
        ("nodetool.output.DictionaryOutput", ["a": nil]), ("nodetool.output.ListOutput", []),
        ("nodetool.workflows.base_node.Preview", ["shown": 1]),
    ] as [(String, Value)])
    func passThrough(type: String, value: Value) async throws {
        #expect(try await runNode(type, ["value": value]) == value)
    }

    @Test("a reference of the wrong kind is refused before anything runs")
    func wrongKind() async {
        let error = await failure("nodetool.output.ImageOutput", ["value": ["type": "audio", "uri": ""]])
        #expect(error.contains("expects image"))
    }

    @Test("TextID gives the asset id; SaveList writes one item per line; Comment does nothing")
    func others() async throws {
        #expect(try await runNode("nodetool.text.TextID", ["text": ["type": "text", "uri": "", "asset_id": "a7", "data": nil]]) == "a7")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nodeflow-\(UUID())").path
        let ref = try await runNode("nodetool.list.SaveList", ["values": [1, "two", 3.5], "folder": .string(folder), "name": "l.txt"])
        #expect(ref["uri"]?.stringValue?.hasSuffix("/l.txt") == true)
        #expect(try String(contentsOfFile: folder + "/l.txt", encoding: .utf8) == "1\ntwo\n3.5")
        let runner = WorkflowRunner(jobID: "c", configuration: .init(registry: .standard))
        let context = ProcessingContext()
        async let drained: Void = { for await _ in context.messages {} }()
        let outputs = try await runner.run(RunJobRequest(graph: Graph(nodes: [NodeSpec(id: "c", type: "nodetool.workflows.base_node.Comment", data: ["headline": "note"])])), context: context)
        await drained
        #expect(outputs.isEmpty)
        #expect(runner.status == .completed)
    }
}
