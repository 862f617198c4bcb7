import Foundation
import Nodeflow
import NodeflowJobs
import Synchronization

/// The server's numbers for `GET /metrics`, in Prometheus' text format: jobs by status, queue
/// depth, node latency (a histogram over completed nodes), and the cache hit rate.
public final class ServerMetrics: Sendable {
    /// Upper bounds of the node latency buckets, in seconds.
    static let buckets: [Double] = [0.0001, 0.001, 0.01, 0.1, 0.5, 1, 5, 30, 120]

    private struct State {
        var bucketCounts = [Int](repeating: 0, count: ServerMetrics.buckets.count)
        var count = 0
        var sum = 0.0
        var cacheHits = 0
        var cacheMisses = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// Counts a node's completion.
    func record(_ update: NodeUpdate) {
        guard update.status == .completed else { return }
        state.withLock { state in
            if update.cached == true { state.cacheHits += 1 } else { state.cacheMisses += 1 }
            guard let duration = update.duration else { return }
            state.count += 1
            state.sum += duration
            for (i, bound) in Self.buckets.enumerated() where duration <= bound { state.bucketCounts[i] += 1 }
        }
    }

    /// The exposition text.
    func render(jobCounts: [JobStatus: Int], queueDepth: Int, running: Int) -> String {
        let s = state.withLock { $0 }
        var out = "# HELP nodeflow_jobs Jobs in the store by status.\n# TYPE nodeflow_jobs gauge\n"
        for status in [JobStatus.queued, .running, .completed, .failed, .cancelled] {
            out += "nodeflow_jobs{status=\"\(status.rawValue)\"} \(jobCounts[status] ?? 0)\n"
        }
        out += "# HELP nodeflow_queue_depth Jobs waiting for a slot in this server.\n# TYPE nodeflow_queue_depth gauge\nnodeflow_queue_depth \(queueDepth)\n"
        out += "# HELP nodeflow_running_jobs Jobs running in this server.\n# TYPE nodeflow_running_jobs gauge\nnodeflow_running_jobs \(running)\n"
        out += "# HELP nodeflow_node_duration_seconds Time nodes took to complete.\n# TYPE nodeflow_node_duration_seconds histogram\n"
        for (i, bound) in Self.buckets.enumerated() {
            out += "nodeflow_node_duration_seconds_bucket{le=\"\(bound)\"} \(s.bucketCounts[i])\n"
        }
        out += "nodeflow_node_duration_seconds_bucket{le=\"+Inf\"} \(s.count)\n"
        out += "nodeflow_node_duration_seconds_sum \(s.sum)\nnodeflow_node_duration_seconds_count \(s.count)\n"
        out += "# HELP nodeflow_cache_hits_total Completed nodes served from the cache.\n# TYPE nodeflow_cache_hits_total counter\nnodeflow_cache_hits_total \(s.cacheHits)\n"
        out += "# HELP nodeflow_cache_misses_total Completed nodes that ran.\n# TYPE nodeflow_cache_misses_total counter\nnodeflow_cache_misses_total \(s.cacheMisses)\n"
        let total = s.cacheHits + s.cacheMisses
        out += "# HELP nodeflow_cache_hit_ratio Share of completed nodes served from the cache.\n# TYPE nodeflow_cache_hit_ratio gauge\nnodeflow_cache_hit_ratio \(total == 0 ? 0 : Double(s.cacheHits) / Double(total))\n"
        return out
    }
}
