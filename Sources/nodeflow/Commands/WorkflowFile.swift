import Foundation
import Nodeflow

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
            throw CLIError.invalid("\(path == "-" ? "standard input" : path): \(error)")
        }
    }
}

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
