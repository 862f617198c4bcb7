import Nodeflow

/// HTML to Markdown as the `html2text` package (2025.4.15) writes it with nodetool's settings, for
/// `nodetool.text.HtmlToText`. Two passes, as there: the tags drive a writer that owes line breaks
/// (``Output``), then ``Paragraphs`` wraps long lines at `bodyWidth`. Covered: paragraphs, divs,
/// headings, `br`, `hr`, block quotes, `pre`, lists (nested, numbered), emphasis, strike, inline
/// code, links (inline, `<url>` when the text is the URL), images, definition lists, `q` and
/// simple tables; `head`, `script` and `style` are left out.
struct MarkdownWriter {
    var baseURL = ""
    var bodyWidth = 1000
    var ignoreImages = true
    var ignoreMailtoLinks = true

    /// The Markdown of `html`.
    /// - Throws: ``ValueLimitError`` as soon as the text passes `maxBytes` (deep nesting repeats
    ///   its quote and list prefixes on every line: a small page can ask for gigabytes).
    func convert(_ html: String, maxBytes: Int = .max) throws -> String {
        var output = Output(writer: self, maxBytes: maxBytes)
        for token in HTMLTokenizer.tokens(html, style: .html2text) {
            switch token {
            case .text(let text): output.data(text)
            case .raw: break
            case .start(let name, let attributes): output.tag(name, attributes, start: true)
            case .end(let name): output.tag(name, [:], start: false)
            }
        }
        let text = output.finish().replacingOccurrences(of: "\u{A0}", with: " ")
        if output.overflow { throw ValueLimitError(what: "the text", size: nil, limit: maxBytes, unit: "bytes") }
        return bodyWidth > 0 ? Paragraphs.wrap(text, width: bodyWidth) : text
    }

    /// A link target against `baseURL`, as `urllib.parse.urljoin` resolves the common cases.
    func resolve(_ href: String) -> String {
        guard !baseURL.isEmpty, !href.contains("://"), !href.hasPrefix("mailto:") else { return href }
        guard let schemeEnd = baseURL.range(of: "://") else { return href }
        let afterScheme = baseURL[schemeEnd.upperBound...]
        let origin = String(baseURL[..<(afterScheme.firstIndex(of: "/") ?? baseURL.endIndex)])
        if href.isEmpty { return baseURL }
        if href.hasPrefix("//") { return baseURL[..<schemeEnd.lowerBound] + ":" + href }
        if href.hasPrefix("/") { return origin + href }
        let directory = afterScheme.contains("/") ? String(baseURL[...baseURL.lastIndex(of: "/")!]) : origin + "/"
        return directory + href
    }

    /// `[`, `]`, `(`, `)` and `\` escaped, for link targets and titles.
    static func escapeLinkPart(_ text: String) -> String {
        var out = ""
        for c in text {
            if "\\[]()".contains(c) { out.append("\\") }
            out.append(c)
        }
        return out
    }

    /// The first pass: html2text's output state. Breaks are owed (`owedBreaks`) and written
    /// before the next text, prefixed for quotes and `pre`; a space is owed the same way.
    struct Output {
        let writer: MarkdownWriter
        let maxBytes: Int
        /// Set once the text would pass `maxBytes`; nothing more is written.
        var overflow = false
        var text = ""
        var owedBreaks = 0
        var owedSpace = false
        var atStart = true
        var lastWasNewline = false
        var breakSuffix = ""
        var quiet = 0
        var quoteDepth = 0
        var inPre = false
        var startingPre = false
        var inCode = false
        var lists: [(ordered: Bool, number: Int)] = []
        var lastWasList = false
        var listCodeIndent = ""
        var links: [[String: String]?] = []
        var automaticLink: String?
        var emptyLink = false
        var stressed = false
        var precedingStressed = false
        var precedingData = ""
        var currentTag = ""
        var cellStarted = false
        var tableStart = false
        var cellCount = 0
        var inQuote = false

        init(writer: MarkdownWriter, maxBytes: Int) {
            self.writer = writer
            self.maxBytes = maxBytes
        }

        mutating func paragraph() { owedBreaks = 2 }
        mutating func lineBreak() { if owedBreaks == 0 { owedBreaks = 1 } }
        mutating func softBreak() { lineBreak(); breakSuffix = "  " }

        mutating func append(_ s: String) {
            guard !s.isEmpty, !overflow else { return }
            guard text.utf8.count + s.utf8.count <= maxBytes else { overflow = true; return }
            text += s
            lastWasNewline = s.hasSuffix("\n")
        }

        /// Writes `data`, first paying owed breaks and space. `pure` text has its whitespace collapsed.
        mutating func write(_ data: String, pure: Bool = false, forced: Bool = false, end: Bool = false) {
            guard quiet == 0, !overflow else { return }
            var data = data
            if pure && !inPre {
                data = Self.collapse(data)
                if data.first == " " { owedSpace = true; data.removeFirst() }
            }
            if data.isEmpty && !forced && !end { return }
            if startingPre, !data.hasPrefix("\n") { data = "\n" + data }
            var prefix = String(repeating: ">", count: quoteDepth)
            if !(forced && data.first == ">") && quoteDepth > 0 { prefix += " " }
            if inPre {
                if !lists.isEmpty { prefix += listCodeIndent }
                prefix += "    "
                data = data.replacingOccurrences(of: "\n", with: "\n" + prefix)
            }
            if startingPre {
                startingPre = false
                if !lists.isEmpty { data = String(data.drop { $0 == "\n" || prefix.contains($0) }) }
            }
            if atStart { owedSpace = false; owedBreaks = 0; atStart = false }
            if end { owedBreaks = 0; append("\n"); owedSpace = false }
            if owedBreaks > 0 {
                append(String(repeating: breakSuffix + "\n" + prefix, count: owedBreaks))
                owedSpace = false
                breakSuffix = ""
            }
            if owedSpace {
                if !lastWasNewline { append(" ") }
                owedSpace = false
            }
            owedBreaks = 0
            append(data)
        }

        /// Python's `re.sub(r"\s+", " ", data)`, keeping the no-break space (html2text holds
        /// `&nbsp;` apart until the end).
        static func collapse(_ data: String) -> String {
            var out = ""
            var inSpace = false
            for c in data.unicodeScalars {
                if c != "\u{A0}" && PythonText.isSpace(c) {
                    if !inSpace { out.unicodeScalars.append(" ") }
                    inSpace = true
                } else {
                    out.unicodeScalars.append(c)
                    inSpace = false
                }
            }
            return out
        }

        mutating func data(_ raw: String) {
            guard !raw.isEmpty, quiet == 0 else { return }
            var data = raw
            if stressed {
                data = PythonText.strip(data)
                stressed = false
                precedingStressed = true
            } else if precedingStressed {
                if let first = data.first, !"][(){}.!?".contains(first), !first.isWhitespace,
                    !(currentTag.count == 2 && currentTag.first == "h" && currentTag.last!.isNumber), !["a", "code", "pre"].contains(currentTag)
                {
                    data = " " + data
                }
                precedingStressed = false
            }
            if let href = automaticLink {
                if href == data, Self.isAbsolute(href) {
                    write("<" + data + ">")
                    emptyLink = false
                    return
                }
                write("[")
                automaticLink = nil
                emptyLink = false
            }
            if !inCode && !inPre { data = Self.escape(data) }
            precedingData = data
            write(data, pure: true)
        }

        static func isAbsolute(_ url: String) -> Bool {
            guard let colon = url.range(of: "://"), colon.lowerBound > url.startIndex else { return false }
            return url[..<colon.lowerBound].allSatisfy { $0.isASCII && ($0.isLetter || $0 == "+") }
        }

        /// html2text's `escape_md_section`: a backslash before Markdown punctuation doubled, and
        /// a backslash before `1.`, `+` or `-` that begin a line.
        static func escape(_ text: String) -> String {
            let chars = Array(text)
            var out = ""
            for (i, c) in chars.enumerated() {
                out.append(c)
                if c == "\\", i + 1 < chars.count, "\\`*_{}[]()#+-.!".contains(chars[i + 1]) { out.append("\\") }
            }
            return out.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
                let indent = line.prefix { $0.isWhitespace }
                var rest = line.dropFirst(indent.count)
                let digits = rest.prefix { $0.isASCII && $0.isNumber }
                let afterDigits = rest.dropFirst(digits.count)
                if !digits.isEmpty, afterDigits.first == ".", afterDigits.dropFirst().first?.isWhitespace == true {
                    return indent + digits + "\\" + afterDigits
                }
                if let first = rest.first, first == "+" || first == "-" {
                    let next = rest.dropFirst().first
                    if next?.isWhitespace == true || (first == "-" && next == "-") {
                        rest = rest.dropFirst()
                        return indent + "\\" + String(first) + rest
                    }
                }
                return String(line)
            }.joined(separator: "\n")
        }

        mutating func tag(_ name: String, _ attributes: [String: String], start: Bool) {
            currentTag = name
            if name.count == 2, name.first == "h", let level = Int(String(name.last!)), (1...6).contains(level) {
                if !links.isEmpty {
                    if !start { owedBreaks = 0 }
                    return
                }
                paragraph()
                if start { write(String(repeating: "#", count: level) + " ") }
                return
            }
            switch name {
            case "p", "div":
                if links.isEmpty && !cellStarted { paragraph() }
            case "br" where start:
                write(quoteDepth > 0 ? "  \n> " : "  \n")
            case "hr" where start:
                paragraph(); write("* * *"); paragraph()
            case "head", "style", "script":
                quiet = start ? quiet + 1 : max(0, quiet - 1)
            case "body":
                quiet = 0
            case "blockquote":
                if start {
                    paragraph()
                    write("> ", forced: true)
                    atStart = true
                    quoteDepth += 1
                } else {
                    quoteDepth = max(0, quoteDepth - 1)
                    paragraph()
                }
            case "em", "i", "u": emphasis("_", spaceAfter: { !$0.isWhitespace && !$0.isPunctuation && !$0.isSymbol }, start: start)
            case "strong", "b": emphasis("**", spaceAfter: { $0 == "*" }, start: start)
            case "del", "strike", "s": emphasis("~~", spaceAfter: { $0 == "~" }, start: start)
            case "code", "tt", "kbd":
                if !inPre { write("`"); inCode.toggle() }
            case "q":
                write("\""); inQuote.toggle()
            case "a": link(attributes, start: start)
            case "img" where start:
                if !writer.ignoreImages, let src = attributes["src"] {
                    write("![" + MarkdownWriter.escapeLinkPart(attributes["alt"] ?? "") + "](" + MarkdownWriter.escapeLinkPart(writer.resolve(src)) + ")")
                }
            case "dl" where start: paragraph()
            case "dt" where !start: lineBreak()
            case "dd": if start { write("    ") } else { lineBreak() }
            case "ol", "ul": list(ordered: name == "ol", attributes, start: start)
            case "li": item(start: start)
            case "td" where start, "th" where start:
                if cellStarted { write("| ") }
                cellStarted = true
                cellCount += 1
            case "tr":
                if start {
                    cellCount = 0
                } else {
                    cellStarted = false
                    softBreak()
                    if tableStart {
                        write(Array(repeating: "---", count: cellCount).joined(separator: "|"))
                        softBreak()
                        tableStart = false
                    }
                }
            case "table" where start: tableStart = true
            case "pre":
                if start { startingPre = true; inPre = true } else { inPre = false }
                paragraph()
            default: break
            }
            if name != "ol" && name != "ul" { lastWasList = false }
        }

        mutating func emphasis(_ mark: String, spaceAfter: (Character) -> Bool, start: Bool) {
            var written = mark
            if start, let last = precedingData.last, spaceAfter(last) {
                written = " " + mark
                precedingData += " "
            }
            write(written)
            if start { stressed = true }
        }

        mutating func link(_ attributes: [String: String], start: Bool) {
            if start {
                if let href = attributes["href"], !href.hasPrefix("#"), !(writer.ignoreMailtoLinks && href.hasPrefix("mailto:")) {
                    links.append(attributes)
                    automaticLink = href
                    emptyLink = true
                } else {
                    links.append(nil)
                }
                return
            }
            guard let popped = links.popLast() else { return }
            if automaticLink != nil && !emptyLink {
                automaticLink = nil
            } else if let a = popped, let href = a["href"] {
                if emptyLink {
                    write("[")
                    emptyLink = false
                    automaticLink = nil
                }
                owedBreaks = 0
                let title = a["title"].flatMap { PythonText.strip($0).isEmpty ? nil : " \"\(MarkdownWriter.escapeLinkPart($0))\"" } ?? ""
                write("](" + MarkdownWriter.escapeLinkPart(writer.resolve(href)) + title + ")")
            }
        }

        mutating func list(ordered: Bool, _ attributes: [String: String], start: Bool) {
            if lists.isEmpty && !lastWasList { paragraph() }
            if start {
                let first = attributes["start"].flatMap { Int($0) }.map { $0 - 1 } ?? 0
                lists.append((ordered, first))
            } else if !lists.isEmpty {
                lists.removeLast()
                if lists.isEmpty { write("\n") }
            }
            lastWasList = true
        }

        mutating func item(start: Bool) {
            guard !overflow else { return }
            listCodeIndent = ""
            lineBreak()
            guard start else { return }
            var parentOrdered: Bool?
            for list in lists {
                listCodeIndent += parentOrdered == true ? "   " : "  "
                parentOrdered = list.ordered
            }
            write(listCodeIndent)
            if let last = lists.indices.last, lists[last].ordered {
                lists[last].number += 1
                listCodeIndent += "   "
                write("\(lists[last].number). ")
            } else {
                listCodeIndent += "  "
                write("* ")
            }
            atStart = true
        }

        mutating func finish() -> String {
            lineBreak()
            write("", end: true)
            return text
        }
    }
}

/// html2text's second pass (`optwrap`): each line that is prose is wrapped at `width` (as Python's
/// `textwrap.wrap`, words never broken) and followed by a blank line; list items, code, tables and
/// lines with links are kept as they are; runs of blank lines shrink to one.
enum Paragraphs {
    static func wrap(_ text: String, width: Int) -> String {
        var result = ""
        var newlines = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let para = String(line)
            if para.isEmpty {
                if newlines < 2 { result += "\n"; newlines += 1 }
            } else if !keepsShape(para) {
                let indent = para.hasPrefix("  * ") ? "    " : (para.hasPrefix("> ") ? "> " : "")
                result += wrapLine(para, width: width, subsequentIndent: indent).joined(separator: "\n")
                if para.hasSuffix("  ") {
                    result += "  \n"; newlines = 1
                } else if !indent.isEmpty {
                    result += "\n"; newlines = 1
                } else {
                    result += "\n\n"; newlines = 2
                }
            } else if !(para.first.map { $0.isWhitespace } == true && para.dropFirst().first == "+") {
                result += para + "\n"; newlines = 1
            }
        }
        return result
    }

    /// html2text's `skipwrap`: lines that are not prose.
    static func keepsShape(_ para: String) -> Bool {
        if containsLink(para) { return true }
        if para.hasPrefix("    ") || para.hasPrefix("\t") { return true }
        let stripped = para.drop { $0.isWhitespace }
        if stripped.hasPrefix("--"), stripped.count > 2, stripped.dropFirst(2).first != "-" { return false }
        if let first = stripped.first, first == "-" || first == "*", !stripped.hasPrefix("**") { return true }
        if para.contains(" | ") { return true }
        let digits = stripped.prefix { $0.isASCII && $0.isNumber }
        let rest = stripped.dropFirst(digits.count)
        if !digits.isEmpty, rest.first == ".", rest.dropFirst().first?.isWhitespace == true { return true }
        if let first = stripped.first, "-*+".contains(first), stripped.dropFirst().first?.isWhitespace == true { return true }
        return false
    }

    /// `[text](url)`, `[text] (url)` or `[label]: url` anywhere in the line.
    private static func containsLink(_ para: String) -> Bool {
        var rest = Substring(para)
        while let open = rest.firstIndex(of: "[") {
            let after = rest[rest.index(after: open)...]
            guard let close = after.firstIndex(of: "]") else { return false }
            var next = after[after.index(after: close)...]
            if next.first == ":" { return true }
            if next.first == " " { next = next.dropFirst() }
            if next.first == "(", next.contains(")") { return true }
            rest = after
        }
        return false
    }

    /// Python's `textwrap.wrap(text, width, break_long_words=False, subsequent_indent=indent)`:
    /// whitespace characters become spaces, lines break between words (and after hyphens inside
    /// words), leading space is kept on the first line only, trailing space dropped.
    static func wrapLine(_ text: String, width: Int, subsequentIndent: String) -> [String] {
        let spaced = String(text.map { $0 == "\t" || $0 == "\r" || $0 == "\u{0B}" || $0 == "\u{0C}" ? " " : $0 })
        var chunks: [Substring] = []
        var i = spaced.startIndex
        while i < spaced.endIndex {
            let isSpace = spaced[i] == " "
            var j = spaced.index(after: i)
            while j < spaced.endIndex, (spaced[j] == " ") == isSpace {
                if !isSpace, spaced[j] == "-", j > i, spaced[spaced.index(before: j)].isLetter,
                    spaced.index(after: j) < spaced.endIndex, spaced[spaced.index(after: j)].isLetter
                {
                    j = spaced.index(after: j)
                    break
                }
                j = spaced.index(after: j)
            }
            chunks.append(spaced[i..<j])
            i = j
        }
        var lines: [String] = []
        var k = 0
        while k < chunks.count {
            let indent = lines.isEmpty ? "" : subsequentIndent
            let room = width - indent.count
            if !lines.isEmpty, chunks[k].first == " " { k += 1; continue }
            var line: [Substring] = []
            var length = 0
            while k < chunks.count, length + chunks[k].count <= room {
                line.append(chunks[k]); length += chunks[k].count; k += 1
            }
            if line.isEmpty, k < chunks.count { line.append(chunks[k]); k += 1 }  // a word longer than a line
            if let last = line.last, last.first == " " { line.removeLast() }
            if !line.isEmpty { lines.append(indent + line.joined()) }
        }
        return lines
    }
}
