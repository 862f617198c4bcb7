import Foundation

/// How Nodeflow starts nodetool's Python workers.
public struct PythonConfiguration: Sendable {
    /// The Python interpreter, one that has `nodetool-core` and the node packs installed (a
    /// virtual environment's `bin/python`).
    public var interpreter: String
    /// The workers' environment: Nodeflow's own by default, so `PYTHONPATH`, API keys and
    /// `NODETOOL_*` settings reach them.
    public var environment: [String: String]
    /// The namespaces the workers load (`--namespaces`); `nil` for every installed pack.
    public var namespaces: [String]?
    /// How many workers run at most at once when nodes wait for one; a node that blocks Python
    /// (CPU-bound work, `time.sleep`) holds only its own worker.
    public var workers: Int
    /// How long a worker may take to load its packs (importing torch can take a while).
    public var startTimeout: Duration
    /// How long a cancelled node may take to stop before its worker is killed and replaced.
    public var cancelGrace: Duration
    /// Secrets sent with every node call, beside what the workers read from the environment.
    public var secrets: [String: String]

    public init(
        interpreter: String,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        namespaces: [String]? = nil,
        workers: Int = max(2, ProcessInfo.processInfo.activeProcessorCount),
        startTimeout: Duration = .seconds(120),
        cancelGrace: Duration = .seconds(1),
        secrets: [String: String] = [:]
    ) {
        self.interpreter = interpreter
        self.environment = environment
        self.namespaces = namespaces
        self.workers = max(1, workers)
        self.startTimeout = startTimeout
        self.cancelGrace = cancelGrace
        self.secrets = secrets
    }
}
