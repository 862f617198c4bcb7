import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import Nodeflow
import NodeflowJobs
import NodeflowNodes
import ServiceLifecycle

/// What `nodeflow serve` serves, and how.
public struct ServerConfiguration: Sendable {
    public var host = "127.0.0.1"
    public var port = 8000
    /// The largest request body accepted; larger ones get 413.
    public var maxBodySize = 16 << 20
    /// Bearer tokens and the user each stands for; `nil` serves without authentication (user "1").
    public var tokens: [String: String]?
    /// How long a new connection may take to send its first request's headers (then 408).
    public var headerTimeout: Duration = .seconds(10)
    /// How long a connection may stay silent, between or inside requests, before it is closed.
    public var idleTimeout: Duration = .seconds(60)
    /// The most connections open at once; `nil` derives it from the open-file limit (see
    /// ``raiseOpenFileLimit()``), leaving room for the store and the cache.
    public var maxConnections: Int?
    /// How much job history the server keeps; applied at start and every 10 minutes.
    public var retention = RetentionPolicy.default
    /// The largest WebSocket message (and frame) accepted.
    public var maxWebSocketMessage = 16 << 20

    public init() {}

    /// Raises the process's soft open-file limit to its hard limit (a server wants many
    /// connections); returns the new limit. Call it once, before ``makeServer``: a library does
    /// not change process limits by itself.
    @discardableResult
    public static func raiseOpenFileLimit() -> Int { ConnectionRegistry.raiseDescriptorLimit() }

    /// Reads a tokens file: one `TOKEN USER_ID` pair a line; `#` starts a comment.
    public static func readTokens(_ path: String) throws -> [String: String] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var tokens: [String: String] = [:]
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let content = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            let fields = content.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            if fields.isEmpty { continue }
            guard fields.count == 2 else {
                throw ServerConfigurationError(message: "\(path), line \(number + 1): expected 'TOKEN USER_ID'")
            }
            tokens[fields[0]] = fields[1]
        }
        return tokens
    }
}

public struct ServerConfigurationError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}

/// The request context of every route: who is asking.
public struct ServerRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The user the bearer token stands for ("1" without authentication).
    public var userID = "1"

    public init(source: Source) {
        coreContext = .init(source: source)
    }
}

/// Builds the server: the HTTP API over a job store.
///
/// - Parameters:
///   - jobs: runs jobs in this process; without it, worker processes claim them from the store
///     (`nodeflow worker`, or ``LocalWorkers`` among `services`).
///   - engine: what validates submitted workflows when jobs run elsewhere (the workers' node
///     types); with `jobs`, the jobs' own engine does.
///   - services: more services to run with the server, e.g. ``LocalWorkers``.
///   - requestLogLevel: the level of the one log line per request (method, path, status, time),
///     through `logger`.
///   - onServerRunning: called once the server listens, with the port it got.
public func makeServer(
    configuration: ServerConfiguration, store: any JobStore, jobs: JobService? = nil, engine: Engine? = nil,
    services: [any Service] = [],
    logger: Logger = Logger(label: "nodeflow.server"), requestLogLevel: Logger.Level = .debug,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let router = Router(context: ServerRequestContext.self)
    router.add(middleware: LogRequestsMiddleware(requestLogLevel))
    router.add(middleware: ErrorMiddleware())
    router.add(middleware: AuthMiddleware(tokens: configuration.tokens))
    router.add(middleware: DeclaredLengthMiddleware(maxBodySize: configuration.maxBodySize))
    let engine = jobs?.engine ?? engine ?? Engine(configuration: .init(registry: .standard))
    let routes = JobRoutes(store: store, jobs: jobs, engine: engine, metrics: jobs?.metrics ?? ServerMetrics(), maxBodySize: configuration.maxBodySize)
    routes.register(on: router)
    // After the routes, so it wraps only the not-found answer.
    router.add(middleware: MethodNotAllowedMiddleware(operations: OpenAPIDocument.operations))
    let tokens = configuration.tokens
    let shouldUpgrade: @Sendable (HTTPRequest, any Channel, Logger) throws -> ShouldUpgradeResult<WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>> = { request, _, _ in
        // Upgrade /ws for a valid token; anything else goes on to the router (an Upgrade request
        // that is refused gets 400).
        let parts = (request.path ?? "").split(separator: "?", maxSplits: 1)
        guard parts.first == "/ws" else { return .dontUpgrade }
        // Browsers cannot set headers on a WebSocket: the page passes its token as ?token=.
        var header = request.headerFields[.authorization]
        if header == nil, parts.count == 2 {
            for pair in parts[1].split(separator: "&") where pair.hasPrefix("token=") {
                header = "Bearer " + (String(pair.dropFirst("token=".count)).removingPercentEncoding ?? "")
            }
        }
        guard let userID = AuthMiddleware.user(for: header, tokens: tokens) else { return .dontUpgrade }
        return .upgrade([:]) { inbound, outbound, _ in
            try await WebSocketSession(routes: routes, userID: userID, maxMessageSize: configuration.maxWebSocketMessage).run(inbound: inbound, outbound: outbound)
        }
    }
    let connections = ConnectionRegistry(
        maxConnections: configuration.maxConnections ?? ConnectionRegistry.defaultMaxConnections(descriptors: ConnectionRegistry.descriptorLimit()))
    let channel = HTTP1WebSocketUpgradeChannel.Configuration(
        http1: .init(
            additionalChannelHandlers: [CloseAfterRefusalHandler()],
            idleTimeout: TimeAmount(configuration.idleTimeout),
            httpDecoderConfiguration: .init(maxHeaderFieldSize: 16 << 10, maxHeaderListSize: 64 << 10, maxHeaderFieldCount: 200)),
        ws: .init(maxFrameSize: configuration.maxWebSocketMessage))
    let headerTimeout = TimeAmount(configuration.headerTimeout)
    return Application(
        router: router,
        server: HTTPServerBuilder { responder in
            GuardedChannel(
                base: HTTP1WebSocketUpgradeChannel(responder: responder, configuration: channel, shouldUpgrade: shouldUpgrade),
                headerTimeout: headerTimeout, connections: connections)
        },
        configuration: .init(
            address: .hostname(configuration.host, port: configuration.port), serverName: "nodeflow",
            availableConnectionsDelegate: ConnectionLimit(registry: connections)),
        services: (jobs.map { [$0] } ?? []) + services + [RetentionService(store: store, policy: configuration.retention, logger: logger)],
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
        logger: logger)
}
