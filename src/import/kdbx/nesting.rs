//! Bounds on how deeply a KeePass file nests, enforced before anything
//! recurses over it.
//!
//! The `keepass` crate's XML reader calls itself once per nested group
//! (and once per history inside an entry), and its tree is dropped the
//! same way; Baton's own walk recurses per group too. A KDBX file of
//! 5,000 nested groups overflowed the stack, which aborts the process
//! (the security review's finding 6). So:
//!
//! - KDBX 3.1 and 4: the decrypted XML is read first with the same XML
//!   reader the crate uses ([`check_xml`]: `xml-rs`, its default
//!   settings, so entities and encodings are read exactly as the crate
//!   will read them), iteratively, and refused if any element is nested
//!   more than [`MAX_XML_DEPTH`] deep or any group more than
//!   [`MAX_GROUP_DEPTH`] levels below the root group. Only then does the
//!   crate parse it.
//! - KeePass 1 (`.kdb`): the crate builds the tree iteratively from each
//!   group's level number; the tree is measured iteratively
//!   ([`check_tree`]) and a tree too deep is taken apart iteratively
//!   ([`dismantle`]) rather than dropped.
//!
//! KeePass and KeePassXC databases stay far below these limits: a group
//! 64 levels down with an entry's history is about 75 elements deep.

use keepass::db::Group;
use xml::reader::{EventReader, XmlEvent};

use super::malformed;
use crate::import::ImportError;

/// The most levels of groups below the root group that are imported (a
/// Baton group path of at most this many `/`-separated names).
pub const MAX_GROUP_DEPTH: usize = 64;

/// The most deeply nested element the decrypted XML may hold, counting
/// the document element `<KeePassFile>` as 1.
pub const MAX_XML_DEPTH: usize = 128;

fn too_deep_groups() -> ImportError {
    malformed(&format!(
        "its groups are nested more than {MAX_GROUP_DEPTH} levels deep, more than Baton imports"
    ))
}

/// Refuses a decrypted KDBX document nested deeper than
/// [`MAX_XML_DEPTH`] elements, or with groups more than
/// [`MAX_GROUP_DEPTH`] levels below the root group (the outermost
/// `<Group>`). Reads no further than the first element past a limit.
///
/// Stops without complaint at the reader's first error: the crate reads
/// the same events up to the same error and then gives up, so what it
/// sees is what was measured here.
pub(super) fn check_xml(xml: &[u8]) -> Result<(), ImportError> {
    // Whether each open element is a <Group>; never longer than the limit.
    let mut open: Vec<bool> = Vec::new();
    let mut groups = 0usize;
    for event in EventReader::new(xml) {
        match event {
            Ok(XmlEvent::StartElement { name, .. }) => {
                let group = name.local_name == "Group";
                if open.len() >= MAX_XML_DEPTH {
                    return Err(malformed(&format!(
                        "its XML is nested more than {MAX_XML_DEPTH} elements deep, more than \
                         any KeePass database"
                    )));
                }
                if group {
                    // The first group is the root, whose children are level 1.
                    if groups > MAX_GROUP_DEPTH {
                        return Err(too_deep_groups());
                    }
                    groups += 1;
                }
                open.push(group);
            }
            Ok(XmlEvent::EndElement { .. }) => {
                if open.pop() == Some(true) {
                    groups -= 1;
                }
            }
            Ok(XmlEvent::EndDocument) | Err(_) => break,
            Ok(_) => {}
        }
    }
    Ok(())
}

/// Refuses a tree whose groups go more than [`MAX_GROUP_DEPTH`] levels
/// below `root`; measured without recursion.
pub(super) fn check_tree(root: &Group) -> Result<(), ImportError> {
    let mut todo: Vec<(&Group, usize)> = vec![(root, 0)];
    while let Some((g, depth)) = todo.pop() {
        if depth > MAX_GROUP_DEPTH {
            return Err(too_deep_groups());
        }
        todo.extend(g.groups.iter().map(|c| (c, depth + 1)));
    }
    Ok(())
}

/// Drops a group tree of any depth without recursion: each group is
/// dropped after its children were moved out of it.
pub(super) fn dismantle(root: Group) {
    let mut todo = vec![root];
    while let Some(mut g) = todo.pop() {
        todo.append(&mut g.groups);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A KeePass document with `groups` nested groups under the root
    /// group and one entry in the deepest.
    fn nested_groups(groups: usize) -> String {
        format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><KeePassFile><Root><Group><Name>Root</Name>\
             {}<Entry><String><Key>Title</Key><Value>deep</Value></String></Entry>{}\
             </Group></Root></KeePassFile>",
            "<Group><Name>g</Name>".repeat(groups),
            "</Group>".repeat(groups)
        )
    }

    fn refusal(xml: &str) -> String {
        match check_xml(xml.as_bytes()) {
            Err(ImportError::Malformed(m)) => m,
            other => panic!("not refused: {other:?}"),
        }
    }

    #[test]
    fn groups_up_to_the_limit_pass_and_one_more_is_refused() {
        assert!(check_xml(nested_groups(MAX_GROUP_DEPTH).as_bytes()).is_ok());
        let m = refusal(&nested_groups(MAX_GROUP_DEPTH + 1));
        assert!(
            m.contains("groups are nested more than 64 levels deep"),
            "{m}"
        );
        let m = refusal(&nested_groups(5_000));
        assert!(
            m.contains("groups are nested more than 64 levels deep"),
            "{m}"
        );
    }

    #[test]
    fn any_element_nested_too_deep_is_refused() {
        // Histories inside histories: the crate recurses on those too.
        let n = MAX_XML_DEPTH;
        let xml = format!(
            "<KeePassFile><Root><Group>{}{}</Group></Root></KeePassFile>",
            "<Entry><History>".repeat(n),
            "</History></Entry>".repeat(n)
        );
        let m = refusal(&xml);
        assert!(m.contains("more than 128 elements deep"), "{m}");
        // Exactly at the limit passes.
        let xml = format!("{}{}", "<a>".repeat(n), "</a>".repeat(n));
        assert!(check_xml(xml.as_bytes()).is_ok());
        let xml = format!("{}{}", "<a>".repeat(n + 1), "</a>".repeat(n + 1));
        assert!(check_xml(xml.as_bytes()).is_err());
    }

    #[test]
    fn siblings_do_not_add_up() {
        let xml = format!(
            "<KeePassFile><Root><Group>{}</Group></Root></KeePassFile>",
            "<Group><Name>g</Name></Group><Group/>".repeat(1_000)
        );
        assert!(check_xml(xml.as_bytes()).is_ok());
    }

    #[test]
    fn entities_that_expand_to_groups_are_counted() {
        // The crate's reader expands internal entities into elements; the
        // count sees what the crate will see. Each entity holds 20 nested
        // groups around the one before it: 80 levels from 4 references.
        let twenty =
            |inner: &str| format!("{}{inner}{}", "<Group>".repeat(20), "</Group>".repeat(20));
        let xml = format!(
            "<!DOCTYPE KeePassFile [<!ENTITY a \"{}\"><!ENTITY b \"{}\"><!ENTITY c \"{}\">\
             <!ENTITY d \"{}\">]><KeePassFile><Root><Group>&d;</Group></Root></KeePassFile>",
            twenty(""),
            twenty("&a;"),
            twenty("&b;"),
            twenty("&c;")
        );
        let m = refusal(&xml);
        assert!(m.contains("groups are nested more than 64"), "{m}");
    }

    #[test]
    fn a_document_that_breaks_off_is_measured_up_to_where_it_breaks() {
        let deep = nested_groups(5_000);
        let cut = &deep[..deep.len() / 2];
        assert!(check_xml(cut.as_bytes()).is_err());
        assert!(check_xml(b"\xff\xfe<not xml").is_ok());
        assert!(check_xml(b"").is_ok());
    }

    /// A chain of `levels` groups below a root, built without recursion.
    fn chain(levels: usize) -> Group {
        let mut g = Group::new("g");
        for _ in 1..levels {
            let mut parent = Group::new("g");
            parent.groups.push(g);
            g = parent;
        }
        let mut root = Group::new("Root");
        root.groups.push(g);
        root
    }

    #[test]
    fn a_tree_too_deep_is_refused_and_taken_apart_without_recursion() {
        let ok = chain(MAX_GROUP_DEPTH);
        assert!(check_tree(&ok).is_ok());
        dismantle(ok);
        // Deep enough that a recursive drop would overflow a test thread's stack.
        let deep = chain(100_000);
        assert!(
            matches!(check_tree(&deep), Err(ImportError::Malformed(m)) if m.contains("64 levels"))
        );
        dismantle(deep);
    }
}
