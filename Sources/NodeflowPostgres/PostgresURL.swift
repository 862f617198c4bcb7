import Foundation
import Logging
import NIOCore
import NodeflowJobs
import PostgresNIO

/// `postgres://user:password@host:port/database?sslmode=…`, read once, as the configurations of
/// a client (the store's pool) and of a single connection (the probe that fails fast).
struct PostgresURL {
    enum TLSMode { case disable, prefer, require }

    var host: String
    var port: Int
    var user: String
    var password: String?
    var database: String?
    var tls: TLSMode
    /// The text, its password hidden, for messages.
    var redacted: String

    init(_ text: String) throws {
        redacted = Self.redacted(text)
        guard let components = URLComponents(string: text), components.scheme == "postgres" || components.scheme == "postgresql" else {
            throw JobStoreError.unavailable("'\(redacted)' is not a PostgreSQL URL (postgres://user:password@host:port/database)")
        }
        user = components.percentEncodedUser?.removingPercentEncoding ?? ProcessInfo.processInfo.environment["USER"] ?? "postgres"
        password = components.percentEncodedPassword?.removingPercentEncoding
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        database = path.isEmpty ? nil : path
        switch components.queryItems?.first(where: { $0.name == "sslmode" })?.value ?? "prefer" {
        case "disable": tls = .disable
        case "prefer", "allow": tls = .prefer
        case "require", "verify-ca", "verify-full": tls = .require
        case let other: throw JobStoreError.unavailable("unknown sslmode '\(other)' in \(redacted) (disable, prefer, require)")
        }
        // A host that is a directory is a Unix socket's (postgres://user@%2Ftmp%2Fpg/db).
        host = components.percentEncodedHost?.removingPercentEncoding ?? "localhost"
        port = components.port ?? 5432
    }

    private var socketPath: String? { host.hasPrefix("/") ? host + "/.s.PGSQL.\(port)" : nil }

    var clientConfiguration: PostgresClient.Configuration {
        var configuration: PostgresClient.Configuration
        if let socketPath {
            configuration = .init(unixSocketPath: socketPath, username: user, password: password, database: database)
        } else {
            let tls: PostgresClient.Configuration.TLS =
                switch self.tls {
                case .disable: .disable
                case .prefer: .prefer(.makeClientConfiguration())
                case .require: .require(.makeClientConfiguration())
                }
            configuration = .init(host: host, port: port, username: user, password: password, database: database, tls: tls)
        }
        configuration.options.maximumConnections = 8
        // A session idle inside a transaction (its process stopped, stalled or partitioned)
        // releases its locks after 5 s; the store's own transactions last milliseconds. Without
        // this a stopped worker holding a job's row lock would keep it from being taken over.
        configuration.options.additionalStartupParameters = [("idle_in_transaction_session_timeout", "5000")]
        return configuration
    }

    var connectionConfiguration: PostgresConnection.Configuration {
        var configuration: PostgresConnection.Configuration
        if let socketPath {
            configuration = .init(unixSocketPath: socketPath, username: user, password: password, database: database)
        } else {
            let tls: PostgresConnection.Configuration.TLS =
                switch self.tls {
                case .disable: .disable
                case .prefer: (try? .prefer(.init(configuration: .makeClientConfiguration()))) ?? .disable
                case .require: (try? .require(.init(configuration: .makeClientConfiguration()))) ?? .disable
                }
            configuration = .init(host: host, port: port, username: user, password: password, database: database, tls: tls)
        }
        configuration.options.connectTimeout = .seconds(10)
        return configuration
    }

    /// Connects once and disconnects: the pool would retry a refused connection for a minute
    /// before it gave up with a vague error; this says at once what is wrong.
    func probe(logger: Logger) async throws {
        do {
            let connection = try await PostgresConnection.connect(
                on: PostgresClient.defaultEventLoopGroup.any(), configuration: connectionConfiguration, id: 0, logger: logger
            ).get()
            try await connection.close()
        } catch let error as PSQLError {
            let reason = error.serverInfo?[.message] ?? error.underlying.map { "\($0)" } ?? "\(error.code)"
            throw JobStoreError.unavailable("cannot connect to PostgreSQL at \(redacted): \(reason)")
        }
    }

    static func redacted(_ text: String) -> String {
        guard var components = URLComponents(string: text), components.password != nil else { return text }
        components.password = "***"
        return components.string ?? text
    }
}
