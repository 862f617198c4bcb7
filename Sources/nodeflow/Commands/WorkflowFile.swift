import Foundation
import Nodeflow
import OrderedCollections

/// Reads a workflow file, turning every problem into a message that names the file.
enum WorkflowFile {
    static func load(_ path: String) throws -> Workflow {
        try loadWithText(path).workflow
    }

    /// The workflow and the bytes it was read from (which the job store keeps as they are).
    static func loadWithText(_ path: String) throws -> (workflow: Workflow, text: [UInt8]) {
        let data: Data
        if path == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else if let handle = FileHandle(forReadingAtPath: path) {
            data = handle.readDataToEndOfFile()
            try? handle.close()
        } else {
            let reason = FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file"
            throw CLIError.invalid("cannot read \(path): \(reason)")
        }
        let bytes = Array(data)
        do {
            return (try Workflow(jsonValue: try Value(jsonBytes: bytes)), bytes)
        } catch {
            throw LoadError(file: path == "-" ? "standard input" : path, underlying: error)
        }
    }

    /// A file that is not a workflow: malformed JSON (with its line and column) or a shape that is
    /// not a workflow (with the path to the value).
    struct LoadError: Error, CustomStringConvertible {
        var file: String
        var underlying: any Error

        var description: String { "\(file): \(underlying)" }

        /// The error as a problem object, in the shape `validate --json` prints problems.
        var jsonValue: Value {
            var object: OrderedDictionaryOfValue = [
                "kind": "loadError", "node_id": nil, "edge": nil, "property": nil, "message": .string(description), "file": .string(file),
            ]
            if let syntax = underlying as? JSONSyntaxError {
                object["line"] = .int(syntax.line)
                object["column"] = .int(syntax.column)
            }
            if let format = underlying as? WorkflowFormatError { object["path"] = .string(format.path) }
            return .dict(object)
        }
    }
}

typealias OrderedDictionaryOfValue = OrderedDictionary<String, Value>

/// An error the CLI reports with its own exit code.
enum CLIError: Error, CustomStringConvertible {
    /// Bad input (a file, an argument, a workflow): exit 2.
    case invalid(String)

    var description: String {
        switch self {
        case .invalid(let message): message
        }
    }
}

/// Writes to standard error.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
