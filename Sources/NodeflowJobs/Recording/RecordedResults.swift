import Foundation
import Nodeflow

/// One stored block of a job's events, still deflated, as every store keeps them.
package struct StoredEventBlock: Sendable {
    package var firstSequence: Int
    package var format: Int
    package var size: Int
    package var data: [UInt8]

    package init(firstSequence: Int, format: Int, size: Int, data: [UInt8]) {
        self.firstSequence = firstSequence
        self.format = format
        self.size = size
        self.data = data
    }

    /// The block's messages; an error naming the job and the first sequence number when the
    /// block is damaged.
    package func messages(job: String) throws -> [ProcessingMessage] {
        guard format == EventBlock.format, let raw = Deflate.decompress(data, size: size),
            let messages = try? EventBlock.decode(raw)
        else { throw JobStoreError.corrupt("events \(firstSequence)... of job '\(job)'") }
        return messages
    }

    /// The events of the block after sequence number `after`.
    package func events(job: String, after: Int) throws -> [JobEvent] {
        try messages(job: job).enumerated().compactMap { i, message in
            firstSequence + i > after ? JobEvent(sequence: firstSequence + i, message: message.jsonValue) : nil
        }
    }
}

/// What resume needs, read from a job's recorded messages: each top-level node's result, and
/// the results of nodes inside top-level Loops by iteration (a node's completion carries them).
package struct RecordedResults {
    package var nodes: [String: NodeResultRecord]
    package var iterations: [String: [Int: NodeOutputs]] = [:]

    package init(nodes: [String: NodeResultRecord] = [:]) {
        self.nodes = nodes
    }

    package mutating func add(_ messages: [ProcessingMessage]) {
        for case .nodeUpdate(let update) in messages where update.status == .completed {
            guard let outputs = update.result else { continue }
            switch update.iterationPath.count {
            case 0:
                nodes[update.nodeID] = NodeResultRecord(
                    nodeID: update.nodeID, outputs: outputs, startedAt: update.startedAt.map(Date.init(timeIntervalSince1970:)), duration: update.duration)
            case 1:
                iterations[update.nodeID, default: [:]][update.iterationPath[0]] = outputs
            default:
                break
            }
        }
    }
}
