import OrderedCollections

/// How a run ended: the one value the job store, the command line and HTTP each map to their own
/// terms (a job status, an exit code, a response), so that none of them sorts errors again.
public enum RunOutcome: Sendable {
    /// Every output, by name.
    case completed(OrderedDictionary<String, Value>)
    /// A node failed (after its retries); the run stopped.
    case nodeFailed(NodeFailure)
    /// The graph (or its params) did not validate; nothing ran.
    case invalid(GraphValidationError)
    /// The run was cancelled (Ctrl-C, a cancel request, shutdown).
    case cancelled
    /// Anything else that ended the run.
    case failed(any Error)

    /// The outcome of `runner.run(…)`'s result.
    public init(_ result: Result<OrderedDictionary<String, Value>, any Error>) {
        switch result {
        case .success(let outputs): self = .completed(outputs)
        case .failure(let error as NodeFailure): self = .nodeFailed(error)
        case .failure(let error as GraphValidationError): self = .invalid(error)
        case .failure(is CancellationError): self = .cancelled
        case .failure(let error): self = .failed(error)
        }
    }

    /// The job status a store records for it.
    public var status: JobStatus {
        switch self {
        case .completed: .completed
        case .cancelled: .cancelled
        case .nodeFailed, .invalid, .failed: .failed
        }
    }

    /// The outputs of a completed run.
    public var outputs: OrderedDictionary<String, Value>? {
        if case .completed(let outputs) = self { return outputs }
        return nil
    }

    /// What went wrong, for a failed run.
    public var errorDescription: String? {
        switch self {
        case .completed, .cancelled: nil
        case .nodeFailed(let failure): failure.description
        case .invalid(let error): String(describing: error)
        case .failed(let error): String(describing: error)
        }
    }

    /// The node that failed, when one did.
    public var errorNodeID: String? {
        if case .nodeFailed(let failure) = self { return failure.nodeID }
        return nil
    }

    /// The outputs, or the error the run ended with.
    public func get() throws -> OrderedDictionary<String, Value> {
        switch self {
        case .completed(let outputs): return outputs
        case .nodeFailed(let failure): throw failure
        case .invalid(let error): throw error
        case .cancelled: throw CancellationError()
        case .failed(let error): throw error
        }
    }
}
