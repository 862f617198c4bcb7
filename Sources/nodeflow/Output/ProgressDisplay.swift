import Foundation
import Nodeflow

/// Shows a run's messages as they arrive.
protocol ProgressDisplay: Sendable {
    func consume(_ messages: MessageStream) async
}

/// Prints only warnings and errors a node or the runner logs, on standard error; for `--quiet`
/// (a warning that a file's value is ignored must not pass unseen).
struct SilentDisplay: ProgressDisplay {
    func consume(_ messages: MessageStream) async {
        for await message in messages {
            if case .logUpdate(let log) = message, log.severity != .info {
                printError("\(log.severity.rawValue): \(log.nodeID.isEmpty ? "" : "\(log.nodeID): ")\(log.content)")
            }
        }
    }
}

/// Prints each message as one JSON line on standard output, for `--jsonl`.
struct JSONLinesDisplay: ProgressDisplay {
    func consume(_ messages: MessageStream) async {
        var buffer = [UInt8]()
        buffer.reserveCapacity(1 << 16)
        var iterator = messages.makeAsyncIterator()
        while let message = await iterator.next() {
            buffer.append(contentsOf: message.jsonValue.jsonBytes())
            buffer.append(0x0A)
            // Write in large blocks while messages pour in, and at once when the run goes quiet.
            if buffer.count >= 1 << 16 || iterator.bufferedCount == 0 { flush(&buffer) }
        }
        flush(&buffer)
    }

    private func flush(_ buffer: inout [UInt8]) {
        guard !buffer.isEmpty else { return }
        FileHandle.standardOutput.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }
}

/// One line per finished node on standard error, for output that is not a terminal. Lines are
/// written in blocks while messages pour in (one write per line cost more than the run itself
/// on large graphs), and at once when the run goes quiet.
struct PlainDisplay: ProgressDisplay {
    func consume(_ messages: MessageStream) async {
        let start = ContinuousClock.now
        var buffer = ""
        var iterator = messages.makeAsyncIterator()
        while let message = await iterator.next() {
            if case .logUpdate(let log) = message {
                buffer += "\(log.severity.rawValue): \(log.nodeID.isEmpty ? "" : "\(log.nodeID): ")\(log.content)\n"
            } else if case .nodeUpdate(let update) = message, update.status != .running {
                let elapsed = ContinuousClock.now - start
                buffer += "[\(Format.seconds(elapsed))] \(update.status.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) \(update.nodeID) (\(update.nodeType))"
                if !update.iterationPath.isEmpty { buffer += " iteration \(update.iterationPath.map(String.init).joined(separator: "."))" }
                if let duration = update.duration { buffer += " \(Format.milliseconds(duration))" }
                if update.cached == true { buffer += " cached" }
                if let error = update.error { buffer += ": \(error)" }
                buffer += "\n"
            }
            if buffer.utf8.count >= 1 << 16 || (iterator.bufferedCount == 0 && !buffer.isEmpty) {
                FileHandle.standardError.write(Data(buffer.utf8))
                buffer.removeAll(keepingCapacity: true)
            }
        }
        if !buffer.isEmpty { FileHandle.standardError.write(Data(buffer.utf8)) }
    }
}

enum Format {
    static func seconds(_ d: Duration) -> String {
        String(format: "%7.3fs", d.inSeconds)
    }

    static func milliseconds(_ seconds: Double) -> String {
        seconds < 1 ? String(format: "%.2f ms", seconds * 1000) : String(format: "%.2f s", seconds)
    }
}
