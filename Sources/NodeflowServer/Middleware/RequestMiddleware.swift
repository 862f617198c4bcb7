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

/// Answers every error with a JSON body `{"error": ...}` and the right status; never a bare 500
/// for a user's mistake.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = ServerRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return error.response
        } catch let error as HTTPError {
            return APIError(status: error.status, message: error.body ?? error.status.reasonPhrase).response
        } catch {
            return APIError(status: .internalServerError, message: "\(error)").response
        }
    }
}

/// Requires `Authorization: Bearer TOKEN` on every route but `/health` when tokens are set.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = ServerRequestContext
    let tokens: [String: String]?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // The health check and the page itself (no data; it asks for a token) are open.
        guard tokens != nil, request.uri.path != "/health", request.uri.path != "/" else { return try await next(request, context) }
        guard let user = Self.user(for: request.headers[.authorization], tokens: tokens) else {
            throw APIError(status: .unauthorized, message: "a valid 'Authorization: Bearer TOKEN' header is required")
        }
        var context = context
        context.userID = user
        return try await next(request, context)
    }

    /// The user a bearer token stands for; "1" when the server has no tokens.
    static func user(for header: String?, tokens: [String: String]?) -> String? {
        guard let tokens else { return "1" }
        guard let header, header.hasPrefix("Bearer ") else { return nil }
        return tokens[String(header.dropFirst("Bearer ".count)).trimmingCharacters(in: .whitespaces)]
    }
}

/// An API error: a status and a JSON body.
struct APIError: Error {
    var status: HTTPResponse.Status
    var message: String
    var details: [String: Value] = [:]

    var response: Response {
        var body: [String: Value] = ["error": .string(message)]
        body.merge(details) { _, new in new }
        return JSONResponse.make(.dict(.init(uniqueKeysWithValues: body.sorted { $0.key < $1.key })), status: status)
    }
}

enum JSONResponse {
    static func make(_ value: Value, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: value.jsonBytes())))
    }
}

/// Answers 413 at once for a request that declares a body over the limit, before any of it is
/// read (a client that declares 10¹² bytes and sends none would otherwise be waited for).
struct DeclaredLengthMiddleware: RouterMiddleware {
    typealias Context = ServerRequestContext
    let maxBodySize: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let declared = request.headers[.contentLength], let length = Int(declared), length > maxBodySize {
            throw APIError(status: .contentTooLarge, message: "the request body is \(length) bytes; the limit is \(maxBodySize)")
        }
        return try await next(request, context)
    }
}
