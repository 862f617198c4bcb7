import Foundation
import Hummingbird
import Nodeflow
import NodeflowJobs
import OrderedCollections

/// The HTTP API: jobs (submit, list, show, events, cancel), one-call runs, node metadata, health.
struct JobRoutes: Sendable {
    let store: any JobStore
    /// The jobs run in this process, if any (``JobService``); otherwise worker processes run them.
    let jobs: JobService?
    /// What validates submitted workflows: the in-process jobs' own engine when there are any.
    let engine: Engine
    /// Node metrics of in-process jobs; empty when workers run the jobs.
    let metrics: ServerMetrics
    let maxBodySize: Int

    func register(on router: Router<ServerRequestContext>) {
        router.get("/health") { _, _ in
            // Jobs of every worker, from the store.
            let counts = try await store.jobCounts()
            return JSONResponse.make(["status": "ok", "running_jobs": .int(counts[.running] ?? 0), "queued_jobs": .int(counts[.queued] ?? 0)])
        }
        router.get("/") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: RunPage.html)))
        }
        router.get("/metrics") { _, _ in
            let counts = try await store.jobCounts()
            let text = metrics.render(jobCounts: counts, queueDepth: counts[.queued] ?? 0, running: counts[.running] ?? 0)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        router.get("/openapi.json") { _, _ in
            JSONResponse.make(OpenAPIDocument.value)
        }
        router.get("/api/nodes") { _, _ in
            JSONResponse.make(.list(engine.registry.allMetadata.map(\.jsonValue)))
        }
        router.post("/api/jobs") { request, context in
            let job = try await submit(request, context: context)
            return JSONResponse.make(["job_id": .string(job.id), "status": .string(job.status.rawValue)], status: .accepted)
        }
        router.get("/api/jobs") { request, context in
            let query = request.uri.queryParameters
            var status: JobStatus?
            if let text = query.get("status") {
                guard let s = JobStatus(rawValue: text) else { throw APIError(status: .badRequest, message: "unknown status '\(text)'") }
                status = s
            }
            let limit = try Self.integer("limit", in: query.get("limit"), default: 50, range: 1...1000)
            let offset = try Self.integer("offset", in: query.get("offset"), default: 0, range: 0...Int(Int32.max))
            let found = try await store.jobs(JobQuery(status: status, userID: context.userID, limit: limit, offset: offset))
            return JSONResponse.make(["jobs": .list(found.map(\.summaryJSON)), "limit": .int(limit), "offset": .int(offset)])
        }
        router.get("/api/jobs/:id") { _, context in
            let job = try await ownJob(context)
            var value = job.summaryJSON.dictValue ?? [:]
            value["nodes"] = .list(NodeTiming.from(try await store.events(job.id, after: 0)).map(\.jsonValue))
            value["params"] = .dict(job.params)
            value["graph"] = job.graph.jsonValue
            return JSONResponse.make(.dict(value))
        }
        router.get("/api/jobs/:id/events") { request, context in
            let job = try await ownJob(context)
            let after = try Self.integer("after", in: request.uri.queryParameters.get("after"), default: 0, range: 0...Int.max)
            if request.uri.queryParameters.get("follow") == "true" {
                return follow(job.id, after: after, serverSentEvents: request.headers[.accept]?.contains("text/event-stream") == true)
            }
            let events = try await store.events(job.id, after: after)
            return JSONResponse.make(["events": .list(events.map(\.message)), "last": .int(events.last?.sequence ?? after)])
        }
        router.post("/api/jobs/:id/cancel") { _, context in
            let job = try await ownJob(context)
            try await cancel(job)
            return JSONResponse.make(["job_id": .string(job.id), "cancel_requested": true])
        }
        router.post("/api/workflows/run") { request, context in
            let job = try await submit(request, context: context)
            if request.uri.queryParameters.get("stream") == "true" {
                return follow(job.id, after: 0, serverSentEvents: false)
            }
            // Without streaming: wait for the end and answer with the job.
            while true {
                let current = try await store.requireJob(job.id)
                if current.status != .queued && current.status != .running { return JSONResponse.make(current.summaryJSON) }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }

    /// Reads a RunJobRequest, validates its graph and params, records the job and queues it.
    private func submit(_ request: Request, context: ServerRequestContext) async throws -> JobRecord {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maxBodySize)
        } catch {
            throw APIError(status: .contentTooLarge, message: "the request body is larger than \(maxBodySize) bytes")
        }
        let value: Value
        do {
            value = try Value(jsonBytes: Array(buffer.readableBytesView))
        } catch {
            throw APIError(status: .badRequest, message: "malformed JSON: \(error)")
        }
        return try await createJob(value, userID: context.userID)
    }

    /// Validates a RunJobRequest (as JSON), records the job and queues it.
    func createJob(_ value: Value, userID: String) async throws -> JobRecord {
        let runRequest: RunJobRequest
        do {
            runRequest = try RunJobRequest(jsonValue: value)
        } catch {
            throw APIError(status: .badRequest, message: "\(error)")
        }
        do {
            _ = try engine.validate(runRequest.graph, params: runRequest.params)
        } catch {
            throw APIError(status: .unprocessableContent, message: "the workflow is invalid", details: ["problems": .list(error.problems.map(\.jsonValue))])
        }
        // A nodetool workflow file posted as it is names itself with "id" and "name".
        let workflowID = runRequest.workflowID ?? runRequest.otherFields["id"]?.stringValue
        var job = JobRecord(
            id: UUID().uuidString.lowercased(), workflowID: workflowID,
            workflowName: runRequest.otherFields["workflow_name"]?.stringValue ?? runRequest.otherFields["name"]?.stringValue ?? workflowID,
            graph: runRequest.graph, params: runRequest.params, userID: userID)
        job.requiredLabels = JobRecord.requiredLabels(for: runRequest.graph, registry: engine.registry)
        try await store.create(job)
        jobs?.enqueue(job.id)
        return job
    }

    /// The job named in the path, if it belongs to the caller; another user's job is a 404.
    private func ownJob(_ context: ServerRequestContext) async throws -> JobRecord {
        try await ownJob(try context.parameters.require("id"), userID: context.userID)
    }

    /// The job, if it belongs to the user; another user's job is a 404.
    func ownJob(_ id: String, userID: String) async throws -> JobRecord {
        guard let job = try await store.job(id), job.userID == userID else {
            throw APIError(status: .notFound, message: "no job with id '\(id)'")
        }
        return job
    }

    /// A query parameter that must be an integer in `range`; absent, `defaultValue`.
    /// - Throws: a 400 naming the parameter and what it must be.
    static func integer(_ name: String, in text: String?, default defaultValue: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text else { return defaultValue }
        guard let value = Int(text), range.contains(value) else {
            let shown = text.count > 40 ? String(text.prefix(37)) + "..." : text
            throw APIError(status: .badRequest, message: "query parameter '\(name)' must be an integer from \(range.lowerBound) to \(range.upperBound), got '\(shown)'")
        }
        return value
    }

    /// Cancels a job of the user, here or in another process.
    func cancel(_ job: JobRecord) async throws {
        // Through the store, for whichever worker runs it (it polls), and at once when it runs here.
        let requested = try await store.requestCancel(job.id)
        if requested { _ = jobs?.cancel(job.id) }
        guard requested else {
            throw APIError(status: .conflict, message: "job \(job.id) is \(job.status.rawValue); nothing to cancel")
        }
    }



    /// Streams a job's messages as they are recorded — NDJSON, or server-sent events — until the
    /// job ends.
    private func follow(_ jobID: String, after: Int, serverSentEvents: Bool) -> Response {
        let body = ResponseBody { writer in
            try await store.followEvents(of: jobID, after: after) { event in
                var bytes = serverSentEvents ? Array("data: ".utf8) : []
                bytes += event.message.jsonBytes()
                bytes += serverSentEvents ? Array("\n\n".utf8) : [0x0A]
                try await writer.write(ByteBuffer(bytes: bytes))
            }
            try await writer.finish(nil)
        }
        let type = serverSentEvents ? "text/event-stream" : "application/x-ndjson"
        return Response(status: .ok, headers: [.contentType: type, .cacheControl: "no-cache"], body: body)
    }
}
