import Nodeflow

/// Python's type annotations, as the worker's `discover` writes them, as Nodeflow property types.
///
/// Properties come as annotation strings (`"int"`, `"list[str]"`, `"Union[int, NoneType]"`,
/// `"int | None"`, `"Literal[a, b]"`, `"ImageRef"`); outputs as nodetool's type metadata
/// (`{"type": "list", "type_args": [{"type": "int"}], "optional": false}`). A type Nodeflow cannot
/// name (a pydantic model, an enum class) is `any`: the worker checks it when it assigns the value.
enum PythonTypes {
    private static let assetKinds: [String: String] = [
        "ImageRef": "image", "AudioRef": "audio", "VideoRef": "video", "TextRef": "text", "DataframeRef": "dataframe",
        "DocumentRef": "document", "Model3DRef": "model_3d", "FolderRef": "folder", "AssetRef": "asset",
    ]

    /// The property type of an annotation string.
    static func property(_ annotation: String) -> PropertyType {
        var parser = AnnotationParser(text: Array(annotation.unicodeScalars))
        guard let type = parser.parseUnion(depth: 0), parser.atEnd else { return .any }
        return type
    }

    /// The property type of nodetool's type metadata (output slots).
    static func metadata(_ value: Value?, depth: Int = 0) -> PropertyType {
        guard let value, depth < 32, let name = value["type"]?.stringValue else { return .any }
        var args: [PropertyType] = []
        if case .list(let items)? = value["type_args"] { args = items.map { metadata($0, depth: depth + 1) } }
        let base: PropertyType
        switch name {
        case "int": base = .int
        case "float": base = .float
        case "str", "text": base = .string
        case "bool": base = .bool
        case "bytes": base = .bytes
        case "none": base = .null
        case "list": base = .list(args.first ?? .any)
        case "dict", "object": base = .dict
        case "union": base = args.isEmpty ? .any : .union(args)
        case "enum":
            if case .list(let values)? = value["values"] {
                base = .enumeration(values.compactMap { if case .string(let s) = $0 { s } else { nil } })
            } else {
                base = .string
            }
        case "image", "audio", "video", "dataframe", "document", "model_3d", "folder", "asset": base = .asset(name)
        default: base = .any
        }
        if case .bool(true)? = value["optional"], base != .any { return .union([base, .null]) }
        return base
    }

    /// A small recursive-descent reader of annotation strings.
    private struct AnnotationParser {
        let text: [Unicode.Scalar]
        var position = 0

        var atEnd: Bool { mutating get { skipSpace(); return position == text.count } }

        mutating func skipSpace() { while position < text.count, text[position] == " " { position += 1 } }

        mutating func take(_ c: Unicode.Scalar) -> Bool {
            skipSpace()
            if position < text.count, text[position] == c { position += 1; return true }
            return false
        }

        mutating func name() -> String {
            skipSpace()
            let start = position
            while position < text.count, text[position].properties.isAlphabetic || text[position] == "_" || text[position] == "."
                || ("0"..."9").contains(text[position]) { position += 1 }
            return String(String.UnicodeScalarView(text[start..<position]))
        }

        /// `a | b | ...`
        mutating func parseUnion(depth: Int) -> PropertyType? {
            guard depth < 32, var first = parseOne(depth: depth) else { return nil }
            var members = [first]
            while take("|") {
                guard let next = parseOne(depth: depth) else { return nil }
                members.append(next)
            }
            if members.count > 1 { first = .union(members) }
            return first
        }

        mutating func arguments(depth: Int) -> [PropertyType]? {
            var args: [PropertyType] = []
            guard take("[") else { return [] }
            if take("]") { return args }
            repeat {
                guard let arg = parseUnion(depth: depth + 1) else { return nil }
                args.append(arg)
            } while take(",")
            return take("]") ? args : nil
        }

        mutating func literalValues() -> [String]? {
            guard take("[") else { return nil }
            var values: [String] = []
            repeat {
                skipSpace()
                let start = position
                while position < text.count, text[position] != ",", text[position] != "]" { position += 1 }
                var value = String(String.UnicodeScalarView(text[start..<position])).trimmingCharacters(in: .whitespaces)
                if value.count >= 2, let first = value.first, first == "'" || first == "\"", value.last == first { value = String(value.dropFirst().dropLast()) }
                values.append(value)
            } while take(",")
            return take("]") ? values : nil
        }

        mutating func parseOne(depth: Int) -> PropertyType? {
            let word = name()
            guard !word.isEmpty else { return nil }
            let short = String(word.split(separator: ".").last ?? Substring(word))
            if short == "Literal" {
                guard let values = literalValues() else { return nil }
                return .enumeration(values)
            }
            guard let args = arguments(depth: depth) else { return nil }
            switch short {
            case "int": return .int
            case "float": return .float
            case "str": return .string
            case "bool": return .bool
            case "bytes": return .bytes
            case "NoneType", "None": return .null
            case "Any": return .any
            case "list", "List", "tuple", "Tuple", "set", "Set", "Sequence": return .list(args.first ?? .any)
            case "dict", "Dict", "Mapping": return .dict
            case "Union": return args.isEmpty ? .any : .union(args)
            case "Optional": return args.first.map { .union([$0, .null]) } ?? .any
            default: return assetKinds[short].map(PropertyType.asset) ?? .any
            }
        }
    }
}
