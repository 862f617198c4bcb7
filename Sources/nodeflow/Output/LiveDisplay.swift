import Foundation
import Nodeflow
import Synchronization

/// A live view on a terminal: an overall progress bar with elapsed time, and the nodes running,
/// waiting or failed, redrawn in place about ten times a second.
final class LiveDisplay: ProgressDisplay {
    private struct State {
        var status: [String: NodeStatus] = [:]
        var progress: [String: (Int, Int)] = [:]
        var finished = 0
        var done = false
        var drawnLines = 0
        /// Warnings and errors logged during the run, shown under the nodes.
        var notes: [String] = []
        /// When the last message arrived: the elapsed time shown stops there.
        var endedAt: ContinuousClock.Instant?
    }

    private let title: String
    /// The nodes outside loop bodies, whose completions the bar counts.
    private let total: Int
    private let order: [String]
    private let state = Mutex(State())
    private let start = ContinuousClock.now

    init(title: String, graph: Graph) {
        self.title = title
        let topLevel = graph.nodes.filter { $0.parentID == nil }
        total = topLevel.count
        order = topLevel.map(\.id)
    }

    func consume(_ messages: MessageStream) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                while !self.state.withLock({ $0.done }) {
                    self.redraw()
                    try? await Task.sleep(for: .milliseconds(100))
                }
            }
            for await message in messages { record(message) }
            state.withLock {
                $0.done = true
                $0.endedAt = ContinuousClock.now
            }
            group.cancelAll()  // the redraw loop's sleep ends now, not up to 100 ms later
        }
        redraw()
    }

    private func record(_ message: ProcessingMessage) {
        state.withLock { state in
            switch message {
            case .nodeUpdate(let update) where update.iterationPath.isEmpty:
                let previous = state.status[update.nodeID]
                state.status[update.nodeID] = update.status
                if update.status == .completed && previous != .completed { state.finished += 1 }
            case .nodeProgress(let p):
                state.progress[p.nodeID] = (p.progress, p.total)
            case .logUpdate(let log) where log.severity != .info:
                state.notes.append("\(log.severity.rawValue): \(log.nodeID.isEmpty ? "" : "\(log.nodeID): ")\(log.content)")
            default:
                break
            }
        }
    }

    private func redraw() {
        let width = Self.terminalWidth()
        let text: String = state.withLock { state in
            let elapsed = (state.endedAt ?? ContinuousClock.now) - start
            let lines = Self.lines(title: title, state: state, total: total, order: order, elapsed: elapsed, width: width)
            var out = ""
            if state.drawnLines > 0 { out += "\u{1B}[\(state.drawnLines)F" }
            out += lines.map { "\u{1B}[2K" + $0 }.joined(separator: "\n") + "\n\u{1B}[J"
            state.drawnLines = lines.count
            return out
        }
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// The view's lines, each at most `width - 1` columns: a line that wrapped would take two
    /// rows, and redrawing in place (moving up one row per line) would then garble the screen.
    private static func lines(title: String, state: State, total: Int, order: [String], elapsed: Duration, width: Int) -> [String] {
        let room = max(10, width - 1)
        let counts = " \(state.finished)/\(total)  \(Format.seconds(elapsed).trimmingCharacters(in: .whitespaces))"
        // The bar takes what the counts and a little of the title leave, 30 columns at most.
        let barWidth = max(0, min(30, room - counts.count - min(title.count, 12) - 2))
        let fraction = total == 0 ? 1 : Double(state.finished) / Double(total)
        let filled = min(barWidth, Int(fraction * Double(barWidth)))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: barWidth - filled)
        let titleRoom = max(0, room - counts.count - barWidth - (barWidth > 0 ? 2 : 1))
        var lines = [fit(title, titleRoom) + (barWidth > 0 ? "  " + bar : " ") + counts]
        var shown = 0
        for id in order {
            guard let status = state.status[id], status != .completed else { continue }
            if shown == 12 {
                lines.append("  …")
                break
            }
            var line = "  \(symbol(status)) \(id) \(status.rawValue)"
            if let (p, t) = state.progress[id], t > 0 { line += "  \(p)/\(t)" }
            lines.append(line)
            shown += 1
        }
        lines.append(contentsOf: state.notes.suffix(5).map { "  " + $0 })
        return lines.map { fit($0, room) }
    }

    /// `text` cut to `width` characters, with an ellipsis when cut.
    private static func fit(_ text: String, _ width: Int) -> String {
        guard text.count > width else { return text }
        return width <= 1 ? String(text.prefix(width)) : String(text.prefix(width - 1)) + "…"
    }

    /// The terminal's width in columns (80 when it cannot be told).
    private static func terminalWidth() -> Int {
        var size = winsize()
        guard ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }

    private static func symbol(_ status: NodeStatus) -> String {
        switch status {
        case .running: "▶"
        case .waiting: "…"
        case .completed: "✓"
        case .error: "✗"
        case .cancelled: "■"
        }
    }
}
