import DequeModule
import OrderedCollections
import Foundation

/// Resolving a node's inputs from its base values and the edges' values.
extension RunExecution {
    /// Resolves a node's inputs: its base values, then each edge's value in file order.
    func prepare(_ l: Int, in scope: ScopePlan, results: [NodeOutputs?], externals: [Int: NodeOutputs]) throws -> NodeJob {
        let position = scope.members[l]
        var inputs = NodeInputs(base: plan.baseInputs[position])
        let bindings = scope.inputs[l]
        if !bindings.isEmpty {
            for binding in bindings {
                let outputs: NodeOutputs?
                switch binding.source {
                case .local(let s): outputs = results[s]
                case .external(let s): outputs = externals[s]
                }
                guard let value = outputs?[binding.sourceSlot] else {
                    throw EdgeValueError(edge: plan.edges[binding.edge].label, slot: binding.sourceSlot)
                }
                var given = value
                if case .list = binding.type {
                    if case .list = value {} else { given = .list([value]) }  // a single value into a list property
                }
                guard let coerced = binding.type.coerce(given) else {
                    let spec = plan.nodes[position]
                    throw NodeInputError(nodeID: spec.id, nodeType: spec.type, property: binding.property, value: value, expected: "\(binding.type)")
                }
                inputs.set(binding.property, coerced)
            }
        }
        var bodyExternals: [Int: NodeOutputs] = [:]
        if plan.metadata(position).role == .loop, let sources = scope.bodySources[l] {
            for (s, source) in sources {
                switch source {
                case .local(let sl): bodyExternals[s] = results[sl]
                case .external(let s): bodyExternals[s] = externals[s]
                }
            }
        }
        return NodeJob(local: l, position: position, inputs: inputs, bodyExternals: bodyExternals)
    }

    func reportPreparationFailure(_ error: any Error, position: Int, scope: ScopePlan, frame: Frame) -> NodeFailure {
        let spec = plan.nodes[position]
        let failure = NodeFailure(nodeID: spec.id, nodeType: spec.type, iterationPath: frame.iterationPath, loopIDs: loopIDs(scope), underlying: error)
        context.post(.nodeUpdate(NodeUpdate(nodeID: spec.id, nodeName: plan.metadata(position).title, nodeType: spec.type, status: .error, error: failure.reason, iterationPath: frame.iterationPath)))
        return failure
    }

}

/// An edge whose source did not produce the slot it reads.
struct EdgeValueError: Error, Sendable, CustomStringConvertible {
    var edge: String
    var slot: String

    var description: String { "edge \(edge) carries no value: its source produced no output '\(slot)'" }
}
