import Foundation
import Logging
import NodeflowJobs
import ServiceLifecycle

/// Keeps the server's job store within its retention policy: every `interval`, a cheap check,
/// and a prune when the store is past a limit.
public struct RetentionService: Service {
    public let store: any JobStore
    public let policy: RetentionPolicy
    public let interval: Duration
    private let logger: Logger

    public init(store: any JobStore, policy: RetentionPolicy = .default, interval: Duration = .seconds(600), logger: Logger = Logger(label: "nodeflow.retention")) {
        self.store = store
        self.policy = policy
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    if try await store.exceeds(policy, now: Date()) {
                        let report = try await store.prune(policy, now: Date())
                        logger.info(
                            "pruned the job store",
                            metadata: ["jobs.deleted": "\(report.deletedJobs.count)", "store.bytes.before": "\(report.bytesBefore)", "store.bytes.after": "\(report.bytesAfter)"])
                    }
                } catch {
                    logger.warning("could not prune the job store", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
