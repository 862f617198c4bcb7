import Foundation
import Hummingbird
import HummingbirdTesting
import Nodeflow
import Testing

/// What a raw client sees: bytes sent on a fresh TCP connection to the server, and what comes
/// back until the server closes it (or `wait` passes).
func rawExchange(port: Int, _ request: [UInt8], wait: Duration = .seconds(5)) async -> (response: String, closed: Bool) {
    await withCheckedContinuation { continuation in
        // Blocking socket calls stay off the cooperative pool.
        DispatchQueue.global().async {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(fd) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else { return continuation.resume(returning: ("connect failed", false)) }
            var timeout = timeval(tv_sec: Int(wait.components.seconds), tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var sent = 0
            while sent < request.count {
                let n = request[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if n <= 0 { break }
                sent += n
            }
            var received: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65536)
            var closed = false
            while true {
                let n = recv(fd, &buffer, buffer.count, 0)
                if n > 0 { received += buffer[..<n]; continue }
                closed = n == 0 || (n < 0 && errno == ECONNRESET)
                break
            }
            continuation.resume(returning: (String(decoding: received, as: UTF8.self), closed))
        }
    }
}

@Suite("Hostile HTTP", .timeLimit(.minutes(1)))
struct HostileHTTPTests {
    @Test("malformed requests get 400 or 431 and a closed connection")
    func malformed() async throws {
        let bigHeader = "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + String(repeating: "a", count: 1 << 20) + "\r\n\r\n"
        let manyHeaders = "GET /health HTTP/1.1\r\n" + (0..<5000).map { "X-\($0): y\r\n" }.joined() + "\r\n"
        let cases: [(String, String)] = [
            ("FOO /health HTTP/1.1\r\nHost: x\r\n\r\n", "400"),
            ("garbage\r\n\r\n", "400"),
            ("GET /health\r\n\r\n", "400"),
            ("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "400"),
            (bigHeader, "431"),
            (manyHeaders, "431"),
            ("POST /api/jobs HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", "400"),
            ("POST /api/jobs HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n", "400"),
            ("POST /api/jobs HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n", "400"),
        ]
        try await withServer { client, _ in
            let port = try #require(client.port)
            for (request, status) in cases {
                let (response, closed) = await rawExchange(port: port, Array(request.utf8))
                #expect(response.hasPrefix("HTTP/1.1 \(status)"), "\(request.prefix(40).debugDescription) -> \(response.prefix(60).debugDescription)")
                #expect(closed, "\(request.prefix(40).debugDescription) left the connection open")
            }
            // The server still answers.
            #expect(try await client.execute(uri: "/health", method: .get).status == .ok)
        }
    }

    // "At once" is anything well short of waiting for the body (the idle timeout, a minute): the
    // bound is generous because the whole suite (worker processes, PostgreSQL) shares two cores.
    @Test("a huge declared body gets 413 at once")
    func hugeContentLength() async throws {
        try await withServer { client, _ in
            let port = try #require(client.port)
            let (response, closed) = await rawExchange(port: port, Array("POST /api/jobs HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000000\r\n\r\n".utf8), wait: .seconds(10))
            #expect(response.hasPrefix("HTTP/1.1 413"))
            #expect(closed, "the connection is closed, not kept to drain a body that may never end")
        }
    }

    @Test("headers that never finish are cut off")
    func slowHeaders() async throws {
        try await withServer(configure: { $0.headerTimeout = .milliseconds(300) }) { client, _ in
            let port = try #require(client.port)
            let clock = ContinuousClock()
            let start = clock.now
            let (response, closed) = await rawExchange(port: port, Array("GET /health HTTP/1.1\r\nHost: x\r\n".utf8))
            #expect(response.hasPrefix("HTTP/1.1 408"))
            #expect(closed)
            #expect(clock.now - start < .seconds(3))
        }
    }

    @Test("declared routes answer 405 with Allow for other methods; bad query values get 400")
    func methodsAndQueries() async throws {
        try await withServer { client, _ in
            let trace = try await client.execute(uri: "/api/jobs", method: .init("TRACE")!)
            #expect(trace.status == .methodNotAllowed)
            #expect(trace.headers[.allow] == "GET, POST")
            #expect(try await client.execute(uri: "/api/jobs/abc", method: .delete).status == .methodNotAllowed)
            #expect(try await client.execute(uri: "/health", method: .post).headers[.allow] == "GET")
            #expect(try await client.execute(uri: "/nowhere", method: .get).status == .notFound)
            for query in ["offset=-1", "limit=0", "limit=abc", "limit=100000", "offset=1e3"] {
                let response = try await client.execute(uri: "/api/jobs?\(query)", method: .get)
                #expect(response.status == .badRequest, "\(query)")
            }
            #expect(try await client.execute(uri: "/api/jobs?limit=10&offset=0", method: .get).status == .ok)
        }
    }

    @Test("at the connection cap, idle connections make way and /health is still answered")
    func connectionCap() async throws {
        try await withServer(configure: { $0.maxConnections = 40 }) { client, _ in
            let port = try #require(client.port)
            // 60 connections that start a request and never finish its headers.
            var idle: [Int32] = []
            defer { idle.forEach { close($0) } }
            for _ in 0..<60 {
                let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
                var address = sockaddr_in()
                address.sin_family = sa_family_t(AF_INET)
                address.sin_port = in_port_t(UInt16(port).bigEndian)
                address.sin_addr.s_addr = inet_addr("127.0.0.1")
                _ = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
                _ = "GET /health HTTP/1.1\r\n".withCString { send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
                idle.append(fd)
            }
            try await Task.sleep(for: .milliseconds(200))
            let (response, _) = await rawExchange(port: port, Array("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8), wait: .seconds(3))
            #expect(response.hasPrefix("HTTP/1.1 200"))
        }
    }
}
