import DequeModule
import OrderedCollections
import Foundation

/// Driving a scope: the scheduling loop that starts ready nodes inline or in child tasks.
extension RunExecution {
    // MARK: Scopes

    /// Runs one scope to the end and returns each member's outputs.
    /// - Throws: the first ``NodeFailure``, or `CancellationError`.
    func runScope(_ scope: ScopePlan, externals: [Int: NodeOutputs], frame: Frame) async throws -> [NodeOutputs?] {
        // Batch the messages of inline nodes (see MessageBatch); a loop worker brings its own batch.
        if let batch = MessageBatch.current, batch.context === context {
            return try await drive(scope, externals: externals, frame: frame, batch: batch)
        }
        let batch = MessageBatch(context: context)
        defer { batch.flush() }
        return try await MessageBatch.$current.withValue(batch) {
            try await drive(scope, externals: externals, frame: frame, batch: batch)
        }
    }

    /// The scheduling loop of one scope: carries out ``SchedulerState``'s actions.
    fileprivate func drive(_ scope: ScopePlan, externals: [Int: NodeOutputs], frame: Frame, batch: MessageBatch) async throws -> [NodeOutputs?] {
        if let streams = scope.streams {
            return try await driveStreams(scope, topology: streams, externals: externals, frame: frame, batch: batch)
        }
        if scope.allInline { return try await driveInline(scope, externals: externals, frame: frame, batch: batch) }
        var state = SchedulerState(
            dependencyCounts: scope.dependencyCounts, dependents: scope.dependents, runsInline: scope.runsInline,
            maxTasks: max(1, configuration.maxConcurrency ?? .max))
        var results = [NodeOutputs?](repeating: nil, count: scope.members.count)
        var failure: (any Error)?

        await withTaskGroup(of: Completion.self) { group in
            func report(_ completion: Completion) {
                switch completion {
                case .completed(let l, let outputs):
                    results[l] = outputs
                    state.completed(l)
                case .failed(let l, let error):
                    state.failed(l)
                    if failure == nil { failure = error }
                    group.cancelAll()
                case .cancelled(let l):
                    state.failed(l)
                    group.cancelAll()
                }
            }
            /// The node's job, or `nil` when it was reported already (resumed, or its inputs failed).
            func job(_ l: Int) -> NodeJob? {
                if let outputs = resumed(l, in: scope) {
                    report(.completed(l, outputs))
                    return nil
                }
                do {
                    return try prepare(l, in: scope, results: results, externals: externals)
                } catch {
                    report(.failed(l, reportPreparationFailure(error, position: scope.members[l], scope: scope, frame: frame)))
                    return nil
                }
            }
            while true {
                if !state.isStopping, Task.isCancelled || context.cancellation.isSet { state.cancel() }
                switch state.next() {
                case .runInline(let l):
                    guard let job = job(l) else { continue }
                    report(await execute(job, scope: scope, frame: frame, inline: true))
                    if batch.shouldYield() { await batch.yieldThread() }
                case .startTask(let l):
                    guard let job = job(l) else { continue }
                    batch.flush()  // what led to this node is in the stream before the node's own messages
                    group.addTask {
                        await MessageBatch.$current.withValue(nil) {
                            await self.execute(job, scope: scope, frame: frame, inline: false)
                        }
                    }
                case .waitForTask:
                    batch.flush()
                    guard let completion = await group.next() else { return }
                    report(completion)
                case .finished, .stopped:
                    return
                }
            }
        }
        if let failure { throw failure }
        guard state.isComplete else { throw CancellationError() }
        return results
    }

    /// The scheduling loop of a scope whose nodes all run inline (a typical loop body): one node
    /// after another in dependency order, with no task group.
    fileprivate func driveInline(_ scope: ScopePlan, externals: [Int: NodeOutputs], frame: Frame, batch: MessageBatch) async throws -> [NodeOutputs?] {
        var state = SchedulerState(dependencyCounts: scope.dependencyCounts, dependents: scope.dependents, runsInline: scope.runsInline)
        var results = [NodeOutputs?](repeating: nil, count: scope.members.count)
        while case .runInline(let l) = state.next() {
            if Task.isCancelled || context.cancellation.isSet { throw CancellationError() }
            if batch.shouldYield() {
                await batch.yieldThread()
                try Task.checkCancellation()
            }
            if let outputs = resumed(l, in: scope) {
                results[l] = outputs
                state.completed(l)
                continue
            }
            let job: NodeJob
            do {
                job = try prepare(l, in: scope, results: results, externals: externals)
            } catch {
                throw reportPreparationFailure(error, position: scope.members[l], scope: scope, frame: frame)
            }
            switch await execute(job, scope: scope, frame: frame, inline: true) {
            case .completed(let l, let outputs):
                results[l] = outputs
                state.completed(l)
            case .failed(_, let error):
                throw error
            case .cancelled:
                throw CancellationError()
            }
        }
        return results
    }
}
