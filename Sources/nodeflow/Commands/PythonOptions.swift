import ArgumentParser
import Foundation
import Nodeflow
import NodeflowNodes
import NodeflowPython

/// `--python PATH` and its companions: nodetool's Python node packs beside Nodeflow's nodes.
struct PythonOptions: ParsableArguments {
    @Option(help: ArgumentHelp("A Python interpreter with nodetool-core and node packs installed (a virtual environment's bin/python): their nodes run in workflows beside Nodeflow's. Default: $NODEFLOW_PYTHON.", valueName: "path"))
    var python: String?

    @Option(help: "The most Python workers that run at once (default: the number of cores, at least 2).")
    var pythonWorkers: Int?

    @Option(help: ArgumentHelp("Secrets for Python nodes (API keys): NAME=VALUE lines, or a JSON object. The environment is passed to the workers too.", valueName: "file"))
    var secretsFile: String?

    /// The same options, for a command this one starts (a server's workers).
    var forwardedArguments: [String] {
        var arguments: [String] = []
        if let interpreter { arguments += ["--python", interpreter] }
        if let pythonWorkers { arguments += ["--python-workers", String(pythonWorkers)] }
        if let secretsFile { arguments += ["--secrets-file", secretsFile] }
        return arguments
    }

    /// The interpreter asked for, if any.
    var interpreter: String? {
        if let python, !python.isEmpty { return python }
        let fromEnvironment = ProcessInfo.processInfo.environment["NODEFLOW_PYTHON"] ?? ""
        return fromEnvironment.isEmpty ? nil : fromEnvironment
    }

    /// The standard registry, with the Python packs' node types when an interpreter is given.
    /// The caller shuts the packs' workers down (``NodeTypes/shutdown()``).
    func nodeTypes() async throws -> NodeTypes {
        var registry = NodeRegistry.standard
        guard let interpreter else { return NodeTypes(registry: registry, packs: nil) }
        guard FileManager.default.isExecutableFile(atPath: interpreter) else {
            throw CLIError.invalid("--python: \(interpreter) is not an executable file (give a Python interpreter, e.g. .venv/bin/python)")
        }
        var configuration = PythonConfiguration(interpreter: interpreter, secrets: try readSecrets())
        if let pythonWorkers {
            guard (1...256).contains(pythonWorkers) else { throw CLIError.invalid("--python-workers must lie between 1 and 256, got \(pythonWorkers)") }
            configuration.workers = pythonWorkers
        }
        let packs: PythonPacks
        do {
            packs = try await PythonPacks.discover(configuration)
        } catch {
            throw CLIError.invalid("cannot load the node packs of \(interpreter): \(error)\n(is nodetool-core installed there? pip install nodetool-core)")
        }
        packs.register(into: &registry)
        return NodeTypes(registry: registry, packs: packs)
    }

    private func readSecrets() throws -> [String: String] {
        guard let secretsFile else { return [:] }
        guard let data = FileManager.default.contents(atPath: secretsFile), let text = String(data: data, encoding: .utf8) else {
            throw CLIError.invalid("--secrets-file: cannot read \(secretsFile)")
        }
        if text.drop(while: \.isWhitespace).first == "{" {
            guard case .dict(let object) = try Value(json: text) else { throw CLIError.invalid("--secrets-file: \(secretsFile) is not a JSON object") }
            var secrets: [String: String] = [:]
            for (name, value) in object {
                guard let string = value.stringValue else { throw CLIError.invalid("--secrets-file: the value of \(name) is not a string") }
                secrets[name] = string
            }
            return secrets
        }
        var secrets: [String: String] = [:]
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            guard let eq = trimmed.firstIndex(of: "="), eq != trimmed.startIndex else {
                throw CLIError.invalid("--secrets-file: line \(number + 1) of \(secretsFile) is not NAME=VALUE")
            }
            secrets[String(trimmed[..<eq])] = String(trimmed[trimmed.index(after: eq)...])
        }
        return secrets
    }
}

/// The node types a command works with, and the Python workers behind some of them.
struct NodeTypes {
    let registry: NodeRegistry
    let packs: PythonPacks?

    /// Stops the Python workers (none outlive the command).
    func shutdown() async {
        await packs?.runtime.pool.shutdown()
    }
}
