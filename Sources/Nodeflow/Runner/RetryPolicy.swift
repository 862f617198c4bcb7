/// How a node is tried again after an error: up to `maxAttempts` attempts in all, waiting
/// `initialDelay × multiplier^(n-1)` (at most `maxDelay`) plus a random jitter before attempt n+1.
///
/// Cancellation is never retried.
public struct RetryPolicy: Sendable {
    /// Attempts in all, the first included.
    public var maxAttempts: Int
    public var initialDelay: Duration
    public var multiplier: Double
    public var maxDelay: Duration
    /// The largest random fraction of the delay added to it (0.1 adds up to 10%).
    public var jitter: Double
    /// Decides whether an error is worth another attempt; by default every error is.
    public var shouldRetry: @Sendable (any Error) -> Bool

    public init(
        maxAttempts: Int = 3, initialDelay: Duration = .milliseconds(100), multiplier: Double = 2,
        maxDelay: Duration = .seconds(30), jitter: Double = 0.1,
        shouldRetry: @escaping @Sendable (any Error) -> Bool = { _ in true }
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialDelay = initialDelay
        self.multiplier = multiplier
        self.maxDelay = maxDelay
        self.jitter = jitter
        self.shouldRetry = shouldRetry
    }

    /// The wait after failed attempt `attempt` (1-based), jitter included.
    public func delay(afterAttempt attempt: Int) -> Duration {
        let base = initialDelay * pow(multiplier, Double(attempt - 1))
        let capped = min(base, maxDelay)
        return capped * (1 + Double.random(in: 0...max(0, jitter)))
    }

    private func pow(_ x: Double, _ n: Double) -> Double {
        var result = 1.0
        for _ in 0..<Int(n) { result *= x }
        return result
    }
}

/// A node attempt that ran longer than its timeout.
public struct NodeTimeoutError: Error, Sendable, CustomStringConvertible {
    public var nodeID: String
    public var timeout: Duration

    public var description: String { "node '\(nodeID)' timed out after \(timeout)" }
}
