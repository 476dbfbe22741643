// Where the planner spends its time in the page's WASM: Chromium's CPU profiler (CDP) around one
// planner call on a tenant from BENCH_SNAPSHOTS; prints the functions with the most self time.
// Use a build whose wasm keeps its name section, served as LICSWAP_DIST: `LICSWAP_KEEP_NAMES=1 cargo
// xtask dist` (xtask/src/split.rs). wasm-opt still inlines functions called from one place, so
// their time shows as their caller's.
// Not part of `cargo xtask bench`: a tool for finding what to make faster.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { serveApp } from "../lib/harness.mjs";

const USERS = Number(process.env.BENCH_USERS ?? 100_000);
const SNAPSHOTS = process.env.BENCH_SNAPSHOTS;
const PARTS = ["skus.json", "users.json", "groups.json", "members.txt"];
const files = Object.fromEntries(
  PARTS.map((p) => [`/bench/snap.${p}`, readFileSync(join(SNAPSHOTS, `snap-${USERS}.${p}`))]),
);
const app = await serveApp({ files });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", headless: true, args: ["--no-sandbox", "--disable-gpu"] });
try {
  const page = await browser.newPage();
  await page.goto(app.url);
  await page.locator(".sku-card").first().waitFor({ timeout: 60_000 });
  await page.evaluate(async (parts) => {
    const texts = await Promise.all(parts.map((p) => fetch(`/bench/snap.${p}`).then((x) => x.text())));
    // The hook takes the users as Graph's pages of 999 (src/bench_hook.rs).
    const all = JSON.parse(texts[1]).value;
    texts[1] = [];
    for (let i = 0; i < all.length; i += 999) texts[1].push(JSON.stringify({ value: all.slice(i, i + 999) }));
    window.__bench = { texts, app: await import("/licswap.js") };
    await window.__bench.app.licswap_bench_plan(...texts, 1); // warm up (loads the planner's chunk)
  }, PARTS);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
  await cdp.send("Profiler.start");
  const out = await page.evaluate(() => window.__bench.app.licswap_bench_plan(...window.__bench.texts, 3));
  const { profile } = await cdp.send("Profiler.stop");
  console.log(out);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const dt = profile.timeDeltas;
  profile.samples.forEach((id, i) => {
    const n = byId.get(id);
    const name = n.callFrame.functionName || `(${n.callFrame.url.split("/").pop()})`;
    self.set(name, (self.get(name) ?? 0) + (dt[i] ?? 0));
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.TOP ?? 40)).forEach(([n, t]) =>
    console.log(`${(t / 1000).toFixed(1).padStart(8)} ms ${((100 * t) / total).toFixed(1).padStart(5)}%  ${n.slice(0, 140)}`));
  // INCLUSIVE="4plan6settle,7actions7actions>free": time under a frame whose (mangled) name
  // has the text, and with ">leaf", only the samples whose own frame has that text too. Inlined
  // functions have no frame of their own: their time is their caller's.
  const parent = new Map();
  profile.nodes.forEach((n) => (n.children ?? []).forEach((c) => parent.set(c, n.id)));
  for (const want of (process.env.INCLUSIVE ?? "").split(",").filter(Boolean)) {
    const [outer, leaf] = want.split(">");
    const name = (id) => byId.get(id).callFrame.functionName;
    const under = (id) => {
      if (leaf && !name(id).includes(leaf)) return false;
      for (let at = id; at !== undefined; at = parent.get(at)) {
        if (name(at).includes(outer)) return true;
      }
      return false;
    };
    const t = profile.samples.reduce((sum, id, i) => sum + (under(id) ? (dt[i] ?? 0) : 0), 0);
    console.log(`${(t / 1000).toFixed(1).padStart(8)} ms ${((100 * t) / total).toFixed(1).padStart(5)}%  under ${want}`);
  }
  // CALLERS=memcmp: who calls the frames whose name has the text, by time.
  if (process.env.CALLERS) {
    const by = new Map();
    profile.samples.forEach((id, i) => {
      if (!byId.get(id).callFrame.functionName.includes(process.env.CALLERS)) return;
      let at = parent.get(id);
      while (at !== undefined && byId.get(at).callFrame.functionName.includes(process.env.CALLERS)) {
        at = parent.get(at);
      }
      const p = at === undefined ? "(none)" : byId.get(at).callFrame.functionName;
      by.set(p, (by.get(p) ?? 0) + (dt[i] ?? 0));
    });
    [...by.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12).forEach(([n, t]) =>
      console.log(`${(t / 1000).toFixed(1).padStart(8)} ms  called by ${n.slice(0, 150)}`));
  }
} finally {
  await browser.close();
  await app.close();
}
