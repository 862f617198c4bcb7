import Foundation
import Nodeflow
import NodeflowJobs
import PostgresNIO

/// Reading job rows.
enum PostgresRows {
    static let summaryColumns = """
        id, workflow_id, workflow_name, params, user_id, status, created_at, started_at, finished_at, error, error_node_id, outputs,
        process_id, host, cancel_requested, required_labels, epoch, lease_owner, lease_expires_at, lease_losses
        """
    static let allColumns = summaryColumns + ", graph_z, graph_size"

    static func job(_ row: PostgresRandomAccessRow, withGraph: Bool) throws -> JobRecord {
        let id = try row["id"].decode(String.self)
        let graph = withGraph
            ? try JobRecord.storedGraph(deflated: Array(try row["graph_z"].decode(Data.self)), size: try row["graph_size"].decode(Int.self), jobID: id)
            : Graph()
        guard case .dict(let params) = try Value(json: try row["params"].decode(String.self)) else { throw JobStoreError.corrupt("params of job '\(id)'") }
        let statusText = try row["status"].decode(String.self)
        guard let status = JobStatus(rawValue: statusText) else { throw JobStoreError.corrupt("status '\(statusText)' of job '\(id)'") }
        var job = JobRecord(
            id: id, workflowID: try row["workflow_id"].decode(String?.self), workflowName: try row["workflow_name"].decode(String?.self),
            graph: graph, params: params, userID: try row["user_id"].decode(String.self), status: status,
            createdAt: Date(timeIntervalSince1970: try row["created_at"].decode(Double.self)))
        job.startedAt = try row["started_at"].decode(Double?.self).map(Date.init(timeIntervalSince1970:))
        job.finishedAt = try row["finished_at"].decode(Double?.self).map(Date.init(timeIntervalSince1970:))
        job.error = try row["error"].decode(String?.self)
        job.errorNodeID = try row["error_node_id"].decode(String?.self)
        if let text = try row["outputs"].decode(String?.self) {
            guard case .dict(let outputs) = try Value(json: text) else { throw JobStoreError.corrupt("outputs of job '\(id)'") }
            job.outputs = outputs
        }
        job.processID = try row["process_id"].decode(Int?.self).map { Int32(clamping: $0) }
        job.host = try row["host"].decode(String?.self)
        job.cancelRequested = try row["cancel_requested"].decode(Bool.self)
        job.requiredLabels = try row["required_labels"].decode([String].self)
        job.epoch = try row["epoch"].decode(Int.self)
        job.leaseOwner = try row["lease_owner"].decode(String?.self)
        job.leaseExpiresAt = try row["lease_expires_at"].decode(Double?.self).map(Date.init(timeIntervalSince1970:))
        job.leaseLosses = try row["lease_losses"].decode(Int.self)
        return job
    }
}
