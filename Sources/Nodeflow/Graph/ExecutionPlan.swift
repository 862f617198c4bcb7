import DequeModule
import OrderedCollections

/// A validated graph compiled for running: node types resolved, property values merged and
/// coerced, edges turned into input bindings, and the nodes split into scopes (the top level and
/// each Loop body) with their dependency counts.
///
/// Build one with ``GraphValidator/compile(_:)``. Compiling is linear in nodes and edges.
public struct ExecutionPlan: Sendable {
    /// The graph's nodes, in file order.
    public let nodes: [NodeSpec]
    /// The graph's edges, in file order.
    public let edges: [EdgeSpec]
    /// Each node's type, by node position (shared references, one object per type).
    let typeInfo: [NodeTypeInfo]
    /// Each node's property values before edges: defaults, then `data`, then params.
    let baseInputs: [OrderedDictionary<String, Value>]
    /// The top-level scope.
    let root: ScopePlan
    /// The top-level output nodes, as (local index in the top-level scope, output name), in file order.
    let outputNodes: [(local: Int, name: String)]
    /// Warnings that do not stop the run (e.g. a `data` key the node type does not declare).
    public let warnings: [String]

    /// The type of the node at `position`.
    func metadata(_ position: Int) -> NodeTypeInfo { typeInfo[position] }

    /// The type of the node at `position`.
    func makeNode(_ position: Int) -> any Node { typeInfo[position].entry.make() }
}

/// Where an input value comes from.
enum InputSource: Sendable {
    /// A node of the same scope, by local index.
    case local(Int)
    /// A node of an enclosing scope, by node position.
    case external(Int)
}

/// One edge as the target node consumes it.
struct InputBinding: Sendable {
    var property: String
    var source: InputSource
    var sourceSlot: String
    /// The target property's type, to coerce the value with.
    var type: PropertyType
    /// The edge's position in the graph, for error messages.
    var edge: Int
}

/// The nodes of one scope — the top level or a Loop body — and how they depend on each other.
final class ScopePlan: Sendable {
    /// The Loop this scope is the body of; `nil` for the top level.
    let loop: Int?
    /// The member nodes' positions; a member's local index is its index here.
    let members: [Int]
    /// Each member's input bindings, later edges after earlier ones.
    let inputs: [[InputBinding]]
    /// Each member's dependents (local indices), one entry per dependency link.
    let dependents: [[Int]]
    /// Each member's number of dependency links.
    let dependencyCounts: [Int]
    /// Nodes of enclosing scopes that this scope (or a loop inside it) reads, by position.
    let externalSources: [Int]
    /// The GroupInput members (local indices).
    let groupInputs: [Int]
    /// The first GroupOutput member (local index), whose value is collected per item.
    let groupOutput: Int?
    /// The bodies of the Loop members, by local index.
    let bodies: [Int: ScopePlan]
    /// For each Loop member (by local index): where each of its body's outside values comes
    /// from, as (node position, source in this scope).
    let bodySources: [Int: [(position: Int, source: InputSource)]]
    /// The Loops around this scope (node positions), outermost first; empty at the top level.
    let enclosingLoops: [Int]
    /// Whether each member runs in the scheduling loop (inline, no resources or timeouts).
    let runsInline: [Bool]
    /// Whether every member runs in the scheduling loop, so the scope needs no task group.
    let allInline: Bool
    /// The scope's streams, when it has any (a generator, a stream reader, `zip_all`, a list
    /// aggregation); `nil` when every edge carries one value, as in every 0.5.3 workflow.
    let streams: StreamTopology?

    init(
        loop: Int?, members: [Int], inputs: [[InputBinding]], dependents: [[Int]], dependencyCounts: [Int],
        externalSources: [Int], groupInputs: [Int], groupOutput: Int?, bodies: [Int: ScopePlan],
        bodySources: [Int: [(position: Int, source: InputSource)]], enclosingLoops: [Int], runsInline: [Bool], streams: StreamTopology?
    ) {
        self.loop = loop
        self.members = members
        self.inputs = inputs
        self.dependents = dependents
        self.dependencyCounts = dependencyCounts
        self.externalSources = externalSources
        self.groupInputs = groupInputs
        self.groupOutput = groupOutput
        self.bodies = bodies
        self.bodySources = bodySources
        self.enclosingLoops = enclosingLoops
        self.runsInline = runsInline
        self.allInline = !runsInline.contains(false)
        self.streams = streams
    }

}
