import Foundation
import NodeflowJobs
import PostgresNIO

/// `postgres://user:password@host:port/database?sslmode=…` as a client configuration.
enum PostgresURL {
    static func configuration(_ text: String) throws -> PostgresClient.Configuration {
        guard let components = URLComponents(string: text), components.scheme == "postgres" || components.scheme == "postgresql" else {
            throw JobStoreError.corrupt("'\(redacted(text))' is not a PostgreSQL URL (postgres://user:password@host:port/database)")
        }
        let user = components.percentEncodedUser?.removingPercentEncoding ?? ProcessInfo.processInfo.environment["USER"] ?? "postgres"
        let password = components.percentEncodedPassword?.removingPercentEncoding
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        let database = path.isEmpty ? nil : path
        let mode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? "prefer"
        let tls: PostgresClient.Configuration.TLS
        switch mode {
        case "disable": tls = .disable
        case "prefer", "allow": tls = .prefer(.makeClientConfiguration())
        case "require", "verify-ca", "verify-full": tls = .require(.makeClientConfiguration())
        default: throw JobStoreError.corrupt("unknown sslmode '\(mode)' in the PostgreSQL URL (disable, prefer, require)")
        }
        // A host that is a directory is a Unix socket's (postgres://user@%2Ftmp%2Fpg/db).
        let host = components.percentEncodedHost?.removingPercentEncoding ?? "localhost"
        var configuration: PostgresClient.Configuration
        if host.hasPrefix("/") {
            configuration = .init(unixSocketPath: host + "/.s.PGSQL.\(components.port ?? 5432)", username: user, password: password, database: database)
        } else {
            configuration = .init(host: host, port: components.port ?? 5432, username: user, password: password, database: database, tls: tls)
        }
        configuration.options.maximumConnections = 8
        return configuration
    }

    /// The URL without its password, for messages.
    static func redacted(_ text: String) -> String {
        guard var components = URLComponents(string: text), components.password != nil else { return text }
        components.password = "***"
        return components.string ?? text
    }
}
