//! Attachment names. Attachments are not imported; each entry that has
//! some gets one warning naming them, read from the decrypted XML since
//! the `keepass` crate does not keep an entry's attachment references.

use std::collections::HashMap;

use keepass::Database;

/// Which entries have attachments, and their names. The `keepass` crate
/// does not keep an entry's attachment references, so when the file holds
/// any attachment its decrypted XML (`xml`, which a KeePass 1 file does
/// not have) is scanned for the names (the content is never looked at).
pub(super) fn attachment_names(
    db: &Database,
    xml: Option<&[u8]>,
    warnings: &mut Vec<String>,
) -> HashMap<[u8; 16], Vec<String>> {
    let count = db.header_attachments.len() + db.meta.binaries.binaries.len();
    if count == 0 {
        return HashMap::new();
    }
    match xml {
        Some(xml) => scan_attachments(&String::from_utf8_lossy(xml)),
        None => {
            warnings.push(format!(
                "the file holds {count} attachment(s); none were imported"
            ));
            HashMap::new()
        }
    }
}

/// Scans KeePass XML for each current entry's `<Binary><Key>` names, by
/// the entry's UUID (history versions are ignored). A tag-level scan: the
/// document was already parsed in full by the `keepass` crate.
fn scan_attachments(xml: &str) -> HashMap<[u8; 16], Vec<String>> {
    let mut map = HashMap::new();
    let mut stack: Vec<&str> = Vec::new();
    let mut text = String::new();
    let mut uuid: Option<[u8; 16]> = None;
    let mut names: Vec<String> = Vec::new();
    let mut rest = xml;

    while let Some(lt) = rest.find('<') {
        text.push_str(&rest[..lt]);
        rest = &rest[lt..];
        if let Some(r) = rest.strip_prefix("<!--") {
            rest = r.find("-->").map_or("", |i| &r[i + 3..]);
            continue;
        }
        if let Some(r) = rest.strip_prefix("<![CDATA[") {
            let end = r.find("]]>").unwrap_or(r.len());
            text.push_str(&r[..end]);
            rest = r.get(end + 3..).unwrap_or("");
            continue;
        }
        // The tag runs to the first `>` outside quotes.
        let mut quote = None;
        let mut end = None;
        for (i, c) in rest.char_indices().skip(1) {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (None, '"' | '\'') => quote = Some(c),
                (None, '>') => {
                    end = Some(i);
                    break;
                }
                _ => {}
            }
        }
        let Some(end) = end else { break };
        let tag = &rest[1..end];
        rest = &rest[end + 1..];
        if tag.starts_with('?') || tag.starts_with('!') {
            continue;
        }
        let (closing, body) = match tag.strip_prefix('/') {
            Some(body) => (true, body),
            None => (false, tag),
        };
        let self_closing = !closing && body.ends_with('/');
        let name = body
            .trim_end_matches('/')
            .split(char::is_whitespace)
            .next()
            .unwrap_or("");
        if !closing {
            if name == "Entry" && !stack.contains(&"History") {
                uuid = None;
                names.clear();
            }
            stack.push(name);
            text.clear();
            if !self_closing {
                continue;
            }
        }
        let n = stack.len();
        let parent = n.checked_sub(2).and_then(|i| stack.get(i)).copied();
        let grandparent = n.checked_sub(3).and_then(|i| stack.get(i)).copied();
        if !stack.contains(&"History") {
            match name {
                "UUID" if parent == Some("Entry") => {
                    uuid = data_encoding::BASE64
                        .decode(unescape(text.trim()).as_bytes())
                        .ok()
                        .and_then(|b| <[u8; 16]>::try_from(b).ok());
                }
                "Key" if parent == Some("Binary") && grandparent == Some("Entry") => {
                    names.push(unescape(&text));
                }
                "Entry" => {
                    if let Some(u) = uuid.take()
                        && !names.is_empty()
                    {
                        map.insert(u, std::mem::take(&mut names));
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        text.clear();
    }
    map
}

/// Replaces XML's character and entity references.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let Some(semi) = rest.find(';') else { break };
        let entity = &rest[1..semi];
        let c = match entity {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "amp" => Some('&'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .map(|h| u32::from_str_radix(h, 16))
                .or_else(|| entity.strip_prefix('#').map(str::parse::<u32>))
                .and_then(Result::ok)
                .and_then(char::from_u32),
        };
        match c {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::kdbx::tests::import;

    #[test]
    fn attachments_are_named_in_a_warning() {
        let imp = import("Format400.kdbx", "t");
        let w: Vec<&String> = imp
            .warnings
            .iter()
            .filter(|w| w.contains("attachment"))
            .collect();
        assert_eq!(w.len(), 1, "{:?}", imp.warnings);
        assert!(w[0].contains("\"Format400\""), "{}", w[0]);
        assert!(w[0].ends_with("not imported: Format400"), "{}", w[0]);
        // The custom attribute "Format400" is still a field.
        assert_eq!(
            imp.items[0]
                .entry
                .field("Format400")
                .map(|f| f.value.expose()),
            Some("Format400")
        );

        let imp = import("NewDatabase.kdbx", "a");
        let w: Vec<&String> = imp
            .warnings
            .iter()
            .filter(|w| w.contains("attachment"))
            .collect();
        assert_eq!(w.len(), 1, "{:?}", imp.warnings);
        assert!(w[0].contains("Sample attachment.txt"), "{}", w[0]);
    }

    #[test]
    fn attachment_scan_ignores_history_and_unescapes_names() {
        let xml = r#"<?xml version="1.0"?><Root><Group><Entry><UUID>AAAAAAAAAAAAAAAAAAAAAQ==</UUID>
            <Binary><Key>a &amp; b.txt</Key><Value Ref="0"/></Binary>
            <History><Entry><UUID>AAAAAAAAAAAAAAAAAAAAAQ==</UUID>
            <Binary><Key>old.txt</Key><Value Ref="1"/></Binary></Entry></History>
            </Entry><Entry><UUID>AAAAAAAAAAAAAAAAAAAAAg==</UUID><!-- <Binary> --></Entry></Group></Root>"#;
        let map = scan_attachments(xml);
        let mut one = [0u8; 16];
        one[15] = 1;
        assert_eq!(map.len(), 1);
        assert_eq!(map[&one], ["a & b.txt"]);
    }
}
