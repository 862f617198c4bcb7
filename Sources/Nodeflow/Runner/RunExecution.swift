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
        for i in plan.nodes.indices { instances.append(plan.makeNode(i)) }
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
    func resumed(_ l: Int, in scope: ScopePlan) -> NodeOutputs? {
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
            // Today's output nodes record every value they receive: their result is that list,
            // absent when they recorded nothing (see RecordedOutputs).
            if plan.metadata(plan.root.members[local]).streamRole == .consumer {
                if let values = context.recordedOutputs.values(named: name) { outputs[name] = .list(values) }
                continue
            }
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

}
