import Crypto
import Foundation
import Nodeflow
import OrderedCollections

/// The node packs a Python interpreter has installed, as its worker's `discover` reports them:
/// node types to register beside Nodeflow's Swift nodes, and the modules that failed to import.
///
/// ```swift
/// let packs = try await PythonPacks.discover(PythonConfiguration(interpreter: ".venv/bin/python"))
/// var registry = NodeRegistry.standard
/// packs.register(into: &registry)
/// // … run workflows with `registry` …
/// await packs.runtime.pool.shutdown()
/// ```
///
/// Discovery starts a worker (about a second); the result is cached per interpreter, environment
/// and installed packs (``DiscoveryCache``), so later runs start no Python until a Python node runs.
public struct PythonPacks: Sendable {
    /// Every discovered node type's metadata.
    public let metadata: [NodeMetadata]
    /// Modules that failed to import: the namespace of their node types and why.
    public let loadErrors: [(namespace: String, reason: String)]
    /// The workers the registered types run on.
    public let runtime: PythonRuntime
    private let types: [PythonNodeType]
    private let streaming: Set<String>

    /// Discovers the packs of `configuration`'s interpreter, from the cache when it is fresh.
    public static func discover(_ configuration: PythonConfiguration, cache: DiscoveryCache? = .standard) async throws -> PythonPacks {
        let pool = PythonWorkerPool(configuration: configuration)
        let key = cache.map { _ in DiscoveryCache.key(for: configuration) }
        if let cache, let key, let cached = cache.read(key) {
            return try PythonPacks(discovered: cached, runtime: PythonRuntime(pool: pool))
        }
        let data = try await pool.withWorker { worker in
            var answer: MessagePack?
            for try await frame in worker.request("discover", data: [:]).frames {
                if frame.type == "error" { throw BridgeError("discover failed: \(frame.data.string("error") ?? "")") }
                answer = frame.data
            }
            guard let answer else { throw BridgeError("the worker did not answer discover") }
            return try answer.value()
        }
        if let cache, let key { cache.write(data, key: key) }
        return try PythonPacks(discovered: data, runtime: PythonRuntime(pool: pool))
    }

    /// The packs described by a `discover` answer (as a value).
    init(discovered data: Value, runtime: PythonRuntime) throws {
        guard case .list(let nodes)? = data["nodes"] else { throw BridgeError("the worker's discover answer has no node list") }
        var metadata: [NodeMetadata] = []
        var types: [PythonNodeType] = []
        var streaming: Set<String> = []
        for node in nodes {
            guard case .dict(let n) = node, let name = n["node_type"]?.stringValue, !name.isEmpty else { continue }
            let vram = n["requires_vram_gb"]?.doubleValue
            var properties: [PropertyDescriptor] = []
            for case .dict(let p) in n["properties"]?.listValue ?? [] {
                guard let propertyName = p["name"]?.stringValue else { continue }
                let annotation = p["type"]?["type"]?.stringValue ?? "Any"
                var type = PythonTypes.property(annotation)
                // The worker leaves out a default of None (and of a required field): null stands in.
                let defaultValue = p["default"] ?? .null
                if defaultValue == .null, !type.accepts(.null) { type = .union([type, .null]) }
                properties.append(PropertyDescriptor(propertyName, type, default: defaultValue, description: p["description"]?.stringValue ?? ""))
            }
            var outputs: [OutputDescriptor] = []
            for case .dict(let o) in n["outputs"]?.listValue ?? [] {
                guard let outputName = o["name"]?.stringValue else { continue }
                outputs.append(OutputDescriptor(outputName, PythonTypes.metadata(o["type"])))
            }
            if outputs.isEmpty { outputs = [OutputDescriptor("output", .any)] }
            let isStreaming = n["is_streaming_output"] == .bool(true)
            if isStreaming { streaming.insert(name) }
            metadata.append(NodeMetadata(
                type: name, title: n["title"]?.stringValue, description: n["description"]?.stringValue ?? "",
                properties: properties, outputs: outputs, isCacheable: false,
                requiredResources: (vram ?? 0) > 0 ? [.gpu] : [], isDynamic: n["is_dynamic"] == .bool(true)))
            types.append(PythonNodeType(
                name: name, requiresVRAM: vram,
                requiredSettings: (n["required_settings"]?.listValue ?? []).compactMap(\.stringValue)))
        }
        var errors: [(namespace: String, reason: String)] = []
        for case .dict(let e) in data["load_errors"]?.listValue ?? [] {
            guard let module = e["module"]?.stringValue else { continue }
            // `nodetool.nodes.huggingface.text` holds types named `huggingface.text.*`.
            let namespace = module.hasPrefix("nodetool.nodes.") ? String(module.dropFirst("nodetool.nodes.".count)) : module
            let reason = [e["error_type"]?.stringValue, e["error"]?.stringValue].compactMap { $0 }.joined(separator: ": ")
            errors.append((namespace, "Python could not import \(module) (\(reason))"))
        }
        self.metadata = metadata
        self.types = types
        self.streaming = streaming
        self.loadErrors = errors
        self.runtime = runtime
    }

    /// Registers every discovered type, and marks the namespaces of modules that failed to
    /// import as unavailable (validation then names the import error).
    public func register(into registry: inout NodeRegistry) {
        for (meta, type) in zip(metadata, types) {
            let binding = PythonBinding(type: type, runtime: runtime)
            if streaming.contains(type.name) {
                registry.register(NodeTypeEntry(metadata: meta) { PythonStreamNode(binding) })
            } else {
                registry.register(NodeTypeEntry(metadata: meta) { PythonNode(binding) })
            }
        }
        for error in loadErrors { registry.markUnavailable(namespace: error.namespace, reason: error.reason) }
    }

    /// The pack a type comes from: the first part of its name (`huggingface`).
    public static func pack(of type: String) -> String {
        String(type.split(separator: ".").first ?? Substring(type))
    }
}

/// Discovered metadata on disk, one file per interpreter, environment and state of the installed
/// packs: installing or removing a package, or editing a pack on `PYTHONPATH`, makes a new key.
public struct DiscoveryCache: Sendable {
    public let directory: URL

    public init(directory: URL) { self.directory = directory }

    /// `$XDG_CACHE_HOME/nodeflow/python` (or `~/.cache/nodeflow/python`).
    public static var standard: DiscoveryCache {
        let environment = ProcessInfo.processInfo.environment
        let base = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache")
        return DiscoveryCache(directory: base.appendingPathComponent("nodeflow/python", isDirectory: true))
    }

    func read(_ key: String) -> Value? {
        guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(key + ".json").path) else { return nil }
        return try? Value(jsonBytes: Array(data))
    }

    func write(_ value: Value, key: String) {
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent(key + ".json")
        let temporary = directory.appendingPathComponent(key + ".\(UUID().uuidString).tmp")
        guard FileManager.default.createFile(atPath: temporary.path, contents: Data(value.jsonBytes())) else { return }
        // rename(2) replaces the file atomically: a reader sees the old file or the new one.
        if rename(temporary.path, file.path) != 0 { try? FileManager.default.removeItem(at: temporary) }
    }

    /// A hash of what decides what `discover` answers: the interpreter (and its modification
    /// time), the environment the worker sees that matters (`PYTHONPATH`, `NODETOOL_*`), the
    /// namespaces asked for, and the installed packages: the site-packages folders' listings and
    /// every file under a `nodetool/nodes` folder on `PYTHONPATH`.
    static func key(for configuration: PythonConfiguration) -> String {
        var hasher = SHA256()
        func add(_ text: String) { hasher.update(data: Array(text.utf8) + [0]) }
        let files = FileManager.default
        let interpreter = URL(fileURLWithPath: configuration.interpreter).resolvingSymlinksInPath()
        add(configuration.interpreter)
        add(interpreter.path)
        add(stamp(interpreter.path))
        add(configuration.namespaces?.joined(separator: ",") ?? "*")
        for (name, value) in configuration.environment.sorted(by: { $0.key < $1.key }) where name == "PYTHONPATH" || name.hasPrefix("NODETOOL_") {
            add(name + "=" + value)
        }
        // A virtual environment's site-packages: its listing changes when a package comes or goes.
        let root = URL(fileURLWithPath: configuration.interpreter).deletingLastPathComponent().deletingLastPathComponent()
        for lib in ["lib", "lib64"] {
            let libDir = root.appendingPathComponent(lib)
            for python in ((try? files.contentsOfDirectory(atPath: libDir.path)) ?? []).sorted() where python.hasPrefix("python") {
                let site = libDir.appendingPathComponent(python).appendingPathComponent("site-packages")
                for entry in ((try? files.contentsOfDirectory(atPath: site.path)) ?? []).sorted() {
                    add(entry)
                    add(stamp(site.appendingPathComponent(entry).path))
                }
                addTree(site.appendingPathComponent("nodetool/nodes"), into: &hasher)
            }
        }
        for entry in (configuration.environment["PYTHONPATH"] ?? "").split(separator: ":") {
            addTree(URL(fileURLWithPath: String(entry)).appendingPathComponent("nodetool/nodes"), into: &hasher)
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    private static func stamp(_ path: String) -> String {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return "-" }
        let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        return "\(modified):\(attributes[.size] as? Int ?? 0)"
    }

    /// Every file under `folder` (at most 20,000) with its modification time and size.
    private static func addTree(_ folder: URL, into hasher: inout SHA256) {
        guard let walker = FileManager.default.enumerator(atPath: folder.path) else { return }
        var paths: [String] = []
        while let path = walker.nextObject() as? String, paths.count < 20_000 {
            if !path.contains("__pycache__") { paths.append(path) }
        }
        for path in paths.sorted() {
            hasher.update(data: Array((path + "|" + stamp(folder.appendingPathComponent(path).path)).utf8) + [0])
        }
    }
}
