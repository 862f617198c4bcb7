import Nodeflow
import Testing

@Suite("Graphs and workflow files")
struct GraphTests {
    @Test("topological levels match nodetool's Graph.topological_sort")
    func topologicalLevels() {
        let pairs = [("1", "2"), ("1", "3"), ("2", "4"), ("2", "5"), ("3", "6"), ("3", "7"), ("4", "5"), ("6", "7")]
        let graph = Graph(
            nodes: (1...7).map { node("\($0)", "nodetool.math.Add") },
            edges: pairs.map { edge($0.0, $0.1, "a") })
        #expect(graph.topologicalLevels() == [["1"], ["2", "3"], ["4", "6"], ["5", "7"]])
    }

    @Test("topological levels of a loop body use only its children")
    func topologicalLevelsOfBody() {
        let graph = Graph(
            nodes: [node("l", "nodetool.group.Loop"), node("in", "nodetool.input.GroupInput", parent: "l"), node("m", "nodetool.math.Add", parent: "l"), node("x", "nodetool.math.Add")],
            edges: [edge("in", "m", "a"), edge("l", "x", "a")])
        #expect(graph.topologicalLevels() == [["l"], ["x"]])
        #expect(graph.topologicalLevels(parentID: "l") == [["in"], ["m"]])
    }

    @Test("a workflow written back out keeps every key, in order")
    func roundTrip() throws {
        let text = """
            {"id":"w1","name":"demo","extra":{"k":[1,2.0]},"graph":{"nodes":[{"id":"a","type":"nodetool.constant.Integer","data":{"value":3},"ui_properties":{"position":{"x":1,"y":2}},"custom":true}],"edges":[{"id":"e1","source":"a","sourceHandle":"output","target":"b","targetHandle":"a","ui_properties":{"className":"int"}}],"meta":null},"updated_at":"2024-01-01"}
            """
        let workflow = try Workflow(json: text)
        #expect(workflow.name == "demo")
        #expect(workflow.graph.nodes[0].data["value"] == .int(3))
        #expect(workflow.graph.nodes[0].otherFields["ui_properties"] != nil)
        let written = workflow.jsonValue.jsonString()
        #expect(try Value(json: written) == Value(json: text))
        #expect(written == (try Value(json: text)).jsonString())
    }

    @Test("a bare graph loads and writes back as a bare graph")
    func bareGraph() throws {
        let text = #"{"nodes":[{"id":"a","type":"t","data":{}}],"edges":[]}"#
        let workflow = try Workflow(json: text)
        #expect(workflow.isBareGraph)
        #expect(workflow.graph.nodes.map(\.id) == ["a"])
        #expect(workflow.jsonValue == (try Value(json: text)))
    }

    @Test("format errors name the path of the bad key")
    func formatErrors() {
        #expect(throws: WorkflowFormatError(path: "graph.nodes[1]", reason: "a node needs an \"id\"")) {
            try Workflow(json: #"{"graph":{"nodes":[{"id":"a","type":"t"},{"type":"t"}],"edges":[]}}"#)
        }
        #expect(throws: WorkflowFormatError(path: "graph.edges[0]", reason: "an edge needs a \"targetHandle\" (the target property)")) {
            try Workflow(json: #"{"graph":{"nodes":[],"edges":[{"source":"a","target":"b"}]}}"#)
        }
        let syntax = #expect(throws: JSONSyntaxError.self) { try Workflow(json: "{\n  \"graph\": [1,\n  2,,]\n}") }
        #expect(syntax?.line == 3)
    }
}
