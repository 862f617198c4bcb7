import ArgumentParser
import Foundation
import Nodeflow
import NodeflowJobs
import NodeflowNodes
import NodeflowPostgres
import OrderedCollections
import Synchronization

/// `--data-dir`: where the job store and the disk cache live; `--database`: a PostgreSQL job
/// store instead of the data directory's SQLite one.
struct DataOptions: ParsableArguments {
    @Option(help: "The data directory (default: $NODEFLOW_DATA_DIR, else ~/.local/share/nodeflow).")
    var dataDir: String?

    @Option(help: ArgumentHelp("A PostgreSQL job store, shared by workers on many machines (default: $NODEFLOW_DATABASE_URL, else the data directory's SQLite store).", valueName: "postgres://user:password@host:port/database"))
    var database: String?

    /// The PostgreSQL URL asked for, if any.
    var databaseURL: String? {
        if let database, !database.isEmpty { return database }
        let fromEnvironment = ProcessInfo.processInfo.environment["NODEFLOW_DATABASE_URL"] ?? ""
        return fromEnvironment.isEmpty ? nil : fromEnvironment
    }

    var directory: URL {
        if let dataDir { return URL(fileURLWithPath: dataDir, isDirectory: true) }
        let environment = ProcessInfo.processInfo.environment
        if let dir = environment["NODEFLOW_DATA_DIR"], !dir.isEmpty { return URL(fileURLWithPath: dir, isDirectory: true) }
        if let xdg = environment["XDG_DATA_HOME"], !xdg.isEmpty { return URL(fileURLWithPath: xdg).appendingPathComponent("nodeflow", isDirectory: true) }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".local/share/nodeflow", isDirectory: true)
    }
}

/// The job store and disk cache of a data directory, opened for one command.
struct JobEnvironment {
    let directory: URL
    private let openedStore: (any JobStore)?
    let cache: DiskResultCache?

    /// The job store; an error for an environment opened without one (`--no-store`).
    var store: any JobStore {
        get throws {
            guard let openedStore else { throw CLIError.invalid("this command runs without the job store (--no-store)") }
            return openedStore
        }
    }

    static let host = ProcessInfo.processInfo.hostName

    /// Opens the data directory; on the way, marks jobs whose process is gone as failed.
    /// - Parameter store: whether to open the job store (not for `run --no-store`, which saves
    ///   opening and migrating it).
    static func open(_ options: DataOptions, cache: Bool = false, store openStore: Bool = true) async throws -> JobEnvironment {
        let directory = options.directory
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let store: (any JobStore)?
            if !openStore {
                store = nil
            } else if let url = options.databaseURL {
                store = try await PostgresJobStore.connect(url: url)
            } else {
                store = try SQLiteJobStore(path: directory.appendingPathComponent("jobs.sqlite").path)
            }
            let diskCache = cache ? try DiskResultCache(directory: directory.appendingPathComponent("cache", isDirectory: true)) : nil
            let environment = JobEnvironment(directory: directory, openedStore: store, cache: diskCache)
            if store != nil {
                _ = try await environment.failOrphans()
                CrashMarker.install(directory: directory)
            }
            return environment
        } catch let error as JobStoreError {
            if case .unavailable = error { throw CLIError.invalid("\(error)") }
            throw CLIError.invalid("cannot open the data directory \(directory.path): \(error)")
        } catch {
            throw CLIError.invalid("cannot open the data directory \(directory.path): \(error)")
        }
    }

    /// Closes the store (a PostgreSQL store's connections).
    func close() async {
        await openedStore?.close()
    }

    /// Keeps the store within the default retention policy: after a run, a cheap check, and a
    /// prune only when the store is past a limit. A failure here never fails the run.
    func applyRetention() async {
        do {
            if try await store.exceeds(.default) { try await store.prune(.default) }
        } catch {
            printError("warning: could not prune the job store: \(error)")
        }
    }

    /// Marks running jobs of this host whose process has exited as failed.
    func failOrphans() async throws -> [String] {
        let crashed = CrashMarker.crashedJobs(directory: directory)
        let failed = try await store.failOrphans(host: Self.host, crashed: crashed, isAlive: Self.isAlive)
        // A crash record is spent once its job is marked; one whose process still exits stays.
        CrashMarker.forget(crashed.intersection(failed), directory: directory)
        return failed
    }

    /// Whether a process is alive: it exists and is not a zombie waiting to be reaped.
    static func isAlive(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 || errno == EPERM else { return false }
        // On Linux a killed process stays until its parent reaps it; its state is then 'Z'.
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return true }
        let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
        return state != "Z" && state != "X"
    }
}

/// How `run` and `resume` show a job while it runs.
struct DisplayOptions: ParsableArguments {
    @Flag(help: "Print every message as one JSON line on standard output (the last one carries the outputs).")
    var jsonl = false

    @Flag(help: "Print only the outputs.")
    var quiet = false

    @Option(help: "The most nodes to run at once (default: no limit).")
    var maxConcurrency: Int?

    @Flag(help: "Print the run's wall time (file loading excluded) on standard error.")
    var timing = false

    func display(for workflowName: String, graph: Graph) -> any ProgressDisplay {
        if jsonl { return JSONLinesDisplay() }
        if quiet { return SilentDisplay() }
        if isatty(STDERR_FILENO) == 1 { return LiveDisplay(title: workflowName, graph: graph) }
        return PlainDisplay()
    }
}

/// Runs a job recorded in the store — a new one or a resumed one — with its messages recorded,
/// Ctrl-C and cancel requests from other processes handled, and the outcome stored.
struct JobSession {
    let environment: JobEnvironment
    let display: DisplayOptions
    /// Whether the job is recorded in the store (`--no-store` runs it unrecorded).
    var records = true
    /// The node types the job may use (the standard ones, and Python packs with `--python`).
    var registry: NodeRegistry = .standard

    /// Runs the job and returns the process exit code.
    /// - Parameter create: whether the job is new and still to be stored.
    func run(
        _ job: JobRecord, create: Bool = false, completedResults: [String: NodeResultRecord] = [:],
        completedIterations: [String: [Int: NodeOutputs]] = [:]
    ) async throws -> Int32 {
        var configuration = WorkflowRunner.Configuration(registry: registry, maxConcurrency: display.maxConcurrency)
        configuration.cachesInlineNodes = false  // cheaper to recompute than to read from disk
        let view = display.display(for: job.workflowName ?? job.workflowID ?? "workflow", graph: job.graph)
        let current = CurrentRunner()
        let interrupt = InterruptHandler { current.cancel() }
        defer { interrupt.restore() }
        let clock = ContinuousClock()
        let started = clock.now
        let outcome: RunOutcome
        if records {
            outcome = try await RecordedRun(store: environment.store, configuration: configuration, cache: environment.cache, host: JobEnvironment.host)
                .run(job, ownership: create ? .create : .markRunning, completedResults: completedResults.mapValues(\.outputs), completedIterations: completedIterations, started: current.set) { await view.consume($0) }
        } else {
            outcome = await Self.runUnrecorded(job, configuration: configuration, cache: environment.cache, current: current, view: view)
        }
        if display.timing {
            let ms = (clock.now - started).inSeconds * 1000
            printError(String(format: "nodeflow run: %.1f ms, %d nodes", ms, job.graph.nodes.count))
        }
        let quietErrors = display.jsonl
        switch outcome {
        case .completed(let outputs):
            if !display.jsonl { print(Value.dict(outputs).jsonString(pretty: true)) }
            return ExitStatus.completed
        case .nodeFailed(let error):
            if !quietErrors { printError("error: \(error)") }
            return ExitStatus.failed
        case .invalid(let error):
            printError("\(job.workflowName ?? "workflow"): \(error.problems.count == 1 ? "1 problem" : "\(error.problems.count) problems")")
            for problem in error.problems {
                printError("  - \(problem.message)")
                if let hint = Self.paramHint(problem, params: job.params) { printError("    \(hint)") }
            }
            return ExitStatus.invalid
        case .cancelled:
            if !quietErrors { printError("cancelled (job \(job.id))") }
            return ExitStatus.cancelled
        case .failed(let error):
            printError("error: \(error)")
            return ExitStatus.failed
        }
    }
}

extension JobSession {
    /// For a param that `-p` read as JSON (`42`, `true`) where the input wants text: how to
    /// pass it as text.
    static func paramHint(_ problem: ValidationProblem, params: OrderedDictionary<String, Value>) -> String? {
        guard problem.kind == .invalidParam, let name = problem.property, let value = params[name] else { return nil }
        switch value {
        case .int, .float, .bool, .null:
            guard problem.message.hasSuffix("expects str") || problem.message.contains("expects str |") else { return nil }
            let text = value.jsonString()
            return "hint: -p reads a value as JSON when it parses as JSON; for the text \(text), quote it: -p \(name)='\"\(text)\"'"
        default:
            return nil
        }
    }

    /// Runs a job without the store (`--no-store`).
    static func runUnrecorded(
        _ job: JobRecord, configuration: WorkflowRunner.Configuration, cache: (any ResultCache)?, current: CurrentRunner, view: any ProgressDisplay
    ) async -> RunOutcome {
        let runner = WorkflowRunner(jobID: job.id, configuration: configuration)
        current.set(runner)
        let context = ProcessingContext(userID: job.userID, cache: cache)
        let request = RunJobRequest(graph: job.graph, params: job.params, jobID: job.id, workflowID: job.workflowID, userID: job.userID)
        async let consumed: Void = view.consume(context.messages)
        let result: Result<OrderedDictionary<String, Value>, any Error>
        do { result = .success(try await runner.run(request, context: context)) } catch { result = .failure(error) }
        await consumed
        return RunOutcome(result)
    }
}

/// The runner of the job being run, for Ctrl-C, which may come before the runner exists.
final class CurrentRunner: Sendable {
    private let state = Mutex<(runner: WorkflowRunner?, cancelled: Bool)>((nil, false))

    func set(_ runner: WorkflowRunner) {
        let cancelled = state.withLock { state -> Bool in
            state.runner = runner
            return state.cancelled
        }
        if cancelled { runner.cancel() }
    }

    func cancel() {
        let runner = state.withLock { state -> WorkflowRunner? in
            state.cancelled = true
            return state.runner
        }
        runner?.cancel()
    }
}
