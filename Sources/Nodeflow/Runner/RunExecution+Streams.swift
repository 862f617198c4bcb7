import Foundation
import OrderedCollections

/// Driving a scope whose values stream (see ``StreamScheduler``): each action is carried out
/// inline or in a child task, and its outcome reported back.
///
/// Messages: a node that fires once (nothing streams into it) posts `running` and `completed` as
/// in any scope; a generator, a stream reader or a node downstream of a stream posts `running`
/// when it first acts and `completed` (its last result, the time since it started) when its
/// inputs ended — not one pair per value, which for a stream of a million items would be two
/// million messages.
extension RunExecution {
    /// What a child task (or an inline call) reports.
    enum StreamEvent: Sendable {
        case fired(Int, NodeOutputs)
        case opened(Int)
        case pulled(Int, NodeOutputs?)
        case delivered(Int, [NodeOutputs])
        case failed(Int, any Error)
        case cancelled(Int)
    }

    /// A generator's iterator or a stream reader, kept in one place between actions so that
    /// their state (a reader's growing list) is never copied. The scheduler gives a node one
    /// action at a time, so one task at most touches a cursor.
    final class StreamCursor: @unchecked Sendable {
        var iterator: (any NodeItemIterator)?
        var reader: (any NodeStreamReader)?
    }

    /// Per node, what the driver holds between actions.
    struct StreamNodes {
        var cursors: [StreamCursor]
        var results: [NodeOutputs?]
        var startedAt: [ContinuousClock.Instant?]

        init(count: Int) {
            cursors = (0..<count).map { _ in StreamCursor() }
            results = Array(repeating: nil, count: count)
            startedAt = Array(repeating: nil, count: count)
        }
    }

    func driveStreams(
        _ scope: ScopePlan, topology: StreamTopology, externals: [Int: NodeOutputs], frame: Frame, batch: MessageBatch
    ) async throws -> [NodeOutputs?] {
        var state = StreamScheduler(
            topology: topology, capacity: max(1, configuration.streamBufferSize), maxTasks: max(1, configuration.maxConcurrency ?? .max),
            maxListCount: context.limits.maxListCount)
        var held = StreamNodes(count: topology.count)
        var failures: [(local: Int, error: any Error)] = []
        var cancelled = false

        await withTaskGroup(of: StreamEvent.self) { group in
            func report(_ event: StreamEvent) {
                switch event {
                case .fired(let l, let outputs):
                    held.results[l] = outputs
                    state.fired(l, outputs: outputs)
                case .opened(let l):
                    state.opened(l)
                case .pulled(let l, let item):
                    if let item { held.results[l] = item }
                    state.pulled(l, item: item)
                case .delivered(let l, let items):
                    if let last = items.last { held.results[l] = last }
                    state.delivered(l, items: items)
                case .failed(let l, let error):
                    failures.append((l, error))
                    state.failed(l)
                case .cancelled(let l):
                    cancelled = true
                    state.failed(l)
                    state.cancel()
                    group.cancelAll()
                }
            }
            while true {
                if !state.isStopping, Task.isCancelled || context.cancellation.isSet {
                    cancelled = true
                    state.cancel()
                    group.cancelAll()
                }
                let action = state.next()
                let l: Int
                switch action {
                case .fire(let n, _), .pull(let n), .deliver(let n, _, _), .finish(let n): l = n
                case .completed(let n):
                    postCompleted(n, scope: scope, topology: topology, frame: frame, held: held)
                    continue
                case .fail(let n, let reason):
                    report(streamFailure(NodeError(reason), local: n, scope: scope, frame: frame))
                    continue
                case .waitForTask:
                    batch.flush()
                    guard let event = await group.next() else { return }
                    report(event)
                    continue
                case .finished, .stopped:
                    return
                }
                if held.startedAt[l] == nil {
                    held.startedAt[l] = ContinuousClock.now
                    if !topology.firesOnce(l) { postRunning(l, scope: scope, frame: frame) }
                }
                let work = prepareStreamWork(action, scope: scope, topology: topology, externals: externals, frame: frame, held: &held)
                if topology.runsInline[l] {
                    report(await work())
                    if batch.shouldYield() { await batch.yieldThread() }
                } else {
                    batch.flush()
                    group.addTask { await MessageBatch.$current.withValue(nil) { await work() } }
                }
            }
        }
        if state.isStalled { throw StreamStallError(scope: loopIDs(scope)) }
        // As nodetool does, the run fails with the first failure in file order.
        if let first = failures.min(by: { $0.local < $1.local }) { throw first.error }
        if cancelled || state.isStopping { throw CancellationError() }
        return held.results
    }

    /// The work of one action, ready to run inline or in a task.
    private func prepareStreamWork(
        _ action: StreamScheduler.Action, scope: ScopePlan, topology: StreamTopology, externals: [Int: NodeOutputs],
        frame: Frame, held: inout StreamNodes
    ) -> @Sendable () async -> StreamEvent {
        switch action {
        case .fire(let l, let values):
            let position = scope.members[l]
            let inputs: NodeInputs
            do {
                inputs = try streamInputs(l, values: values, scope: scope, topology: topology, externals: externals)
            } catch {
                let failure = reportPreparationFailure(error, position: position, scope: scope, frame: frame)
                return { .failed(l, failure) }
            }
            var bodyExternals: [Int: NodeOutputs] = [:]
            if let sources = scope.bodySources[l] {
                for (s, source) in sources {
                    switch source {
                    case .local(let sl): bodyExternals[s] = held.results[sl]
                    case .external(let s): bodyExternals[s] = externals[s]
                    }
                }
            }
            let job = NodeJob(local: l, position: position, inputs: inputs, bodyExternals: bodyExternals)
            if topology.roles[l] == .generator {
                let cursor = held.cursors[l]
                return { await self.openGenerator(job, cursor: cursor, scope: scope, frame: frame) }
            }
            if topology.firesOnce(l) {
                // Like a node of any scope: the usual messages and the cache.
                let inline = topology.runsInline[l]
                return {
                    switch await self.execute(job, scope: scope, frame: frame, inline: inline) {
                    case .completed(let l, let outputs): .fired(l, outputs)
                    case .failed(let l, let error): .failed(l, error)
                    case .cancelled(let l): .cancelled(l)
                    }
                }
            }
            return { await self.fireQuietly(job, scope: scope, frame: frame) }
        case .pull(let l):
            let cursor = held.cursors[l]
            return {
                do {
                    let item = try await cursor.iterator?.next()
                    if item == nil { cursor.iterator = nil }
                    return .pulled(l, item)
                } catch {
                    return self.streamFailure(error, local: l, scope: scope, frame: frame)
                }
            }
        case .deliver(let l, let h, let arrived):
            let handle = topology.handles[l][h]
            // A reader's value is checked against the property's type, as a firing's inputs are.
            let value: Value
            do {
                var given = arrived
                if case .list = topology.handleTypes[l][h] {
                    if case .list = arrived {} else { given = .list([arrived]) }
                }
                value = try coerced(given, to: topology.handleTypes[l][h], property: handle, position: scope.members[l])
            } catch {
                let failure = streamFailure(error, local: l, scope: scope, frame: frame)
                return { failure }
            }
            return readerWork(l, scope: scope, externals: externals, frame: frame, held: held) { reader, emitter in
                try await reader.receive(value, on: handle, emit: &emitter)
            }
        case .finish(let l):
            return readerWork(l, scope: scope, externals: externals, frame: frame, held: held, finishing: true) { reader, emitter in
                try await reader.finish(emit: &emitter)
            }
        case .completed, .fail, .waitForTask, .finished, .stopped:
            preconditionFailure("not an action on a node")
        }
    }

    /// A stream reader's action: its reader (made at the first), the call, the items it sent.
    private func readerWork(
        _ l: Int, scope: ScopePlan, externals: [Int: NodeOutputs], frame: Frame, held: StreamNodes, finishing: Bool = false,
        _ call: @escaping @Sendable (inout any NodeStreamReader, inout StreamEmitter) async throws -> Void
    ) -> @Sendable () async -> StreamEvent {
        let cursor = held.cursors[l]
        let made = makeReader(l, scope: scope, externals: externals, frame: frame, cursor: cursor)
        return {
            do {
                try made.get()
                var emitter = StreamEmitter()
                try await call(&cursor.reader!, &emitter)
                if finishing { cursor.reader = nil }
                return .delivered(l, emitter.items)
            } catch {
                return self.streamFailure(error, local: l, scope: scope, frame: frame)
            }
        }
    }

    /// Makes the node's reader (once, at its first action) with its configured properties.
    private func makeReader(
        _ l: Int, scope: ScopePlan, externals: [Int: NodeOutputs], frame: Frame, cursor: StreamCursor
    ) -> Result<Void, any Error> {
        guard cursor.reader == nil else { return .success(()) }
        let position = scope.members[l]
        return Result {
            // As nodetool loads a graph, a property fed by an edge loses the value the file gave it:
            // a reader's fallback (Output's `value`, If's `value`) is then the type's default.
            var inputs = try streamInputs(l, values: [], scope: scope, topology: scope.streams!, externals: externals)
            let meta = plan.metadata(position)
            for handle in scope.streams!.handles[l] { inputs.set(handle, meta.property(named: handle)?.defaultValue ?? .null) }
            let context = nodeContext(position, inputs: inputs, frame: frame)
            guard let consumer = instances[position] as? any StreamConsumerNode else { throw StreamRoleError() }
            cursor.reader = try consumer.makeReader(context)
        }
    }

    /// A node's inputs for one firing: its base values, values from enclosing scopes, then the
    /// value on each handle (a single value into a list property becomes a one-item list).
    private func streamInputs(
        _ l: Int, values: [Value?], scope: ScopePlan, topology: StreamTopology, externals: [Int: NodeOutputs]
    ) throws -> NodeInputs {
        let position = scope.members[l]
        var inputs = NodeInputs(base: plan.baseInputs[position])
        for binding in scope.inputs[l] {
            guard case .external(let s) = binding.source else { continue }
            guard let value = externals[s]?[binding.sourceSlot] else {
                throw EdgeValueError(edge: plan.edges[binding.edge].label, slot: binding.sourceSlot)
            }
            inputs.set(binding.property, try coerced(value, to: binding.type, property: binding.property, position: position))
        }
        for (h, value) in values.enumerated() {
            guard let value, !topology.handles[l][h].hasPrefix(StreamTopology.dependencyPrefix) else { continue }
            let type = topology.handleTypes[l][h]
            var given = value
            if case .list = type {
                if case .list = value {} else { given = .list([value]) }
            }
            inputs.set(topology.handles[l][h], try coerced(given, to: type, property: topology.handles[l][h], position: position))
        }
        return inputs
    }

    private func coerced(_ value: Value, to type: PropertyType, property: String, position: Int) throws -> Value {
        guard let converted = type.coerce(value) else {
            let spec = plan.nodes[position]
            throw NodeInputError(nodeID: spec.id, nodeType: spec.type, property: property, value: value, expected: "\(type)")
        }
        return converted
    }

    private func nodeContext(_ position: Int, inputs: NodeInputs, frame: Frame) -> NodeContext {
        NodeContext(nodes: plan.nodes, position: position, inputs: inputs, processing: context, iterationPath: frame.iterationPath, groupItem: frame.item)
    }

    /// A firing of a node downstream of a stream: no messages per value, no cache.
    private func fireQuietly(_ job: NodeJob, scope: ScopePlan, frame: Frame) async -> StreamEvent {
        let meta = plan.metadata(job.position)
        let context = nodeContext(job.position, inputs: job.inputs, frame: frame)
        do {
            try await instances[job.position].preProcess(context)
            if meta.role == .loop, let body = scope.bodies[job.local] {
                return .fired(job.local, try await runLoop(job, body: body, node: context, frame: frame))
            }
            return .fired(job.local, try await invoke(instances[job.position], meta: meta, context: context))
        } catch {
            return streamFailure(error, local: job.local, scope: scope, frame: frame)
        }
    }

    /// Starts a generator's run: its iterator.
    private func openGenerator(_ job: NodeJob, cursor: StreamCursor, scope: ScopePlan, frame: Frame) async -> StreamEvent {
        let context = nodeContext(job.position, inputs: job.inputs, frame: frame)
        do {
            guard let generator = instances[job.position] as? any GeneratorNode else { throw StreamRoleError() }
            try await generator.preProcess(context)
            cursor.iterator = try await generator.generate(context)
            return .opened(job.local)
        } catch {
            return streamFailure(error, local: job.local, scope: scope, frame: frame)
        }
    }

    /// Reports a node's error (or its cancellation) as `execute` does.
    private func streamFailure(_ error: any Error, local l: Int, scope: ScopePlan, frame: Frame) -> StreamEvent {
        if error is CancellationError || Task.isCancelled { return .cancelled(l) }
        let position = scope.members[l]
        let spec = plan.nodes[position]
        let failure = error as? NodeFailure
            ?? NodeFailure(nodeID: spec.id, nodeType: spec.type, iterationPath: frame.iterationPath, loopIDs: loopIDs(scope), underlying: error)
        context.post(.nodeUpdate(NodeUpdate(
            nodeID: spec.id, nodeName: plan.metadata(position).title, nodeType: spec.type, status: .error,
            error: error is NodeFailure ? failure.description : failure.reason, iterationPath: frame.iterationPath)))
        return .failed(l, failure)
    }

    private func postRunning(_ l: Int, scope: ScopePlan, frame: Frame) {
        let position = scope.members[l]
        let spec = plan.nodes[position]
        context.post(.nodeUpdate(NodeUpdate(nodeID: spec.id, nodeName: plan.metadata(position).title, nodeType: spec.type, status: .running, iterationPath: frame.iterationPath)))
    }

    /// A node downstream of a stream whose inputs ended: its last result and its time.
    private func postCompleted(_ l: Int, scope: ScopePlan, topology: StreamTopology, frame: Frame, held: StreamNodes) {
        guard !topology.firesOnce(l), let started = held.startedAt[l] else { return }
        let position = scope.members[l]
        let spec = plan.nodes[position]
        let d = ContinuousClock.now - started
        var update = NodeUpdate(nodeID: spec.id, nodeName: plan.metadata(position).title, nodeType: spec.type, status: .completed, iterationPath: frame.iterationPath)
        update.result = held.results[l]
        update.duration = d.inSeconds
        context.post(.nodeUpdate(update))
    }
}

/// The stream scheduler found nothing to do and nothing blocked before the end (a bug).
struct StreamStallError: Error, CustomStringConvertible {
    var scope: [String]

    var description: String {
        "internal error: the streams of \(scope.isEmpty ? "the workflow" : "loop \(scope.joined(separator: " > "))") stalled; please report this workflow"
    }
}

/// A node scheduled as a generator or reader whose instance is not one (a registry mix-up).
struct StreamRoleError: Error, CustomStringConvertible {
    var description: String { "the node's type changed its stream role after validation" }
}
