extension NodeMetadata {
    /// The metadata as JSON, for `nodeflow nodes --json` and APIs.
    public var jsonValue: Value {
        [
            "node_type": .string(type),
            "title": .string(title),
            "description": .string(description),
            "properties": .list(properties.map { p in
                [
                    "name": .string(p.name),
                    "type": .string(p.type.description),
                    "default": p.defaultValue ?? .null,
                    "required": .bool(p.isRequired),
                    "description": .string(p.description),
                ]
            }),
            "outputs": .list(outputs.map { ["name": .string($0.name), "type": .string($0.type.description)] }),
            "is_cacheable": .bool(isCacheable),
            "role": .string(role.rawValue),
            "requires": .list(requiredResources.map { .string($0.rawValue) }.sorted { $0.pythonStr < $1.pythonStr }),
            "runs_inline": .bool(runsInline),
            "is_dynamic": .bool(isDynamic),
        ]
    }
}
