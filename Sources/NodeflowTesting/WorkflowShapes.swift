import OrderedCollections
import Nodeflow

/// Generated workflows of any size in the shapes of the project's benchmark generator: a chain,
/// a fan-out with a reduction tree, a width × depth lattice, and a Loop over N items. Every shape
/// has one FloatInput named `x` (a List constant for the loop) and one output named `result`.
public enum WorkflowShapes {
    /// `x → Add(+1) → … (n adds) → FloatOutput`; the result is `x + n`.
    public static func chain(_ n: Int) -> Graph {
        var b = Builder()
        b.node("in", "nodetool.input.FloatInput", ["name": "x", "value": 1.0])
        var previous = "in"
        for i in 0..<n {
            let id = "a\(i)"
            b.node(id, "nodetool.math.Add", ["a": 0.0, "b": 1.0])
            b.edge(previous, id, "a")
            previous = id
        }
        b.node("out", "nodetool.output.FloatOutput", ["name": "result"])
        b.edge(previous, "out", "value")
        return b.graph
    }

    /// `x` into `n` independent Adds (+i), reduced pairwise by a balanced tree of Adds.
    public static func fanout(_ n: Int) -> Graph {
        var b = Builder()
        b.node("in", "nodetool.input.FloatInput", ["name": "x", "value": 1.0])
        var layer: [String] = []
        for i in 0..<n {
            let id = "f\(i)"
            b.node(id, "nodetool.math.Add", ["a": 0.0, "b": .float(Double(i))])
            b.edge("in", id, "a")
            layer.append(id)
        }
        var k = 0
        while layer.count > 1 {
            var next: [String] = []
            var j = 0
            while j + 1 < layer.count {
                let id = "r\(k)"
                k += 1
                b.node(id, "nodetool.math.Add", [:])
                b.edge(layer[j], id, "a")
                b.edge(layer[j + 1], id, "b")
                next.append(id)
                j += 2
            }
            if layer.count % 2 == 1 { next.append(layer[layer.count - 1]) }
            layer = next
        }
        b.node("out", "nodetool.output.FloatOutput", ["name": "result"])
        b.edge(layer[0], "out", "value")
        return b.graph
    }

    /// A `width`-wide, `depth`-deep grid: node (d, i) adds nodes (d-1, i) and (d-1, (i+1) % width);
    /// the last row is summed by a chain.
    public static func lattice(width: Int, depth: Int) -> Graph {
        var b = Builder()
        b.node("in", "nodetool.input.FloatInput", ["name": "x", "value": 1.0])
        var previous = Array(repeating: "in", count: width)
        for r in 0..<depth {
            var current: [String] = []
            for i in 0..<width {
                let id = "l\(r)_\(i)"
                b.node(id, "nodetool.math.Add", [:])
                b.edge(previous[i], id, "a")
                b.edge(previous[(i + 1) % width], id, "b")
                current.append(id)
            }
            previous = current
        }
        var accumulator = previous[0]
        for i in 1..<max(1, width) {
            let id = "s\(i)"
            b.node(id, "nodetool.math.Add", [:])
            b.edge(accumulator, id, "a")
            b.edge(previous[i], id, "b")
            accumulator = id
        }
        b.node("out", "nodetool.output.FloatOutput", ["name": "result"])
        b.edge(accumulator, "out", "value")
        return b.graph
    }

    /// A Loop over `n` numbers whose body computes `item * 2 + 1`.
    public static func loop(_ n: Int) -> Graph {
        var b = Builder()
        b.node("items", "nodetool.constant.List", ["value": .list((0..<n).map { .float(Double($0)) })])
        b.node("loop", "nodetool.group.Loop", [:])
        b.node("gin", "nodetool.input.GroupInput", [:], parent: "loop")
        b.node("mul", "nodetool.math.Multiply", ["a": 0.0, "b": 2.0], parent: "loop")
        b.node("add", "nodetool.math.Add", ["a": 0.0, "b": 1.0], parent: "loop")
        b.node("gout", "nodetool.output.GroupOutput", [:], parent: "loop")
        b.node("out", "nodetool.output.ListOutput", ["name": "result"])
        b.edge("items", "loop", "input")
        b.edge("gin", "mul", "a")
        b.edge("mul", "add", "a")
        b.edge("add", "gout", "input")
        b.edge("loop", "out", "value")
        return b.graph
    }

    private struct Builder {
        var graph = Graph()

        mutating func node(_ id: String, _ type: String, _ data: [(String, Value)], parent: String? = nil) {
            graph.nodes.append(NodeSpec(id: id, type: type, data: .init(uniqueKeysWithValues: data), parentID: parent))
        }

        mutating func node(_ id: String, _ type: String, _ data: KeyValuePairs<String, Value>, parent: String? = nil) {
            node(id, type, data.map { ($0.key, $0.value) }, parent: parent)
        }

        mutating func edge(_ source: String, _ target: String, _ property: String) {
            graph.edges.append(EdgeSpec(id: String(graph.edges.count), source: source, target: target, targetHandle: property))
        }
    }
}
