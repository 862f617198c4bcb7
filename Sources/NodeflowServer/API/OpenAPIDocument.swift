import Nodeflow

/// The OpenAPI 3.1 description of the HTTP API, served at `/openapi.json` and checked against the
/// routes by the tests.
enum OpenAPIDocument {
    static let value: Value = try! Value(json: text)

    /// Every operation the document lists, as (method, path template).
    static var operations: [(method: String, path: String)] {
        var result: [(String, String)] = []
        for (path, item) in value["paths"]?.dictValue ?? [:] {
            for method in (item.dictValue ?? [:]).keys { result.append((method.uppercased(), path)) }
        }
        return result.sorted { ($0.1, $0.0) < ($1.1, $1.0) }
    }

    private static let jobId = #"{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}"#
    private static let error = ##"{"description": "An error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}"##

    static let text = """
        {
          "openapi": "3.1.0",
          "info": {"title": "Nodeflow", "version": "1.0.0", "description": "Run node-based workflows (nodetool's format): submit jobs, follow their messages, cancel them."},
          "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
              "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}, "problems": {"type": "array", "items": {"type": "object"}}}},
              "RunJobRequest": {"type": "object", "required": ["graph"], "properties": {
                "graph": {"type": "object", "properties": {"nodes": {"type": "array"}, "edges": {"type": "array"}}},
                "params": {"type": "object"}, "workflow_id": {"type": "string"}, "user_id": {"type": "string"}, "auth_token": {"type": "string"}}},
              "Job": {"type": "object", "properties": {
                "id": {"type": "string"}, "status": {"enum": ["queued", "running", "completed", "failed", "cancelled"]},
                "workflow_id": {"type": ["string", "null"]}, "workflow_name": {"type": ["string", "null"]}, "user_id": {"type": "string"},
                "created_at": {"type": "string"}, "started_at": {"type": ["string", "null"]}, "finished_at": {"type": ["string", "null"]},
                "duration": {"type": ["number", "null"]}, "error": {"type": ["string", "null"]}, "error_node_id": {"type": ["string", "null"]},
                "outputs": {"type": ["object", "null"]}, "nodes": {"type": "array"}, "params": {"type": "object"},
                "attempt": {"type": "integer", "description": "How many times the job started running (a takeover or a resume starts it again)."},
                "worker": {"type": ["string", "null"], "description": "The worker holding the job's lease, while one runs it."},
                "host": {"type": ["string", "null"]}, "process_id": {"type": ["integer", "null"]},
                "required_labels": {"type": "array", "items": {"type": "string"}}}}
            }
          },
          "security": [{"bearer": []}],
          "paths": {
            "/": {"get": {"summary": "The page: run a workflow and watch it live.", "security": [], "responses": {"200": {"description": "HTML"}}}},
            "/health": {"get": {"summary": "Whether the server is up, with its running and queued job counts.", "security": [], "responses": {"200": {"description": "Up"}}}},
            "/metrics": {"get": {"summary": "Prometheus metrics: jobs by status, queue depth, node latency, cache hit rate.", "responses": {"200": {"description": "Text exposition format"}}}},
            "/openapi.json": {"get": {"summary": "This document.", "responses": {"200": {"description": "OpenAPI 3.1"}}}},
            "/api/nodes": {"get": {"summary": "Every node type with its properties and outputs.", "responses": {"200": {"description": "Node metadata"}}}},
            "/api/jobs": {
              "get": {"summary": "The caller's jobs, newest first.", "parameters": [
                  {"name": "status", "in": "query", "schema": {"enum": ["queued", "running", "completed", "failed", "cancelled"]}},
                  {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000}},
                  {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0}}],
                "responses": {"200": {"description": "Jobs"}, "400": \(error), "401": \(error)}},
              "post": {"summary": "Submit a job; answers at once with its id.", "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RunJobRequest"}}}},
                "responses": {"202": {"description": "Queued"}, "400": \(error), "401": \(error), "413": \(error), "422": \(error)}}
            },
            "/api/jobs/{id}": {"get": {"summary": "A job: status, outputs, error, per-node timings.", "parameters": [\(jobId)],
                "responses": {"200": {"description": "The job", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Job"}}}}, "401": \(error), "404": \(error)}}},
            "/api/jobs/{id}/events": {"get": {"summary": "The job's messages so far, or a live NDJSON (or server-sent events) stream with follow=true.", "parameters": [\(jobId),
                  {"name": "after", "in": "query", "schema": {"type": "integer"}}, {"name": "follow", "in": "query", "schema": {"type": "boolean"}}],
                "responses": {"200": {"description": "Messages"}, "401": \(error), "404": \(error)}}},
            "/api/jobs/{id}/cancel": {"post": {"summary": "Cancel a queued or running job.", "parameters": [\(jobId)],
                "responses": {"200": {"description": "Cancel requested"}, "401": \(error), "404": \(error), "409": \(error)}}},
            "/api/workflows/run": {"post": {"summary": "Run a workflow in one call: the job when it ends, or its messages as NDJSON with stream=true.",
                "parameters": [{"name": "stream", "in": "query", "schema": {"type": "boolean"}}],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RunJobRequest"}}}},
                "responses": {"200": {"description": "The finished job, or a stream of messages"}, "400": \(error), "401": \(error), "413": \(error), "422": \(error)}}}
          }
        }
        """
}
