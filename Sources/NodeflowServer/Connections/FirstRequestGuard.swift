import NIOCore
import NIOHTTP1

/// Answers what Hummingbird leaves unanswered before a connection's first request head: a
/// malformed request (garbage, HTTP/0.9, an HTTP/2 preface, oversized headers, conflicting
/// lengths) gets 400 or 431 and the connection is closed; headers that never finish are cut off
/// after `headerTimeout` with 408.
///
/// In the WebSocket-upgrade pipeline Hummingbird installs its own error handling and idle timer
/// only once the first head has been read, so until then a parse error went nowhere and the
/// connection stayed open forever. This handler sits at the end of that early pipeline and
/// removes itself as soon as the first head passes (or the connection upgrades); from then on
/// Hummingbird's handlers, with their idle timeout, take over.
final class FirstRequestGuard: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let headerTimeout: TimeAmount
    private let connections: ConnectionRegistry
    private var timer: Scheduled<Void>?
    private var done = false

    init(headerTimeout: TimeAmount, connections: ConnectionRegistry) {
        self.headerTimeout = headerTimeout
        self.connections = connections
    }

    func handlerAdded(context: ChannelHandlerContext) {
        connections.awaitingRequest(context.channel)
        let loop = context.eventLoop.assumeIsolated()
        timer = loop.scheduleTask(in: headerTimeout) { [self] in
            self.reject(context, status: .requestTimeout)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        finish(context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        finish(context)
        context.fireChannelRead(data)
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        let upgraded = event is HTTPServerUpgradeEvents
        if upgraded { finish(context) }
        context.fireUserInboundEventTriggered(event)
        if upgraded { context.pipeline.syncOperations.removeHandler(context: context, promise: nil) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard !done else { return }
        switch error {
        case HTTPParserError.headerOverflow: reject(context, status: .requestHeaderFieldsTooLarge)
        case is HTTPParserError: reject(context, status: .badRequest)
        default:
            finish(context)
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(context)
        context.fireChannelInactive()
    }

    private func finish(_ context: ChannelHandlerContext) {
        guard !done else { return }
        done = true
        timer?.cancel()
        timer = nil
        connections.requestArrived(context.channel)
    }

    /// Answers with `status` and closes once the answer is written.
    private func reject(_ context: ChannelHandlerContext, status: HTTPResponseStatus) {
        guard !done else { return }
        finish(context)
        let head = HTTPResponseHead(version: .http1_1, status: status, headers: ["Connection": "close", "Content-Length": "0"])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }
}

@available(*, unavailable)
extension FirstRequestGuard: Sendable {}
