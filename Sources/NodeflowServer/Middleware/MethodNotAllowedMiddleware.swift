import HTTPTypes
import Hummingbird

/// Answers 405 with an `Allow` header, rather than 404, when the path is a declared route but
/// the method is not one of its methods.
///
/// Added after every route, it wraps only the router's not-found responder. The declared routes
/// are the OpenAPI document's (which the tests check against the router).
struct MethodNotAllowedMiddleware: RouterMiddleware {
    typealias Context = ServerRequestContext

    /// Each route's path segments (`nil` for a `{param}`) and its methods.
    private let routes: [(segments: [Substring?], methods: [String])]

    init(operations: [(method: String, path: String)]) {
        var byPath: [String: [String]] = [:]
        for (method, path) in operations { byPath[path, default: []].append(method) }
        routes = byPath.map { path, methods in
            let segments = path.split(separator: "/").map { $0.hasPrefix("{") ? nil : $0 }
            return (segments, methods.sorted())
        }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let segments = request.uri.path.split(separator: "/")
            guard let route = routes.first(where: { route in
                route.segments.count == segments.count && zip(route.segments, segments).allSatisfy { $0 == nil || $0 == $1 }
            }) else { throw error }
            var response = APIError(status: .methodNotAllowed, message: "\(request.method) is not allowed on \(request.uri.path); allowed: \(route.methods.joined(separator: ", "))").response
            response.headers[.allow] = route.methods.joined(separator: ", ")
            return response
        }
    }
}
