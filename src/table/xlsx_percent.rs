//! Which cells of an `.xlsx` sheet are shown as percentages. The workbook reader
//! (calamine) tells date formats apart but not percent formats, so this reads the
//! parts of the file that say so: `xl/styles.xml` (each cell style's number format),
//! `xl/workbook.xml` and its relationships (which part holds the sheet), and the
//! sheet's own XML (each cell's style).
//!
//! A number format is a percentage when its first section has a `%` outside quotes,
//! brackets and escapes (the built-in formats 9 `0%` and 10 `0.00%` included): Excel then
//! shows the value times 100 with a % sign, so the cell holds the fraction.

use quick_xml::events::Event;
use quick_xml::Reader;
use std::collections::{HashMap, HashSet};
use std::io::{Read, Seek};

/// The 0-based (row, column) of every percent-formatted cell of `sheet`, or `None` when
/// the file's parts cannot be read (the caller then reads the values without it).
pub fn percent_cells<R: Read + Seek>(file: R, sheet: &str) -> Option<HashSet<(u32, u32)>> {
    let mut zip = zip::ZipArchive::new(file).ok()?;
    let styles = percent_styles(&part(&mut zip, "xl/styles.xml")?)?;
    if styles.is_empty() {
        return Some(HashSet::new());
    }
    let target = sheet_part(
        &part(&mut zip, "xl/workbook.xml")?,
        &part(&mut zip, "xl/_rels/workbook.xml.rels")?,
        sheet,
    )?;
    let xml = part(&mut zip, &target)?;
    let mut reader = Reader::from_reader(xml.as_slice());
    let mut buf = Vec::new();
    let mut out = HashSet::new();
    loop {
        match reader.read_event_into(&mut buf).ok()? {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == b"c" => {
                let (mut at, mut style) = (None, None);
                for a in e.attributes().flatten() {
                    match a.key.local_name().as_ref() {
                        b"r" => at = cell_ref(&a.value),
                        b"s" => style = std::str::from_utf8(&a.value).ok()?.parse::<usize>().ok(),
                        _ => {}
                    }
                }
                if let (Some(at), Some(s)) = (at, style) {
                    if styles.contains(&s) {
                        out.insert(at);
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Some(out)
}

fn part<R: Read + Seek>(zip: &mut zip::ZipArchive<R>, name: &str) -> Option<Vec<u8>> {
    let mut f = zip.by_name(name).ok()?;
    let mut bytes = Vec::new();
    f.read_to_end(&mut bytes).ok()?;
    Some(bytes)
}

/// The indexes of the cell styles (`cellXfs`) whose number format is a percentage.
fn percent_styles(xml: &[u8]) -> Option<HashSet<usize>> {
    let mut reader = Reader::from_reader(xml);
    let decoder = reader.decoder();
    let mut buf = Vec::new();
    let mut custom: HashMap<u32, bool> = HashMap::new();
    let mut in_xfs = false;
    let mut index = 0usize;
    let mut out = HashSet::new();
    loop {
        let event = reader.read_event_into(&mut buf).ok()?;
        match &event {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                b"numFmt" => {
                    let (mut id, mut code) = (None, None);
                    for a in e.attributes().flatten() {
                        match a.key.local_name().as_ref() {
                            b"numFmtId" => id = std::str::from_utf8(&a.value).ok()?.parse().ok(),
                            b"formatCode" => {
                                code = a
                                    .decode_and_unescape_value(decoder)
                                    .ok()
                                    .map(|c| c.into_owned())
                            }
                            _ => {}
                        }
                    }
                    if let (Some(id), Some(code)) = (id, code) {
                        custom.insert(id, is_percent_format(&code));
                    }
                }
                b"cellXfs" => {
                    in_xfs = matches!(event, Event::Start(_));
                }
                b"xf" if in_xfs => {
                    let id: Option<u32> = e
                        .attributes()
                        .flatten()
                        .find(|a| a.key.local_name().as_ref() == b"numFmtId")
                        .and_then(|a| std::str::from_utf8(&a.value).ok()?.parse().ok());
                    let percent = match id {
                        Some(9 | 10) => true,
                        Some(id) => custom.get(&id).copied().unwrap_or(false),
                        None => false,
                    };
                    if percent {
                        out.insert(index);
                    }
                    index += 1;
                }
                _ => {}
            },
            Event::End(e) if e.local_name().as_ref() == b"cellXfs" => in_xfs = false,
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Some(out)
}

/// Whether a number format shows percentages: a `%` in its first section, outside
/// quotes, brackets and escapes.
fn is_percent_format(code: &str) -> bool {
    let (mut quoted, mut bracket, mut escaped) = (false, false, false);
    for c in code.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' | '_' | '*' => escaped = true,
            '"' => quoted = !quoted,
            _ if quoted => {}
            '[' => bracket = true,
            ']' => bracket = false,
            _ if bracket => {}
            ';' => return false,
            '%' => return true,
            _ => {}
        }
    }
    false
}

/// The zip path of the sheet named `sheet`.
fn sheet_part(workbook: &[u8], rels: &[u8], sheet: &str) -> Option<String> {
    let mut reader = Reader::from_reader(workbook);
    let decoder = reader.decoder();
    let mut buf = Vec::new();
    let mut id = None;
    loop {
        match reader.read_event_into(&mut buf).ok()? {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == b"sheet" => {
                let (mut name, mut rid) = (None, None);
                for a in e.attributes().flatten() {
                    match a.key.local_name().as_ref() {
                        b"name" => {
                            name = a
                                .decode_and_unescape_value(decoder)
                                .ok()
                                .map(|c| c.into_owned())
                        }
                        b"id" => rid = std::str::from_utf8(&a.value).ok().map(str::to_string),
                        _ => {}
                    }
                }
                if name.as_deref() == Some(sheet) {
                    id = rid;
                    break;
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    let id = id?;
    let mut reader = Reader::from_reader(rels);
    let decoder = reader.decoder();
    loop {
        buf.clear();
        match reader.read_event_into(&mut buf).ok()? {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == b"Relationship" => {
                let (mut rid, mut target) = (None, None);
                for a in e.attributes().flatten() {
                    match a.key.local_name().as_ref() {
                        b"Id" => rid = std::str::from_utf8(&a.value).ok().map(str::to_string),
                        b"Target" => {
                            target = a
                                .decode_and_unescape_value(decoder)
                                .ok()
                                .map(|c| c.into_owned())
                        }
                        _ => {}
                    }
                }
                if rid.as_deref() == Some(id.as_str()) {
                    let t = target?;
                    return Some(match t.strip_prefix('/') {
                        Some(abs) => abs.to_string(),
                        None => format!("xl/{t}"),
                    });
                }
            }
            Event::Eof => return None,
            _ => {}
        }
    }
}

/// A cell reference (`B4`) as 0-based (row, column).
fn cell_ref(r: &[u8]) -> Option<(u32, u32)> {
    let split = r.iter().position(u8::is_ascii_digit)?;
    let (letters, digits) = r.split_at(split);
    if letters.is_empty() || letters.len() > 3 {
        return None;
    }
    let col = letters.iter().try_fold(0u32, |acc, &c| {
        c.is_ascii_uppercase()
            .then(|| acc * 26 + u32::from(c - b'A' + 1))
    })?;
    let row: u32 = std::str::from_utf8(digits).ok()?.parse().ok()?;
    Some((row.checked_sub(1)?, col - 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_formats() {
        for f in ["0%", "0.0%", "0.00%;[Red]-0.00%", "#,##0.0#%"] {
            assert!(is_percent_format(f), "{f}");
        }
        for f in [
            "0.00",
            "\"%\"0",
            "0\\%",
            "[%]0",
            "0;0%",
            "General",
            "yyyy-mm-dd",
        ] {
            assert!(!is_percent_format(f), "{f}");
        }
        assert_eq!(cell_ref(b"B4"), Some((3, 1)));
        assert_eq!(cell_ref(b"AA10"), Some((9, 26)));
        assert_eq!(cell_ref(b"4"), None);
    }
}
