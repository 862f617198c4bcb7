import ArgumentParser
import Foundation

/// `nodeflow`: run, validate and inspect node-based workflows in nodetool's format.
@main
struct NodeflowCommand: AsyncParsableCommand {
    /// What `nodeflow --version` prints.
    static let version = "0.3.0"

    static let configuration = CommandConfiguration(
        commandName: "nodeflow",
        abstract: "Runs node-based workflows (nodetool's JSON format).",
        version: NodeflowCommand.version,
        subcommands: [
            RunCommand.self, ResumeCommand.self, ValidateCommand.self, NodesCommand.self, JobsCommand.self, CacheCommand.self, ServeCommand.self,
            SubmitCommand.self, WorkerCommand.self,
        ]
    )

    /// Parses and runs a command, mapping usage errors to exit code 2 (as invalid input is
    /// everywhere in nodeflow) instead of ArgumentParser's 64.
    static func main() async {
        do {
            var command: any ParsableCommand
            let arguments = Array(CommandLine.arguments.dropFirst())
            if let fast = try? fastParse(arguments) { command = fast } else { command = try parseAsRoot() }
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(ExitStatus.invalid)
            }
            exit(withError: error)
        }
    }
}

extension NodeflowCommand {
    /// `nodeflow run …` parsed by `run` alone: parsing from the root builds every subcommand's
    /// arguments by reflection (and looks for a completion-script request), a sixth of a short
    /// run's start. Help, and any arguments `run` does not take, go the usual way (it throws), so its
    /// messages are the usual ones.
    static func fastParse(_ arguments: [String]) throws -> RunCommand {
        guard arguments.first == "run", !arguments.contains(where: { $0 == "-h" || $0 == "--help" || $0.hasPrefix("--generate-completion") }) else {
            throw CLIError.invalid("not a plain run")
        }
        return try RunCommand.parse(Array(arguments.dropFirst()))
    }
}

/// The process exit codes.
enum ExitStatus {
    static let completed: Int32 = 0
    static let failed: Int32 = 1
    static let invalid: Int32 = 2
    static let cancelled: Int32 = 130
}
