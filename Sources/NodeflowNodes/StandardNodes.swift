import Nodeflow

extension NodeRegistry {
    /// Every built-in node type: constants, inputs, outputs, math, text, lists, dictionaries,
    /// Preview and Comment, and the group nodes (Loop, GroupInput, GroupOutput).
    public static var standard: NodeRegistry {
        var registry = NodeRegistry()
        registry.register(StandardNodes.all)
        for type in ControlNodes.currentFormatOnly + TodayInputNodes.currentFormatOnly + TodayVariantNodes.currentFormatOnly { registry.register(type, for: .current) }
        return registry
    }
}

/// The built-in node types, by library.
public enum StandardNodes {
    /// Every built-in node type (the group nodes come with every ``NodeRegistry``).
    public static let all: [any Node.Type] = libraries.flatMap { $0 }

    /// The libraries, 0.5.3's first, then today's.
    private static let libraries: [[any Node.Type]] = [
        ConstantNodes.all, InputNodes.all, OutputNodes.all, MathNodes.all, TextNodes.all, ListNodes.all,
        DictionaryNodes.all, WorkflowNodes.all, BooleanNodes.all, MoreTextNodes.all, MoreCollectionNodes.all,
        DataframeNodes.all, AssetNodes.all, ControlNodes.all, LibMathNodes.all, [ListSum.self],
        TodayNodes.all, TodayCollectionNodes.all, TodayInputNodes.all, TodayValueNodes.all, TodayDataNodes.all, DataframeEditNodes.all, RecordListNodes.all,
        TodayTextNodes.all, TodayStringNodes.all, TodayRegexNodes.all, TodayStreamFilterNodes.all, TodayListDictNodes.all,
    ]
}
