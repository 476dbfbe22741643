//! The demo's first screen, compiled early: which split files the overview and the demo tenant's
//! recorded first answer need, read from wasm-split's loader (`__wasm_split.js`), packed into one
//! file ([`pack`]) and named in `early.js`, so that the page fetches and compiles them all as soon
//! as it knows it has no config.json.
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

/// The lines of early.js the list and the pack's name replace; each must be there exactly once.
pub const MARKER: &str = "const DEMO_FIRST_SCREEN = [];";
pub const PACK_MARKER: &str = "const DEMO_PACK = \"\";";

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

/// The demo's first-screen files as one file, fetched by early.js in one request: a dozen files
/// asked for at once wait for one another on a host speaking HTTP/1.1, which serves six at a time
/// to a page (measured on the bench's server: two waves, the last file in some 50 ms after the
/// first). The files end to end, in `files`' order; named by a hash of the bytes, so a browser
/// never pairs a kept copy of an older pack with a newer early.js.
pub fn pack(files: &[(String, Vec<u8>)]) -> (String, Vec<u8>) {
    let bytes: Vec<u8> = files.iter().flat_map(|(_, b)| b.iter().copied()).collect();
    // FNV-1a, 64 bits: a name, not a defence (the files come from the same host as early.js).
    let hash = bytes
        .iter()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3));
    (format!("demo-first-screen-{hash:016x}.bin"), bytes)
}

/// early.js with the marker lines replaced by the files (name and length, in the pack's order)
/// and the pack's name.
pub fn fill(early: &str, files: &[(String, usize)], pack_name: &str) -> Result<String, String> {
    for marker in [MARKER, PACK_MARKER] {
        if early.matches(marker).count() != 1 {
            return Err(format!("early.js must hold `{marker}` exactly once"));
        }
    }
    let list: Vec<String> = files.iter().map(|(f, len)| format!("[\"{f}\", {len}]")).collect();
    Ok(early
        .replace(MARKER, &format!("const DEMO_FIRST_SCREEN = [{}];", list.join(", ")))
        .replace(PACK_MARKER, &format!("const DEMO_PACK = \"{pack_name}\";")))
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
/// microtasks, where each `WebAssembly.instantiate` would wait for a task of its own (measured on
/// the demo's twelve files: about 15 ms from the first instance to the last, against 3 ms; the
/// first card about 16 ms sooner in a paired A/B). A module is taken once: a failed load's retry
/// fetches anew.
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
    fn the_list_and_the_pack_go_where_the_markers_are_and_only_there() {
        let early = format!("// x\n{MARKER}\n{PACK_MARKER}\nuse(DEMO_FIRST_SCREEN);\n");
        let filled = fill(&early, &[("a.wasm".into(), 3), ("b.wasm".into(), 40)], "p.bin").unwrap();
        assert!(
            filled.contains("const DEMO_FIRST_SCREEN = [[\"a.wasm\", 3], [\"b.wasm\", 40]];"),
            "{filled}"
        );
        assert!(filled.contains("const DEMO_PACK = \"p.bin\";"), "{filled}");
        assert!(fill("no marker", &[], "p.bin").is_err());
        assert!(fill(&format!("{MARKER}{MARKER}{PACK_MARKER}"), &[], "p.bin").is_err());
        assert!(fill(MARKER, &[], "p.bin").is_err(), "the pack's marker is required too");
    }

    #[test]
    fn the_pack_is_the_files_end_to_end_named_by_their_bytes() {
        let files = vec![("a.wasm".to_string(), vec![0, 97, 115, 109]), ("b.wasm".to_string(), vec![1, 2])];
        let (name, bytes) = pack(&files);
        assert_eq!(bytes, [0, 97, 115, 109, 1, 2]);
        assert!(name.starts_with("demo-first-screen-") && name.ends_with(".bin"), "{name}");
        let (same, _) = pack(&files);
        assert_eq!(name, same);
        let (other, _) =
            pack(&[("a.wasm".to_string(), vec![0, 97, 115, 109]), ("b.wasm".to_string(), vec![1, 3])]);
        assert_ne!(name, other, "another pack, another name");
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
