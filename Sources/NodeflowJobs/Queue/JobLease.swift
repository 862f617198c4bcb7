import Foundation
import Nodeflow

/// A process's hold on a running job, and the fencing token of every write it makes for it.
///
/// Each time a job starts running — claimed by a worker, or run by `nodeflow run` and `resume` —
/// its epoch goes up by one. The store refuses to record messages for, finish or release a job
/// with an epoch that is not the job's current one (``JobStoreError/leaseLost(_:)``): a worker
/// that was paused past its lease (SIGSTOP, a long stall, a partition) and whose job another
/// worker took over can never write into it again.
public struct JobLease: Sendable, Hashable {
    public var jobID: String
    public var epoch: Int

    public init(jobID: String, epoch: Int) {
        self.jobID = jobID
        self.epoch = epoch
    }
}

/// Who claims jobs from the queue: a worker process, with the labels it serves.
public struct WorkerIdentity: Sendable, Hashable {
    /// Unique among workers (host, process id and a random part).
    public var id: String
    public var host: String
    public var processID: Int32
    /// What the worker offers; a job is claimed only by a worker that has every label the job
    /// requires (``JobRecord/requiredLabels``), e.g. `gpu`.
    public var labels: Set<String>

    public init(id: String? = nil, host: String = ProcessInfo.processInfo.hostName, processID: Int32 = getpid(), labels: Set<String> = []) {
        self.host = host
        self.processID = processID
        self.labels = labels
        self.id = id ?? "\(host):\(processID):\(UUID().uuidString.prefix(8).lowercased())"
    }
}

/// A job a worker claimed: the job, whole, and the lease it runs under.
public struct JobClaim: Sendable {
    public var job: JobRecord
    public var lease: JobLease
    /// Whether the job ran before (its lease lapsed, or it was handed back): the worker resumes
    /// it from its recorded node results.
    public var isResumption: Bool

    public init(job: JobRecord, lease: JobLease, isResumption: Bool) {
        self.job = job
        self.lease = lease
        self.isResumption = isResumption
    }
}

/// How a worker's claims behave.
public struct ClaimPolicy: Sendable {
    /// How long a claim holds without a renewal; another worker takes the job over after that.
    public var lease: Duration
    /// A job whose lease lapsed this many times (each time, its worker died or stalled while
    /// running it) is failed as a poison job rather than claimed again.
    public var poisonAfter: Int

    public init(lease: Duration = .seconds(5), poisonAfter: Int = 3) {
        self.lease = lease
        self.poisonAfter = poisonAfter
    }

    package var leaseSeconds: Double { lease.inSeconds }
}

extension JobRecord {
    /// The labels a worker needs to run `graph`: `gpu` when a node holds a GPU slot.
    public static func requiredLabels(for graph: Graph, registry: NodeRegistry) -> [String] {
        let needsGPU = graph.nodes.contains { node in
            registry.entry(named: node.type)?.metadata.requiredResources.contains(.gpu) == true
        }
        return needsGPU ? ["gpu"] : []
    }
}

/// Labels as the SQLite store keeps them: sorted, each between commas (",big,gpu,"; "" for none),
/// so that a label is matched whole.
package enum LabelColumn {
    package static func encode(_ labels: some Sequence<String>) -> String {
        let sorted = Set(labels).sorted()
        return sorted.isEmpty ? "" : "," + sorted.joined(separator: ",") + ","
    }

    package static func decode(_ text: String) -> [String] {
        text.split(separator: ",").map(String.init)
    }
}
