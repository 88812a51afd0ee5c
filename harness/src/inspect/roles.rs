//! Arm64EC symbol roles in an object: EC bodies (`#f`, `?f@@$$h…`), their plain-name
//! anti-dependency aliases, entry / exit / guest-exit thunks, exit-thunk redirections for
//! called externals, import slots — and the function ranges of code sections.

use super::coff::{CLASS_LABEL, CLASS_STATIC, CoffObject, Place, Symbol};
use crate::abi::thunk_name::{ENTRY_PREFIX, EXIT_PREFIX};
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// `#f` / `?f@@$$h…` defined in code: the Arm64EC body.
    EcFunction,
    /// Plain `f`: an anti-dependency weak external pointing at `#f`.
    EcAlias,
    /// `#f` (undefined side): an anti-dependency weak external pointing at `#f$exit_thunk`
    /// (the callee is called) or at `f` (only its address is taken).
    EcRedirect,
    EntryThunk,
    ExitThunk,
    /// `#f$exit_thunk`: checks the callee and dispatches to x64 code when needed.
    GuestExitThunk,
    /// `f$hp_target` / `#f$hybpatch_thunk` of a hybrid-patchable function.
    HybridPatch,
    /// `__imp_f`: the import address slot.
    ImportSlot,
    /// Another defined symbol in a code section (a function without EC mangling).
    CodeSymbol,
    Data,
    Section,
    Label,
    Undefined,
    WeakExternal,
    Other,
}

/// A Rust-mangled name (legacy `_ZN…` or v0 `_R…`), with its `#` or `__imp_` prefix.
pub fn is_rust_mangled(name: &str) -> bool {
    let n = name.trim_start_matches('#').trim_start_matches("__imp_");
    n.starts_with("_ZN")
        || (n.starts_with("_R")
            && n[2..].starts_with(|c: char| c.is_ascii_uppercase() || c.is_ascii_digit()))
}

/// Whether `name` is an Arm64EC-mangled function name.
pub fn is_ec_mangled(name: &str) -> bool {
    name.starts_with('#') || (name.starts_with('?') && name.contains("@$$h"))
}

/// The plain name of an EC-mangled one: `#f` → `f`, `?f@@$$hYAXXZ` → `?f@@YAXXZ`.
pub fn plain_name(ec: &str) -> Option<String> {
    if let Some(rest) = ec.strip_prefix('#') {
        return Some(rest.to_string());
    }
    if ec.starts_with('?') && ec.contains("@$$h") {
        return Some(ec.replacen("@$$h", "@", 1));
    }
    None
}

/// The EC-mangled name of a plain one (inverse of [`plain_name`] for C names; C++ names
/// get `$$h` after the qualified name, which needs a demangler: callers match by
/// [`plain_name`] instead).
pub fn ec_name(plain: &str) -> String {
    format!("#{plain}")
}

pub fn is_guest_exit_thunk(name: &str) -> bool {
    (name.starts_with('#') && name.ends_with("$exit_thunk"))
        || (name.starts_with('?') && name.contains("$exit_thunk@"))
}

/// The callee a guest exit thunk belongs to: `#f$exit_thunk` → `f`.
pub fn guest_exit_callee(name: &str) -> Option<String> {
    if let Some(rest) = name.strip_prefix('#') {
        return rest.strip_suffix("$exit_thunk").map(str::to_string);
    }
    name.starts_with('?').then(|| {
        let ec = name.replacen("$exit_thunk@", "@", 1);
        plain_name(&ec).unwrap_or(ec)
    })
}

pub fn role(obj: &CoffObject, s: &Symbol) -> Role {
    let n = s.name.as_str();
    if s.storage_class == CLASS_LABEL {
        return Role::Label;
    }
    if s.storage_class == CLASS_STATIC
        && s.value == 0
        && let Place::Section(i) = s.place
        && obj.section(i).is_some_and(|sec| sec.name == n)
    {
        return Role::Section;
    }
    if n.starts_with(ENTRY_PREFIX) {
        return Role::EntryThunk;
    }
    if n.starts_with(EXIT_PREFIX) {
        return Role::ExitThunk;
    }
    if let Some(w) = &s.weak {
        let target = obj.symbol_name(w.target).unwrap_or("");
        if s.is_anti_dependency()
            && is_ec_mangled(target)
            && plain_name(target).as_deref() == Some(n)
        {
            return Role::EcAlias;
        }
        if s.is_anti_dependency() && is_ec_mangled(n) {
            return Role::EcRedirect;
        }
        return Role::WeakExternal;
    }
    if n.starts_with("__imp_") {
        return Role::ImportSlot;
    }
    let code = s.section().and_then(|i| obj.section(i)).map(|sec| sec.is_code());
    match code {
        None if s.place == Place::Undefined => Role::Undefined,
        None => Role::Other,
        Some(false) => Role::Data,
        Some(true) if is_guest_exit_thunk(n) => Role::GuestExitThunk,
        Some(true) if n.contains("$hp_target") || n.contains("$hybpatch_thunk") => {
            Role::HybridPatch
        }
        Some(true) if is_ec_mangled(n) => Role::EcFunction,
        Some(true) => Role::CodeSymbol,
    }
}

/// A function in a code section: from its symbol to the next symbol or the section end.
#[derive(Clone, Debug, Serialize)]
pub struct Function {
    pub name: String,
    pub symbol: u32,
    pub section: u32,
    pub start: u32,
    pub end: u32,
    pub role: Role,
}

/// The functions of every code section, ordered by section and offset.
pub fn functions(obj: &CoffObject) -> Vec<Function> {
    let mut out = Vec::new();
    for sec in obj.sections.iter().filter(|s| s.is_code()) {
        let mut starts: Vec<(u32, &Symbol, Role)> = obj
            .symbols
            .iter()
            .filter(|s| s.place == Place::Section(sec.index))
            .filter_map(|s| {
                let r = role(obj, s);
                let is_fn = matches!(
                    r,
                    Role::EcFunction
                        | Role::EntryThunk
                        | Role::ExitThunk
                        | Role::GuestExitThunk
                        | Role::HybridPatch
                        | Role::CodeSymbol
                );
                is_fn.then_some((s.value, s, r))
            })
            .collect();
        starts.sort_by_key(|(v, s, _)| (*v, s.index));
        starts.dedup_by_key(|(v, ..)| *v);
        for (i, (start, s, r)) in starts.iter().enumerate() {
            let end = starts.get(i + 1).map(|n| n.0).unwrap_or(sec.size).max(*start);
            out.push(Function {
                name: s.name.clone(),
                symbol: s.index,
                section: sec.index,
                start: *start,
                end: end.min(sec.size.max(*start)),
                role: *r,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_forms() {
        assert!(is_ec_mangled("#f"));
        assert!(is_ec_mangled("?GetValue@?$Wrapper@UA@@@@$$hQEBAHXZ"));
        assert!(!is_ec_mangled("?f@@YAHH@Z"));
        assert_eq!(plain_name("#add").as_deref(), Some("add"));
        assert_eq!(plain_name("?foo@@$$hYAHH@Z").as_deref(), Some("?foo@@YAHH@Z"));
        assert!(is_guest_exit_thunk("#ext$exit_thunk"));
        assert!(is_guest_exit_thunk("?foo$exit_thunk@@$$hYAHH@Z"));
        assert_eq!(guest_exit_callee("#ext$exit_thunk").as_deref(), Some("ext"));
        assert_eq!(
            guest_exit_callee("?foo$exit_thunk@@$$hYAHH@Z").as_deref(),
            Some("?foo@@YAHH@Z")
        );
    }
}
