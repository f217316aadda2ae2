//! Reading a pair list as sellers save it: Excel on a Chinese Windows writes GBK (GB18030) or
//! UTF-8 with a byte-order mark, and in many locales separates fields with `;` or a tab. The
//! text is decoded first (UTF-8, with or without BOM; UTF-16 with BOM; otherwise GB18030,
//! which contains GBK), the separator is chosen from the first line, and line numbers in
//! messages are the file's own lines.

/// Decoded text and the encoding it was read as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    pub text: String,
    pub encoding: &'static str,
}

/// Decode a text file's bytes; `None` when they are neither UTF-8 nor GB18030 text.
pub fn decode(bytes: &[u8]) -> Option<Text> {
    if let Some((enc, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, had_errors) = enc.decode_without_bom_handling(&bytes[bom..]);
        return (!had_errors).then(|| Text {
            text: text.into_owned(),
            encoding: enc.name(),
        });
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Some(Text {
            text: s.to_string(),
            encoding: "UTF-8",
        });
    }
    let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
    (!had_errors).then(|| Text {
        text: text.into_owned(),
        encoding: encoding_rs::GB18030.name(),
    })
}

/// The field separator: whichever of `,` `;` tab occurs most often (outside quotes) in the
/// first non-empty line; `,` when none does.
pub fn separator(text: &str) -> u8 {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for b in first.bytes() {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted {
            for c in counts.iter_mut() {
                if c.0 == b {
                    c.1 += 1;
                }
            }
        }
    }
    // Stable: on a tie the earlier entry (`,` first) wins.
    let mut best = counts[0];
    for c in counts {
        if c.1 > best.1 {
            best = c;
        }
    }
    best.0
}

/// One row of a pair list: its line in the file and its fields (trimmed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub line: u64,
    pub fields: Vec<String>,
}

/// The rows of decoded CSV text (blank lines skipped), or the first unreadable line.
pub fn rows(text: &str) -> Result<Vec<Row>, (u64, String)> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .delimiter(separator(text))
        .from_reader(text.as_bytes());
    // A record's position is where the reader started on it, before the blank lines it
    // skipped, and its line count does not see them: count from the first byte of the record.
    let bytes = text.as_bytes();
    let line_at = |p: Option<&csv::Position>| {
        let mut b = p.map_or(0, |p| p.byte() as usize).min(bytes.len());
        while b < bytes.len() && (bytes[b] == b'\n' || bytes[b] == b'\r') {
            b += 1;
        }
        1 + bytes[..b].iter().filter(|&&c| c == b'\n').count() as u64
    };
    let mut out = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| (line_at(e.position()), csv_error_kind(&e)))?;
        let line = line_at(rec.position());
        if rec.iter().all(|f| f.is_empty()) {
            continue;
        }
        out.push(Row {
            line,
            fields: rec.iter().map(str::to_string).collect(),
        });
    }
    Ok(out)
}

/// What went wrong, without the csv crate's own position (the caller names the line).
fn csv_error_kind(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "not valid text".to_string(),
        csv::ErrorKind::Io(e) => e.to_string(),
        _ => "unreadable CSV".to_string(),
    }
}

/// Whether a row is a header (`main,hidden[,label]`, `主图,隐藏图`).
pub fn is_header(row: &Row) -> bool {
    row.fields.first().is_some_and(|f| {
        let f = f.trim_start_matches('\u{feff}');
        f.eq_ignore_ascii_case("main") || f == "主图" || f.eq_ignore_ascii_case("main image")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_as_excel_writes_them() {
        let plain = "main,hidden\nSKU1_主图.jpg,SKU1_隐藏图.jpg\n";
        let utf8 = decode(plain.as_bytes()).unwrap();
        assert_eq!((utf8.text.as_str(), utf8.encoding), (plain, "UTF-8"));
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(plain.as_bytes());
        assert_eq!(decode(&bom).unwrap().text, plain);
        // "主图" in GBK is D6 F7 CD BC (GB 2312 code points, the same bytes in GB18030).
        let gbk = [b'a', b',', 0xD6, 0xF7, 0xCD, 0xBC];
        let t = decode(&gbk).unwrap();
        assert_eq!((t.text.as_str(), t.encoding), ("a,主图", "gb18030"));
        let mut utf16 = vec![0xFF, 0xFE];
        for u in "a\tb".encode_utf16() {
            utf16.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(decode(&utf16).unwrap().text, "a\tb");
        // A lone continuation byte at the end is neither.
        assert!(decode(&[b'a', 0x81]).is_none());
    }

    #[test]
    fn separators_and_lines() {
        assert_eq!(separator("a;b;c\n"), b';');
        assert_eq!(separator("\n\na\tb\n"), b'\t');
        assert_eq!(separator("\"x;y\",b\n"), b',');
        assert_eq!(separator("a\n"), b',');
        let r = rows("main;hidden\n\nA_main.jpg ; A_hidden.jpg\n").unwrap();
        assert_eq!(r.len(), 2);
        assert!(is_header(&r[0]));
        assert_eq!(r[1].line, 3);
        assert_eq!(r[1].fields, vec!["A_main.jpg", "A_hidden.jpg"]);
    }
}
