import ArgumentParser
import Foundation
import Nodeflow
import NodeflowJobs
import OrderedCollections

/// `nodeflow run FILE`: runs a workflow, shows its progress, prints its outputs as JSON, and
/// records the job in the data directory's job store.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Runs a workflow and prints its outputs as JSON.",
        discussion: """
            Exit codes: 0 completed, 1 a node failed, 2 invalid workflow or arguments, 130 cancelled (Ctrl-C).
            On a terminal a live view shows each node's state on standard error; piped, one line per node.
            The job, its messages and its nodes' results are recorded in the data directory
            (see `nodeflow jobs`); node results are cached there across runs unless --no-cache.
            """
    )

    @Argument(help: "The workflow file (nodetool JSON: a workflow document or a bare graph), or - for standard input.")
    var file: String

    @Option(name: [.customShort("p"), .customLong("param")], help: ArgumentHelp("A param for an input node, NAME=VALUE; VALUE is read as JSON when it parses, else as a string.", valueName: "NAME=VALUE"))
    var params: [String] = []

    @OptionGroup var display: DisplayOptions
    @OptionGroup var data: DataOptions
    @OptionGroup var python: PythonOptions

    @Flag(help: "Run every node, neither reading nor writing the disk cache.")
    var noCache = false

    @Flag(help: "Do not record the job in the job store (it cannot be listed or resumed).")
    var noStore = false

    func run() async throws {
        let workflow: Workflow
        let text: [UInt8]
        let paramValues: OrderedDictionary<String, Value>
        do {
            (workflow, text) = try WorkflowFile.loadWithText(file)
            paramValues = try Self.parseParams(params)
        } catch {
            printError("error: \(error)")
            throw ExitCode(ExitStatus.invalid)
        }
        let environment: JobEnvironment
        let types: NodeTypes
        do {
            environment = try await JobEnvironment.open(data, cache: !noCache, store: !noStore)
            types = try await python.nodeTypes()
        } catch {
            printError("error: \(error)")
            throw ExitCode(ExitStatus.invalid)
        }
        var job = JobRecord(
            id: UUID().uuidString.lowercased(), workflowID: workflow.id, workflowName: workflow.name ?? workflow.id ?? file,
            graph: workflow.graph, params: paramValues)
        job.graphJSON = text
        if !noStore && !display.quiet && !display.jsonl { printError("job \(job.id)") }
        let status: Int32
        do {
            status = try await JobSession(environment: environment, display: display, records: !noStore, registry: types.registry).run(job, create: true)
        } catch {
            await types.shutdown()
            throw error
        }
        await types.shutdown()
        if !noStore { await environment.applyRetention() }
        // Everything is written and recorded: end here rather than free a large graph, its
        // parsed document and its plan object by object on the way out (a tenth of a second
        // for 100,000 nodes, for memory the process gives back at once by exiting).
        Foundation.exit(status)  // flushes standard output
    }

    /// Reads `NAME=VALUE` pairs; a VALUE that parses as JSON is that value, else the string.
    static func parseParams(_ pairs: [String]) throws -> OrderedDictionary<String, Value> {
        var result = OrderedDictionary<String, Value>()
        for pair in pairs {
            guard let eq = pair.firstIndex(of: "="), eq != pair.startIndex else {
                throw CLIError.invalid("-p expects NAME=VALUE, got '\(pair)'")
            }
            let name = String(pair[..<eq])
            let text = String(pair[pair.index(after: eq)...])
            result[name] = (try? Value(json: text)) ?? .string(text)
        }
        return result
    }
}

/// `nodeflow resume JOB_ID`: continues a job that was killed or failed, skipping every node whose
/// result was recorded.
struct ResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Continues an interrupted job, skipping the nodes that had finished.",
        discussion: "With --orphans, resumes every job of this host whose process died while running it (and that no later run finished)."
    )

    @Argument(help: "The job to resume: its id, or a unique prefix of it.")
    var jobID: String?

    @Flag(name: [.customLong("orphans"), .customLong("resume-orphans")], help: "Resume every job of this host whose process is gone.")
    var orphans = false

    @OptionGroup var display: DisplayOptions
    @OptionGroup var data: DataOptions
    @OptionGroup var python: PythonOptions

    @Flag(help: "Run every node, neither reading nor writing the disk cache.")
    var noCache = false

    func validate() throws {
        if (jobID == nil) == !orphans { throw ValidationError("give a job id, or --orphans") }
    }

    func run() async throws {
        let types: NodeTypes
        do { types = try await python.nodeTypes() } catch {
            printError("error: \(error)")
            throw ExitCode(ExitStatus.invalid)
        }
        do {
            try await resume(registry: types.registry)
        } catch {
            await types.shutdown()
            throw error
        }
        await types.shutdown()
    }

    private func resume(registry: NodeRegistry) async throws {
        let environment: JobEnvironment
        do {
            // Opening marks dead jobs failed, with the orphan error; those are the ones to resume.
            environment = try await JobEnvironment.open(data, cache: !noCache)
            let failed = orphans ? try await environment.store.jobs(JobQuery(status: .failed, limit: 10_000)).filter { $0.host == JobEnvironment.host } : []
            let ids = orphans ? failed.filter { $0.error == JobRecord.orphanError }.map(\.id) : [try await environment.resolveJobID(jobID ?? "")]
            // A job that was running when its process crashed may crash it again: only by name.
            for crashed in failed where crashed.error == JobRecord.crashError && !display.quiet {
                printError("skipping job \(crashed.id): its process crashed while running it; `nodeflow resume \(crashed.id)` runs it again")
            }
            if orphans && ids.isEmpty && !display.quiet { printError("no orphaned jobs") }
            var worst = ExitStatus.completed
            for id in ids {
                guard let job = try await environment.store.job(id) else {
                    printError("error: no job with id '\(id)'")
                    throw ExitCode(ExitStatus.invalid)
                }
                guard job.status != .completed else {
                    printError("job \(id) already completed; its outputs: \(Value.dict(job.outputs ?? [:]).jsonString())")
                    continue
                }
                guard job.status != .running else {
                    printError("error: job \(id) is running in process \(job.processID.map(String.init) ?? "?")")
                    throw ExitCode(ExitStatus.invalid)
                }
                let (done, iterations) = try await environment.store.recordedResults(id)
                if !display.quiet && !display.jsonl { printError("resuming job \(id): \(done.count) of \(job.graph.nodes.count) nodes already done") }
                let status = try await JobSession(environment: environment, display: display, registry: registry).run(job, completedResults: done, completedIterations: iterations)
                if status != ExitStatus.completed { worst = status }
            }
            if worst != ExitStatus.completed { throw ExitCode(worst) }
        } catch let error as CLIError {
            printError("error: \(error)")
            throw ExitCode(ExitStatus.invalid)
        }
    }
}
