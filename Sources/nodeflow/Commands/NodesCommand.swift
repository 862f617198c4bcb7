import ArgumentParser
import Foundation
import Nodeflow
import NodeflowNodes

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

    func run() async throws {
        var all = NodeRegistry.standard.allMetadata
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
            print(Value.list(all.map(\.jsonValue)).jsonString(pretty: true))
            return
        }
        for meta in all {
            print("\(meta.type)  —  \(meta.description)")
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
