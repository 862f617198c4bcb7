import Foundation
import Nodeflow

/// Today's stream filters (nodetool-base 50bbc4ee, March 2026): each reads the values arriving on
/// `value` and sends on those that pass, as they come. A setting arriving on its own edge
/// (`filter_type`, `criteria`, `key`, …) applies to the values after it. Values that are not of
/// the kind the filter reads (a number for a string filter, a list for a dict filter) are
/// dropped, as nodetool drops them; so is everything while a length criterion is not a whole
/// number or a pattern is not a valid regular expression. A `value` given in the file, with no
/// edge, sends nothing (nodetool reads only arrivals).
enum TodayStreamFilterNodes {
    static let all: [any Node.Type] = [
        FilterString.self, FilterRegexString.self, FilterNumber.self, FilterNumberRange.self,
        FilterDictByValue.self, FilterDictByRange.self, FilterDictByNumber.self, FilterDictRegex.self,
    ]
}

private func filterNode(_ type: String, _ title: String, _ description: String, _ properties: [PropertyDescriptor], output: PropertyType) -> NodeMetadata {
    NodeMetadata(type: type, title: title, description: description, properties: properties, outputs: [OutputDescriptor("output", output)], isCacheable: false, runsInline: true)
}

private let textFilters = ["contains", "starts_with", "ends_with", "length_greater", "length_less", "exact_length"]
private let numberFilters = ["greater_than", "less_than", "equal_to", "even", "odd", "positive", "negative"]
private let dictsProperty = PropertyDescriptor("value", .any, default: [:], description: "The dicts to filter; other values are dropped.")
private let keyProperty = PropertyDescriptor("key", .string, default: "", description: "The key to look at; dicts without it are dropped.")

/// The text tests of FilterString and FilterDictByValue.
private enum TextTest {
    /// Whether `text` (of `len()` `length`, `nil` for a value without one) passes `test` against
    /// `criteria`; `nil` for a length test whose criteria Python's `int()` does not read.
    static func passes(_ text: String, length: Int?, test: String, criteria: String) -> Bool? {
        let s = Array(text.unicodeScalars), c = Array(criteria.unicodeScalars)
        switch test {
        case "contains": return PythonString.find(c, in: s) >= 0
        case "starts_with": return PythonString.hasPrefix(s, c)
        case "ends_with": return PythonString.hasSuffix(s, c)
        case "equals": return s == c
        case "length_greater", "length_less", "exact_length":
            guard let n = PythonString.parseInt(criteria) else { return nil }
            guard let length else { return false }
            return test == "length_greater" ? length > n : (test == "length_less" ? length < n : length == n)
        default: return false
        }
    }
}

/// Numbers as nodetool's number filters test them.
enum PythonNumber {
    /// An int or a float as `isinstance(x, (int, float))` takes it (a bool as its int); `nil` otherwise.
    static func number(_ value: Value) -> Value? {
        switch value {
        case .int, .float: value
        case .bool(let b): .int(b ? 1 : 0)
        default: nil
        }
    }

    /// Python's exact order of two numbers (an int against a float without rounding); `nil` when
    /// either is NaN or not a number.
    static func order(_ a: Value, _ b: Value) -> Value.ComparisonResult? {
        guard let x = number(a), let y = number(b) else { return nil }
        return TodayCompare.order(x, y)
    }

    /// `x % 2 == 0`: an even int, or a float that is an even whole number (NaN and infinities are not).
    static func isEven(_ value: Value) -> Bool {
        switch number(value) {
        case .int(let i)?: i % 2 == 0
        case .float(let d)?: d.isFinite && d.truncatingRemainder(dividingBy: 2) == 0
        default: false
        }
    }

    /// A number filter's test; `even` and `odd` only for ints when `parityOfIntsOnly`.
    static func passes(_ n: Value, test: String, compareValue: Value, parityOfIntsOnly: Bool) -> Bool {
        var isInt = true
        if case .float = n { isInt = false }
        switch test {
        case "greater_than": return order(n, compareValue) == .descending
        case "less_than": return order(n, compareValue) == .ascending
        case "equal_to": return order(n, compareValue) == .same
        case "even": return (isInt || !parityOfIntsOnly) && isEven(n)
        case "odd": return (isInt || !parityOfIntsOnly) && !isEven(n)
        case "positive": return order(n, .int(0)) == .descending
        case "negative": return order(n, .int(0)) == .ascending
        default: return false
        }
    }

    /// `low <= n <= high`, or `low < n < high` when not inclusive.
    static func inRange(_ n: Value, _ low: Value, _ high: Value, inclusive: Bool) -> Bool {
        guard let a = order(low, n), let b = order(n, high) else { return false }
        return inclusive ? a != .descending && b != .descending : a == .ascending && b == .ascending
    }
}

/// A pattern compiled once for `search` and once for `fullmatch`; both `nil` when it is not valid.
final class FilterPattern: @unchecked Sendable {  // immutable once made
    let search: NSRegularExpression?
    let full: NSRegularExpression?

    init(_ pattern: String) {
        search = TodayRegex.compile(pattern)
        full = search == nil ? nil : TodayRegex.compile(pattern, .fullMatch)
    }

    /// Whether `text` matches (somewhere, or as a whole); false for an invalid pattern.
    func matches(_ text: String, fullMatch: Bool, context: NodeContext) throws -> Bool {
        guard let regex = fullMatch ? full : search else { return false }
        return try !PythonRegex.matches(regex, in: text, firstOnly: true, limit: 1, context: context).isEmpty
    }
}

struct FilterString: StreamConsumerNode {
    static let metadata = filterNode("nodetool.text.FilterString", "Filter String", "Sends on the strings of a stream that contain, start or end with the criteria, or whose length is greater than, less than or equal to it.", [
        PropertyDescriptor("value", .any, default: "", description: "The strings to filter; other values are dropped."),
        PropertyDescriptor("filter_type", .enumeration(textFilters), default: "contains", description: "The test."),
        PropertyDescriptor("criteria", .string, default: "", description: "The text to look for, or the length (a whole number)."),
    ], output: .string)

    func makeReader(_ context: NodeContext) throws -> any NodeStreamReader {
        Reader(filterType: try context.input("filter_type"), criteria: try context.input("criteria"))
    }

    struct Reader: NodeStreamReader {
        var filterType: String
        var criteria: String

        mutating func receive(_ value: Value, on handle: String, emit: inout StreamEmitter) async throws {
            switch handle {
            case "filter_type": filterType = value.stringValue ?? filterType
            case "criteria": criteria = value.stringValue ?? criteria
            case "value":
                guard case .string(let text) = value else { return }
                if TextTest.passes(text, length: text.unicodeScalars.count, test: filterType, criteria: criteria) == true { emit.emit(NodeOutputs(value)) }
            default: break
            }
        }

        mutating func finish(emit: inout StreamEmitter) async throws {}
    }
}

struct FilterRegexString: StreamConsumerNode {
    static let metadata = filterNode("nodetool.text.FilterRegexString", "Filter Regex String", "Sends on the strings of a stream that a regular expression matches (somewhere, or as a whole).", [
        PropertyDescriptor("value", .any, default: "", description: "The strings to filter; other values are dropped."),
        PropertyDescriptor("pattern", .string, default: "", description: "The regular expression."),
        PropertyDescriptor("full_match", .bool, default: false, description: "The whole string must match."),
    ], output: .string)

    func makeReader(_ context: NodeContext) throws -> any NodeStreamReader {
        Reader(context: context, pattern: FilterPattern(try context.input("pattern")), fullMatch: try context.input("full_match"))
    }

    struct Reader: NodeStreamReader {
        let context: NodeContext
        var pattern: FilterPattern
        var fullMatch: Bool

        mutating func receive(_ value: Value, on handle: String, emit: inout StreamEmitter) async throws {
            switch handle {
            case "pattern": pattern = FilterPattern(value.stringValue ?? "")
            case "full_match": fullMatch = value.isTruthy
            case "value":
                guard case .string(let text) = value else { return }
                if try pattern.matches(text, fullMatch: fullMatch, context: context) { emit.emit(NodeOutputs(value)) }
            default: break
            }
        }

        mutating func finish(emit: inout StreamEmitter) async throws {}
    }
}

/// Even and odd as Python's `% 2` gives them: 3.5 is odd, 4.0 even, NaN and infinities odd.
struct FilterNumber: StreamConsumerNode {
    static let metadata = filterNode("nodetool.numbers.FilterNumber", "Filter Number", "Sends on the numbers of a stream that are greater than, less than or equal to a value, even, odd, positive or negative.", [
        PropertyDescriptor("value", .any, default: 0.0, description: "The numbers to filter; other values are dropped."),
        PropertyDescriptor("filter_type", .enumeration(numberFilters), default: "greater_than", description: "The test."),
        PropertyDescriptor("compare_value", .float, default: 0, description: "The value to compare with (greater_than, less_than, equal_to)."),
    ], output: .float)

    func makeReader(_ context: NodeContext) throws -> any NodeStreamReader {
        Reader(filterType: try context.input("filter_type"), compareValue: context["compare_value"])
    }

    struct Reader: NodeStreamReader {
        var filterType: String
        var compareValue: Value

        mutating func receive(_ value: Value, on handle: String, emit: inout StreamEmitter) async throws {
            switch handle {
            case "filter_type": filterType = value.stringValue ?? filterType
            case "compare_value": compareValue = value
            case "value":
                guard let n = PythonNumber.number(value) else { return }
                if PythonNumber.passes(n, test: filterType, compareValue: compareValue, parityOfIntsOnly: false) { emit.emit(NodeOutputs(value)) }
            default: break
            }
        }

        mutating func finish(emit: inout StreamEmitter) async throws {}
    }
}

struct FilterNumberRange: StreamConsumerNode {
    static let metadata = filterNode("nodetool.numbers.FilterNumberRange", "Filter Number Range", "Sends on the numbers of a stream that lie between a minimum and a maximum.", [
        PropertyDescriptor("value", .any, default: 0.0, description: "The numbers to filter; other values are dropped."),
        PropertyDescriptor("min_value", .float, default: 0, description: "The minimum."),
        PropertyDescriptor("max_value", .float, default: 0, description: "The maximum."),
        PropertyDescriptor("inclusive", .bool, default: true, description: "The bounds themselves pass."),
    ], output: .float)

    func makeReader(_ context: NodeContext) throws -> any NodeStreamReader {
        Reader(low: context["min_value"], high: context["max_value"], inclusive: try context.input("inclusive"))
    }

    struct Reader: NodeStreamReader {
        var low: Value
        var high: Value
        var inclusive: Bool

        mutating func receive(_ value: Value, on handle: String, emit: inout StreamEmitter) async throws {
            switch handle {
            case "min_value": low = value
            case "max_value": high = value
            case "inclusive": inclusive = value.isTruthy
            case "value":
                guard let n = PythonNumber.number(value) else { return }
                if PythonNumber.inRange(n, low, high, inclusive: inclusive) { emit.emit(NodeOutputs(value)) }
            default: break
            }
        }

        mutating func finish(emit: inout StreamEmitter) async throws {}
    }
}

/// Tests `str()` of the value under `key` (`type_is` its Python type name: int, float, str, bool,
/// NoneType, list, dict; the length tests its `len()`, which numbers, bools and None lack).
struct FilterDictByValue: StreamConsumerNode {
    static let metadata = filterNode("nodetool.dictionary.FilterDictByValue", "Filter Dict By Value", "Sends on the dicts of a stream whose value under a key contains, starts or ends with, equals the criteria, is of a type, or has a length.", [
        dictsProperty, keyProperty,
        PropertyDescriptor("filter_type", .enumeration(["contains", "starts_with", "ends_with", "equals", "type_is", "length_greater", "length_less", "exact_length"]), default: "contains", description: "The test."),
        PropertyDescriptor("criteria", .string, default: "", description: "The text, the Python type name, or the length (a whole number)."),
    ], output: .dict)

    func makeReader(_ context: NodeContext) throws -> any NodeStreamReader {
        Reader(key: try context.input("key"), filterType: try context.input("filter_type"), criteria: try context.input("criteria"))
    }

    struct Reader: NodeStreamReader {
        var key: String
        var filterType: String
        var criteria: String

        mutating func receive(_ value: Value, on handle: String, emit: inout StreamEmitter) async throws {
            switch handle {
            case "key": key = value.stringValue ?? key
            case "filter_type": filterType = value.stringValue ?? filterType
            case "criteria": criteria = value.stringValue ?? criteria
            case "value":
                guard case .dict(let d) = value, let item = d[key] else { return }
                let passes: Bool? = filterType == "type_is"
                    ? Self.typeName(item) == criteria
                    : TextTest.passes(item.pythonStr, length: Self.length(item), test: filterType, criteria: criteria)
                if passes == true { emit.emit(NodeOutputs(value)) }
            default: break
            }
        }

        mutating func finish(emit: inout StreamEmitter) async throws {}

        /// Python's `type(value).__name__`: the kind's name, `NoneType` for None.
        static func typeName(_ value: Value) -> String {
            value.isNull ? "NoneType" : value.kindName
        }

        /// Python's `len()`, `nil` for values without one.
        static func length(_ value: Value) -> Int? {
            switch value {
            case .string(let s): s.unicodeScalars.count
            case .bytes(let b): b.count
            case .list(let l): l.count
            case .dict(let d): d.count
            default: nil
            }
        }
    }
}

struct FilterDictByRange: StreamConsumerNode {
    static let metadata = filterNode("nodetool.dictionary.FilterDictByRange", "Filter Dict By Range", "Sends on the dicts of a stream whose number under a key lies between a minimum and a maximum.", [
        dictsProperty, keyProperty,
        PropertyDescriptor("min_value", .float, default: 0, description: "The minimum."),
        PropertyDescriptor("max_value", .float, default: 0, description: "The maximum."),
        PropertyDescriptor("inclusive", .bool, default: true, description: "The bounds themselves pass."),
    ], output: .dict)

    func makeReader(_ context: NodeContext) throws -> any NodeStreamReader {
        Reader(key: try context.input("key"), low: context["min_value"], high: context["max_value"], inclusive: try context.input("inclusive"))
    }

    struct Reader: NodeStreamReader {
        var key: String
        var low: Value
        var high: Value
        var inclusive: Bool

        mutating func receive(_ value: Value, on handle: String, emit: inout StreamEmitter) async throws {
            switch handle {
            case "key": key = value.stringValue ?? key
            case "min_value": low = value
            case "max_value": high = value
            case "inclusive": inclusive = value.isTruthy
            case "value":
                guard case .dict(let d) = value, let item = d[key], let n = PythonNumber.number(item) else { return }
                if PythonNumber.inRange(n, low, high, inclusive: inclusive) { emit.emit(NodeOutputs(value)) }
            default: break
            }
        }

        mutating func finish(emit: inout StreamEmitter) async throws {}
    }
}

/// As FilterNumber, but even and odd take ints only (a float value passes neither).
struct FilterDictByNumber: StreamConsumerNode {
    static let metadata = filterNode("nodetool.dictionary.FilterDictByNumber", "Filter Dict By Number", "Sends on the dicts of a stream whose number under a key is greater than, less than or equal to a value, even, odd, positive or negative.", [
        dictsProperty, keyProperty,
        PropertyDescriptor("filter_type", .enumeration(numberFilters), default: "greater_than", description: "The test."),
        PropertyDescriptor("compare_value", .float, default: 0, description: "The value to compare with (greater_than, less_than, equal_to)."),
    ], output: .dict)

    func makeReader(_ context: NodeContext) throws -> any NodeStreamReader {
        Reader(key: try context.input("key"), filterType: try context.input("filter_type"), compareValue: context["compare_value"])
    }

    struct Reader: NodeStreamReader {
        var key: String
        var filterType: String
        var compareValue: Value

        mutating func receive(_ value: Value, on handle: String, emit: inout StreamEmitter) async throws {
            switch handle {
            case "key": key = value.stringValue ?? key
            case "filter_type": filterType = value.stringValue ?? filterType
            case "compare_value": compareValue = value
            case "value":
                guard case .dict(let d) = value, let item = d[key], let n = PythonNumber.number(item) else { return }
                if PythonNumber.passes(n, test: filterType, compareValue: compareValue, parityOfIntsOnly: true) { emit.emit(NodeOutputs(value)) }
            default: break
            }
        }

        mutating func finish(emit: inout StreamEmitter) async throws {}
    }
}

/// Matches `str()` of the value under `key`.
struct FilterDictRegex: StreamConsumerNode {
    static let metadata = filterNode("nodetool.dictionary.FilterDictRegex", "Filter Dict Regex", "Sends on the dicts of a stream whose value under a key a regular expression matches (somewhere, or as a whole).", [
        dictsProperty, keyProperty,
        PropertyDescriptor("pattern", .string, default: "", description: "The regular expression."),
        PropertyDescriptor("full_match", .bool, default: false, description: "The whole value must match."),
    ], output: .dict)

    func makeReader(_ context: NodeContext) throws -> any NodeStreamReader {
        Reader(context: context, key: try context.input("key"), pattern: FilterPattern(try context.input("pattern")), fullMatch: try context.input("full_match"))
    }

    struct Reader: NodeStreamReader {
        let context: NodeContext
        var key: String
        var pattern: FilterPattern
        var fullMatch: Bool

        mutating func receive(_ value: Value, on handle: String, emit: inout StreamEmitter) async throws {
            switch handle {
            case "key": key = value.stringValue ?? key
            case "pattern": pattern = FilterPattern(value.stringValue ?? "")
            case "full_match": fullMatch = value.isTruthy
            case "value":
                guard case .dict(let d) = value, let item = d[key] else { return }
                if try pattern.matches(item.pythonStr, fullMatch: fullMatch, context: context) { emit.emit(NodeOutputs(value)) }
            default: break
            }
        }

        mutating func finish(emit: inout StreamEmitter) async throws {}
    }
}
