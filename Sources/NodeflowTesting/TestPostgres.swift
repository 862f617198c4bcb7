import Foundation

/// For Nodeflow's own tests and benchmarks, run from its source tree: a throwaway PostgreSQL
/// cluster that `scripts/postgres.sh` starts on first use (installing Debian's postgresql when
/// missing) and removes once this process has exited. `NODEFLOW_TEST_POSTGRES_URL` names a
/// server to use instead.
public actor TestPostgres {
    public static let shared = TestPostgres()
    private var started: Task<String, any Error>?

    /// The URL of a database on the cluster that tests may create databases from.
    public func url() async throws -> String {
        if let given = ProcessInfo.processInfo.environment["NODEFLOW_TEST_POSTGRES_URL"], !given.isEmpty { return given }
        if let started { return try await started.value }
        let task = Task { try await Self.start() }
        started = task
        return try await task.value
    }

    private static func start() async throws -> String {
        // Sources/NodeflowTesting/TestPostgres.swift → the package's root.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let script = root.appendingPathComponent("scripts/postgres.sh").path
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nodeflow-pg-\(UUID().uuidString.prefix(8))").path
        // Blocking work off the cooperative pool (two threads here). popen and pclose rather than
        // Process: the script leaves a watcher behind, and Process did not always see the script end.
        return try await withCheckedThrowingContinuation { continuation in
            Thread {
                let command = "/bin/bash '\(script)' start '\(directory)' \(getpid()) 2>&1"
                guard let pipe = popen(command, "r") else {
                    continuation.resume(throwing: TestPostgresError(message: "cannot run \(script)"))
                    return
                }
                var output = [UInt8]()
                var buffer = [UInt8](repeating: 0, count: 4096)
                while true {
                    let n = fread(&buffer, 1, buffer.count, pipe)
                    if n <= 0 { break }
                    output += buffer[..<n]
                }
                let status = pclose(pipe)
                let text = String(decoding: output, as: UTF8.self)
                let url = text.split(separator: "\n").last.map(String.init) ?? ""
                if status == 0, url.hasPrefix("postgres://") {
                    continuation.resume(returning: url)
                } else {
                    continuation.resume(throwing: TestPostgresError(message: "scripts/postgres.sh could not start PostgreSQL (status \(status)): \(text)"))
                }
            }.start()
        }
    }
}

public struct TestPostgresError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
