import Foundation
import Synchronization

/// Loops: running a Loop's body once per item, and the items it iterates.
extension RunExecution {
    /// Runs a loop body once per item, up to `loopConcurrency` iterations at a time, and returns
    /// what reached the GroupOutput, in item order.
    func runLoop(_ job: NodeJob, body: ScopePlan, node: NodeContext, frame: Frame) async throws -> NodeOutputs {
        let items = try loopItems(node)
        guard !items.isEmpty else { return NodeOutputs(.list([])) }
        let externals = job.bodyExternals
        let width = min(max(1, configuration.loopConcurrency), items.count, configuration.maxConcurrency ?? Int.max)
        func iterate(_ i: Int) async throws -> Value {
            let results = try await runScope(body, externals: externals, frame: frame.entering(iteration: i, item: items[i]))
            guard let out = body.groupOutput else { return .null }
            return results[out]?[NodeOutputs.defaultSlot] ?? .null
        }
        var collected = [Value](repeating: .null, count: items.count)
        let done = finishedIterations(of: body, frame: frame, count: items.count)
        for (i, value) in done { collected[i] = value }
        if width == 1 {
            let batch = MessageBatch(context: context)
            defer { batch.flush() }
            try await MessageBatch.$current.withValue(batch) {
                for i in items.indices where done[i] == nil {
                    try Task.checkCancellation()
                    collected[i] = try await iterate(i)
                }
            }
        } else {
            let cursor = LoopCursor()
            let skipped = done
            try await withThrowingTaskGroup(of: [(Int, Value)].self) { group in
                for _ in 0..<width {
                    group.addTask {
                        // Each worker batches its iterations' messages.
                        let batch = MessageBatch(context: self.context)
                        defer { batch.flush() }
                        return try await MessageBatch.$current.withValue(batch) {
                            var finished: [(Int, Value)] = []
                            while true {
                                let i = cursor.take()
                                if i >= items.count { return finished }
                                if skipped[i] != nil { continue }
                                try Task.checkCancellation()
                                finished.append((i, try await iterate(i)))
                            }
                        }
                    }
                }
                for try await part in group {
                    for (i, value) in part { collected[i] = value }
                }
            }
        }
        return body.groupOutput == nil ? NodeOutputs(.list([])) : NodeOutputs(.list(collected))
    }

    /// The iterations of a top-level Loop that an earlier run of the job finished (every body
    /// node completed), with the value each collected.
    private func finishedIterations(of body: ScopePlan, frame: Frame, count: Int) -> [Int: Value] {
        guard !preloadedIterations.isEmpty, frame.iterationPath.isEmpty, let out = body.groupOutput else { return [:] }
        let ids = body.members.map { plan.nodes[$0].id }
        guard let collectedBy = preloadedIterations[ids[out]] else { return [:] }
        var finished: [Int: Value] = [:]
        for (i, outputs) in collectedBy where i >= 0 && i < count {
            if ids.allSatisfy({ preloadedIterations[$0]?[i] != nil }) {
                finished[i] = outputs[NodeOutputs.defaultSlot] ?? .null
            }
        }
        return finished
    }

    /// The items a loop iterates: a list as is, a dict as `{"key", "value"}` items, a dataframe
    /// as one dict per row with an `index` field.
    private func loopItems(_ node: NodeContext) throws -> [Value] {
        let input = node["input"]
        switch input {
        case .list(let items):
            return items
        case .dict(let dict):
            if dict["type"]?.stringValue == "dataframe", let rows = Dataframe.rows(of: dict) {
                return rows
            }
            return dict.map { .dict(["key": .string($0.key), "value": $0.value]) }
        default:
            throw NodeInputError(nodeID: node.nodeID, nodeType: node.node.type, property: "input", value: input, expected: "a list, a dict or a dataframe")
        }
    }
}

/// Hands out loop iteration indices to the workers of one loop.
private final class LoopCursor: Sendable {
    private let next = Atomic<Int>(0)

    func take() -> Int {
        next.wrappingAdd(1, ordering: .relaxed).oldValue
    }
}

