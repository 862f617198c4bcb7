import Nodeflow

/// nodetool's nodes over lists of dicts (records), from its 2025 library (`MapTemplate` until
/// May 2025, the others until December 2025): files saved then still use them.
enum RecordListNodes {
    static let all: [any Node.Type] = [MapTemplate.self, FilterDicts.self, FilterDictsByNumber.self, MapField.self]
}

/// Renders a Jinja template once per dict; an item whose rendering fails is left out, as
/// nodetool leaves it out.
struct MapTemplate: Node {
    static let metadata = NodeMetadata(
        type: "nodetool.list.MapTemplate", title: "Map Template",
        description: "Renders a Jinja template ({{ name }}, {{ title|upper }}) for each dict in a list.",
        properties: [
            PropertyDescriptor("template", .string, default: "", description: "The Jinja template."),
            PropertyDescriptor("values", .list(.any), default: [], description: "The dicts to render."),
        ],
        outputs: [OutputDescriptor("output", .list(.string))])

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let values: [Value] = try context.input("values")
        guard !values.isEmpty else { return NodeOutputs(.list([])) }
        let template: JinjaTemplate
        do { template = try JinjaTemplate(try context.input("template")) } catch let error as JinjaTemplate.SyntaxError {
            throw NodeError("'template' is not a valid template: \(error)")
        }
        var results: [Value] = []
        for item in values {
            let variables = item.dictValue.map { Dictionary($0.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a }) } ?? [:]
            do {
                results.append(.string(try template.render(variables, context: context)))
            } catch let error as ValueLimitError {
                throw error
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                continue
            }
        }
        return NodeOutputs(.list(results))
    }
}

/// `pd.DataFrame(values).query(condition).to_dict("records")` (``PandasQuery``): missing keys
/// come back as NaN and int columns with a gap as floats, as pandas returns them.
struct FilterDicts: Node {
    static let metadata = NodeMetadata(
        type: "nodetool.list.FilterDicts", title: "Filter Dicts",
        description: "The dicts for which a condition in pandas' query syntax holds, e.g. age > 30 and status in ['a', 'b'].",
        properties: [
            PropertyDescriptor("values", .list(.dict), default: [], description: "The dicts."),
            PropertyDescriptor("condition", .string, default: "", description: "The condition."),
        ],
        outputs: [OutputDescriptor("output", .list(.dict))])

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        var table = try Table.fromRecords(try context.input("values"), limits: context)
        let query = try PandasQuery(try context.input("condition"))
        table.rows = try query.rows(of: table)
        return NodeOutputs(.list(table.records))
    }
}

/// The dicts whose number under `key` passes a test; other dicts are left out.
struct FilterDictsByNumber: Node {
    static let metadata = NodeMetadata(
        type: "nodetool.list.FilterDictsByNumber", title: "Filter Dicts By Number",
        description: "The dicts whose number under a key is greater than, less than or equal to a value, even, odd, positive or negative.",
        properties: [
            PropertyDescriptor("values", .list(.dict), default: [], description: "The dicts."),
            PropertyDescriptor("key", .string, default: "", description: "The key holding the number."),
            PropertyDescriptor("filter_type", .enumeration(["greater_than", "less_than", "equal_to", "even", "odd", "positive", "negative"]), default: "greater_than", description: "The test."),
            PropertyDescriptor("value", .union([.float, .null]), default: .null, description: "The value to compare with (greater_than, less_than, equal_to)."),
        ],
        outputs: [OutputDescriptor("output", .list(.dict))], runsInline: true)

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let values: [Value] = try context.input("values")
        let key: String = try context.input("key")
        let test: String = try context.input("filter_type")
        let bound = context["value"].numericValue
        if ["greater_than", "less_than", "equal_to"].contains(test), bound == nil {
            throw NodeError("Value must be specified for \(test) filter")
        }
        var kept: [Value] = []
        for item in values {
            guard case .dict(let d) = item else { throw NodeError("Input must be a list of dictionaries") }
            guard let cell = d[key], let number = cell.numericValue else { continue }
            let integer: Int? = switch cell {
            case .int(let i): i
            case .bool(let b): b ? 1 : 0
            default: nil
            }
            let passes = switch test {
            case "greater_than": number > bound!
            case "less_than": number < bound!
            case "equal_to": number == bound!
            case "even": integer.map { $0 % 2 == 0 } ?? false
            case "odd": integer.map { $0 % 2 != 0 } ?? false
            case "positive": number > 0
            default: number < 0
            }
            if passes { kept.append(item) }
        }
        return NodeOutputs(.list(kept))
    }
}

/// `[item.get(field, default) for item in values]`.
struct MapField: Node {
    static let metadata = NodeMetadata(
        type: "nodetool.list.MapField", title: "Map Field", description: "The value under one key of each dict (the default where it is missing).",
        properties: [
            PropertyDescriptor("values", .list(.dict), default: [], description: "The dicts."),
            PropertyDescriptor("field", .string, default: "", description: "The key."),
            PropertyDescriptor("default", .any, default: .null, description: "The value for dicts without the key."),
        ],
        outputs: [OutputDescriptor("output", .list(.any))], runsInline: true)

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let values: [Value] = try context.input("values")
        let field: String = try context.input("field")
        return NodeOutputs(.list(try values.enumerated().map { i, item in
            guard case .dict(let d) = item else { throw NodeError("item \(i) of 'values' is \(item.kindName), not a dict") }
            return d[field] ?? context["default"]
        }))
    }
}
