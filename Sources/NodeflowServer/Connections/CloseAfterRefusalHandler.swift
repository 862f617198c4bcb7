import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Closes the connection once a 413 has been written.
///
/// A request refused for the body it declares has not sent that body; Hummingbird would go on
/// reading (and discarding) it before the next request, so a client declaring 10¹² bytes and
/// sending them slowly could hold the connection for as long as it kept sending.
final class CloseAfterRefusalHandler: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private var refusing = false

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var head) where head.status == .contentTooLarge:
            refusing = true
            head.headerFields[.connection] = "close"  // says so to the client
            context.write(wrapOutboundOut(.head(head)), promise: promise)
            return
        case .head:
            refusing = false
        case .end where refusing:
            refusing = false
            context.writeAndFlush(data, promise: promise)
            context.close(mode: .all, promise: nil)
            return
        default:
            break
        }
        context.write(data, promise: promise)
    }
}

@available(*, unavailable)
extension CloseAfterRefusalHandler: Sendable {}
