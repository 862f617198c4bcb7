import ArgumentParser
import Nodeflow
import NodeflowNodes

/// `nodeflow nodes`: lists every registered node type with its properties and outputs.
struct NodesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nodes",
        abstract: "Lists the node types nodeflow knows, with their properties and outputs."
    )

    @Flag(help: "Print the metadata as JSON.")
    var json = false

    func run() async throws {
        let all = NodeRegistry.standard.allMetadata
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
