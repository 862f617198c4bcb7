import ArgumentParser
import Foundation
import Nodeflow
import NodeflowJobs

/// `nodeflow submit FILE`: validates a workflow and queues it for a worker; prints the job's id.
struct SubmitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Queues a workflow for a worker (nodeflow worker, or nodeflow serve's) and prints the job id.",
        discussion: "Follow it with `nodeflow jobs events ID --follow`; cancel it with `nodeflow jobs cancel ID`."
    )

    @Argument(help: "The workflow file (nodetool JSON: a workflow document or a bare graph), or - for standard input.")
    var file: String

    @Option(name: [.customShort("p"), .customLong("param")], help: ArgumentHelp("A param for an input node, NAME=VALUE; VALUE is read as JSON when it parses, else as a string.", valueName: "NAME=VALUE"))
    var params: [String] = []

    @OptionGroup var data: DataOptions
    @OptionGroup var python: PythonOptions

    func run() async throws {
        do {
            let (workflow, text) = try WorkflowFile.loadWithText(file)
            let paramValues = try RunCommand.parseParams(params)
            let types = try await python.nodeTypes()
            await types.shutdown()  // validating needs no Python worker
            do {
                _ = try Engine(configuration: .init(registry: types.registry)).validate(workflow.graph, params: paramValues)
            } catch {
                printError("\(file): \(error.problems.count == 1 ? "1 problem" : "\(error.problems.count) problems")")
                for problem in error.problems { printError("  - \(problem.message)") }
                throw ExitCode(ExitStatus.invalid)
            }
            let environment = try await JobEnvironment.open(data)
            var job = JobRecord(
                id: UUID().uuidString.lowercased(), workflowID: workflow.id, workflowName: workflow.name ?? workflow.id ?? file,
                graph: workflow.graph, params: paramValues)
            job.graphJSON = text
            job.requiredLabels = JobRecord.requiredLabels(for: workflow.graph, registry: types.registry)
            try await environment.store.create(job)
            print(job.id)
        } catch let exit as ExitCode {
            throw exit
        } catch {
            printError("error: \(error)")
            throw ExitCode(ExitStatus.invalid)
        }
    }
}
