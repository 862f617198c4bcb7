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
            state.withLock { $0.done = true }
            await group.waitForAll()
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
        let text: String = state.withLock { state in
            var lines: [String] = []
            let fraction = total == 0 ? 1 : Double(state.finished) / Double(total)
            let width = 30
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            lines.append("\(title)  \(bar) \(state.finished)/\(total)  \(Format.seconds(ContinuousClock.now - start))")
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
            var out = ""
            if state.drawnLines > 0 { out += "\u{1B}[\(state.drawnLines)F" }
            out += lines.map { "\u{1B}[2K" + $0 }.joined(separator: "\n") + "\n\u{1B}[J"
            state.drawnLines = lines.count
            return out
        }
        FileHandle.standardError.write(Data(text.utf8))
    }

    private func symbol(_ status: NodeStatus) -> String {
        switch status {
        case .running: "▶"
        case .waiting: "…"
        case .completed: "✓"
        case .error: "✗"
        case .cancelled: "■"
        }
    }
}
