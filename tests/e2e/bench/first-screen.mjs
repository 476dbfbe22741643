// Where the demo tenant's first screen spends its time on a cold load: the moments the page
// reaches, per run, from the page's own clock (ms since navigation start), then their medians.
//   dcl      DOMContentLoaded (boot.js has run: it is a module script);
//   app      the main wasm instantiated (the app's first render follows at once);
//   chunks   the first lazily loaded split file instantiated (the overview's code and what it
//            shares with the demo tenant's);
//   overview the overview's own split file instantiated;
//   tenant   the demo tenant's split file instantiated (the simulator, made on its first answer);
//   card     the first subscription card on screen: `cargo xtask bench`'s first interactive.
// Instantiations are timed by wrapping WebAssembly.instantiateStreaming before any script of the
// page runs. Not part of `cargo xtask bench`: a tool for finding what to make faster. Serves
// LICSWAP_DIST, by default the release build in dist/ (`cargo xtask dist`), as the bench does;
// BENCH_RUNS runs (default 9).
import { chromium } from "playwright-core";
import { gotoUntilMarked, serveApp } from "../lib/harness.mjs";

const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

const app = await serveApp({ dist: process.env.LICSWAP_DIST ?? new URL("../../../dist", import.meta.url).pathname });
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu"] });
const KEYS = ["dcl", "app", "chunks", "overview", "tenant", "card"];
const rows = [];
try {
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.addInitScript(() => {
      const at = (window.__at = {});
      const mark = (k) => (at[k] ??= performance.now());
      const streaming = WebAssembly.instantiateStreaming;
      WebAssembly.instantiateStreaming = async (source, imports) => {
        const response = await source;
        const out = await streaming.call(WebAssembly, response, imports);
        const file = new URL(response.url).pathname;
        if (file.endsWith("/licswap_bg.wasm")) mark("app");
        else mark("chunks");
        if (file.includes("split_lazy_overview_")) mark("overview");
        if (file.includes("split_answer_")) mark("tenant");
        return out;
      };
      // The app's own module comes compiled from early.js: instantiated from a Module.
      const instantiate = WebAssembly.instantiate;
      WebAssembly.instantiate = async (source, imports) => {
        const out = await instantiate.call(WebAssembly, source, imports);
        if (source instanceof WebAssembly.Module) mark("app");
        return out;
      };
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
    const at = await page.evaluate(() => window.__at);
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
