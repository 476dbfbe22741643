//! The demo's first screen, compiled early: which split files the overview and the demo tenant's
//! recorded first answer need, read from wasm-split's loader (`__wasm_split.js`), written into
//! `early.js` so the page fetches and compiles them all as soon as it knows it has no config.json.
//! Without it the browser finds them in two waves, each only once the code before it runs: the
//! overview's files when the app starts, the recording's when the overview first asks for data.
//! The demo tenant's simulator is not among them: it loads after the first screen
//! (src/transport/demo.rs). The loader is rewritten to instantiate what early.js compiled
//! ([`instantiate_early`]).
use std::collections::{BTreeMap, BTreeSet};

/// The split units of the demo's first screen, by the start of their names in the loader
/// (`__wasm_split_load_<name>_<hash>`): the overview (`src/app.rs`) and the demo tenant's
/// recorded first answer (`src/transport/demo_first.rs`).
pub const DEMO_FIRST_SCREEN: &[&str] = &["lazy_overview_", "demo_first_answer_"];

/// The line of early.js the list replaces; it must be there exactly once.
pub const MARKER: &str = "const DEMO_FIRST_SCREEN = [];";

/// One loader of `__wasm_split.js`: the file it fetches and the loaders it waits for.
#[derive(Debug, Default)]
struct Loader {
    file: String,
    deps: Vec<String>,
}

/// The loaders of `__wasm_split.js` by name (`__chunk_14`, or an entry's `lazy_overview_<hash>`).
/// Line by line, as wasm-split writes them:
/// `const __chunk_14 = makeLoad(() => {` or
/// `export const __wasm_split_load_<name> = wrapAsyncCb(makeLoad(() => {`, then
/// `    const src = fetch(new URL("./chunk_14.wasm", import.meta.url));`, and after the body
/// `, [__chunk_15, __chunk_16]);` (or `]));` for an entry).
fn loaders(js: &str) -> Result<BTreeMap<String, Loader>, String> {
    let mut out: BTreeMap<String, Loader> = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in js.lines() {
        let line = line.trim();
        let declared = line
            .strip_prefix("const ")
            .or_else(|| line.strip_prefix("export const "))
            .and_then(|rest| rest.split_once(" = "))
            .filter(|(_, tail)| tail.contains("makeLoad("));
        if let Some((name, _)) = declared {
            let name = name.strip_prefix("__wasm_split_load_").unwrap_or(name).to_string();
            out.insert(name.clone(), Loader::default());
            current = Some(name);
        } else if let (Some(name), Some(url)) = (&current, line.split_once("new URL(\"./")) {
            let file = url.1.split('"').next().unwrap_or_default();
            out.get_mut(name).ok_or("loader lost")?.file = file.to_string();
        } else if let (Some(name), Some(list)) = (&current, line.strip_prefix(", [")) {
            let list = list.split(']').next().unwrap_or_default();
            out.get_mut(name).ok_or("loader lost")?.deps =
                list.split(',').map(str::trim).filter(|d| !d.is_empty()).map(str::to_string).collect();
            current = None;
        }
    }
    if let Some((name, _)) = out.iter().find(|(_, l)| l.file.is_empty()) {
        return Err(format!("__wasm_split.js: no file for loader {name}"));
    }
    Ok(out)
}

/// Every file the units starting with `units` fetch, their shared chunks included, sorted.
pub fn files_of(js: &str, units: &[&str]) -> Result<Vec<String>, String> {
    let all = loaders(js)?;
    let mut files = BTreeSet::new();
    let mut todo: Vec<&str> = Vec::new();
    for u in units {
        let found: Vec<&String> = all.keys().filter(|k| k.starts_with(u)).collect();
        if found.len() != 1 {
            return Err(format!("__wasm_split.js: {} split units named {u}…, expected one", found.len()));
        }
        todo.push(found[0]);
    }
    while let Some(name) = todo.pop() {
        let l = all.get(name).ok_or_else(|| format!("__wasm_split.js: unknown loader {name}"))?;
        if files.insert(l.file.clone()) {
            todo.extend(l.deps.iter().map(String::as_str));
        }
    }
    Ok(files.into_iter().collect())
}

/// early.js with the marker line replaced by the list.
pub fn fill(early: &str, files: &[String]) -> Result<String, String> {
    if early.matches(MARKER).count() != 1 {
        return Err(format!("early.js must hold `{MARKER}` exactly once"));
    }
    let list: Vec<String> = files.iter().map(|f| format!("\"{f}\"")).collect();
    Ok(early.replace(MARKER, &format!("const DEMO_FIRST_SCREEN = [{}];", list.join(", "))))
}

/// The three lines of each loader that fetch its file and instantiate it as it streams in.
const FETCH_AND_INSTANTIATE: [&str; 3] = [
    "    const src = fetch(new URL(\"./",
    "    src.catch(() => {});",
    "    return async (imports) => (WebAssembly.instantiateStreaming(src, imports));",
];

/// What the loaders do instead: take the module early.js compiled for the file, or else fetch and
/// instantiate as before. With early.js's module the instance is made at once
/// (`new WebAssembly.Instance`): the loader's chain of a dozen instantiations then resolves in
/// microtasks, where each `WebAssembly.instantiate` would wait for a task of its own (measured,
/// 12 files: the last instantiated 17 ms after the first, against 3 ms). A module is taken once:
/// a failed load's retry fetches anew.
const INSTANTIATOR: &str = r#"// The module early.js compiled for this file as the page started (the demo's first screen), else
// the file fetched and instantiated as it streams in (cargo xtask split-wasm rewrites each loader so).
function instantiator(file, base) {
    const compiled = globalThis.__licswapCompiled;
    const early = compiled?.[file];
    if (early) {
        delete compiled[file];
        return async (imports) => {
            const module = await early;
            if (module) return { module, instance: new WebAssembly.Instance(module, imports) };
            return WebAssembly.instantiateStreaming(fetch(new URL("./" + file, base)), imports);
        };
    }
    const src = fetch(new URL("./" + file, base));
    src.catch(() => {});
    return async (imports) => (WebAssembly.instantiateStreaming(src, imports));
}
"#;

/// The loader, each of its loaders asking [`INSTANTIATOR`] for its instance. Every loader must
/// have wasm-split's three lines exactly (else wasm-split changed, and this must follow it).
pub fn instantiate_early(js: &str) -> Result<String, String> {
    let expected = loaders(js)?.len();
    let lines: Vec<&str> = js.lines().collect();
    let mut out = String::with_capacity(js.len() + INSTANTIATOR.len());
    let (mut i, mut rewritten) = (0, 0);
    while i < lines.len() {
        let line = lines[i];
        if line.starts_with("function makeLoad(") {
            out.push_str(INSTANTIATOR);
        }
        let file = line
            .strip_prefix(FETCH_AND_INSTANTIATE[0])
            .and_then(|rest| rest.strip_suffix("\", import.meta.url));"));
        let whole = i + 2 < lines.len()
            && lines[i + 1] == FETCH_AND_INSTANTIATE[1]
            && lines[i + 2] == FETCH_AND_INSTANTIATE[2];
        match file {
            Some(file) if whole && !file.contains('"') => {
                out.push_str(&format!("    return instantiator(\"{file}\", import.meta.url);\n"));
                rewritten += 1;
                i += 3;
            }
            _ => {
                out.push_str(line);
                out.push('\n');
                i += 1;
            }
        }
    }
    if rewritten != expected || !out.contains("function instantiator(") {
        return Err(format!(
            "__wasm_split.js: {rewritten} of {expected} loaders fetch and instantiate as expected; wasm-split's loader changed"
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOADER: &str = r#"import { initSync } from "./licswap.js";
const __chunk_1 = makeLoad(() => {
    const src = fetch(new URL("./chunk_1.wasm", import.meta.url));
    src.catch(() => {});
    return async (imports) => (WebAssembly.instantiateStreaming(src, imports));
}
, []);
const __chunk_2 = makeLoad(() => {
    const src = fetch(new URL("./chunk_2.wasm", import.meta.url));
}
, [__chunk_1]);
const __chunk_3 = makeLoad(() => {
    const src = fetch(new URL("./chunk_3.wasm", import.meta.url));
}
, []);
export const __wasm_split_load_lazy_overview_123 = wrapAsyncCb(makeLoad(() => {
    const src = fetch(new URL("./split_lazy_overview_123.wasm", import.meta.url));
}
, [__chunk_2]));
export const __wasm_split_load_lazy_screen_9 = wrapAsyncCb(makeLoad(() => {
    const src = fetch(new URL("./split_lazy_screen_9.wasm", import.meta.url));
}
, [__chunk_3]));
"#;

    #[test]
    fn a_unit_brings_its_chunks_and_theirs_and_no_other() {
        let files = files_of(LOADER, &["lazy_overview_"]).unwrap();
        assert_eq!(files, ["chunk_1.wasm", "chunk_2.wasm", "split_lazy_overview_123.wasm"]);
        let both = files_of(LOADER, &["lazy_overview_", "lazy_screen_"]).unwrap();
        assert_eq!(both.len(), 5);
    }

    #[test]
    fn a_unit_the_loader_lacks_is_an_error() {
        let e = files_of(LOADER, &["answer_"]).unwrap_err();
        assert!(e.contains("0 split units named answer_"), "{e}");
    }

    #[test]
    fn the_list_goes_where_the_marker_is_and_only_there() {
        let early = format!("// x\n{MARKER}\nuse(DEMO_FIRST_SCREEN);\n");
        let filled = fill(&early, &["a.wasm".into(), "b.wasm".into()]).unwrap();
        assert!(filled.contains("const DEMO_FIRST_SCREEN = [\"a.wasm\", \"b.wasm\"];"), "{filled}");
        assert!(fill("no marker", &[]).is_err());
        assert!(fill(&format!("{MARKER}{MARKER}"), &[]).is_err());
    }

    /// A loader as wasm-split writes it: every loader fetches and instantiates its file.
    fn whole_loader(files: &[&str]) -> String {
        let mut js = String::from(
            "import { initSync } from \"./licswap.js\";\nfunction makeLoad(fetcher, deps) {\n}\n",
        );
        for (n, f) in files.iter().enumerate() {
            js.push_str(&format!("const __chunk_{n} = makeLoad(() => {{\n"));
            js.push_str(&format!("{}{f}\", import.meta.url));\n", FETCH_AND_INSTANTIATE[0]));
            js.push_str(&format!("{}\n{}\n}}\n, []);\n", FETCH_AND_INSTANTIATE[1], FETCH_AND_INSTANTIATE[2]));
        }
        js
    }

    #[test]
    fn every_loader_takes_what_early_js_compiled() {
        let js = whole_loader(&["chunk_1.wasm", "split_lazy_overview_123.wasm"]);
        let out = instantiate_early(&js).unwrap();
        assert!(out.contains("    return instantiator(\"chunk_1.wasm\", import.meta.url);\n"), "{out}");
        assert!(out.contains("    return instantiator(\"split_lazy_overview_123.wasm\", import.meta.url);\n"));
        // The helper once, before makeLoad; the loaders' own fetches gone (the helper's remain).
        assert_eq!(out.matches("function instantiator(").count(), 1);
        assert!(out.find("function instantiator(") < out.find("function makeLoad("));
        assert_eq!(out.matches("fetch(new URL(").count(), 2, "only the helper's two fetches: {out}");
    }

    #[test]
    fn a_loader_wasm_split_wrote_otherwise_is_an_error() {
        let js = whole_loader(&["chunk_1.wasm", "chunk_2.wasm"]).replacen(
            FETCH_AND_INSTANTIATE[1],
            "    src.then(() => {});",
            1,
        );
        let e = instantiate_early(&js).unwrap_err();
        assert!(e.contains("1 of 2 loaders"), "{e}");
    }
}
