import Foundation
import HTTPTypes
import HummingbirdTesting
import Nodeflow
import Testing

@Suite("OpenAPI document and metrics", .timeLimit(.minutes(1)))
struct DocumentedRoutesTests {
    @Test("every documented operation answers with one of its documented statuses")
    func documentMatchesRoutes() async throws {
        try await withServer { client, _ in
            let document = try json(try await client.execute(uri: "/openapi.json", method: .get))
            #expect(document["openapi"] == "3.1.0")
            let id = try #require(try json(try await client.execute(uri: "/api/jobs", method: .post, body: body(["graph": addGraph])))["job_id"]?.stringValue)
            _ = try await finished(client, id)
            let paths = try #require(document["paths"]?.dictValue)
            #expect(paths.count == 10)
            for (template, item) in paths {
                for (method, operation) in item.dictValue ?? [:] {
                    let uri = template.replacingOccurrences(of: "{id}", with: id)
                    let requestBody = method == "post" && operation["requestBody"] != nil ? body(["graph": addGraph]) : nil
                    let response = try await client.execute(uri: uri, method: HTTPRequest.Method(method.uppercased())!, body: requestBody)
                    let documented = Set((operation["responses"]?.dictValue ?? [:]).keys)
                    #expect(documented.contains(String(response.status.code)), "\(method.uppercased()) \(template) answered \(response.status.code), documented: \(documented.sorted())")
                }
            }
            #expect(try await client.execute(uri: "/api/undocumented", method: .get).status == .notFound)
        }
    }

    @Test("metrics: jobs by status, queue depth, node latency histogram, cache hit rate")
    func metrics() async throws {
        try await withServer { client, _ in
            let id = try #require(try json(try await client.execute(uri: "/api/jobs", method: .post, body: body(["graph": addGraph])))["job_id"]?.stringValue)
            _ = try await finished(client, id)
            let response = try await client.execute(uri: "/metrics", method: .get)
            #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
            let text = String(buffer: response.body)
            #expect(text.contains("nodeflow_jobs{status=\"completed\"} 1"))
            #expect(text.contains("nodeflow_queue_depth 0"))
            #expect(text.contains("nodeflow_node_duration_seconds_count 3"))
            #expect(text.contains("nodeflow_cache_hit_ratio 0"))
        }
    }
}
