import ArgumentParser
import Foundation
import Nodeflow
import NodeflowNodes
import NodeflowPython

/// `nodeflow nodes`: lists every registered node type with its properties and outputs.
struct NodesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nodes",
        abstract: "Lists the node types nodeflow knows, with their properties and outputs."
    )

    @Argument(help: "Only the node types whose type name starts with this (a namespace such as nodetool.math) or, failing that, contains it (case-insensitive).")
    var filter: String?

    @Flag(help: "Print the metadata as JSON.")
    var json = false

    @OptionGroup var python: PythonOptions

    func run() async throws {
        let types: NodeTypes
        do { types = try await python.nodeTypes() } catch {
            printError("error: \(error)")
            throw ExitCode(ExitStatus.invalid)
        }
        await types.shutdown()  // listing needs no worker
        let pythonTypes = Set(types.packs?.metadata.map(\.type) ?? [])
        var all = types.registry.allMetadata
        if let filter, !filter.isEmpty {
            let needle = filter.lowercased()
            let byPrefix = all.filter { $0.type.lowercased().hasPrefix(needle) }
            all = byPrefix.isEmpty ? all.filter { $0.type.lowercased().contains(needle) } : byPrefix
            if all.isEmpty {
                printError("error: no node type matches '\(filter)'")
                throw ExitCode(ExitStatus.invalid)
            }
        }
        if json {
            print(Value.list(all.map { meta in
                guard pythonTypes.contains(meta.type), case .dict(var object) = meta.jsonValue else { return meta.jsonValue }
                object["pack"] = .string(PythonPacks.pack(of: meta.type))
                return .dict(object)
            }).jsonString(pretty: true))
            return
        }
        for meta in all {
            let pack = pythonTypes.contains(meta.type) ? "  [Python pack \(PythonPacks.pack(of: meta.type))]" : ""
            print("\(meta.type)\(pack)  —  \(meta.description.split(separator: "\n").first.map(String.init) ?? "")")
            for property in meta.properties {
                let value = property.defaultValue.map { " = \($0.jsonString())" } ?? " (required)"
                print("    \(property.name): \(property.type)\(value)")
            }
            for output in meta.outputs {
                print("    → \(output.name): \(output.type)")
            }
        }
    }
}
