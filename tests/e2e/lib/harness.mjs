// The end-to-end harness: serves the release build (dist/) on 127.0.0.1, starts sim-server when a
// test needs a Graph tenant, and launches Debian's Chromium headless through playwright-core.
// Every server listens on a port the OS picks, so tests never collide with anything.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { createServer } from "node:http";
import { mkdirSync, readFileSync, existsSync, statSync } from "node:fs";
import { extname, join, normalize } from "node:path";
import { before, after } from "node:test";
import { chromium } from "playwright-core";

/** The client id the sim-server tests register and configure. */
export const TEST_CLIENT = "11111111-2222-4333-8444-555555555555";

/** The test build (cargo xtask dist --e2e): it may talk to sim-server on the loopback. */
export const DIST = process.env.LICSWAP_DIST ?? new URL("../../../dist-e2e", import.meta.url).pathname;
/** The release build (cargo xtask dist): the one that ships. */
export const RELEASE_DIST =
  process.env.LICSWAP_RELEASE_DIST ?? new URL("../../../dist", import.meta.url).pathname;
export const SIM_SERVER =
  process.env.LICSWAP_SIM_SERVER ?? new URL("../../../target/debug/sim-server", import.meta.url).pathname;
export const ARTIFACTS =
  process.env.LICSWAP_ARTIFACTS ?? new URL("../artifacts", import.meta.url).pathname;
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".png": "image/png",
  ".svg": "image/svg+xml",
};

/** Serves dist/ like any static host. `files` maps a path (e.g. "/config.json") to a body that
 * replaces or adds a file, so a test can configure the app without touching dist/; `headers` maps
 * such a path to headers its answer carries besides its content type (e.g. Cache-Control). */
export async function serveApp({ files = {}, headers = {}, dist = DIST } = {}) {
  const DIST = dist;
  if (!existsSync(join(DIST, "index.html"))) {
    throw new Error(`no build at ${DIST}: run cargo xtask test (it builds first), or cargo xtask dist --e2e`);
  }
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    if (path in files) {
      res.writeHead(200, { "content-type": TYPES[extname(path)] ?? "application/octet-stream", ...headers[path] });
      res.end(files[path]);
      return;
    }
    let file = normalize(join(DIST, path));
    if (!file.startsWith(DIST) || !existsSync(file) || statSync(file).isDirectory()) {
      file = join(DIST, "index.html");
      if (path !== "/" && extname(path)) {
        res.writeHead(404, { "content-type": "text/plain" });
        res.end("not found");
        return;
      }
    }
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
    res.end(readFileSync(file));
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const url = `http://127.0.0.1:${server.address().port}/`;
  return { url, close: () => new Promise((ok) => server.close(ok)) };
}

/** Starts sim-server with the given arguments; resolves once it prints its address. */
export async function startSim(args = []) {
  if (!existsSync(SIM_SERVER)) throw new Error(`sim-server not built at ${SIM_SERVER}`);
  const child = spawn(SIM_SERVER, ["--port", "0", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  const url = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`sim-server did not start:\n${log}`)), 60_000);
    const onData = (d) => {
      log += d;
      const m = log.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) {
        clearTimeout(timer);
        ok(m[1]);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", (code) => fail(new Error(`sim-server exited (${code}):\n${log}`)));
  });
  return {
    url,
    log: () => log,
    close: () =>
      new Promise((ok) => {
        if (child.exitCode !== null) return ok();
        child.on("exit", ok);
        child.kill("SIGTERM");
      }),
  };
}

/**
 * Opens `url` in `page` and resolves once the page calls `window.__licswapMarked()` (a mark the
 * caller's init script sets up), or fails after `timeout` ms naming `what`. For measuring a page's
 * start: the navigation is awaited only until it commits, and the mark is told through a binding,
 * because page.waitForFunction (or waiting for the load event, then evaluating) makes Playwright
 * evaluate its own script in the page, about 10 ms of the main thread in the middle of the app's
 * start (seen in a Chromium trace), which no admin's browser does.
 */
export async function gotoUntilMarked(page, url, { timeout = 60_000, what = "the mark" } = {}) {
  let marked;
  const shown = new Promise((ok) => (marked = ok));
  await page.exposeBinding("__licswapMarked", () => marked());
  await page.goto(url, { waitUntil: "commit" });
  let timer;
  const late = new Promise((_, fail) => (timer = setTimeout(() => fail(new Error(`timed out waiting for ${what}`)), timeout)));
  try {
    await Promise.race([shown, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Headless Debian Chromium with the flags this machine needs; each context is a fresh profile. */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

/** A page that records console errors, page errors and CSP violations, for assertions.
 * `colorScheme` ("light" or "dark") is what prefers-color-scheme reports to the page. */
export async function openPage(browser, url, { viewport = { width: 1280, height: 900 }, colorScheme = "light" } = {}) {
  const context = await browser.newContext({ viewport, colorScheme });
  const page = await context.newPage();
  const problems = [];
  page.on("console", (m) => {
    // With no config.json beside index.html the app opens the demo tenant: that 404 is expected.
    const configProbe = m.text().startsWith("Failed to load resource") && m.location().url.endsWith("/config.json");
    if (m.type() === "error" && !configProbe) problems.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  await page.goto(url);
  return { page, context, problems };
}

export async function screenshot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Prints the page as Chromium does (its print stylesheet, A4) into artifacts/<name>.pdf. */
export async function printPdf(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.pdf`);
  await page.emulateMedia({ media: "print" });
  await page.pdf({ path, format: "A4", printBackground: true });
  await page.emulateMedia({ media: null });
  return path;
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
/** The axe-core rules for WCAG 2.0 and 2.1, levels A and AA. */
export const WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

/** Runs axe-core's WCAG 2.1 AA rules on the page as it is now and returns its serious and
 * critical violations, one readable line per rule (with up to five offending elements).
 * axe is injected through the DevTools protocol (page.evaluate), which the page's CSP does not
 * govern: a <script> tag would be refused by script-src 'self', as it should be. */
export async function axeViolations(page, { media = "screen" } = {}) {
  await page.emulateMedia({ media });
  if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] }),
    WCAG_21_AA,
  );
  await page.emulateMedia({ media: null });
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => {
      const nodes = v.nodes.slice(0, 5).map((n) => `    ${n.target.join(" ")}: ${n.failureSummary.replace(/\s+/g, " ")}`);
      return `${v.id} (${v.impact}, ${v.nodes.length} elements): ${v.help}\n${nodes.join("\n")}`;
    });
}

/** Registers the before/after hooks most test files need: dist/ served, Chromium launched and,
 * given `sim` (sim-server arguments), a sim-server that the app's config.json points at. The
 * returned object's fields (app, sim, browser, files) are filled in once `before` has run. */
export function useStack({ sim: simArgs, tenant = "contosodemo.onmicrosoft.com", clientId = TEST_CLIENT } = {}) {
  const stack = { files: {} };
  before(async () => {
    stack.app = await serveApp({ files: stack.files });
    if (simArgs) {
      stack.sim = await startSim(["--redirect-uri", stack.app.url, ...simArgs]);
      stack.files["/config.json"] = JSON.stringify({
        clientId,
        tenant,
        authority: stack.sim.url,
        graphBaseUrl: `${stack.sim.url}/v1.0`,
      });
    }
    stack.browser = await launchBrowser();
  });
  after(async () => {
    await stack.browser?.close();
    await stack.sim?.close();
    await stack.app?.close();
  });
  return stack;
}
