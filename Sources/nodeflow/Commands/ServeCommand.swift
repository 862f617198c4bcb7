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
        discussion: """
            Jobs run in worker processes (--workers of them, started and restarted by the server; a job that
            traps takes one worker down, not the server), or in `nodeflow worker` processes started apart
            (--workers 0). SIGINT or SIGTERM stops the local workers: running jobs get --shutdown-grace seconds
            to finish, then go back to the queue; queued jobs stay queued for the next start.
            """
    )

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on.")
    var port = 8000

    @Option(help: "The most jobs the local workers run at once, shared among them; the rest wait, queued, in order.")
    var maxConcurrentJobs = 4

    @Option(help: "How many worker processes the server starts and supervises (0: jobs are left to `nodeflow worker` processes).")
    var workers = 2

    @Option(help: "Seconds running jobs may go on after SIGTERM before they are handed back to the queue.")
    var shutdownGrace: Double = 60

    @Option(help: "Seconds a local worker's claim on a job holds without renewal; a job whose worker died is taken over after it.")
    var lease: Double = 5

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
        guard (0...256).contains(workers), (1...4096).contains(maxConcurrentJobs), shutdownGrace >= 0, shutdownGrace <= 86_400, lease >= 0.5, lease <= 3600 else {
            printError("error: --workers must lie in [0, 256], --max-concurrent-jobs in [1, 4096], --shutdown-grace in [0, 86400] s, --lease in [0.5, 3600] s")
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
        await types.shutdown()  // the server only validates; its workers run the nodes
        try await serve(configuration: configuration, environment: environment, registry: types.registry)
        await environment.close()
    }

    /// The local workers: never more than the jobs that may run at once.
    private var workerCount: Int { min(workers, maxConcurrentJobs) }

    /// The command line of one local worker.
    private func workerArguments(logLevel: Logger.Level) -> [String] {
        var arguments = [
            "worker", "--data-dir", data.directory.path, "--concurrency", String(max(1, maxConcurrentJobs / workerCount)),
            "--shutdown-grace", String(shutdownGrace), "--lease", String(lease), "--parent-pid", String(getpid()), "--log-level", logLevel.rawValue,
        ]
        if noCache { arguments.append("--no-cache") }
        if let url = data.databaseURL { arguments += ["--database", url] }
        arguments += python.forwardedArguments
        return arguments
    }

    /// This program, to start workers with.
    static var executable: URL {
        #if os(Linux)
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return URL(fileURLWithPath: path) }
        #endif
        return Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
    }

    private func serve(configuration: ServerConfiguration, environment: JobEnvironment, registry: NodeRegistry) async throws {
        guard let level = Logger.Level(rawValue: logLevel.lowercased()) else {
            printError("error: unknown --log-level '\(logLevel)' (trace, debug, info, notice, warning, error, critical)")
            throw ExitCode(ExitStatus.invalid)
        }
        var logger = Logger(label: "nodeflow")
        logger.logLevel = level
        let store = try environment.store
        var workerServices: [any Service] = []
        if workers > 0 {
            workerServices.append(
                LocalWorkers(
                    executable: Self.executable, arguments: workerArguments(logLevel: level), count: workerCount,
                    stopTimeout: .milliseconds(Int64(shutdownGrace * 1000)) + .seconds(10), logger: logger))
        }
        let host = host
        let app = makeServer(
            configuration: configuration, store: store, engine: Engine(configuration: .init(registry: registry)), services: workerServices, logger: logger, requestLogLevel: .info) { port in
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
