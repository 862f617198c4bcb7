import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore

/// Hummingbird's HTTP/1 + WebSocket channel with a ``FirstRequestGuard`` in front of the first
/// request.
struct GuardedChannel: ServerChildChannel {
    typealias Value = HTTP1WebSocketUpgradeChannel.Value

    let base: HTTP1WebSocketUpgradeChannel
    let headerTimeout: TimeAmount
    let connections: ConnectionRegistry

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let headerTimeout = headerTimeout, connections = connections
        return base.setup(channel: channel, logger: logger).flatMapThrowing { value in
            try channel.pipeline.syncOperations.addHandler(FirstRequestGuard(headerTimeout: headerTimeout, connections: connections))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        // A connection the guard rejected fails its upgrade negotiation; Hummingbird logs that as
        // an error, which under a flood of bad requests would flood the log.
        var quiet = logger
        quiet.logLevel = max(logger.logLevel, .critical)
        await base.handle(value: value, logger: quiet)
    }
}
