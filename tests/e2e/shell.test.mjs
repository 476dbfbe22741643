// The app shell from the release build: it starts under the strict CSP, opens the demo tenant when
// nothing is configured, and says so.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openPage, screenshot, serveApp, useStack } from "./lib/harness.mjs";

const stack = useStack({});

test("with no configuration the app opens the demo tenant and labels it", async () => {
  const { page, problems } = await openPage(stack.browser, stack.app.url);
  const name = page.getByTestId("tenant-name");
  await name.waitFor({ timeout: 30_000 });
  assert.equal((await name.textContent()).trim(), "Contoso Demo");
  const banner = await page.locator(".demo-banner").textContent();
  assert.match(banner, /demo tenant/i);
  await screenshot(page, "shell-demo");
  assert.deepEqual(problems, [], "no console errors or CSP violations while starting");
});

test("the page carries a Content-Security-Policy without unsafe-inline", async () => {
  const { page } = await openPage(stack.browser, stack.app.url);
  const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute("content");
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
  assert.doesNotMatch(csp, /unsafe-inline/);
  const inline = await page.locator("script:not([src])").count();
  assert.equal(inline, 0, "no inline script in the served page");
});

test("config.json is asked for once, as the page starts, before the app's scripts run", async () => {
  const context = await stack.browser.newContext();
  const page = await context.newPage();
  const asked = [];
  page.on("request", (r) => {
    if (new URL(r.url()).pathname === "/config.json") asked.push(r.url());
  });
  await page.goto(stack.app.url);
  await page.getByTestId("tenant-name").waitFor({ timeout: 30_000 });
  assert.equal(asked.length, 1, "one request: the app takes the answer early.js asked for");
  // Module scripts (boot.js and the app) run only once the document is parsed (domInteractive);
  // early.js asks while it is parsed. boot.js itself is preloaded, so it may be asked for first.
  const { config, parsed } = await page.evaluate(() => {
    const entry = (name) => performance.getEntriesByType("resource").find((e) => e.name.endsWith(`/${name}`));
    return { config: entry("config.json")?.startTime, parsed: performance.getEntriesByType("navigation")[0].domInteractive };
  });
  assert.ok(config <= parsed, `config.json asked for at ${config} ms, the document parsed at ${parsed} ms`);
  await context.close();
});

/** The WebAssembly a page asks for, in order (.wasm files and the demo's pack of them), and what
 * early.js asked for (by the request's initiator). */
async function watchWasm(page) {
  const wasm = (path) => path.endsWith(".wasm") || PACK.test(path);
  const asked = [];
  page.on("request", (r) => {
    const path = new URL(r.url()).pathname;
    if (wasm(path)) asked.push(path);
  });
  const byEarly = [];
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  cdp.on("Network.requestWillBeSent", (e) => {
    const path = new URL(e.request.url).pathname;
    const frames = e.initiator?.stack?.callFrames ?? [];
    if (wasm(path) && frames.some((f) => new URL(f.url || "x:").pathname === "/early.js")) byEarly.push(path);
  });
  return { asked, earlyFetched: async () => [...byEarly].sort() };
}

/** The demo's first-screen files as one file (`cargo xtask split-wasm`, xtask/src/split_preload.rs). */
const PACK = /^\/demo-first-screen-[0-9a-f]{16}\.bin$/;

test("in demo mode early.js fetches the first screen's split files as the page starts, in one pack; the simulator's after it", async () => {
  const context = await stack.browser.newContext();
  const page = await context.newPage();
  const { asked, earlyFetched } = await watchWasm(page);
  // When the first subscription card is in the page, by the page's own clock (resource timing's).
  await page.addInitScript(() => {
    new MutationObserver((_, obs) => {
      if (document.querySelector(".sku-card")) {
        window.__firstCardAt = performance.now();
        obs.disconnect();
      }
    }).observe(document, { childList: true, subtree: true });
  });
  await page.goto(stack.app.url);
  await page.locator(".sku-card").first().waitFor({ timeout: 30_000 });
  const early = await earlyFetched();
  assert.equal(early.length, 1, `early.js asks for one file: ${early}`);
  assert.match(early[0], PACK);
  // The overview's code and the recorded first answer came in it: the page never asked for them.
  assert.ok(!asked.some((p) => /split_lazy_overview_|split_demo_first_answer_/.test(p)), `${asked}`);
  // The demo tenant's simulator is not part of the first screen: asked for only once the
  // subscriptions are on screen.
  await page.waitForRequest((r) => /split_answer_/.test(r.url()), { timeout: 30_000 }).catch(() => {});
  const { cardAt, started } = await page.evaluate(() => ({
    cardAt: window.__firstCardAt,
    started: performance
      .getEntriesByType("resource")
      .filter((e) => e.name.endsWith(".wasm") || e.name.endsWith(".bin"))
      .map((e) => [new URL(e.name).pathname, e.startTime]),
  }));
  const simulator = started.filter(([p]) => /split_answer_/.test(p));
  assert.ok(simulator.length > 0, `the simulator is loaded after the first screen: ${asked}`);
  for (const [p, at] of simulator) assert.ok(at > cardAt, `${p} asked for at ${at} ms, the first card at ${cardAt} ms`);
  // The pack is fetched once, and it is whole: before the first card the page asked for no split
  // file, only the app's own module and the pack.
  assert.equal(asked.filter((a) => a === early[0]).length, 1, `the pack asked for once: ${asked}`);
  const beforeCard = started.filter(([, at]) => at < cardAt).map(([p]) => p);
  assert.deepEqual(beforeCard.filter((a) => a !== "/licswap_bg.wasm" && !PACK.test(a)), [], "the pack held every split file of the first screen");
  await context.close();
});

test("a slow pack does not hold the demo's page blank: the shell shows first, the subscriptions follow", async () => {
  // The app waits for the overview's code before it mounts (src/first_screen.rs), at most 300 ms:
  // with the pack of the first screen's files 2 s late, the shell and "Loading…" are on screen
  // meanwhile.
  const context = await stack.browser.newContext();
  const page = await context.newPage();
  await page.route(/demo-first-screen-/, async (route) => {
    await new Promise((ok) => setTimeout(ok, 2000));
    await route.continue();
  });
  const started = Date.now();
  await page.goto(stack.app.url);
  await page.locator(".app-header").waitFor({ timeout: 30_000 });
  const shellAfter = Date.now() - started;
  assert.equal(await page.locator(".sku-card").count(), 0, "the subscriptions wait for the overview's code");
  assert.ok(shellAfter < 1900, `the shell shows before the late file comes (after ${shellAfter} ms)`);
  await page.locator(".sku-card").first().waitFor({ timeout: 30_000 });
  await context.close();
});

test("when early.js cannot fetch the pack, the split loader fetches each file itself", async () => {
  // early.js keeps null for each file of a pack it could not fetch; the loader then asks the host
  // for the file (__wasm_split.js as `cargo xtask split-wasm` rewrites it).
  const context = await stack.browser.newContext();
  const page = await context.newPage();
  await page.route(/demo-first-screen-/, (route) => route.abort("connectionreset"));
  const { asked } = await watchWasm(page);
  await page.goto(stack.app.url);
  await page.locator(".sku-card").first().waitFor({ timeout: 30_000 });
  const overview = asked.filter((p) => /split_lazy_overview_/.test(p));
  assert.equal(overview.length, 1, `the overview's file asked for by the loader, the pack having failed: ${asked}`);
  assert.ok(asked.some((p) => /split_demo_first_answer_/.test(p)), `and the recording's: ${asked}`);
  await context.close();
});

test("the demo's subscriptions come from the recording, and the simulator serves the screens after it", async () => {
  // That the recording is byte for byte the simulator's answer is a native test
  // (src/transport/demo_first.rs); here, the page's side: drawn, then the tenant made after it.
  const { page, problems } = await openPage(stack.browser, stack.app.url);
  await page.locator(".sku-card").first().waitFor({ timeout: 30_000 });
  const cards = () =>
    page.locator(".sku-card").evaluateAll((cs) => cs.map((c) => `${c.dataset.sku} ${c.querySelector(".seats").textContent}`));
  const recorded = await cards();
  assert.equal(recorded.length, 11);
  assert.ok(recorded.some((c) => c.startsWith("STANDARDPACK ")), recorded.join("; "));
  // License health reads through a $batch the recording does not answer: the simulator answers it.
  await page.getByRole("link", { name: "License health" }).click();
  await page.getByTestId("health-counts").waitFor({ timeout: 30_000 });
  await page.getByRole("link", { name: "Tenant", exact: true }).click();
  await page.locator(".sku-card").first().waitFor({ timeout: 30_000 });
  assert.deepEqual(await cards(), recorded);
  assert.deepEqual(problems, []);
});

test("a configured tenant fetches no split file early: its first download is the app alone", async () => {
  stack.files["/config.json"] = JSON.stringify({
    clientId: "11111111-2222-4333-8444-555555555555",
    tenant: "contoso.onmicrosoft.com",
  });
  try {
    const context = await stack.browser.newContext();
    const page = await context.newPage();
    const { asked, earlyFetched } = await watchWasm(page);
    await page.goto(stack.app.url);
    await page.getByRole("button", { name: "Sign in with Microsoft" }).waitFor({ timeout: 30_000 });
    assert.deepEqual(await earlyFetched(), [], "early.js fetched no WebAssembly of its own for a configured tenant");
    assert.deepEqual(asked, ["/licswap_bg.wasm"], "only the app's own module before sign-in");
    await context.close();
  } finally {
    delete stack.files["/config.json"];
  }
});

test("config.json is preloaded with the page, yet a host's cached copy never hides a change", async () => {
  // A host that lets browsers cache config.json for an hour (the shipped deploy/ files forbid it):
  // index.html's preload goes through the HTTP cache, early.js sees the copy and asks again.
  const config = (tenant) => JSON.stringify({ clientId: "11111111-2222-4333-8444-555555555555", tenant });
  const files = { "/config.json": config("contoso.onmicrosoft.com") };
  const host = await serveApp({ files, headers: { "/config.json": { "cache-control": "max-age=3600" } } });
  try {
    const context = await stack.browser.newContext();
    const page = await context.newPage();
    const asked = [];
    page.on("request", (r) => new URL(r.url()).pathname === "/config.json" && asked.push(r.url()));
    await page.goto(host.url);
    await page.getByText("Tenant contoso.onmicrosoft.com").waitFor({ timeout: 30_000 });
    assert.equal(asked.length, 1, "a first visit asks once: early.js took the preload");
    files["/config.json"] = config("fabrikam.onmicrosoft.com");
    await page.goto(host.url);
    await page.getByText("Tenant fabrikam.onmicrosoft.com").waitFor({ timeout: 30_000 });
    await context.close();
  } finally {
    await host.close();
  }
});

/** Records, at every frame until the sign-in button is there, the status lines the frame would
 * paint: requestAnimationFrame runs before each paint. Set up before any script of the page runs. */
const RECORD_FRAMES = () => {
  window.__frames = [];
  const look = () => {
    const signIn = [...document.querySelectorAll("button")].some((b) => /Sign in with Microsoft/.test(b.textContent));
    const statuses = [...document.querySelectorAll("[role=status]")].map((e) => e.textContent.trim());
    window.__frames.push(signIn ? "sign-in" : statuses.join(" | "));
    if (!signIn) requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
};

test("a configured tenant's first screen is painted once: the sign-in, never 'Starting…' first", async () => {
  const configured = await serveApp({
    files: { "/config.json": JSON.stringify({ clientId: "11111111-2222-4333-8444-555555555555", tenant: "contoso.onmicrosoft.com" }) },
  });
  try {
    const context = await stack.browser.newContext();
    const page = await context.newPage();
    await page.addInitScript(RECORD_FRAMES);
    // As on a host that answers config.json no slower than the app's WebAssembly: the app starts
    // once config.json's answer is in. (Were it slower, "Starting…" would rightly show meanwhile.)
    let answered;
    const configIn = new Promise((ok) => (answered = ok));
    page.on("requestfinished", (r) => new URL(r.url()).pathname === "/config.json" && answered());
    await page.route("**/licswap_bg.wasm", async (route) => {
      await configIn;
      await route.continue();
    });
    await page.goto(configured.url);
    await page.getByRole("button", { name: "Sign in with Microsoft" }).waitFor({ timeout: 30_000 });
    // early.js hands the app config.json's whole answer, so the app decides its mode in the task
    // that mounts it: "Starting…" in a frame would be a screen painted only to be replaced.
    const frames = await page.evaluate(() => window.__frames);
    assert.equal(frames.at(-1), "sign-in");
    assert.ok(!frames.some((f) => /Starting/.test(f)), `what each frame showed: ${JSON.stringify(frames)}`);
    await context.close();
  } finally {
    await configured.close();
  }
});

test("a host that answers config.json with its index.html gets the demo, its split files fetched early", async () => {
  const spa = await serveApp({ files: { "/config.json": "<!DOCTYPE html><html><body>index</body></html>" } });
  try {
    const context = await stack.browser.newContext();
    const page = await context.newPage();
    const { earlyFetched } = await watchWasm(page);
    await page.goto(spa.url);
    await page.locator(".sku-card").first().waitFor({ timeout: 30_000 });
    assert.equal((await page.getByTestId("tenant-name").textContent()).trim(), "Contoso Demo");
    const early = await earlyFetched();
    assert.ok(early.some((p) => PACK.test(p)), `early.js took the HTML for no config.json: ${early}`);
    await context.close();
  } finally {
    await spa.close();
  }
});
