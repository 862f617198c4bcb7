import DequeModule
import OrderedCollections
import Foundation

/// Invoking a node: messages, the cache, then the node (or its loop) with retries, GPU slots
/// and timeouts.
extension RunExecution {
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
            (clock.now - start).inSeconds
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
    func invoke(_ instance: any Node, meta: NodeTypeInfo, context nodeContext: NodeContext) async throws -> NodeOutputs {
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
