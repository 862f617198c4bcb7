/// An error a node throws with a message for the user, e.g. `NodeError("division by zero")`.
///
/// The runner reports it with the node's id and type (see ``NodeFailure``).
public struct NodeError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
