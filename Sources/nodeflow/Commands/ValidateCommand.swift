import ArgumentParser
import Foundation
import Nodeflow
import NodeflowNodes

/// `nodeflow validate FILE`: reports every problem in a workflow without running it.
struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Checks a workflow without running it; exits 2 when it has problems."
    )

    @Argument(help: "The workflow file (nodetool JSON), or - for standard input.")
    var file: String

    @Flag(help: "Print the problems as a JSON list (a file that does not load: one problem of kind loadError).")
    var json = false

    @OptionGroup var python: PythonOptions

    func run() async throws {
        let workflow: Workflow
        do {
            workflow = try WorkflowFile.load(file)
        } catch let error as WorkflowFile.LoadError where json {
            print(Value.list([error.jsonValue]).jsonString(pretty: true))
            throw ExitCode(ExitStatus.invalid)
        } catch {
            printError("error: \(error)")
            throw ExitCode(ExitStatus.invalid)
        }
        let types: NodeTypes
        do { types = try await python.nodeTypes() } catch {
            printError("error: \(error)")
            throw ExitCode(ExitStatus.invalid)
        }
        await types.shutdown()  // validating needs no worker
        let validator = GraphValidator(registry: types.registry)
        do {
            let plan = try validator.compile(workflow.graph)
            for warning in plan.warnings { printError("warning: \(warning)") }
            if json {
                print("[]")
            } else {
                print("\(file): valid (\(workflow.graph.nodes.count) nodes, \(workflow.graph.edges.count) edges)")
            }
        } catch {
            if json {
                print(Value.list(error.problems.map(\.jsonValue)).jsonString(pretty: true))
            } else {
                printError("\(file): \(error.problems.count == 1 ? "1 problem" : "\(error.problems.count) problems")")
                for problem in error.problems { printError("  - \(problem.message)") }
            }
            throw ExitCode(ExitStatus.invalid)
        }
    }
}
