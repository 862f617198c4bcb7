import ArgumentParser
import Foundation
import Nodeflow
import NodeflowNodes
import OrderedCollections

/// `nodeflow run FILE`: runs a workflow, shows its progress, and prints its outputs as JSON.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Runs a workflow and prints its outputs as JSON.",
        discussion: """
            Exit codes: 0 completed, 1 a node failed, 2 invalid workflow or arguments, 130 cancelled (Ctrl-C).
            On a terminal a live view shows each node's state on standard error; piped, one line per node.
            """
    )

    @Argument(help: "The workflow file (nodetool JSON: a workflow document or a bare graph), or - for standard input.")
    var file: String

    @Option(name: [.customShort("p"), .customLong("param")], help: ArgumentHelp("A param for an input node, NAME=VALUE; VALUE is read as JSON when it parses, else as a string.", valueName: "NAME=VALUE"))
    var params: [String] = []

    @Flag(help: "Print every message as one JSON line on standard output (the last one carries the outputs).")
    var jsonl = false

    @Flag(help: "Print only the outputs.")
    var quiet = false

    @Option(help: "The most nodes to run at once (default: no limit).")
    var maxConcurrency: Int?

    @Flag(help: "Print the run's wall time (from the first message to the last, file loading excluded) and its message count on standard error.")
    var timing = false

    func run() async throws {
        let workflow: Workflow
        let paramValues: OrderedDictionary<String, Value>
        do {
            workflow = try WorkflowFile.load(file)
            paramValues = try Self.parseParams(params)
        } catch {
            printError("error: \(error)")
            throw ExitCode(ExitStatus.invalid)
        }

        let registry = NodeRegistry.standard
        let jobID = UUID().uuidString.lowercased()
        let runner = WorkflowRunner(jobID: jobID, configuration: .init(registry: registry, maxConcurrency: maxConcurrency))
        let context = ProcessingContext()
        let request = RunJobRequest(graph: workflow.graph, params: paramValues, jobID: jobID, workflowID: workflow.id)
        let interrupt = InterruptHandler { runner.cancel() }
        defer { interrupt.restore() }

        let display: any ProgressDisplay
        if jsonl {
            display = JSONLinesDisplay()
        } else if quiet {
            display = SilentDisplay()
        } else if isatty(STDERR_FILENO) == 1 {
            display = LiveDisplay(workflow: workflow)
        } else {
            display = PlainDisplay()
        }

        let clock = ContinuousClock()
        let started = clock.now
        let outcome: Result<OrderedDictionary<String, Value>, any Error> = await withTaskGroup(of: Result<OrderedDictionary<String, Value>, any Error>?.self) { group in
            group.addTask {
                do { return .success(try await runner.run(request, context: context)) } catch { return .failure(error) }
            }
            group.addTask {
                await display.consume(context.messages)
                return nil
            }
            var result: Result<OrderedDictionary<String, Value>, any Error>?
            for await value in group where value != nil { result = value }
            return result!
        }

        if timing {
            let elapsed = clock.now - started
            let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) * 1e-15
            printError(String(format: "nodeflow run: %.1f ms, %d nodes", ms, workflow.graph.nodes.count))
        }
        switch outcome {
        case .success(let outputs):
            if !jsonl { print(Value.dict(outputs).jsonString(pretty: true)) }
        case .failure(let error as NodeFailure):
            if !jsonl { printError("error: \(error)") }
            throw ExitCode(ExitStatus.failed)
        case .failure(is CancellationError):
            if !jsonl { printError("cancelled") }
            throw ExitCode(ExitStatus.cancelled)
        case .failure(let error as GraphValidationError):
            // The runner validates before anything runs; an invalid workflow exits 2 with every problem.
            printError("\(file): \(error.problems.count == 1 ? "1 problem" : "\(error.problems.count) problems")")
            for problem in error.problems { printError("  - \(problem.message)") }
            throw ExitCode(ExitStatus.invalid)
        case .failure(let error):
            printError("error: \(error)")
            throw ExitCode(ExitStatus.failed)
        }
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
