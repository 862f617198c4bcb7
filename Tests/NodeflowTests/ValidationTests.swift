import Nodeflow
import NodeflowNodes
import Testing

@Suite("Validation")
struct ValidationTests {
    let validator = GraphValidator(registry: testRegistry(), gpuSlots: 0)

    func problems(_ graph: Graph, params: [String: Value] = [:]) -> [ValidationProblem] {
        validator.problems(in: graph, params: .init(uniqueKeysWithValues: params.sorted { $0.key < $1.key }))
    }

    @Test("a valid graph has no problems")
    func valid() {
        let graph = Graph(nodes: [node("a", "nodetool.math.Add"), node("b", "nodetool.math.Add")], edges: [edge("a", "b", "a")])
        #expect(problems(graph).isEmpty)
    }

    @Test("duplicate node ids")
    func duplicates() {
        let found = problems(Graph(nodes: [node("a", "nodetool.math.Add"), node("a", "nodetool.math.Add")]))
        #expect(found.map(\.kind) == [.duplicateNodeID])
        #expect(found[0].nodeID == "a")
    }

    @Test("types of namespaces Nodeflow has nothing of are reported once per namespace; renamed types hint their other name")
    func packsAndRenames() {
        let found = problems(Graph(nodes: [
            node("sd", "huggingface.text_to_image.StableDiffusion"), node("w", "huggingface.asr.Whisper"), node("w2", "huggingface.asr.Whisper"),
            node("agent", "nodetool.agents.Agent"), node("fmt", "nodetool.text.FormatTxt"), node("typed", "nodetool.output.Output2"),
            node("old", "nodetool.boolean.If2"),
        ]))
        let packs = found.filter { $0.message.contains("a namespace of nodetool's Python nodes") }
        #expect(packs.count == 2)
        #expect(packs.first { $0.message.contains("'huggingface'") }?.message.contains("3 nodes use types") == true)
        #expect(packs.first { $0.message.contains("'huggingface'") }?.message.contains("huggingface.asr.Whisper (nodes 'w', 'w2')") == true)
        #expect(packs.contains { $0.message.contains("'nodetool.agents'") && $0.nodeID == "agent" })
        // Each names the distribution to install and how.
        #expect(packs.first { $0.message.contains("'huggingface'") }?.message.contains("(nodetool-huggingface: pip install nodetool-huggingface)") == true)
        #expect(packs.first { $0.message.contains("'nodetool.agents'") }?.message.contains("(nodetool-base: pip install git+https://github.com/nodetool-ai/nodetool-base)") == true)
        // A typo in a namespace is a typo, not a pack.
        let typo = problems(Graph(nodes: [node("t", "nodetool.txt.FormatText")]))
        #expect(typo.first?.message.contains("did you mean 'nodetool.text.FormatText'?") == true)
        // A near miss in a namespace Nodeflow has is a typo, with the nearest name.
        #expect(found.first { $0.nodeID == "fmt" }?.message.contains("did you mean 'nodetool.text.FormatText'?") == true)
        // A registry with one generation's name only: the other name is the hint.
        var older = NodeRegistry()
        older.register(StandardNodes.all.filter { $0.metadata.type != "nodetool.text.FormatText" })
        let renamed = GraphValidator(registry: older).problems(in: Graph(nodes: [node("f", "nodetool.text.FormatText")]), params: [:])
        #expect(renamed.first?.message.contains("did you mean 'nodetool.text.Template' (its name in the other generation of nodetool's library)?") == true)
    }

    @Test("unknown node type, with the nearest name as a hint")
    func unknownType() {
        let found = problems(Graph(nodes: [node("n", "nodetool.math.Ad")]))
        #expect(found.map(\.kind) == [.unknownNodeType])
        #expect(found[0].message.contains("did you mean 'nodetool.math.Add'?"))
    }

    @Test("unknown slots and unknown properties are problems; an edge to a missing node is dropped with a warning")
    func badEdges() throws {
        let graph = Graph(
            nodes: [node("a", "nodetool.math.Add"), node("b", "nodetool.math.Add")],
            edges: [edge("a", "ghost", "a"), edge("a", "b", "nope"), edge("a", "b", "a", slot: "bogus")])
        let found = problems(graph)
        #expect(Set(found.map(\.kind)) == [.unknownProperty, .unknownOutputSlot])
        let dropped = try GraphValidator(registry: testRegistry()).compile(Graph(nodes: [node("a", "nodetool.math.Add")], edges: [edge("a", "ghost", "a"), edge("ghost", "a", "b")]))
        #expect(dropped.warnings.count == 2)
        #expect(dropped.warnings.allSatisfy { $0.contains("which does not exist; the edge is ignored") })
        #expect(found.first { $0.kind == .unknownProperty }?.property == "nope")
        #expect(found.allSatisfy { $0.edge != nil })
    }

    @Test("types that cannot flow along an edge; int into float is fine")
    func edgeTypes() {
        let graph = Graph(
            nodes: [node("s", "nodetool.constant.String"), node("i", "nodetool.constant.Integer"), node("f", "nodetool.output.FloatOutput", ["name": "f"]), node("g", "nodetool.output.FloatOutput", ["name": "g"])],
            edges: [edge("s", "f", "value"), edge("i", "g", "value")])
        let found = problems(graph)
        #expect(found.map(\.kind) == [.incompatibleEdgeType])
        #expect(found[0].nodeID == "f")
    }

    @Test("a property value of the wrong type names node and property")
    func badValue() {
        let found = problems(Graph(nodes: [node("a", "nodetool.math.Add", ["a": "abc"])]))
        #expect(found.map(\.kind) == [.invalidPropertyValue])
        #expect(found[0].nodeID == "a" && found[0].property == "a")
    }

    @Test("a cycle is reported with its node ids")
    func cycle() {
        let graph = Graph(
            nodes: ["x", "a", "b", "c"].map { node($0, "nodetool.math.Add") },
            edges: [edge("x", "a", "a"), edge("a", "b", "a"), edge("b", "c", "a"), edge("c", "a", "b")])
        let found = problems(graph)
        #expect(found.map(\.kind) == [.cycle])
        #expect(found[0].message.hasSuffix("a -> b -> c -> a"))
    }

    @Test("a required input with no value and no edge")
    func required() {
        struct NeedsInput: Node {
            static let metadata = NodeMetadata(type: "test.NeedsInput", properties: [PropertyDescriptor("x", .int)])
            func process(_ context: NodeContext) async throws -> NodeOutputs { NodeOutputs(context["x"]) }
        }
        var registry = testRegistry()
        registry.register(NeedsInput.self)
        let v = GraphValidator(registry: registry, gpuSlots: 0)
        let missing = v.problems(in: Graph(nodes: [node("n", "test.NeedsInput")]))
        #expect(missing.map(\.kind) == [.missingRequiredInput])
        #expect(missing[0].property == "x")
        #expect(v.problems(in: Graph(nodes: [node("n", "test.NeedsInput", ["x": 1])])).isEmpty)
        #expect(v.problems(in: Graph(nodes: [node("c", "nodetool.constant.Integer"), node("n", "test.NeedsInput")], edges: [edge("c", "n", "x")])).isEmpty)
    }

    @Test("a Loop without a GroupInput")
    func loopWithoutInput() {
        let graph = Graph(nodes: [node("l", "nodetool.group.Loop"), node("o", "nodetool.output.GroupOutput", parent: "l")])
        #expect(problems(graph).map(\.kind) == [.loopWithoutGroupInput])
    }

    @Test("an edge out of a loop body, and a parent that is not a loop")
    func groupStructure() {
        let graph = Graph(
            nodes: [node("l", "nodetool.group.Loop"), node("in", "nodetool.input.GroupInput", parent: "l"), node("x", "nodetool.math.Add"), node("y", "nodetool.math.Add", parent: "x")],
            edges: [edge("in", "x", "a")])
        #expect(Set(problems(graph).map(\.kind)) == [.edgeLeavesGroup, .invalidParent])
    }

    @Test("a GPU node on a host without a GPU")
    func noGPU() {
        let found = problems(Graph(nodes: [node("g", "test.GPU")]))
        #expect(found.map(\.kind) == [.resourceUnavailable])
        #expect(GraphValidator(registry: testRegistry(), gpuSlots: 1).problems(in: Graph(nodes: [node("g", "test.GPU")])).isEmpty)
    }

    @Test("unknown params and params of the wrong type")
    func params() {
        let graph = Graph(nodes: [node("i", "nodetool.input.IntegerInput", ["name": "n"])])
        #expect(problems(graph, params: ["n": 3]).isEmpty)
        let unknown = problems(graph, params: ["m": 3])
        #expect(unknown.map(\.kind) == [.unknownParam])
        #expect(unknown[0].message.contains("'n'"))
        #expect(problems(graph, params: ["n": "three"]).map(\.kind) == [.invalidParam])
    }

    @Test("every problem is reported at once")
    func allAtOnce() {
        let graph = Graph(
            nodes: [node("a", "nodetool.math.Add", ["a": "x"]), node("a", "nope.Node"), node("b", "nodetool.math.Add")],
            edges: [edge("b", "a", "nope")])
        // A duplicate id, a type of a namespace Nodeflow lacks, a mistyped value, an unknown property.
        #expect(problems(graph).map(\.kind).sorted { $0.rawValue < $1.rawValue } == [.duplicateNodeID, .invalidPropertyValue, .unknownNodeType, .unknownProperty])
    }
}

/// The shapes of workflow files besides the usual one.
@Suite("Workflow file formats")
struct WorkflowFormatTests {
    @Test("values under \"properties\" (the newer format) as well as \"data\"; properties win")
    func properties() throws {
        let workflow = try Workflow(json: #"{"graph": {"nodes": [{"id": "a", "type": "nodetool.math.Add", "properties": {"a": 2, "b": 3}}, {"id": "b", "type": "nodetool.math.Add", "data": {"a": 1}, "properties": {"a": 5}}], "edges": []}}"#)
        #expect(workflow.graph.nodes[0].data == ["a": 2, "b": 3])
        #expect(workflow.graph.nodes[1].data == ["a": 5])
        #expect(throws: WorkflowFormatError.self) { try Workflow(json: #"{"graph": {"nodes": [{"id": "a", "type": "t", "properties": 3}], "edges": []}}"#) }
    }

    @Test("nodetool's compact form: references become edges")
    func compact() throws {
        let workflow = try Workflow(json: #"{"x": {"type": "nodetool.constant.Integer", "data": {"value": 4}}, "sum": {"type": "nodetool.math.Add", "data": {"a": ["x", "output"], "b": 1}}, "keep": {"type": "nodetool.constant.List", "data": {"value": ["not", "an edge"]}}}"#)
        #expect(workflow.graph.nodes.map(\.id) == ["x", "sum", "keep"])
        #expect(workflow.graph.edges.count == 1)
        #expect(workflow.graph.edges.first?.source == "x" && workflow.graph.edges.first?.targetHandle == "a")
        #expect(workflow.graph.nodes[1].data == ["b": 1])
        #expect(workflow.graph.nodes[2].data == ["value": ["not", "an edge"]])
        let plan = try GraphValidator(registry: testRegistry()).compile(workflow.graph)
        #expect(plan.nodes.count == 3)
    }

    @Test("a ComfyUI file is named as one", arguments: [
        (#"{"last_node_id": 9, "last_link_id": 9, "nodes": [], "links": []}"#, "UI format"),
        (#"{"3": {"class_type": "KSampler", "inputs": {"seed": 1}}, "4": {"class_type": "CheckpointLoaderSimple", "inputs": {}}}"#, "API format"),
    ])
    func comfyUI(json: String, kind: String) {
        do {
            _ = try Workflow(json: json)
            Issue.record("read as a nodetool workflow")
        } catch {
            #expect("\(error)".contains("ComfyUI workflow (\(kind))"))
        }
    }

    @Test("a control edge is a problem naming the edge, not silently a data edge")
    func controlEdge() {
        var graph = Graph(nodes: [node("a", "nodetool.math.Add"), node("b", "nodetool.math.Add")], edges: [edge("a", "b", "a")])
        graph.edges[0].otherFields["edge_type"] = "control"
        let problems = GraphValidator(registry: testRegistry()).problems(in: graph, params: [:])
        #expect(problems.map(\.kind) == [.unsupportedEdge])
        #expect(problems.first?.message.contains("'control' edge") == true)
        graph.edges[0].otherFields["edge_type"] = "data"
        #expect(GraphValidator(registry: testRegistry()).problems(in: graph, params: [:]).isEmpty)
    }

    let validator = GraphValidator(registry: testRegistry(), gpuSlots: 0)

    func problems(_ graph: Graph) -> [ValidationProblem] { validator.problems(in: graph, params: [:]) }

    @Test("dynamic outputs: edges from the names a file lists run for a type that has them, and are a problem for one that has not")
    func dynamicOutputs() async throws {
        var graph = Graph(
            nodes: [node("d", "test.DynamicOutputs"), node("o", "nodetool.output.IntegerOutput", ["name": "len"])],
            edges: [EdgeSpec(source: "d", sourceHandle: "summary", target: "o", targetHandle: "value")])
        graph.nodes[0].otherFields["dynamic_outputs"] = ["summary": ["type": "int"]]
        graph.nodes[0].otherFields["dynamic_properties"] = [:]
        #expect(problems(graph).isEmpty)
        graph.nodes[0].data["names"] = ["summary"]
        // `names` is not declared: a value the type ignores (a warning), yet the node reads it.
        let context = ProcessingContext()
        async let drained: Void = { for await _ in context.messages {} }()
        let outputs = try await WorkflowRunner(jobID: "dyn", configuration: .init(registry: testRegistry())).run(RunJobRequest(graph: graph), context: context)
        await drained
        #expect(outputs["len"] == 7)

        graph.nodes[0].type = "nodetool.math.Add"
        let found = problems(graph)
        #expect(found.map(\.kind).contains(ValidationProblem.Kind.unknownOutputSlot))
        #expect(found.contains { $0.message.contains("lists it under dynamic_outputs, but nodetool.math.Add has no dynamic outputs") })
    }

    @Test("dynamic_properties on a type that takes none are a warning, not silently dropped")
    func dynamicPropertiesOnPlainType() throws {
        var graph = Graph(nodes: [node("a", "nodetool.math.Add", ["a": 1, "b": 2])])
        graph.nodes[0].otherFields["dynamic_properties"] = ["extra": 5]
        let plan = try validator.compile(graph)
        #expect(plan.warnings.contains { $0.contains("node 'a' (nodetool.math.Add) has dynamic_properties (extra)") })
    }
}
