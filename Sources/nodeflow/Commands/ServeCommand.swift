import ArgumentParser
import Foundation
import Hummingbird
import Logging
import Nodeflow
import NodeflowJobs
import NodeflowServer
import ServiceLifecycle

/// `nodeflow serve`: the HTTP API over the data directory's job store.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serves the HTTP API: submit, list, follow and cancel jobs.",
        discussion: "SIGINT or SIGTERM stops taking jobs and lets running ones finish (or cancels them with --cancel-on-shutdown); queued jobs stay queued for the next start."
    )

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on.")
    var port = 8000

    @Option(help: "The most jobs that run at once; the rest wait, queued, in order.")
    var maxConcurrentJobs = 4

    @Option(help: "'token' to require 'Authorization: Bearer TOKEN' on every route but /health.")
    var auth: String?

    @Option(help: "With --auth token: a file of 'TOKEN USER_ID' lines.")
    var tokensFile: String?

    @Option(help: "The most connections open at once (default: from the open-file limit, at most 10000); idle ones make way for new ones at the cap.")
    var maxConnections: Int?

    @Option(help: "Seconds a connection may stay silent before it is closed.")
    var idleTimeout: Double = 60

    @Option(help: "Seconds a new connection may take to send its first request's headers.")
    var headerTimeout: Double = 10

    @Option(help: "The log level: trace, debug, info, notice, warning, error or critical. At info and below, one line per request.")
    var logLevel = "info"

    @Flag(help: "Cancel running jobs on shutdown instead of letting them finish.")
    var cancelOnShutdown = false

    @Flag(help: "Run every node, neither reading nor writing the disk cache.")
    var noCache = false

    @OptionGroup var data: DataOptions
    @OptionGroup var python: PythonOptions

    func run() async throws {
        var configuration = ServerConfiguration()
        configuration.host = host
        configuration.port = port
        guard idleTimeout > 0, idleTimeout <= 86_400, headerTimeout > 0, headerTimeout <= 3_600, (maxConnections ?? 2) >= 2 else {
            printError("error: --idle-timeout must be in (0, 86400] s, --header-timeout in (0, 3600] s, --max-connections at least 2")
            throw ExitCode(ExitStatus.invalid)
        }
        configuration.idleTimeout = .milliseconds(Int64(idleTimeout * 1000))
        configuration.headerTimeout = .milliseconds(Int64(headerTimeout * 1000))
        configuration.maxConnections = maxConnections
        ServerConfiguration.raiseOpenFileLimit()
        switch auth {
        case nil: break
        case "token"?:
            guard let tokensFile else {
                printError("error: --auth token needs --tokens-file")
                throw ExitCode(ExitStatus.invalid)
            }
            do { configuration.tokens = try ServerConfiguration.readTokens(tokensFile) } catch {
                printError("error: \(error)")
                throw ExitCode(ExitStatus.invalid)
            }
        case let other?:
            printError("error: unknown --auth '\(other)' (only 'token')")
            throw ExitCode(ExitStatus.invalid)
        }
        let environment = try await JobEnvironment.open(data, cache: !noCache)
        let types: NodeTypes
        do { types = try await python.nodeTypes() } catch {
            printError("error: \(error)")
            throw ExitCode(ExitStatus.invalid)
        }
        do {
            try await serve(configuration: configuration, environment: environment, registry: types.registry)
        } catch {
            await types.shutdown()
            throw error
        }
        await types.shutdown()  // after the running jobs ended: no Python worker outlives the server
    }

    private func serve(configuration: ServerConfiguration, environment: JobEnvironment, registry: NodeRegistry) async throws {
        var jobsConfiguration = JobService.Configuration()
        jobsConfiguration.runner.registry = registry
        jobsConfiguration.maxConcurrentJobs = maxConcurrentJobs
        jobsConfiguration.cancelRunningJobsOnShutdown = cancelOnShutdown
        jobsConfiguration.runner.cachesInlineNodes = false
        guard let level = Logger.Level(rawValue: logLevel.lowercased()) else {
            printError("error: unknown --log-level '\(logLevel)' (trace, debug, info, notice, warning, error, critical)")
            throw ExitCode(ExitStatus.invalid)
        }
        var logger = Logger(label: "nodeflow")
        logger.logLevel = level
        let store = try environment.store
        let jobs = JobService(store: store, cache: environment.cache, configuration: jobsConfiguration, logger: logger)
        let host = host
        let app = makeServer(configuration: configuration, store: store, jobs: jobs, registry: registry, logger: logger, requestLogLevel: .info) { port in
            let shown = host.contains(":") ? "[\(host)]" : host
            printError("nodeflow \(NodeflowCommand.version) serving on http://\(shown):\(port)/ (data: \(data.directory.path))")
        }
        let services = ServiceGroup(
            configuration: .init(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await services.run()
        } catch {
            // NIO reports a taken port as a raw bind(2) failure.
            let text = "\(error)"
            if text.contains("Address already in use") || text.contains("EADDRINUSE") {
                printError("error: port \(port) on \(host) is already in use; stop what holds it or choose another with --port")
            } else if text.contains("bind(") || text.contains("Cannot assign requested address") {
                printError("error: cannot listen on \(host):\(port): \(text)")
            } else {
                printError("error: \(text)")
            }
            throw ExitCode(ExitStatus.failed)
        }
    }
}
