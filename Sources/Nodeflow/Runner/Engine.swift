import OrderedCollections

/// What validates and runs workflows, as one value: the node types, the runner's configuration,
/// the GPU pool and the result cache. Validation and running read the same node types and GPU
/// slots, and every run made from one engine takes GPU slots from one pool.
public struct Engine: Sendable {
    /// The runners' configuration; its `gpuPool` is the engine's own, shared by its runs.
    public let configuration: WorkflowRunner.Configuration
    public let cache: (any ResultCache)?

    public init(configuration: WorkflowRunner.Configuration, cache: (any ResultCache)? = nil) {
        var configuration = configuration
        if configuration.gpuPool == nil {
            configuration.gpuPool = ResourcePool(size: configuration.gpuSlots ?? ResourcePool.detectedGPUCount())
        }
        self.configuration = configuration
        self.cache = cache
    }

    /// The node types.
    public var registry: NodeRegistry { configuration.registry }

    /// Every problem of `graph` with `params`, or its plan.
    public func validate(_ graph: Graph, params: OrderedDictionary<String, Value> = [:]) throws(GraphValidationError) -> ExecutionPlan {
        try GraphValidator(registry: registry, gpuSlots: configuration.gpuPool?.size ?? ResourcePool.detectedGPUCount()).compile(graph, params: params)
    }

    /// A runner for one job.
    public func runner(jobID: String) -> WorkflowRunner {
        WorkflowRunner(jobID: jobID, configuration: configuration)
    }
}
