/// HTML as Python's `html.parser` reads it, for the HTML-to-text nodes: text (entities decoded),
/// start and end tags with attributes; comments, doctypes and processing instructions dropped;
/// `script` and `style` contents kept raw. It never fails: malformed markup becomes text.
enum HTMLToken: Equatable {
    case text(String)
    case start(String, [String: String])
    case end(String)
    /// The contents of a `script` or `style` element.
    case raw(String, String)
}

enum HTMLTokenizer {
    /// Elements that never have contents.
    static let voidElements: Set<String> = ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"]

    /// The tokens of `html`, character references decoded in `style`.
    static func tokens(_ html: String, style: EntityStyle = .beautifulSoup) -> [HTMLToken] {
        let s = Array(html.unicodeScalars)
        var tokens: [HTMLToken] = []
        var text = String.UnicodeScalarView()
        var i = 0
        func flush() {
            if !text.isEmpty { tokens.append(.text(decodeEntities(String(text), style: style))); text = String.UnicodeScalarView() }
        }
        func starts(_ prefix: String, at j: Int) -> Bool {
            var k = j
            for c in prefix.unicodeScalars {
                guard k < s.count, s[k].properties.lowercaseMapping == String(c) || s[k] == c else { return false }
                k += 1
            }
            return true
        }
        func find(_ needle: String, from j: Int) -> Int? {
            var k = j
            while k < s.count {
                if starts(needle, at: k) { return k }
                k += 1
            }
            return nil
        }
        // The next '>' at or after a position, remembered: positions only grow, so hostile text
        // full of '<' is read once, not once per '<'.
        var nextClose = -1
        func findClose(from j: Int) -> Int? {
            if nextClose < j { nextClose = find(">", from: j) ?? s.count }
            return nextClose < s.count ? nextClose : nil
        }
        while i < s.count {
            guard s[i] == "<", i + 1 < s.count else { text.append(s[i]); i += 1; continue }
            let next = s[i + 1]
            if starts("<!--", at: i) {
                flush()
                i = (find("-->", from: i + 4).map { $0 + 3 }) ?? s.count
            } else if next == "!" || next == "?" {
                flush()
                i = (findClose(from: i + 2).map { $0 + 1 }) ?? s.count
            } else if next == "/" || next.properties.isAlphabetic {
                let closing = next == "/"
                var j = i + (closing ? 2 : 1)
                let nameStart = j
                while j < s.count, !(s[j] == ">" || s[j] == "/" || s[j] == "<" || s[j].properties.isWhitespace) { j += 1 }
                let name = String(String.UnicodeScalarView(s[nameStart..<j])).lowercased()
                guard !name.isEmpty, let close = findClose(from: j) else { text.append(s[i]); i += 1; continue }
                flush()
                if closing {
                    tokens.append(.end(name))
                    i = close + 1
                    continue
                }
                tokens.append(.start(name, attributes(String(String.UnicodeScalarView(s[j..<close])))))
                i = close + 1
                if name == "script" || name == "style" {
                    let end = find("</" + name, from: i) ?? s.count
                    tokens.append(.raw(name, String(String.UnicodeScalarView(s[i..<end]))))
                    i = end < s.count ? ((findClose(from: end).map { $0 + 1 }) ?? s.count) : s.count
                    tokens.append(.end(name))
                }
            } else {
                text.append(s[i]); i += 1
            }
        }
        flush()
        return tokens
    }

    /// `name="value" name='value' name=value name`, names lowercased, values decoded.
    private static func attributes(_ source: String) -> [String: String] {
        var result: [String: String] = [:]
        let s = Array(source.unicodeScalars)
        var i = 0
        func skipSpace() { while i < s.count, s[i].properties.isWhitespace || s[i] == "/" { i += 1 } }
        while true {
            skipSpace()
            guard i < s.count else { break }
            let start = i
            while i < s.count, !(s[i] == "=" || s[i].properties.isWhitespace || s[i] == "/") { i += 1 }
            let name = String(String.UnicodeScalarView(s[start..<i])).lowercased()
            var value = ""
            while i < s.count, s[i].properties.isWhitespace { i += 1 }
            if i < s.count, s[i] == "=" {
                i += 1
                while i < s.count, s[i].properties.isWhitespace { i += 1 }
                if i < s.count, s[i] == "\"" || s[i] == "'" {
                    let quote = s[i]
                    i += 1
                    let valueStart = i
                    while i < s.count, s[i] != quote { i += 1 }
                    value = String(String.UnicodeScalarView(s[valueStart..<min(i, s.count)]))
                    i += 1
                } else {
                    let valueStart = i
                    while i < s.count, !s[i].properties.isWhitespace { i += 1 }
                    value = String(String.UnicodeScalarView(s[valueStart..<i]))
                }
            }
            if !name.isEmpty, result[name] == nil { result[name] = String(decodeEntities(value + " ", style: .attribute).dropLast()) }
        }
        return result
    }

    /// Character references as Python's `html.parser` finds them in text: `&name`, `&#123` and
    /// `&#x1F600`, each ended by `;` (consumed) or by any other character (not consumed); one
    /// that the text ends in stays as written. Invalid code points become U+FFFD.
    static func decodeEntities(_ text: String, style: EntityStyle) -> String {
        guard text.contains("&") else { return text }
        let s = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        func isAlnum(_ c: Unicode.Scalar) -> Bool { c.isASCII && (c.properties.isAlphabetic || ("0"..."9").contains(c)) }
        func isHex(_ c: Unicode.Scalar) -> Bool { c.isASCII && (("0"..."9").contains(c) || ("a"..."f").contains(c) || ("A"..."F").contains(c)) }
        while i < s.count {
            guard s[i] == "&", i + 1 < s.count else { out.append(s[i]); i += 1; continue }
            var j = i + 1
            var replacement: String?
            if s[j] == "#" {
                j += 1
                let hex = j < s.count && (s[j] == "x" || s[j] == "X")
                if hex { j += 1 }
                let digitsStart = j
                while j < s.count, hex ? isHex(s[j]) : ("0"..."9").contains(s[j]) { j += 1 }
                guard j > digitsStart, j < s.count else { out.append(s[i]); i += 1; continue }
                let digits = String(String.UnicodeScalarView(s[digitsStart..<j]))
                let code = UInt32(digits, radix: hex ? 16 : 10).flatMap { $0 < 0x110000 && !(0xD800..<0xE000).contains($0) && $0 != 0 ? $0 : nil }
                let scalar = code.flatMap(Unicode.Scalar.init) ?? "\u{FFFD}"
                replacement = style == .html2text ? (html2textASCII[String(scalar)] ?? String(scalar)) : String(scalar)
            } else if s[j].isASCII, s[j].properties.isAlphabetic {
                while j < s.count, isAlnum(s[j]) || s[j] == "-" || s[j] == "." { j += 1 }
                guard j < s.count else { out.append(s[i]); i += 1; continue }
                let name = String(String.UnicodeScalarView(s[(i + 1)..<j]))
                if style == .html2text, let ascii = html2textASCIIByName[name] {
                    replacement = ascii
                } else if let named = namedEntities[name] {
                    replacement = named
                } else {
                    switch style {
                    case .html2text: replacement = "&" + name + ";"
                    case .beautifulSoup: replacement = "&" + name
                    case .attribute: replacement = "&" + name + (s[j] == ";" ? ";" : "")
                    }
                }
            } else {
                out.append(s[i]); i += 1; continue
            }
            out.append(contentsOf: replacement!.unicodeScalars)
            i = j < s.count && s[j] == ";" ? j + 1 : j
        }
        return String(out)
    }

    enum EntityStyle {
        /// BeautifulSoup: an unknown `&name;` loses its `;`.
        case beautifulSoup
        /// html2text: an unknown name keeps (or gains) its `;`; accented letters and typographic
        /// marks become ASCII (`unicode_snob` off), a no-break space stays one until the end.
        case html2text
        /// Attribute values.
        case attribute
    }

    /// html2text's ASCII stand-ins, by entity name.
    static let html2textASCIIByName: [String: String] = [
        "rsquo": "'", "lsquo": "'", "rdquo": "\"", "ldquo": "\"", "copy": "(C)", "mdash": "--", "rarr": "->", "larr": "<-",
        "middot": "*", "ndash": "-", "oelig": "oe", "aelig": "ae", "agrave": "a", "aacute": "a", "acirc": "a", "atilde": "a",
        "auml": "a", "aring": "a", "egrave": "e", "eacute": "e", "ecirc": "e", "euml": "e", "igrave": "i", "iacute": "i",
        "icirc": "i", "iuml": "i", "ograve": "o", "oacute": "o", "ocirc": "o", "otilde": "o", "ouml": "o", "ugrave": "u",
        "uacute": "u", "ucirc": "u", "uuml": "u", "lrm": "", "rlm": "",
    ]

    /// The same stand-ins by character, for numeric references.
    static let html2textASCII: [String: String] = {
        var byCharacter: [String: String] = [:]
        for (name, ascii) in html2textASCIIByName { if let c = namedEntities[name] { byCharacter[c] = ascii } }
        return byCharacter
    }()

    /// The named entities pages commonly use (HTML5 defines over 2,000).
    static let namedEntities: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{A0}", "copy": "©", "reg": "®", "trade": "™",
        "hellip": "…", "mdash": "—", "ndash": "–", "lsquo": "‘", "rsquo": "’", "ldquo": "“", "rdquo": "”", "sbquo": "‚", "bdquo": "„",
        "bull": "•", "middot": "·", "euro": "€", "pound": "£", "yen": "¥", "cent": "¢", "sect": "§", "deg": "°", "plusmn": "±",
        "times": "×", "divide": "÷", "frac12": "½", "frac14": "¼", "frac34": "¾", "laquo": "«", "raquo": "»", "iexcl": "¡",
        "iquest": "¿", "para": "¶", "micro": "µ", "shy": "\u{AD}", "ensp": "\u{2002}", "emsp": "\u{2003}", "thinsp": "\u{2009}",
        "zwj": "\u{200D}", "zwnj": "\u{200C}", "larr": "←", "rarr": "→", "uarr": "↑", "darr": "↓", "harr": "↔", "le": "≤", "ge": "≥",
        "ne": "≠", "infin": "∞", "minus": "−", "prime": "′", "Prime": "″", "dagger": "†", "Dagger": "‡", "permil": "‰",
        "auml": "ä", "ouml": "ö", "uuml": "ü", "Auml": "Ä", "Ouml": "Ö", "Uuml": "Ü", "szlig": "ß", "euml": "ë", "iuml": "ï",
        "aacute": "á", "eacute": "é", "iacute": "í", "oacute": "ó", "uacute": "ú", "yacute": "ý",
        "Aacute": "Á", "Eacute": "É", "Iacute": "Í", "Oacute": "Ó", "Uacute": "Ú", "Yacute": "Ý",
        "agrave": "à", "egrave": "è", "igrave": "ì", "ograve": "ò", "ugrave": "ù", "Agrave": "À", "Egrave": "È", "Igrave": "Ì", "Ograve": "Ò", "Ugrave": "Ù",
        "acirc": "â", "ecirc": "ê", "icirc": "î", "ocirc": "ô", "ucirc": "û", "Acirc": "Â", "Ecirc": "Ê", "Icirc": "Î", "Ocirc": "Ô", "Ucirc": "Û",
        "atilde": "ã", "otilde": "õ", "ntilde": "ñ", "Atilde": "Ã", "Otilde": "Õ", "Ntilde": "Ñ", "aring": "å", "Aring": "Å",
        "lrm": "\u{200E}", "rlm": "\u{200F}", "ccedil": "ç", "Ccedil": "Ç", "oslash": "ø", "Oslash": "Ø", "aelig": "æ", "AElig": "Æ", "oelig": "œ", "OElig": "Œ",
    ]
}
