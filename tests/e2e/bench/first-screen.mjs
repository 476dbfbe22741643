// Where the demo tenant's first screen spends its time on a cold load: the moments the page
// reaches, per run, from the page's own clock (ms since navigation start), then their medians.
//   dcl      DOMContentLoaded (boot.js has run: it is a module script);
//   pack     the demo's first-screen split files in (early.js's one request, resource timing);
//   app      the main wasm instantiated (the app's first render follows at once);
//   chunks   the first of those split files instantiated (from the modules early.js compiled);
//   overview the last of them instantiated (the loader instantiates the overview's own file last);
//   tenant   the demo tenant's split file instantiated (the simulator, loaded after the first screen);
//   card     the first subscription card on screen: `cargo xtask bench`'s first interactive.
// Instantiations are timed by wrapping WebAssembly's constructors before any script of the page
// runs. Not part of `cargo xtask bench`: a tool for finding what to make faster. Serves
// LICSWAP_DIST, by default the release build in dist/ (`cargo xtask dist`), as the bench does;
// BENCH_RUNS runs (default 9).
import { chromium } from "playwright-core";
import { gotoUntilMarked, serveApp } from "../lib/harness.mjs";

const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

const app = await serveApp({ dist: process.env.LICSWAP_DIST ?? new URL("../../../dist", import.meta.url).pathname });
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu"] });
const KEYS = ["dcl", "pack", "app", "chunks", "overview", "tenant", "card"];
const rows = [];
try {
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.addInitScript(() => {
      const at = (window.__at = {});
      const mark = (k) => (at[k] ??= performance.now());
      // The simulator's file is fetched and instantiated by the split loader as it streams in.
      const streaming = WebAssembly.instantiateStreaming;
      WebAssembly.instantiateStreaming = async (source, imports) => {
        const response = await source;
        const out = await streaming.call(WebAssembly, response, imports);
        if (new URL(response.url).pathname.includes("split_answer_")) mark("tenant");
        return out;
      };
      // The app's own module comes compiled from early.js: instantiated from a Module.
      const instantiate = WebAssembly.instantiate;
      WebAssembly.instantiate = async (source, imports) => {
        const out = await instantiate.call(WebAssembly, source, imports);
        if (source instanceof WebAssembly.Module) mark("app");
        return out;
      };
      // The first screen's split files: made at once from the modules early.js compiled.
      WebAssembly.Instance = new Proxy(WebAssembly.Instance, {
        construct(target, args) {
          const instance = Reflect.construct(target, args);
          if (!at.card) {
            mark("chunks");
            at.overview = performance.now();
          }
          return instance;
        },
      });
      document.addEventListener("DOMContentLoaded", () => mark("dcl"));
      new MutationObserver((_, obs) => {
        if (document.querySelector(".sku-card")) {
          mark("card");
          window.__licswapMarked();
          obs.disconnect();
        }
      }).observe(document, { childList: true, subtree: true });
    });
    // Not page.waitForFunction: its script would run in the page during the start it measures.
    await gotoUntilMarked(page, app.url, { what: "the first subscription card" });
    const at = await page.evaluate(() => {
      const pack = performance.getEntriesByType("resource").find((e) => /demo-first-screen-/.test(e.name));
      return { ...window.__at, pack: pack?.responseEnd };
    });
    rows.push(at);
    console.log(KEYS.map((k) => `${k} ${at[k]?.toFixed(0) ?? "-"}`).join("  "));
    await context.close();
  }
} finally {
  await browser.close();
  await app.close();
}
const median = (xs) => {
  const v = xs.filter(Number.isFinite).sort((a, b) => a - b);
  return v.length ? (v.length % 2 ? v[v.length >> 1] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2) : NaN;
};
console.log("median  " + KEYS.map((k) => `${k} ${median(rows.map((r) => r[k])).toFixed(0)}`).join("  "));
