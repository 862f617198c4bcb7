import ArgumentParser
import Foundation
import Nodeflow
import NodeflowJobs

/// `nodeflow jobs`: the job history of a data directory.
struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs",
        abstract: "Lists, shows, follows and cancels recorded jobs.",
        subcommands: [List.self, Show.self, Events.self, Cancel.self, Prune.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "Lists jobs, newest first.")

        @Option(help: "Only jobs with this status: queued, running, completed, failed or cancelled.")
        var status: String?

        @Option(help: "The most jobs to list.")
        var limit = 20

        @Flag(help: "Print the jobs as JSON.")
        var json = false

        @OptionGroup var data: DataOptions

        func run() async throws {
            var filter: JobStatus?
            if let status {
                guard let s = JobStatus(rawValue: status) else {
                    printError("error: unknown status '\(status)' (queued, running, completed, failed, cancelled)")
                    throw ExitCode(ExitStatus.invalid)
                }
                filter = s
            }
            let environment = try await JobEnvironment.open(data)
            let jobs = try await environment.store.jobs(JobQuery(status: filter, limit: max(1, limit)))
            if json {
                print(Value.list(jobs.map(\.summaryJSON)).jsonString(pretty: true))
                return
            }
            for job in jobs {
                let took = job.duration.map { String(format: "%.2fs", $0) } ?? "-"
                print("\(job.id)  \(job.status.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0))  \(JobFormat.date(job.createdAt))  \(took.padding(toLength: 9, withPad: " ", startingAt: 0))  \(job.workflowName ?? "")")
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Shows a job: status, timing per node, outputs, error.")

        @Argument(help: "The job id, or a unique prefix of it.")
        var jobID: String

        @Flag(help: "Print the job as JSON.")
        var json = false

        @OptionGroup var data: DataOptions

        func run() async throws {
            let (environment, job) = try await JobEnvironment.openWithJob(data, jobID)
            let nodes = NodeTiming.from(try await environment.store.events(job.id, after: 0))
            if json {
                var value = job.summaryJSON.dictValue ?? [:]
                value["nodes"] = .list(nodes.map(\.jsonValue))
                print(Value.dict(value).jsonString(pretty: true))
                return
            }
            print("job       \(job.id)")
            print("workflow  \(job.workflowName ?? job.workflowID ?? "-")")
            print("status    \(job.status.rawValue)")
            print("created   \(JobFormat.date(job.createdAt))")
            if let started = job.startedAt { print("started   \(JobFormat.date(started))") }
            if let finished = job.finishedAt { print("finished  \(JobFormat.date(finished))") }
            if let error = job.error { print("error     \(error)") }
            print("nodes")
            for node in nodes {
                let took = node.duration.map { String(format: "%.3f ms", $0 * 1000) } ?? "-"
                print("  \(node.nodeID.padding(toLength: 24, withPad: " ", startingAt: 0)) \(node.status.padding(toLength: 10, withPad: " ", startingAt: 0)) \(took)\(node.cached ? "  cached" : "")")
            }
            if let outputs = job.outputs { print("outputs\n" + Value.dict(outputs).jsonString(pretty: true)) }
        }
    }

    struct Events: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "events", abstract: "Prints a job's messages as JSON lines; --follow keeps printing while it runs.")

        @Argument(help: "The job id, or a unique prefix of it.")
        var jobID: String

        @Flag(help: "Keep following the job until it ends (from another terminal, too).")
        var follow = false

        @OptionGroup var data: DataOptions

        func run() async throws {
            let (environment, job) = try await JobEnvironment.openWithJob(data, jobID)
            let jobID = job.id
            func write(_ event: JobEvent) {
                FileHandle.standardOutput.write(Data((event.message.jsonString() + "\n").utf8))
            }
            guard follow else {
                for event in try await environment.store.events(jobID, after: 0) { write(event) }
                return
            }
            // While waiting, a job whose process died is marked failed, which ends the follow.
            try await environment.store.followEvents(of: jobID, interval: .milliseconds(100), beforeWaiting: { _ = try await environment.failOrphans() }) { write($0) }
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "cancel", abstract: "Cancels a job running in another process on the same data directory.")

        @Argument(help: "The job id, or a unique prefix of it.")
        var jobID: String

        @OptionGroup var data: DataOptions

        func run() async throws {
            let (environment, job) = try await JobEnvironment.openWithJob(data, jobID)
            let jobID = job.id
            guard try await environment.store.requestCancel(jobID) else {
                printError("job \(jobID) is \(job.status.rawValue); nothing to cancel")
                throw ExitCode(ExitStatus.failed)
            }
            print("cancel requested for job \(jobID)")
        }
    }
}

/// `nodeflow cache`: the disk result cache.
struct CacheCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache", abstract: "Shows or clears the disk result cache.", subcommands: [Stats.self, Clear.self])

    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "stats", abstract: "How many entries and bytes the cache holds.")
        @OptionGroup var data: DataOptions

        func run() async throws {
            let environment = try await JobEnvironment.open(data, cache: true)
            let stats = environment.cache!.statistics
            print("\(environment.cache!.directory.path): \(stats.entries) entries, \(stats.bytes) bytes (bound \(environment.cache!.maxBytes))")
        }
    }

    struct Clear: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "clear", abstract: "Removes every cached result.")
        @OptionGroup var data: DataOptions

        func run() async throws {
            let environment = try await JobEnvironment.open(data, cache: true)
            let before = environment.cache!.statistics.entries
            environment.cache!.removeAll()
            print("removed \(before) entries")
        }
    }
}

extension JobEnvironment {
    /// Opens the data directory and finds a job, or exits 2 naming the id.
    static func openWithJob(_ options: DataOptions, _ id: String) async throws -> (JobEnvironment, JobRecord) {
        let environment = try await open(options)
        let full = try await environment.resolveJobID(id)
        guard let job = try await environment.store.job(full) else {
            printError("error: no job with id '\(id)'")
            throw ExitCode(ExitStatus.invalid)
        }
        return (environment, job)
    }

    /// The full id of a job given by its id or a unique prefix of it; exits 2 naming the
    /// candidates when the prefix is ambiguous, or saying there is none.
    func resolveJobID(_ id: String) async throws -> String {
        let store = try store
        if try await store.job(id) != nil { return id }
        let matches = id.isEmpty ? [] : try await store.jobIDs(startingWith: id, limit: 6)
        switch matches.count {
        case 1: return matches[0]
        case 0:
            printError("error: no job with id or id prefix '\(id)' (nodeflow jobs list shows the jobs)")
        default:
            printError("error: '\(id)' is the prefix of several jobs: \(matches.prefix(5).joined(separator: ", "))\(matches.count > 5 ? ", ..." : ""); give more of the id")
        }
        throw ExitCode(ExitStatus.invalid)
    }
}

enum JobFormat {
    static func date(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: false))
    }

}

extension JobsCommand {
    /// `nodeflow jobs prune`: deletes old finished jobs and gives the space back.
    struct Prune: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "prune",
            abstract: "Deletes finished jobs past the retention limits and returns the space to the disk.",
            discussion: """
                Without options, applies the default policy that `nodeflow run` and `nodeflow serve` apply by \
                themselves: finished jobs older than 30 days, beyond the newest 1,000, or while the store is \
                over 1 GiB, oldest first. Queued and running jobs are never deleted.
                """
        )

        @Option(help: "Delete finished jobs older than this: 90s, 30m, 12h, 7d.")
        var olderThan: String?

        @Option(help: "Keep at most this many finished jobs, the newest.")
        var keep: Int?

        @Option(help: "Delete the oldest finished jobs until the store is under this size: 500MB, 2GB.")
        var maxSize: String?

        @OptionGroup var data: DataOptions

        func run() async throws {
            var policy = RetentionPolicy.default
            do {
                if olderThan != nil || keep != nil || maxSize != nil {
                    policy = RetentionPolicy(maxAge: nil, maxJobs: nil, maxBytes: nil)
                }
                if let olderThan { policy.maxAge = try Quantity.seconds(olderThan, option: "--older-than") }
                if let keep {
                    guard keep >= 0 else { throw CLIError.invalid("--keep must be 0 or more, got \(keep)") }
                    policy.maxJobs = keep
                }
                if let maxSize { policy.maxBytes = try Quantity.bytes(maxSize, option: "--max-size") }
            } catch {
                printError("error: \(error)")
                throw ExitCode(ExitStatus.invalid)
            }
            let environment = try await JobEnvironment.open(data)
            let store = try environment.store
            // SQLite: a store made before incremental vacuum is rewritten once, here (not beside jobs).
            let report: PruneReport
            if let sqlite = store as? SQLiteJobStore {
                report = try await sqlite.prune(policy, now: Date(), allowFullVacuum: true)
            } else {
                report = try await store.prune(policy, now: Date())
            }
            print("deleted \(report.deletedJobs.count) job\(report.deletedJobs.count == 1 ? "" : "s"); the store went from \(Quantity.format(bytes: report.bytesBefore)) to \(Quantity.format(bytes: report.bytesAfter))")
        }
    }
}

/// Durations and sizes as people type them.
enum Quantity {
    /// `90s`, `30m`, `12h`, `7d`, `2w`, or plain seconds.
    static func seconds(_ text: String, option: String) throws -> TimeInterval {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3_600, "d": 86_400, "w": 604_800]
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        var number = Substring(trimmed), scale = 1.0
        if let last = trimmed.last, let unit = units[last] {
            number = trimmed.dropLast()
            scale = unit
        }
        guard let value = Double(number), value.isFinite, value >= 0, value * scale < 1e11 else {
            throw CLIError.invalid("\(option) expects a duration such as 90s, 30m, 12h or 7d, got '\(text)'")
        }
        return value * scale
    }

    /// `500MB`, `2GB`, `100k`, or plain bytes (powers of 1024).
    static func bytes(_ text: String, option: String) throws -> Int {
        let units: [String: Double] = ["": 1, "b": 1, "k": 0x1p10, "kb": 0x1p10, "m": 0x1p20, "mb": 0x1p20, "g": 0x1p30, "gb": 0x1p30, "t": 0x1p40, "tb": 0x1p40]
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let digits = trimmed.prefix { $0.isNumber || $0 == "." }
        let unit = trimmed.dropFirst(digits.count).trimmingCharacters(in: .whitespaces)
        guard let value = Double(digits), let scale = units[unit], value.isFinite, value >= 0, value * scale < 9e18 else {
            throw CLIError.invalid("\(option) expects a size such as 500MB or 2GB, got '\(text)'")
        }
        return Int(value * scale)
    }

    static func format(bytes: Int) -> String {
        if bytes >= 1 << 30 { return String(format: "%.1f GiB", Double(bytes) / Double(1 << 30)) }
        if bytes >= 1 << 20 { return String(format: "%.1f MiB", Double(bytes) / Double(1 << 20)) }
        if bytes >= 1 << 10 { return String(format: "%.1f KiB", Double(bytes) / Double(1 << 10)) }
        return "\(bytes) bytes"
    }
}
