import CoreMetrics
import Foundation
import Nodeflow
import NodeflowJobs
import Prometheus
import Synchronization

/// The server's numbers for `GET /metrics`, in Prometheus' text format: jobs by status, queue
/// depth, node latency (a histogram over completed nodes) and the cache hit rate. Node figures
/// are recorded through swift-metrics into a Prometheus registry of the server's own; job
/// figures are read from the store at each scrape.
public final class ServerMetrics: Sendable {
    /// Upper bounds of the node latency buckets, in seconds.
    static let buckets: [Double] = [0.0001, 0.001, 0.01, 0.1, 0.5, 1, 5, 30, 120]

    private let registry = PrometheusCollectorRegistry()
    private let nodeDuration: CoreMetrics.Timer
    private let cacheHits: CoreMetrics.Counter
    private let cacheMisses: CoreMetrics.Counter
    private let jobs: [JobStatus: Prometheus.Gauge]
    private let queueDepth: Prometheus.Gauge
    private let running: Prometheus.Gauge
    private let hitRatio: Prometheus.Gauge
    private let counts = Mutex<(hits: Int, misses: Int)>((0, 0))

    public init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets["nodeflow_node_duration_seconds"] = Self.buckets.map { .nanoseconds(Int64($0 * 1e9)) }
        nodeDuration = CoreMetrics.Timer(label: "nodeflow_node_duration_seconds", factory: factory)
        cacheHits = CoreMetrics.Counter(label: "nodeflow_cache_hits_total", factory: factory)
        cacheMisses = CoreMetrics.Counter(label: "nodeflow_cache_misses_total", factory: factory)
        var jobs: [JobStatus: Prometheus.Gauge] = [:]
        for status in [JobStatus.queued, .running, .completed, .failed, .cancelled] {
            jobs[status] = registry.makeGauge(name: "nodeflow_jobs", labels: [("status", status.rawValue)], help: "Jobs in the store by status.")
        }
        self.jobs = jobs
        queueDepth = registry.makeGauge(name: "nodeflow_queue_depth", help: "Jobs waiting for a worker.")
        running = registry.makeGauge(name: "nodeflow_running_jobs", help: "Jobs running on any worker.")
        hitRatio = registry.makeGauge(name: "nodeflow_cache_hit_ratio", help: "Share of completed nodes served from the cache.")
    }

    /// Counts a node's completion.
    func record(_ update: NodeUpdate) {
        guard update.status == .completed else { return }
        let cached = update.cached == true
        if cached { cacheHits.increment() } else { cacheMisses.increment() }
        counts.withLock { cached ? ($0.hits += 1) : ($0.misses += 1) }
        if let duration = update.duration { nodeDuration.recordNanoseconds(Int64(duration * 1e9)) }
    }

    /// The exposition text.
    func render(jobCounts: [JobStatus: Int], queueDepth depth: Int, running runningCount: Int) -> String {
        for (status, gauge) in jobs { gauge.set(Double(jobCounts[status] ?? 0)) }
        queueDepth.set(Double(depth))
        running.set(Double(runningCount))
        let (hits, misses) = counts.withLock { $0 }
        hitRatio.set(hits + misses == 0 ? 0 : Double(hits) / Double(hits + misses))
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}
