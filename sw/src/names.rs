//! Short import and export names. wasm-bindgen names each import `__wbg_<name>_<16 hex digits>`
//! under the module `./<glue>_bg.js`, and the glue names them all again: about 6 KB of the
//! worker, which gzip cannot fold (the hashes are random). wasm-opt's
//! `--minify-imports-and-exports-and-modules` shortens them in the wasm and prints the mapping;
//! [`rename_in_glue`] applies it to the glue.

use crate::Result;
use anyhow::{bail, Context as _};
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
        glue = replace_name(&glue, &old, &new, "").with_context(|| format!("the glue has no import {old}"))?;
        if !modules.contains(&module) {
            modules.push(module);
        }
    }
    for module in modules {
        let key = format!("\"{module}\":");
        if !glue.contains(&key) {
            bail!("the glue has no import module {module}");
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
        let mapping: Value = serde_json::from_str(json).context("wasm-opt's name mapping")?;
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
