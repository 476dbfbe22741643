// Without config.json the app opens its demo: the overview over the in-page demo tenant, whose
// first answer (the subscriptions) is a recording; both lazily loaded split files. Found by the
// app itself, they come in two waves (the overview's once the app starts, the recording's once the
// overview asks for data); fetched and compiled here, they come beside the app's own WebAssembly,
// and the split loader (__wasm_split.js, rewritten by `cargo xtask split-wasm`) instantiates these
// modules at once, in the task that asks for them, rather than fetching them again. They come as
// one file, the pack (the files end to end): a dozen requests would wait for one another on a
// host speaking HTTP/1.1. The demo tenant's simulator is not among them: the app loads it once
// the first screen is painted. The build writes the list (file and length, in the pack's order,
// from wasm-split's loader) and the pack's name; a configured tenant fetches none of them, so its
// first download is unchanged.
const DEMO_FIRST_SCREEN = [];
const DEMO_PACK = "";
// By file name, a promise of the compiled module, or of null when this failed (no pack, a pack of
// another build, or a file that does not compile): the loader then fetches that file itself.
// Asked for once, as soon as the page knows it has no config.json.
const fetchDemoFiles = () => {
  if (window.__licswapCompiled) return;
  const compiled = (window.__licswapCompiled = {});
  const total = DEMO_FIRST_SCREEN.reduce((sum, [, length]) => sum + length, 0);
  const pack = fetch(DEMO_PACK)
    .then((r) => (r.ok ? r.arrayBuffer() : null))
    .then((bytes) => (bytes !== null && bytes.byteLength === total ? bytes : null))
    .catch(() => null);
  let at = 0;
  for (const [file, length] of DEMO_FIRST_SCREEN) {
    const start = at;
    at += length;
    compiled[file] = pack
      .then((bytes) => (bytes === null ? null : WebAssembly.compile(new Uint8Array(bytes, start, length))))
      .catch(() => null);
  }
};
const ok = (status) => status >= 200 && status < 300;

// Asks for config.json as soon as the page starts, beside the app's scripts and WebAssembly rather
// than after them: the app (src/config_file.rs) takes this answer once instead of asking again, so
// a configured tenant's first screen comes about one round trip sooner. A classic script in a file
// of its own: it runs before the module scripts, and the CSP can go on forbidding inline scripts.
// The request takes index.html's preload of the file, which started with the page's first requests.
// A failed request (no server, offline) is kept as null, which the app reads as "no config.json".
// The text is read here too (an unreadable body reads as empty), so the app finds the whole
// answer ready and draws its first screen at once (src/config_file.rs). An answer that is not a
// 2xx (no config.json: the demo) starts the demo's files with its headers, before its body is read.
const askConfig = () =>
  fetch("config.json", { cache: "no-store" })
    .then((r) => {
      if (!ok(r.status)) fetchDemoFiles();
      return r.text().catch(() => "").then((text) => ({ status: r.status, text }));
    })
    .catch(() => null);
// Never a cached copy, so a deployer's change applies at once. The preload goes through the
// browser's HTTP cache like any request: the hosts' files in deploy/ send config.json with
// Cache-Control: no-store, but a host that sends no caching header at all lets a browser keep a
// copy for a while (heuristic freshness). A copy shows in the request's resource timing as no
// bytes transferred; then config.json is asked for again, past the cache. (A kept 404 would have
// started the demo's files before this shows; a browser keeps one only when the host sent it a
// Last-Modified date, and the cost is a download the configured tenant does not use.)
const CONFIG_URL = new URL("config.json", document.baseURI).href;
const cachedCopy = () =>
  performance.getEntriesByName(CONFIG_URL).some((e) => e.transferSize === 0 && e.decodedBodySize > 0);
window.__licswapConfig = askConfig().then((answer) => (answer !== null && cachedCopy() ? askConfig() : answer));

// Configured: a 2xx answer that is not a page of HTML (a host answering every path with
// index.html has no config.json), the app's own rule.
const configured = (answer) => answer !== null && ok(answer.status) && !answer.text.trimStart().startsWith("<");
window.__licswapConfig.then((answer) => {
  if (configured(answer)) return;
  // The app, started after this, then waits for the overview's code before it mounts (src/first_screen.rs).
  window.__licswapNoConfig = true;
  fetchDemoFiles();
});

// The app's WebAssembly, compiled as it arrives: the page is otherwise idle until boot.js runs
// (after the whole document and its scripts are in), and compiling holds the main thread for about
// 10 to 20 ms. The request takes index.html's preload of the file (same URL, same CORS mode), so
// it is fetched once. boot.js hands the module to the app, or the URL when this failed (a host that
// serves .wasm with another MIME type, or a browser without compileStreaming).
window.__licswapWasm =
  typeof WebAssembly.compileStreaming === "function"
    ? WebAssembly.compileStreaming(fetch("./licswap_bg.wasm")).catch(() => null)
    : null;
