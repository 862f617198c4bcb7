import ArgumentParser
import Foundation
import Logging
import Nodeflow
import NodeflowJobs
import NodeflowServer
import ServiceLifecycle

/// `nodeflow worker`: claims queued jobs from the data directory's store and runs them.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Claims queued jobs from the job store and runs them.",
        discussion: """
            Jobs come from `nodeflow submit` and the server. Each claimed job holds a lease the worker renews
            while it runs; if the worker dies or stalls past the lease, another worker takes the job over and
            resumes it from its recorded node results. SIGINT or SIGTERM stops claiming; running jobs get
            --shutdown-grace seconds to finish, then go back to the queue for another worker.
            """
    )

    @Option(help: "The most jobs this worker runs at once.")
    var concurrency = 2

    @Option(help: ArgumentHelp("What this worker offers, comma-separated (e.g. gpu): jobs whose nodes need a GPU go only to workers labelled gpu.", valueName: "labels"))
    var labels = ""

    @Option(help: "Seconds a claim holds without renewal (renewed three times per lease while the job runs).")
    var lease: Double = 5

    @Option(help: "A job whose lease lapsed this many times (its worker died or stalled each time) is failed as a poison job.")
    var poisonAfter = 3

    @Option(help: "Seconds running jobs may go on after SIGTERM before they are handed back to the queue.")
    var shutdownGrace: Double = 30

    @Option(help: "The log level: trace, debug, info, notice, warning, error or critical.")
    var logLevel = "info"

    @Option(help: .hidden)
    var parentPid: Int32?

    @Flag(help: "Run every node, neither reading nor writing the disk cache.")
    var noCache = false

    @OptionGroup var data: DataOptions
    @OptionGroup var python: PythonOptions

    func validate() throws {
        guard (1...1024).contains(concurrency) else { throw ValidationError("--concurrency must lie between 1 and 1024, got \(concurrency)") }
        guard lease >= 0.5, lease <= 3600 else { throw ValidationError("--lease must lie between 0.5 and 3600 seconds, got \(lease)") }
        guard (1...1000).contains(poisonAfter) else { throw ValidationError("--poison-after must lie between 1 and 1000, got \(poisonAfter)") }
        guard shutdownGrace >= 0, shutdownGrace <= 86_400 else { throw ValidationError("--shutdown-grace must lie between 0 and 86400 seconds, got \(shutdownGrace)") }
        _ = try Self.parseLabels(labels)
    }

    /// Labels: letters, digits, '-', '_' and '.', comma-separated.
    static func parseLabels(_ text: String) throws -> Set<String> {
        var labels: Set<String> = []
        for part in text.split(separator: ",") {
            let label = part.trimmingCharacters(in: .whitespaces)
            guard !label.isEmpty, label.count <= 64, label.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
                throw ValidationError("--labels: '\(label)' is not a label (letters, digits, '-', '_' and '.', at most 64)")
            }
            labels.insert(label)
        }
        return labels
    }

    func run() async throws {
        guard let level = Logger.Level(rawValue: logLevel.lowercased()) else {
            printError("error: unknown --log-level '\(logLevel)' (trace, debug, info, notice, warning, error, critical)")
            throw ExitCode(ExitStatus.invalid)
        }
        var logger = Logger(label: "nodeflow.worker")
        logger.logLevel = level
        let environment: JobEnvironment
        let types: NodeTypes
        do {
            environment = try await JobEnvironment.open(data, cache: !noCache)
            types = try await python.nodeTypes()
        } catch {
            printError("error: \(error)")
            throw ExitCode(ExitStatus.invalid)
        }
        var configuration = JobService.Configuration()
        configuration.maxConcurrentJobs = concurrency
        configuration.labels = try Self.parseLabels(labels)
        configuration.claims = ClaimPolicy(lease: .milliseconds(Int64(lease * 1000)), poisonAfter: poisonAfter)
        configuration.shutdownGrace = .milliseconds(Int64(shutdownGrace * 1000))
        configuration.runner.registry = types.registry
        configuration.runner.cachesInlineNodes = false
        let service = JobService(store: try environment.store, cache: environment.cache, configuration: configuration, logger: logger)
        logger.info("worker started", metadata: ["worker.id": "\(service.worker.identity.id)", "data": "\(data.directory.path)"])
        let group = ServiceGroup(configuration: .init(services: [service], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        let parent = parentPid, log = logger
        await withTaskGroup(of: Bool.self) { tasks in
            tasks.addTask {
                do { try await group.run() } catch { log.error("worker stopped", metadata: ["error": "\(error)"]) }
                return true
            }
            if let parent {
                // Started by a server: when that server is gone (even by SIGKILL), the parent
                // process changes; the worker then hands its jobs back at once and ends.
                tasks.addTask {
                    while !Task.isCancelled, getppid() == parent { try? await Task.sleep(for: .milliseconds(250)) }
                    if !Task.isCancelled { service.worker.stop(grace: .zero) }
                    return false
                }
            }
            for await ended in tasks where ended { tasks.cancelAll() }
        }
        await types.shutdown()  // after the jobs ended: no Python worker outlives this one
        await environment.close()
    }
}
