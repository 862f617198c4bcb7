import Logging
import NodeflowJobs
import PostgresNIO

/// The PostgreSQL schema, one migration per version, applied in order under an advisory lock
/// (workers starting together migrate once); never edit a migration that has shipped.
enum PostgresSchema {
    static let migrations: [String] = [
        """
        CREATE TABLE nodeflow_job (
            id text COLLATE "C" PRIMARY KEY,
            workflow_id text,
            workflow_name text,
            graph_z bytea NOT NULL,
            graph_size bigint NOT NULL,
            params text NOT NULL,
            user_id text NOT NULL,
            status text NOT NULL,
            created_at double precision NOT NULL,
            started_at double precision,
            finished_at double precision,
            error text,
            error_node_id text,
            outputs text,
            process_id bigint,
            host text,
            cancel_requested boolean NOT NULL DEFAULT FALSE,
            required_labels text[] NOT NULL DEFAULT '{}',
            epoch bigint NOT NULL DEFAULT 0,
            lease_owner text,
            lease_expires_at double precision,
            lease_losses bigint NOT NULL DEFAULT 0,
            last_seq bigint NOT NULL DEFAULT 0
        );
        CREATE INDEX nodeflow_job_by_status_created ON nodeflow_job (status, created_at);
        CREATE INDEX nodeflow_job_by_created ON nodeflow_job (created_at);
        CREATE INDEX nodeflow_job_by_lease ON nodeflow_job (lease_expires_at) WHERE lease_expires_at IS NOT NULL;
        CREATE TABLE nodeflow_event_block (
            job_id text NOT NULL REFERENCES nodeflow_job (id) ON DELETE CASCADE,
            first_seq bigint NOT NULL,
            last_seq bigint NOT NULL,
            format bigint NOT NULL,
            size bigint NOT NULL,
            data bytea NOT NULL,
            PRIMARY KEY (job_id, first_seq)
        );
        CREATE TABLE nodeflow_node_result (
            job_id text NOT NULL REFERENCES nodeflow_job (id) ON DELETE CASCADE,
            node_id text NOT NULL,
            outputs text NOT NULL,
            started_at double precision,
            duration double precision,
            PRIMARY KEY (job_id, node_id)
        );
        """
    ]

    static func migrate(_ client: PostgresClient, logger: Logger) async throws {
        try await client.withTransaction(logger: logger) { connection in
            // Held to the end of the transaction: one migrator at a time.
            try await connection.query("SELECT pg_advisory_xact_lock(7243501)", logger: logger)
            try await connection.query("CREATE TABLE IF NOT EXISTS nodeflow_schema (version bigint NOT NULL)", logger: logger)
            var version = 0
            for try await v in try await connection.query("SELECT COALESCE(MAX(version), 0)::bigint FROM nodeflow_schema", logger: logger).decode(Int.self) {
                version = v
            }
            guard version <= migrations.count else {
                throw JobStoreError.corrupt("the database's schema (version \(version)) is newer than this nodeflow knows (\(migrations.count)); upgrade nodeflow")
            }
            for (index, migration) in migrations.enumerated().dropFirst(version) {
                for statement in migration.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespacesAndNewlines) }) where !statement.isEmpty {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query("INSERT INTO nodeflow_schema (version) VALUES (\(index + 1))", logger: logger)
            }
        }
    }
}
