/// A node that threw: which node, in which loop iterations, and the error it threw.
public struct NodeFailure: Error, Sendable, CustomStringConvertible {
    public var nodeID: String
    public var nodeType: String
    /// The loop iterations the node failed in, outermost first (empty outside loops).
    public var iterationPath: [Int]
    /// The loops the node is inside, outermost first, matching `iterationPath`.
    public var loopIDs: [String]
    /// The error the node threw.
    public var underlying: any Error

    public init(nodeID: String, nodeType: String, iterationPath: [Int] = [], loopIDs: [String] = [], underlying: any Error) {
        self.nodeID = nodeID
        self.nodeType = nodeType
        self.iterationPath = iterationPath
        self.loopIDs = loopIDs
        self.underlying = underlying
    }

    /// The underlying error's text.
    public var reason: String { String(describing: underlying) }

    public var description: String {
        var place = "node '\(nodeID)' (\(nodeType))"
        for (loop, iteration) in zip(loopIDs, iterationPath) {
            place += " in loop '\(loop)' iteration \(iteration)"
        }
        return "\(place) failed: \(reason)"
    }
}
