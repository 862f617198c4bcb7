import DequeModule
import OrderedCollections
import Foundation
import Synchronization

/// One run of a compiled plan: node instances, the scheduling loop per scope, node execution with
/// caching, resources, retries and timeouts, and loops.
///
/// Each scope (the top level, each loop iteration) is driven by one task group: ready nodes that
/// run inline are processed in the loop itself, the others in child tasks. The group's scope is
/// the scope's lifetime, so no task outlives the run.
final class RunExecution: Sendable {
    let plan: ExecutionPlan
    let context: ProcessingContext
    let configuration: WorkflowRunner.Configuration
    let pool: ResourcePool
    unowned let runner: WorkflowRunner
    let instances: [any Node]
    /// Outputs of top-level nodes recorded by an earlier run of the job, by local index.
    let preloaded: [Int: NodeOutputs]
    /// Results of body nodes of top-level Loops recorded by an earlier run, by node id.
    let preloadedIterations: [String: [Int: NodeOutputs]]

    init(
        plan: ExecutionPlan, context: ProcessingContext, configuration: WorkflowRunner.Configuration, pool: ResourcePool,
        runner: WorkflowRunner, completedResults: [String: NodeOutputs] = [:], completedIterations: [String: [Int: NodeOutputs]] = [:]
    ) {
        self.preloadedIterations = completedIterations
        self.plan = plan
        self.context = context
        self.configuration = configuration
        self.pool = pool
        self.runner = runner
        var instances: [any Node] = []
        instances.reserveCapacity(plan.nodes.count)
        for i in plan.nodes.indices { instances.append(plan.type(i).init()) }
        self.instances = instances
        var preloaded: [Int: NodeOutputs] = [:]
        if !completedResults.isEmpty {
            for (l, position) in plan.root.members.enumerated() {
                if let outputs = completedResults[plan.nodes[position].id] { preloaded[l] = outputs }
            }
        }
        self.preloaded = preloaded
    }

    /// For a top-level node with a result from an earlier run: posts its completion and returns it.
    private func resumed(_ l: Int, in scope: ScopePlan) -> NodeOutputs? {
        guard !preloaded.isEmpty, scope.loop == nil, let outputs = preloaded[l] else { return nil }
        let position = scope.members[l]
        var update = NodeUpdate(nodeID: plan.nodes[position].id, nodeName: plan.metadata(position).title, nodeType: plan.nodes[position].type, status: .completed)
        update.result = outputs
        update.cached = true
        context.post(.nodeUpdate(update))
        return outputs
    }

    /// Where a scope runs: the loop iterations around it and the current item.
    struct Frame: Sendable {
        var iterationPath: [Int] = []
        var item: Value?

        func entering(iteration: Int, item: Value) -> Frame {
            Frame(iterationPath: iterationPath + [iteration], item: item)
        }
    }

    /// The ids of the Loops around a scope, outermost first, for error messages.
    func loopIDs(_ scope: ScopePlan) -> [String] {
        scope.enclosingLoops.map { plan.nodes[$0].id }
    }

    /// A node ready to execute: its inputs resolved.
    struct NodeJob: Sendable {
        let local: Int
        let position: Int
        let inputs: NodeInputs
        /// For a Loop: the outside values its body reads.
        let bodyExternals: [Int: NodeOutputs]
    }

    enum Completion: Sendable {
        case completed(Int, NodeOutputs)
        case failed(Int, any Error)
        case cancelled(Int)
    }

    // MARK: The run

    /// Initializes every node, runs the top-level scope while watching for cancellation, and
    /// finalizes every node whatever happened.
    func run(signal: RunSignal) async -> Result<OrderedDictionary<String, Value>, any Error> {
        var outcome: Result<OrderedDictionary<String, Value>, any Error>
        do {
            try await initializeNodes()
            outcome = await watched(by: signal) {
                if let session = self.configuration.deviceSession {
                    return try await session.withRun(context: self.context) { try await self.runTopLevel() }
                }
                return try await self.runTopLevel()
            }
        } catch {
            outcome = .failure(error)
        }
        for (i, instance) in instances.enumerated() {
            await instance.finalize(plan.nodes[i], context: context)
        }
        return outcome
    }

    private func runTopLevel() async throws -> OrderedDictionary<String, Value> {
        let results = try await runScope(plan.root, externals: [:], frame: Frame())
        var outputs = OrderedDictionary<String, Value>()
        for (local, name) in plan.outputNodes {
            outputs[name] = results[local]?[NodeOutputs.defaultSlot] ?? .null
        }
        return outputs
    }

    private func initializeNodes() async throws {
        for (i, instance) in instances.enumerated() {
            do {
                try await instance.initialize(plan.nodes[i], context: context)
            } catch {
                let spec = plan.nodes[i]
                let failure = NodeFailure(nodeID: spec.id, nodeType: spec.type, underlying: error)
                context.post(.nodeUpdate(NodeUpdate(nodeID: spec.id, nodeName: plan.metadata(i).title, nodeType: spec.type, status: .error, error: "initialize failed: \(failure.reason)")))
                throw failure
            }
        }
    }

    /// Runs `body` in a child task and cancels it when the signal fires with `.cancel`.
    private func watched(
        by signal: RunSignal, _ body: @escaping @Sendable () async throws -> OrderedDictionary<String, Value>
    ) async -> Result<OrderedDictionary<String, Value>, any Error> {
        enum Event: Sendable {
            case finished(Result<OrderedDictionary<String, Value>, any Error>)
            case signalled(RunSignal.Reason)
        }
        return await withTaskGroup(of: Event.self) { group in
            group.addTask {
                do { return .finished(.success(try await body())) } catch { return .finished(.failure(error)) }
            }
            group.addTask { .signalled(await signal.wait()) }
            var result: Result<OrderedDictionary<String, Value>, any Error>?
            for await event in group {
                switch event {
                case .finished(let r):
                    result = r
                    signal.fire(.finished)
                case .signalled(.cancel) where result == nil:
                    group.cancelAll()
                case .signalled:
                    break
                }
            }
            return result ?? .failure(CancellationError())
        }
    }

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

    /// The scheduling loop of one scope.
    private func drive(_ scope: ScopePlan, externals: [Int: NodeOutputs], frame: Frame, batch: MessageBatch) async throws -> [NodeOutputs?] {
        if scope.allInline { return try await driveInline(scope, externals: externals, frame: frame, batch: batch) }
        var state = SchedulerState(dependencyCounts: scope.dependencyCounts, dependents: scope.dependents)
        var results = [NodeOutputs?](repeating: nil, count: scope.members.count)
        var failure: (any Error)?
        let cap = configuration.maxConcurrency ?? Int.max

        await withTaskGroup(of: Completion.self) { group in
            var tasks = 0
            func handle(_ completion: Completion) {
                switch completion {
                case .completed(let l, let outputs):
                    results[l] = outputs
                    state.nodeCompleted(l)
                case .failed(let l, let error):
                    state.nodeStopped(l)
                    if failure == nil { failure = error }
                    group.cancelAll()
                case .cancelled(let l):
                    state.nodeStopped(l)
                    group.cancelAll()
                }
            }
            while true {
                while let l = state.nextReady() {
                    if Task.isCancelled || context.cancellation.isSet {
                        state.putBack(l)
                        state.stop()
                        break
                    }
                    if let outputs = resumed(l, in: scope) {
                        handle(.completed(l, outputs))
                        continue
                    }
                    let position = scope.members[l]
                    let meta = plan.metadata(position)
                    let job: NodeJob
                    do {
                        job = try prepare(l, in: scope, results: results, externals: externals)
                    } catch {
                        handle(.failed(l, reportPreparationFailure(error, position: position, scope: scope, frame: frame)))
                        continue
                    }
                    if meta.runsInScheduler {
                        handle(await execute(job, scope: scope, frame: frame, inline: true))
                        if batch.shouldYield() { await batch.yieldThread() }
                    } else if tasks < cap {
                        tasks += 1
                        batch.flush()  // what led to this node is in the stream before the node's own messages
                        group.addTask {
                            await MessageBatch.$current.withValue(nil) {
                                await self.execute(job, scope: scope, frame: frame, inline: false)
                            }
                        }
                    } else {
                        state.putBack(l)
                        break
                    }
                }
                if tasks == 0 { break }
                batch.flush()
                guard let completion = await group.next() else { break }
                tasks -= 1
                handle(completion)
            }
        }
        if let failure { throw failure }
        guard state.isComplete else { throw CancellationError() }
        return results
    }

    /// The scheduling loop of a scope whose nodes all run inline (a typical loop body): one node
    /// after another in dependency order, with no task group.
    private func driveInline(_ scope: ScopePlan, externals: [Int: NodeOutputs], frame: Frame, batch: MessageBatch) async throws -> [NodeOutputs?] {
        var state = SchedulerState(dependencyCounts: scope.dependencyCounts, dependents: scope.dependents)
        var results = [NodeOutputs?](repeating: nil, count: scope.members.count)
        while let l = state.nextReady() {
            if Task.isCancelled || context.cancellation.isSet { throw CancellationError() }
            if batch.shouldYield() {
                await batch.yieldThread()
                try Task.checkCancellation()
            }
            if let outputs = resumed(l, in: scope) {
                results[l] = outputs
                state.nodeCompleted(l)
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
                state.nodeCompleted(l)
            case .failed(_, let error):
                throw error
            case .cancelled:
                throw CancellationError()
            }
        }
        return results
    }

    /// Resolves a node's inputs: its base values, then each edge's value in file order.
    private func prepare(_ l: Int, in scope: ScopePlan, results: [NodeOutputs?], externals: [Int: NodeOutputs]) throws -> NodeJob {
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
                guard let coerced = binding.type.coerce(value) else {
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

    private func reportPreparationFailure(_ error: any Error, position: Int, scope: ScopePlan, frame: Frame) -> NodeFailure {
        let spec = plan.nodes[position]
        let failure = NodeFailure(nodeID: spec.id, nodeType: spec.type, iterationPath: frame.iterationPath, loopIDs: loopIDs(scope), underlying: error)
        context.post(.nodeUpdate(NodeUpdate(nodeID: spec.id, nodeName: plan.metadata(position).title, nodeType: spec.type, status: .error, error: failure.reason, iterationPath: frame.iterationPath)))
        return failure
    }

    // MARK: Nodes

    /// Runs one node: messages, pre-processing, the cache, then the node (or the loop).
    /// - Parameter inline: whether the node runs in the scheduling loop; such nodes finish before
    ///   anything else happens in their scope, so they are not listed among the running nodes.
    func execute(_ job: NodeJob, scope: ScopePlan, frame: Frame, inline: Bool) async -> Completion {
        let nodeID = plan.nodes[job.position].id
        let nodeType = plan.nodes[job.position].type
        let meta = plan.metadata(job.position)
        let instance = instances[job.position]
        if !inline { runner.nodeStarted(nodeID) }
        defer { if !inline { runner.nodeEnded(nodeID) } }
        func update(_ status: NodeStatus) -> NodeUpdate {
            NodeUpdate(nodeID: nodeID, nodeName: meta.title, nodeType: nodeType, status: status, iterationPath: frame.iterationPath)
        }
        var running = update(.running)
        running.edgeValues = job.inputs.fromEdges
        context.post(.nodeUpdate(running))
        let startedAt = Date().timeIntervalSince1970
        let clock = ContinuousClock()
        let start = clock.now
        func elapsed() -> Double {
            let d = clock.now - start
            return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
        }
        let nodeContext = NodeContext(nodes: plan.nodes, position: job.position, inputs: job.inputs, processing: context, iterationPath: frame.iterationPath, groupItem: frame.item)
        do {
            try await instance.preProcess(nodeContext)
            var outputs: NodeOutputs?
            var key: CacheKey?
            if meta.isCacheable, let cache = context.cache, inline == false || configuration.cachesInlineNodes {
                let k = CacheKey(nodeType: nodeType, inputs: job.inputs.all)
                outputs = cache.outputs(for: k)
                key = k
            }
            let cached = outputs != nil
            if outputs == nil {
                let computed: NodeOutputs
                if meta.role == .loop, let body = scope.bodies[job.local] {
                    computed = try await runLoop(job, body: body, node: nodeContext, frame: frame)
                } else {
                    computed = try await invoke(instance, meta: meta, context: nodeContext)
                }
                if let key { context.cache?.store(computed, for: key) }
                outputs = computed
            }
            var completed = update(.completed)
            completed.result = outputs
            completed.startedAt = startedAt
            completed.duration = elapsed()
            completed.cached = cached
            context.post(.nodeUpdate(completed))
            return .completed(job.local, outputs!)
        } catch {
            var message: NodeUpdate
            let completion: Completion
            if let nested = error as? NodeFailure {
                // A node inside this loop failed; the job names that node.
                message = update(.error)
                message.error = nested.description
                completion = .failed(job.local, nested)
            } else if error is CancellationError || Task.isCancelled {
                message = update(.cancelled)
                completion = .cancelled(job.local)
            } else {
                let failure = NodeFailure(nodeID: nodeID, nodeType: nodeType, iterationPath: frame.iterationPath, loopIDs: loopIDs(scope), underlying: error)
                message = update(.error)
                message.error = failure.reason
                completion = .failed(job.local, failure)
            }
            message.startedAt = startedAt
            message.duration = elapsed()
            context.post(.nodeUpdate(message))
            return completion
        }
    }

    /// Calls `process` with the node's retry policy, resources and timeout.
    private func invoke(_ instance: any Node, meta: NodeTypeInfo, context nodeContext: NodeContext) async throws -> NodeOutputs {
        var attempt = 1
        while true {
            do {
                return try await attemptOnce(instance, meta: meta, context: nodeContext)
            } catch {
                if error is CancellationError || Task.isCancelled { throw error }
                guard let policy = meta.retryPolicy, attempt < policy.maxAttempts, policy.shouldRetry(error) else { throw error }
                let delay = policy.delay(afterAttempt: attempt)
                nodeContext.log("attempt \(attempt) of \(policy.maxAttempts) failed: \(error); trying again in \(delay)", severity: .warning)
                try await Task.sleep(for: delay)
                attempt += 1
            }
        }
    }

    private func attemptOnce(_ instance: any Node, meta: NodeTypeInfo, context nodeContext: NodeContext) async throws -> NodeOutputs {
        guard meta.requiredResources.contains(.gpu) else {
            return try await timed(instance, meta: meta, context: nodeContext)
        }
        var waited = false
        let spec = nodeContext.node
        let slot = try await pool.acquire {
            waited = true
            context.post(.nodeUpdate(NodeUpdate(nodeID: spec.id, nodeName: meta.title, nodeType: spec.type, status: .waiting, iterationPath: nodeContext.iterationPath)))
        }
        defer { pool.release(slot) }
        if waited {
            context.post(.nodeUpdate(NodeUpdate(nodeID: spec.id, nodeName: meta.title, nodeType: spec.type, status: .running, iterationPath: nodeContext.iterationPath)))
        }
        let onDevice = nodeContext.onDevice(slot)
        if let session = configuration.deviceSession {
            return try await session.withDevice(slot: slot, node: onDevice) { try await self.timed(instance, meta: meta, context: onDevice) }
        }
        return try await timed(instance, meta: meta, context: onDevice)
    }

    private func timed(_ instance: any Node, meta: NodeTypeInfo, context nodeContext: NodeContext) async throws -> NodeOutputs {
        guard let timeout = meta.timeout else { return try await instance.process(nodeContext) }
        return try await withThrowingTaskGroup(of: NodeOutputs?.self) { group in
            group.addTask { try await instance.process(nodeContext) }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            let first = try await group.next()!
            group.cancelAll()
            guard let outputs = first else { throw NodeTimeoutError(nodeID: nodeContext.nodeID, timeout: timeout) }
            return outputs
        }
    }
}

/// An edge whose source did not produce the slot it reads.
struct EdgeValueError: Error, Sendable, CustomStringConvertible {
    var edge: String
    var slot: String

    var description: String { "edge \(edge) carries no value: its source produced no output '\(slot)'" }
}
