// Hostile input against the release build: the Content-Security-Policy stops injected script,
// names carrying HTML render as text, a shared preview made while signed in carries no token and
// nothing from the browser's storage, and a replayed sign-in code is refused. (A tampered OAuth
// state is refused in journey_signin.test.mjs.)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { deflateRawSync, inflateRawSync } from "node:zlib";
import { readFileSync } from "node:fs";
import { serveApp, startSim, launchBrowser, openPage, screenshot } from "./lib/harness.mjs";
import { pickSkus } from "./journey_lib.mjs";

const CLIENT = "11111111-2222-4333-8444-555555555555";
let demo, app, sim, browser;
const files = {};
before(async () => {
  demo = await serveApp();
  app = await serveApp({ files });
  sim = await startSim(["--redirect-uri", app.url, "--client-id", CLIENT]);
  files["/config.json"] = JSON.stringify({
    clientId: CLIENT,
    tenant: "contosodemo.onmicrosoft.com",
    authority: sim.url,
    graphBaseUrl: `${sim.url}/v1.0`,
  });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await sim?.close();
  await app?.close();
  await demo?.close();
});

// The shared-preview text form (crates/core/src/share): "v1." + base64url(FNV-1a 64 of the JSON,
// big endian || raw DEFLATE of the JSON).
function fnv1a64(bytes) {
  let h = 0xcbf29ce484222325n;
  for (const b of bytes) h = BigInt.asUintN(64, (h ^ BigInt(b)) * 0x100000001b3n);
  return h;
}
function decodePreview(text) {
  const raw = Buffer.from(text.replace(/^v1\./, ""), "base64url");
  return inflateRawSync(raw.subarray(8)).toString("utf8");
}
function encodePreview(json) {
  const bytes = Buffer.from(json, "utf8");
  const sum = Buffer.alloc(8);
  sum.writeBigUInt64BE(fnv1a64(bytes));
  return "v1." + Buffer.concat([sum, deflateRawSync(bytes)]).toString("base64url");
}

async function previewLink(page) {
  if (!page.url().endsWith("#/migrate")) await page.goto(new URL("#/migrate", page.url()).href);
  await pickSkus(page, "STANDARDPACK", "ENTERPRISEPACK");
  await page.getByRole("button", { name: "Preview" }).click();
  await page.waitForURL(/#\/preview$/);
  await page.getByRole("button", { name: "Copy link" }).click();
  return page.getByTestId("share-link").inputValue();
}

test("the Content-Security-Policy blocks injected inline script and inline handlers", async () => {
  const { page } = await openPage(browser, demo.url);
  await page.getByTestId("tenant-name").waitFor({ timeout: 30_000 });
  const result = await page.evaluate(async () => {
    const violations = [];
    document.addEventListener("securitypolicyviolation", (e) => violations.push(e.effectiveDirective));
    const s = document.createElement("script");
    s.textContent = "window.__inlineRan = true;";
    document.head.appendChild(s);
    const div = document.createElement("div");
    div.setAttribute("onclick", "window.__handlerRan = true;");
    document.body.appendChild(div);
    div.click();
    await new Promise((r) => setTimeout(r, 200));
    return { inline: window.__inlineRan ?? false, handler: window.__handlerRan ?? false, violations };
  });
  assert.equal(result.inline, false, "the injected inline script did not run");
  assert.equal(result.handler, false, "the inline event handler did not run");
  assert.ok(result.violations.filter((d) => d.startsWith("script-src")).length >= 2, JSON.stringify(result));
});

test("names carrying HTML render as text, never as markup or script", async () => {
  const { page, context } = await openPage(browser, demo.url + "#/migrate");
  const link = await previewLink(page);
  await context.close();
  const json = decodePreview(link.split("#/preview/")[1]);
  const payload = (i) =>
    `<img src=x id=xss-img-${i} onerror="window.__xss=1"><b id=xss-b-${i}>bold</b><script>window.__xss=2</script>`;
  let n = 0;
  // Every user principal name in the plan becomes markup.
  const hostile = json.replace(/"[^"\\]*@contosodemo\.onmicrosoft\.com"/g, () => JSON.stringify(payload(n++)));
  assert.ok(n > 10, `replaced ${n} names`);
  const { page: view, problems } = await openPage(browser, `${demo.url}#/preview/${encodePreview(hostile)}`);
  await view.getByText("Shared preview (read-only)").waitFor({ timeout: 30_000 });
  const shown = await view.getByText(/<img src=x id=xss-img-\d+/).first();
  await shown.waitFor({ timeout: 30_000 });
  const injected = await view.evaluate(() => ({
    elements: document.querySelectorAll("[id^=xss-img], [id^=xss-b]").length,
    xss: window.__xss ?? null,
  }));
  assert.deepEqual(injected, { elements: 0, xss: null });
  assert.match(await shown.textContent(), /<b id=xss-b-\d+>bold<\/b>/, "the markup is shown as text");
  await screenshot(view, "security-html-names");
  assert.deepEqual(problems.filter((p) => /pageerror|panicked/.test(p)), []);
});

test("a preview shared while signed in carries no token and nothing from storage", async () => {
  const { page } = await openPage(browser, app.url);
  await page.getByRole("button", { name: "Sign in with Microsoft" }).click();
  await page.locator(".sku-card").first().waitFor({ timeout: 30_000 });
  const link = await previewLink(page);
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Download .json" }).click(),
  ]);
  const file = readFileSync(await download.path(), "utf8");
  const stored = await page.evaluate(() => {
    const all = {};
    for (const area of [localStorage, sessionStorage]) {
      for (let i = 0; i < area.length; i++) all[area.key(i)] = area.getItem(area.key(i));
    }
    return all;
  });
  const tokens = JSON.parse(stored["licswap.tokens"] ?? "null");
  assert.ok(tokens, "signed in: tokens are in this tab's sessionStorage");
  // Every string kept in storage that is not also a fact of the tenant the plan describes: tokens,
  // the app registration, the authority, the PKCE and journal bookkeeping.
  const leaves = [];
  const walk = (v) => {
    if (typeof v === "string") leaves.push(v);
    else if (v && typeof v === "object") Object.values(v).forEach(walk);
  };
  for (const [key, raw] of Object.entries(stored)) {
    leaves.push(key);
    try {
      walk(JSON.parse(raw));
    } catch {
      leaves.push(raw);
    }
  }
  // The configured tenant's domain is in every user principal name the plan lists: a fact of the
  // tenant, not a secret of this browser.
  const domain = JSON.parse(stored["licswap.config"] ?? "{}").tenant;
  const secrets = leaves.filter((s) => s.length >= 12 && s !== domain);
  assert.ok(secrets.length > 0);
  const previewJson = decodePreview(link.split("#/preview/")[1]);
  const fileJson = decodePreview(JSON.parse(file).data);
  for (const text of [link, file, previewJson, fileJson]) {
    for (const s of secrets) assert.ok(!text.includes(s), `the preview contains a stored value (${s.slice(0, 24)}…)`);
    assert.doesNotMatch(text, /access_?token|refresh_?token|Bearer |simat\.|simrt\./i);
  }
});

test("a replayed authorization code is refused", async () => {
  const { page } = await openPage(browser, app.url);
  let redirectBack;
  page.on("response", (r) => {
    if (r.url().includes("/oauth2/v2.0/authorize")) redirectBack = r.headers()["location"];
  });
  await page.getByRole("button", { name: "Sign in with Microsoft" }).click();
  await page.locator(".sku-card").first().waitFor({ timeout: 30_000 });
  // The app asks for response_mode=fragment: the code comes back after "#".
  const back = new URL(redirectBack);
  const code = new URLSearchParams(back.hash.slice(1)).get("code") ?? back.searchParams.get("code");
  assert.ok(code, "the first sign-in got a code");
  await page.getByRole("button", { name: "Sign out" }).click();
  // A second sign-in whose redirect carries the first code back, with this attempt's own state:
  // only the code is replayed, so the refusal comes from the token endpoint (code already used).
  await page.route("**/oauth2/v2.0/authorize**", (route) => {
    const state = new URL(route.request().url()).searchParams.get("state");
    route.fulfill({ status: 302, headers: { location: `${app.url}?code=${encodeURIComponent(code)}&state=${state}` } });
  });
  await page.getByRole("button", { name: "Sign in with Microsoft" }).click();
  const alert = page.getByRole("alert").filter({ hasText: /already used|expired/ });
  await alert.waitFor({ timeout: 30_000 });
  assert.equal(await page.evaluate(() => sessionStorage.getItem("licswap.tokens")), null);
  assert.equal(await page.locator(".sku-card").count(), 0);
});
