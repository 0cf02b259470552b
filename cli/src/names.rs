//! Short import and export names. wasm-bindgen names each import `__wbg_<name>_<16 hex digits>`
//! under the module `./<glue>_bg.js`, and the glue names them all again: about 6 KB of the
//! worker, which gzip cannot fold (the hashes are random). wasm-opt's
//! `--minify-imports-and-exports-and-modules` shortens them in the wasm and prints the mapping;
//! [`rename_in_glue`] applies it to the glue.

use crate::Result;
use serde_json::Value;

/// The module every import is under once wasm-opt has minified the module names.
const MODULE: &str = "a";

/// The glue with the import and export names the mapping (wasm-opt's JSON) gives: the import
/// object's module key and each import's key, and each `wasm.<export>`. Fails, changing nothing,
/// when a name is not where the glue should have it.
///
/// ```
/// let glue = r#"const import0 = { __wbg_log_0123456789abcdef: function() {} };
/// return { "./w_bg.js": import0 }; wasm.on_push(e); wasm.on_push_subscription_change(e);"#;
/// let mapping = r#"{"imports": [["./w_bg.js", "__wbg_log_0123456789abcdef", "b"]],
///   "exports": [["on_push", "c"], ["on_push_subscription_change", "d"]]}"#;
/// let renamed = cargo_wasm_push::rename_in_glue(glue, mapping).unwrap();
/// assert_eq!(renamed, r#"const import0 = { b: function() {} };
/// return { "a": import0 }; wasm.c(e); wasm.d(e);"#);
/// ```
pub fn rename_in_glue(glue: &str, mapping: &str) -> Result<String> {
    let Mapping { imports, exports } = Mapping::read(mapping)?;
    let mut glue = glue.to_owned();
    let mut modules = vec![];
    for [module, old, new] in imports {
        glue = replace_name(&glue, &old, &new, "").ok_or(format!("the glue has no import {old}"))?;
        if !modules.contains(&module) {
            modules.push(module);
        }
    }
    for module in modules {
        let key = format!("\"{module}\":");
        if !glue.contains(&key) {
            return Err(format!("the glue has no import module {module}"));
        }
        glue = glue.replace(&key, &format!("\"{MODULE}\":"));
    }
    for [old, new] in exports {
        // An export the glue never calls (the start function, say) keeps no name to change.
        glue = replace_name(&glue, &old, &new, "wasm.").unwrap_or(glue);
    }
    Ok(glue)
}

/// wasm-opt's name mapping: each import as module, old name, new name; each export as old
/// name, new name.
struct Mapping {
    imports: Vec<[String; 3]>,
    exports: Vec<[String; 2]>,
}

impl Mapping {
    /// The mapping from wasm-opt's JSON.
    fn read(json: &str) -> Result<Mapping> {
        let mapping: Value = serde_json::from_str(json).map_err(|e| format!("wasm-opt's name mapping: {e}"))?;
        let entries = |key: &str| mapping[key].as_array().cloned().unwrap_or_default();
        let text = |entry: &Value, at: usize| entry[at].as_str().unwrap_or_default().to_owned();
        Ok(Mapping {
            imports: entries("imports").iter().map(|i| [text(i, 0), text(i, 1), text(i, 2)]).collect(),
            exports: entries("exports").iter().map(|e| [text(e, 0), text(e, 1)]).collect(),
        })
    }
}

/// `text` with every whole `prefix` + `old` (not followed by more of an identifier) made
/// `prefix` + `new`; `None` when there is none.
fn replace_name(text: &str, old: &str, new: &str, prefix: &str) -> Option<String> {
    let needle = format!("{prefix}{old}");
    let is_name = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '$';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut found = false;
    while let Some(at) = rest.find(&needle) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + needle.len()..].chars().next();
        let whole = after.is_none_or(|c| !is_name(c)) && (!prefix.is_empty() || before.is_none_or(|c| !is_name(c)));
        out.push_str(&rest[..at]);
        out.push_str(if whole { prefix } else { &needle });
        if whole {
            out.push_str(new);
            found = true;
        }
        rest = &rest[at + needle.len()..];
    }
    out.push_str(rest);
    found.then_some(out)
}

/// A wasm with its import and export names renamed by a mapping of wasm-opt's (the JSON
/// [`rename_in_glue`] reads), made for another build of the same code: the module a push loads,
/// given the whole worker's names, so the whole worker's glue drives it too. Its imports and
/// exports are some of the whole worker's, by name; one that is not fails, changing nothing.
///
/// ```
/// // A module with no section has nothing to rename.
/// let wasm = b"\0asm\x01\0\0\0";
/// assert_eq!(cargo_wasm_push::rename_in_wasm(wasm, r#"{"imports": [], "exports": []}"#).unwrap(), wasm);
/// ```
pub fn rename_in_wasm(wasm: &[u8], mapping: &str) -> Result<Vec<u8>> {
    let Mapping { imports, exports } = Mapping::read(mapping)?;
    let mut reader = Reader { bytes: wasm, at: 8 };
    if wasm.get(..8) != Some(b"\0asm\x01\0\0\0".as_slice()) {
        return Err("not a wasm module".into());
    }
    let mut out = wasm[..8].to_vec();
    while reader.at < wasm.len() {
        let id = reader.byte()?;
        let size = reader.leb()? as usize;
        let body = reader.take(size)?;
        let renamed = match id {
            2 => rename_section(body, |section, out| {
                let (module, field) = (section.name()?, section.name()?);
                let [_, _, new] = imports
                    .iter()
                    .find(|[m, old, _]| *m == module && *old == field)
                    .ok_or(format!("the whole worker has no import {module} {field}"))?;
                write_name(out, MODULE);
                write_name(out, new);
                let start = section.at;
                match section.byte()? {
                    0 => drop(section.leb()?),
                    1 => drop((section.byte()?, section.limits()?)),
                    2 => section.limits()?,
                    3 => drop(section.take(2)?),
                    4 => drop((section.byte()?, section.leb()?)),
                    kind => return Err(format!("an import of unknown kind {kind}")),
                }
                out.extend_from_slice(&section.bytes[start..section.at]);
                Ok(())
            })?,
            7 => rename_section(body, |section, out| {
                let name = section.name()?;
                let [_, new] = exports
                    .iter()
                    .find(|[old, _]| *old == name)
                    .ok_or(format!("the whole worker has no export {name}"))?;
                write_name(out, new);
                let start = section.at;
                section.byte()?;
                section.leb()?;
                out.extend_from_slice(&section.bytes[start..section.at]);
                Ok(())
            })?,
            _ => body.to_vec(),
        };
        out.push(id);
        write_leb(&mut out, renamed.len() as u64);
        out.extend(renamed);
    }
    Ok(out)
}

/// A vector section (imports, exports) with each entry rewritten by `entry`.
fn rename_section(body: &[u8], mut entry: impl FnMut(&mut Reader, &mut Vec<u8>) -> Result) -> Result<Vec<u8>> {
    let mut section = Reader { bytes: body, at: 0 };
    let count = section.leb()?;
    let mut out = vec![];
    write_leb(&mut out, count);
    for _ in 0..count {
        entry(&mut section, &mut out)?;
    }
    Ok(out)
}

/// Reads a wasm's bytes: LEB128 numbers, names, limits.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let taken = self.bytes.get(self.at..self.at.saturating_add(n)).ok_or("the wasm ends early")?;
        self.at += n;
        Ok(taken)
    }
    fn byte(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }
    fn leb(&mut self) -> Result<u64> {
        let (mut value, mut shift) = (0u64, 0);
        loop {
            let byte = self.byte()?;
            value |= u64::from(byte & 0x7f).checked_shl(shift).ok_or("a number too long")?;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
            shift += 7;
        }
    }
    fn name(&mut self) -> Result<String> {
        let len = self.leb()? as usize;
        String::from_utf8(self.take(len)?.to_vec()).map_err(|_| "a name that is not UTF-8".into())
    }
    /// A table's or memory's limits: flags, the minimum, and the maximum when flag 1 says so.
    fn limits(&mut self) -> Result {
        let flags = self.byte()?;
        self.leb()?;
        if flags & 1 == 1 {
            self.leb()?;
        }
        Ok(())
    }
}

fn write_leb(out: &mut Vec<u8>, mut value: u64) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        out.push(if value == 0 { byte } else { byte | 0x80 });
        if value == 0 {
            return;
        }
    }
}

fn write_name(out: &mut Vec<u8>, name: &str) {
    write_leb(out, name.len() as u64);
    out.extend_from_slice(name.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A module importing `module`/`field` and exporting `export`: one type, one import, one
    /// function of its own, one export, and the function's body.
    fn module(module: &str, field: &str, export: &str) -> Vec<u8> {
        let section = |id: u8, body: Vec<u8>| [vec![id, body.len() as u8], body].concat();
        let name = |text: &str| [vec![text.len() as u8], text.as_bytes().to_vec()].concat();
        [
            b"\0asm\x01\0\0\0".to_vec(),
            section(1, vec![1, 0x60, 0, 0]),
            section(2, [vec![1], name(module), name(field), vec![0, 0]].concat()),
            section(3, vec![1, 0]),
            section(7, [vec![1], name(export), vec![0, 1]].concat()),
            section(10, vec![1, 2, 0, 0x0b]),
        ]
        .concat()
    }

    const MAPPING: &str = r#"{"imports": [["./w_bg.js", "__wbg_log_0123456789abcdef", "b"], ["./w_bg.js", "__wbg_other_1", "c"]],
        "exports": [["on_push", "d"], ["on_notification_click", "e"]]}"#;

    #[test]
    fn another_build_takes_the_whole_workers_import_and_export_names() {
        let push = module("./w_bg.js", "__wbg_log_0123456789abcdef", "on_push");
        assert_eq!(rename_in_wasm(&push, MAPPING).unwrap(), module("a", "b", "d"));
    }

    #[test]
    fn an_import_or_export_the_whole_worker_lacks_fails_rather_than_give_a_module_its_glue_cannot_drive() {
        let unknown_import = module("./w_bg.js", "__wbg_new_2", "on_push");
        assert!(rename_in_wasm(&unknown_import, MAPPING).unwrap_err().contains("__wbg_new_2"));
        let unknown_export = module("./w_bg.js", "__wbg_log_0123456789abcdef", "on_sync");
        assert!(rename_in_wasm(&unknown_export, MAPPING).unwrap_err().contains("on_sync"));
        assert!(rename_in_wasm(b"not wasm", MAPPING).is_err());
        let cut = module("./w_bg.js", "__wbg_log_0123456789abcdef", "on_push");
        assert!(rename_in_wasm(&cut[..cut.len() - 3], MAPPING).is_err());
    }
}
