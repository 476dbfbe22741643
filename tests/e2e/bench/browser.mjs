// Browser measurements for `cargo xtask bench` (not a test: the suite only runs *.test.mjs).
// Prints `RESULT <name> key=value …` lines, each figure a median over BENCH_RUNS runs:
//   bundle — wasm and js bytes, raw and gzipped (level 9), of the release build in LICSWAP_DIST:
//            what a cold load of the overview fetches (the first download), and all files;
//   paint — first paint, first contentful paint and first interactive (the demo tenant's
//           overview shows its subscriptions: `.sku-card` in the page) on a cold page load,
//           over BENCH_PAINT_RUNS loads (15 at least);
//   plan   — the planner in the page's WASM on the tenants in BENCH_SNAPSHOTS (files
//           snap-<users>.{skus,users,groups}.json and .members.txt written by `licswap-bench
//           snapshot`), timed inside the page with performance.now() around the planner call
//           only (src/bench_hook.rs), after the warm-up the app makes once it has read a tenant.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { chromium } from "playwright-core";
import { DIST, gotoUntilMarked, serveApp } from "../lib/harness.mjs";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
// Cold loads per mode for the first screens: each takes half a second, and they vary by tens of
// milliseconds from one to the next on this machine, so their median takes more of them.
const PAINT_RUNS = Number(process.env.BENCH_PAINT_RUNS ?? Math.max(RUNS, 15));
const SNAPSHOTS = process.env.BENCH_SNAPSHOTS;
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

const median = (xs) => {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return NaN;
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
};
const result = (name, fields) =>
  console.log(`RESULT ${name} ${Object.entries(fields).map(([k, v]) => `${k}=${v}`).join(" ")}`);

const gzSize = (body) => gzipSync(body, { level: 9 }).length;

// Every .wasm and .js file in dist (the first download plus every lazily loaded chunk; not the
// demo's pack, whose bytes are split files counted here already).
function bundleFiles() {
  const sum = (ext) => {
    let raw = 0, gz = 0;
    for (const f of readdirSync(DIST).filter((f) => f.endsWith(ext))) {
      const body = readFileSync(join(DIST, f));
      raw += body.length;
      gz += gzSize(body);
    }
    return { raw, gz };
  };
  return { wasm: sum(".wasm"), js: sum(".js") };
}

// The first download: the .wasm and .js files a cold load of the overview fetches (the browser's
// own network log, until the overview shows its subscriptions and the network is idle), each
// sized from dist as raw and gzip -9. The first-download budget (ARCHITECTURE.md) is judged on this.
async function bundle(browser, url, { name = "bundle", mark = MARK_INTERACTIVE } = {}) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const fetched = new Set();
  page.on("request", (req) => fetched.add(new URL(req.url()).pathname.replace(/^\//, "")));
  await page.addInitScript(mark);
  await page.goto(url);
  await page.waitForFunction(() => window.__licswapInteractive !== undefined, null, { timeout: 60_000 });
  await page.waitForLoadState("networkidle");
  await context.close();
  const first = { wasm: { raw: 0, gz: 0 }, js: { raw: 0, gz: 0 } };
  const files = [];
  for (const f of [...fetched].sort()) {
    // The demo's pack of first-screen split files (early.js) is WebAssembly too.
    const kind = f.endsWith(".wasm") || f.endsWith(".bin") ? "wasm" : f.endsWith(".js") ? "js" : null;
    if (!kind) continue;
    const body = readFileSync(join(DIST, f));
    const gz = gzSize(body);
    first[kind].raw += body.length;
    first[kind].gz += gz;
    files.push(`${f}:${body.length}:${gz}`);
  }
  const all = bundleFiles();
  result(name, {
    first_wasm_bytes: first.wasm.raw, first_wasm_gzip: first.wasm.gz,
    first_js_bytes: first.js.raw, first_js_gzip: first.js.gz,
    first_gzip: first.wasm.gz + first.js.gz,
    // file:raw:gzip of each file of the first download.
    first_files: files.join(","),
    wasm_bytes: all.wasm.raw, wasm_gzip: all.wasm.gz, js_bytes: all.js.raw, js_gzip: all.js.gz,
    total_gzip: all.wasm.gz + all.js.gz,
  });
}

// A configured tenant's config.json: with it the app needs no demo tenant.
const CONFIGURED = JSON.stringify({
  clientId: "11111111-2222-4333-8444-555555555555",
  tenant: "contoso.onmicrosoft.com",
  cloud: "global",
});

// A configured tenant's first screen: the sign-in button (nothing of the tenant is read before).
const MARK_SIGN_IN = () => {
  new MutationObserver((_, obs) => {
    if ([...document.querySelectorAll("button")].some((b) => /Sign in with Microsoft/.test(b.textContent))) {
      window.__licswapInteractive = performance.now();
      window.__licswapMarked?.();
      obs.disconnect();
    }
  }).observe(document, { childList: true, subtree: true });
};

// Records when the first subscription card appears, from before any script of the page runs,
// and tells the bench through its binding when it has one (lib/harness.mjs's gotoUntilMarked).
const MARK_INTERACTIVE = () => {
  new MutationObserver((_, obs) => {
    if (document.querySelector(".sku-card")) {
      window.__licswapInteractive = performance.now();
      window.__licswapMarked?.();
      obs.disconnect();
    }
  }).observe(document, { childList: true, subtree: true });
};

async function paint(browser, url, files) {
  // Demo mode: until the overview's subscriptions are on screen. Configured (config.json
  // present): until the sign-in button is, the first screen of a real tenant.
  for (const [name, mark, config] of [["paint", MARK_INTERACTIVE, null], ["paint-configured", MARK_SIGN_IN, CONFIGURED]]) {
    if (config) files["/config.json"] = config;
    const fp = [], fcp = [], tti = [];
    for (let i = 0; i < PAINT_RUNS; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      await page.addInitScript(mark);
      // Not page.waitForFunction: its script would run in the page during the start it measures.
      await gotoUntilMarked(page, url, { what: "the first screen" });
      // The first paints may come after the mark: wait for the first contentful one (5 s at most).
      const t = await page.evaluate(
        () =>
          new Promise((ok) => {
            const paints = () => Object.fromEntries(performance.getEntriesByType("paint").map((e) => [e.name, e.startTime]));
            const done = () => {
              const p = paints();
              ok({ fp: p["first-paint"], fcp: p["first-contentful-paint"], tti: window.__licswapInteractive });
            };
            if (paints()["first-contentful-paint"] !== undefined) return done();
            new PerformanceObserver(() => paints()["first-contentful-paint"] !== undefined && done()).observe({ type: "paint" });
            setTimeout(done, 5000);
          }),
      );
      fp.push(t.fp);
      fcp.push(t.fcp);
      tti.push(t.tti);
      await context.close();
    }
    delete files["/config.json"];
    const r = (x) => median(x).toFixed(0);
    result(name, { first_paint_ms: r(fp), first_contentful_paint_ms: r(fcp), first_interactive_ms: r(tti),
      interactive_samples: tti.map((x) => x.toFixed(0)).join(",") });
  }
}

async function plan(browser, url, files) {
  const PARTS = ["skus.json", "users.json", "groups.json", "members.txt"];
  // snap-<users>.* are E1 -> E3 tenants (rows "browser-plan"); bundle-<users>.* the bundle
  // tenant, planned as two sources to two targets (rows "browser-plan-bundle").
  const found = readdirSync(SNAPSHOTS)
    .map((f) => f.match(/^(snap|bundle)-(\d+)\.users\.json$/))
    .filter(Boolean)
    .map((m) => ({ kind: m[1], users: Number(m[2]) }))
    .sort((a, b) => (a.kind === b.kind ? a.users - b.users : a.kind === "snap" ? -1 : 1));
  for (const { kind, users } of found) {
    for (const part of PARTS) files[`/bench/snap.${part}`] = readFileSync(join(SNAPSHOTS, `${kind}-${users}.${part}`));
    // A fresh page per size, so one size's memory does not count for the next.
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.addInitScript(MARK_INTERACTIVE);
    await page.goto(url);
    await page.waitForFunction(() => window.__licswapInteractive !== undefined, null, { timeout: 60_000 });
    const r = await page.evaluate(
      async ({ parts, runs, bundle }) => {
        const texts = await Promise.all(parts.map((p) => fetch(`/bench/snap.${p}`).then((r) => r.text())));
        const [skus, , groups, members] = texts;
        const usersBytes = texts[1].length;
        // Graph's pages of 999 users: the hook decodes one at a time, as the app reads Graph. The
        // whole text is let go, so the JS heap holds what the app's would: the pages' text.
        const users = ((all) => {
          const pages = [];
          for (let i = 0; i < all.length; i += 999) pages.push(JSON.stringify({ value: all.slice(i, i + 999) }));
          return pages;
        })(JSON.parse(texts[1]).value);
        texts[1] = null;
        const app = await import("/licswap.js");
        const wasm = await app.default(); // already initialised by boot.js: returns its exports
        const wasmBefore = wasm.memory.buffer.byteLength;
        const heapBefore = (window.gc?.(), performance.memory.usedJSHeapSize);
        // The planner is in a lazily loaded chunk: an empty tenant loads it first (its runs time
        // only the planner call in any case; the error for the empty tenant is expected).
        await app.licswap_bench_plan('{"value":[]}', [], '{"value":[]}', "", 1, false).catch(() => {});
        const out = JSON.parse(await app.licswap_bench_plan(skus, users, groups, members, runs, bundle));
        users.length = 0; // the app lets each page go once it is decoded
        return {
          ...out,
          wasmBefore,
          wasmAfter: wasm.memory.buffer.byteLength,
          heapBefore,
          heapAfter: (window.gc?.(), performance.memory.usedJSHeapSize),
          inputBytes: skus.length + usersBytes + groups.length + members.length,
        };
      },
      { parts: PARTS, runs: RUNS, bundle: kind === "bundle" },
    );
    await context.close();
    for (const part of PARTS) delete files[`/bench/snap.${part}`];
    result(kind === "bundle" ? "browser-plan-bundle" : "browser-plan", {
      users,
      actions: r.actions,
      median_ms: median(r.timesMs).toFixed(1),
      samples_ms: r.timesMs.map((t) => t.toFixed(1)).join(","),
      // Decoding the users' pages (Graph's JSON) in the page, once, before the planner runs.
      decode_ms: r.decodeMs.toFixed(1),
      // Indexing the decoded users (licswap_planner::Indexed), once, as the app does when the
      // tenant has been read: the plans of it read these indexes. (Builds before Indexed planned
      // without it: "?" when A/B-ing one.)
      index_ms: r.indexMs?.toFixed(1) ?? "?",
      // The app's warm-up before the first timed call, as once a tenant is read (src/planning.rs):
      // a throwaway plan of a small cut of the tenant. (Builds before it: none.)
      ...(r.warmUpMs != null ? { warm_up_ms: r.warmUpMs.toFixed(1) } : {}),
      // Wasm memory only grows, so its size after the runs is the wasm heap's peak (the parsed
      // tenant included); the JS heap holds the tenant's JSON text.
      wasm_memory_bytes: r.wasmAfter,
      wasm_memory_before_bytes: r.wasmBefore,
      js_heap_bytes: Math.max(r.heapBefore, r.heapAfter),
      input_json_bytes: r.inputBytes,
    });
  }
}

const what = process.argv.slice(2);
const all = what.length === 0;
if (all || what.some((w) => ["bundle", "paint", "plan"].includes(w))) {
  const files = {};
  const app = await serveApp({ files });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run",
      // performance.memory in exact bytes rather than bucketed.
      "--enable-precise-memory-info",
      // window.gc(), so the JS heap is read without the garbage the harness itself leaves.
      "--js-flags=--expose-gc",
    ],
  });
  try {
    if (all || what.includes("bundle")) {
      await bundle(browser, app.url);
      // With config.json the app needs no demo tenant: its first download is judged on its own.
      files["/config.json"] = CONFIGURED;
      await bundle(browser, app.url, { name: "bundle-configured", mark: MARK_SIGN_IN });
      delete files["/config.json"];
    }
    if (all || what.includes("paint")) await paint(browser, app.url, files);
    if ((all || what.includes("plan")) && SNAPSHOTS) await plan(browser, app.url, files);
  } finally {
    await browser.close();
    await app.close();
  }
}
