import Nodeflow

/// What the `nodetool.data.*` nodes share: their metadata's shape and how they hand a table on.
let dataframeType = AssetRef.type("dataframe")
let emptyDataframe = DataframeValues.make(columns: [], data: [])

func dataframeProperty(_ name: String, _ description: String) -> PropertyDescriptor {
    PropertyDescriptor(name, dataframeType, default: emptyDataframe, description: description)
}

/// Data nodes run in tasks of their own: a table can be large, and the scheduler must not wait on it.
func dataMetadata(_ name: String, _ title: String, _ description: String, _ properties: [PropertyDescriptor], output: PropertyType = dataframeType) -> NodeMetadata {
    NodeMetadata(type: "nodetool.data." + name, title: title, description: description, properties: properties, outputs: [OutputDescriptor("output", output)])
}

extension NodeContext {
    /// A checked table as the node's output.
    func output(_ table: Table) throws -> NodeOutputs {
        try checkCount(table.rows.count &* max(table.columns.count, 1), of: "the dataframe's cells")
        return NodeOutputs(table.value)
    }
}
