// The preview as the admin waits for it, for `cargo xtask bench` (not a test: the suite only runs
// *.test.mjs). Prints `RESULT preview …` lines, each figure a median over BENCH_RUNS runs:
// the test build (LICSWAP_DIST) signed in to a sim-server built for speed (LICSWAP_SIM_SERVER,
// Cargo.toml's sim-server profile) with a generated tenant of BENCH_USERS users, optionally at
// Graph's pace (BENCH_LATENCY, sim-server's --latency-ms, e.g. 300-800; Graph's resource-unit
// limits are on in sim-server by default).
// Timed from opening the wizard to the preview's first row on screen: the holders read (the
// wizard starts as soon as the source is picked), planned, rendered. Two figures: the scripted
// walk's wall clock (total_ms: Playwright's own steps and polling included), and the admin's
// wait for the app (wait_ms): from picking the source to the holders' count on screen, plus from
// clicking Preview to the frame that paints the first row, taken in the page by listeners
// installed before its scripts (the admin's own time choosing the target is not the app's). The page's own User Timing
// entries split it: licswap:load (the tenant load), licswap:index (indexing its users, once per
// load: licswap_planner::Indexed), licswap:plan (the planner call), licswap:warm-up (a throwaway
// plan of a small cut of the tenant once it is read, before the admin's first preview: not in
// the total, unless the click on Preview came while it ran) and licswap:rows (the preview list
// built from the plan); licswap:digest (the plan's digest, made after the preview paints: not in
// the total). Memory once the digest is shown: the wasm linear
// memory (it never shrinks: its peak) and the JS heap; and the wasm memory at the end of the load
// of the planner call and of the preview's rows (the page records it beside its timings,
// src/timing.rs).
import { chromium } from "playwright-core";
import { serveApp, startSim } from "../lib/harness.mjs";
import { openWizard } from "../journey_lib.mjs";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const USERS = Number(process.env.BENCH_USERS ?? 100_000);
const LATENCY = process.env.BENCH_LATENCY ?? "";
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const TIMEOUT = Number(process.env.BENCH_TIMEOUT_MS ?? 900_000);

const median = (xs) => {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return NaN;
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
};

const files = {};
const app = await serveApp({ files });
const simArgs = ["--redirect-uri", app.url, "--users", String(USERS), "--no-auth"];
if (LATENCY) simArgs.push("--latency-ms", LATENCY);
const sim = await startSim(simArgs);
files["/config.json"] = JSON.stringify({
  clientId: "11111111-2222-4333-8444-555555555555",
  tenant: "contosogen1.onmicrosoft.com",
  authority: sim.url,
  graphBaseUrl: `${sim.url}/v1.0`,
});
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--enable-precise-memory-info", "--js-flags=--max-old-space-size=4096"],
});
const samples = {
  total: [], wait: [], load: [], index: [], plan: [], warmUp: [], build: [], wasm: [], heap: [], rows: [],
  afterLoad: [], afterPlan: [], afterRows: [], afterDigest: [],
};
try {
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addInitScript(() => {
      const w = (window.__licswapWait = {});
      const now = () => performance.now();
      document.addEventListener("change", (e) => e.target?.id === "source" && (w.source = now()), true);
      document.addEventListener(
        "click",
        (e) => /^\s*Preview\s*$/.test(e.target?.closest?.("button")?.textContent ?? "") && (w.preview = now()),
        true,
      );
      new MutationObserver(() => {
        if (w.source && !w.holders && /users hold the source license/.test(document.body?.textContent ?? "")) {
          w.holders = now();
        }
        if (w.preview && !w.row && document.querySelector(".vrow")) {
          w.row = now();
          requestAnimationFrame(() => (w.painted = now()));
        }
      }).observe(document, { childList: true, subtree: true, characterData: true });
    });
    const page = await context.newPage();
    await page.goto(app.url);
    await page.getByRole("button", { name: "Sign in with Microsoft" }).click();
    await page.locator(".sku-card").first().waitFor({ timeout: TIMEOUT });
    const started = Date.now();
    await openWizard(page, app.url, "STANDARDPACK", "ENTERPRISEPACK", TIMEOUT);
    await page.getByLabel(/plan a first wave/).check();
    await page.getByRole("button", { name: "Preview" }).click();
    await page.locator(".vrow").first().waitFor({ timeout: TIMEOUT });
    samples.total.push(Date.now() - started);
    // The page is settled once the plan's digest, computed after the preview paints, is shown.
    await page.waitForFunction(
      () => {
        const digest = document.querySelector("[data-testid=plan-digest]")?.textContent ?? "computing";
        return !/computing/.test(digest);
      },
      null,
      { timeout: TIMEOUT },
    );
    const m = await page.evaluate(async () => {
      const last = (n) => performance.getEntriesByName(n).at(-1)?.duration ?? NaN;
      const wasm = (await import("/licswap.js")).default;
      const exports = await wasm();
      return {
        load: last("licswap:load"),
        index: last("licswap:index"),
        plan: last("licswap:plan"),
        warmUp: last("licswap:warm-up"),
        build: last("licswap:rows"),
        wasm: exports.memory.buffer.byteLength,
        steps: window.__licswapMemory ?? {},
        heap: performance.memory.usedJSHeapSize,
        wait: window.__licswapWait,
      };
    });
    const w = m.wait;
    samples.wait.push(w.holders - w.source + (w.painted - w.preview));
    samples.load.push(m.load);
    samples.index.push(m.index);
    samples.plan.push(m.plan);
    samples.warmUp.push(m.warmUp);
    samples.build.push(m.build);
    samples.wasm.push(m.wasm);
    samples.afterLoad.push(m.steps["licswap:load"]);
    samples.afterPlan.push(m.steps["licswap:plan"]);
    samples.afterRows.push(m.steps["licswap:rows"]);
    samples.afterDigest.push(m.steps["licswap:digest"]);
    samples.heap.push(m.heap);
    const counted = await page.getByTestId("row-count").textContent();
    samples.rows.push(Number(counted.match(/of ([\d,]+) rows/)?.[1].replace(/,/g, "")));
    await context.close();
  }
} finally {
  await browser.close();
  await sim.close();
  await app.close();
}
const r = (xs) => median(xs).toFixed(0);
console.log(
  `RESULT preview users=${USERS} latency_ms=${LATENCY || 0} total_ms=${r(samples.total)} wait_ms=${r(samples.wait)} load_ms=${r(samples.load)} ` +
    `index_ms=${median(samples.index).toFixed(1)} plan_ms=${median(samples.plan).toFixed(1)} warm_up_ms=${median(samples.warmUp).toFixed(1)} rows_ms=${median(samples.build).toFixed(1)} wasm_memory_bytes=${r(samples.wasm)} ` +
    `wasm_after_load_bytes=${r(samples.afterLoad)} wasm_after_plan_bytes=${r(samples.afterPlan)} ` +
    `wasm_after_rows_bytes=${r(samples.afterRows)} wasm_after_digest_bytes=${r(samples.afterDigest)} ` +
    `js_heap_bytes=${r(samples.heap)} ` +
    `rows=${r(samples.rows)} total_ms_samples=${samples.total.join(",")} plan_ms_samples=${samples.plan.map((x) => x.toFixed(1)).join(",")} ` +
    `wait_ms_samples=${samples.wait.map((x) => x.toFixed(0)).join(",")}`,
);
