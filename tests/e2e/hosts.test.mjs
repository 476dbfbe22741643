// Where tokens may go: only the configured cloud's Microsoft hosts. The release build refuses any
// other authority or Graph address (sim-server's loopback included) and its CSP blocks the rest;
// only the test build (dist-e2e, cargo feature sim-endpoints) accepts sim-server, and only from
// config.json, never from this browser's storage. The sign-in screen names the hosts in use.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { RELEASE_DIST, TEST_CLIENT, launchBrowser, openPage, screenshot, serveApp, startSim } from "./lib/harness.mjs";

let browser, sim;
const servers = [];
before(async () => {
  browser = await launchBrowser();
  sim = await startSim(["--client-id", TEST_CLIENT]);
});
after(async () => {
  await browser?.close();
  await sim?.close();
  for (const s of servers) await s.close();
});

async function serve(opts) {
  const s = await serveApp(opts);
  servers.push(s);
  return s;
}

const simConfig = () => ({
  clientId: TEST_CLIENT,
  tenant: "contosodemo.onmicrosoft.com",
  authority: sim.url,
  graphBaseUrl: `${sim.url}/v1.0`,
});

/** Every request the page makes, by URL. */
function recordRequests(page) {
  const seen = [];
  page.on("request", (r) => seen.push(r.url()));
  return seen;
}

test("the release build refuses a config.json that points tokens anywhere but Microsoft", async () => {
  for (const [config, names] of [
    [simConfig(), /login\.microsoftonline\.com/],
    [{ clientId: TEST_CLIENT, tenant: "contoso.onmicrosoft.com", graphBaseUrl: "https://graph-proxy.evil/v1.0" }, /graph\.microsoft\.com/],
    [{ clientId: TEST_CLIENT, tenant: "contoso.onmicrosoft.com", authority: "https://login.microsoftonline.com.evil.com" }, /login\.microsoftonline\.com/],
  ]) {
    const app = await serve({ dist: RELEASE_DIST, files: { "/config.json": JSON.stringify(config) } });
    const { page } = await openPage(browser, app.url);
    const seen = recordRequests(page);
    const alert = page.getByRole("alert").filter({ hasText: /config\.json/ });
    await alert.waitFor({ timeout: 30_000 });
    assert.match(await alert.textContent(), names);
    assert.equal(await page.getByRole("textbox", { name: /authority|graph/i }).count(), 0, "the form names no endpoints");
    assert.ok(!seen.some((u) => u.startsWith(sim.url) || u.includes("evil")), seen.join("\n"));
  }
});

test("the release CSP blocks connections to any other host", async () => {
  const app = await serve({ dist: RELEASE_DIST });
  const { page } = await openPage(browser, app.url);
  await page.getByTestId("tenant-name").waitFor({ timeout: 30_000 });
  const blocked = await page.evaluate(async (simUrl) => {
    const out = {};
    for (const url of [`${simUrl}/v1.0/subscribedSkus`, "https://graph-proxy.evil/v1.0/users"]) {
      try {
        await fetch(url);
        out[url] = "reached";
      } catch {
        out[url] = "blocked";
      }
    }
    return out;
  }, sim.url);
  assert.deepEqual(Object.values(blocked), ["blocked", "blocked"], JSON.stringify(blocked));
  const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute("content");
  assert.doesNotMatch(csp, /127\.0\.0\.1|localhost|https:[ ;]/);
});

test("a remembered configuration never brings endpoints: planted sim-server addresses are ignored", async () => {
  const app = await serve({});
  const { page } = await openPage(browser, app.url);
  await page.getByTestId("tenant-name").waitFor({ timeout: 30_000 });
  await page.evaluate((cfg) => localStorage.setItem("licswap.config", JSON.stringify(cfg)), simConfig());
  const seen = recordRequests(page);
  await page.reload();
  await page.goto(new URL("#/signin", app.url).href);
  const hosts = page.getByTestId("effective-hosts");
  await hosts.waitFor({ timeout: 30_000 });
  assert.match(await hosts.textContent(), /login\.microsoftonline\.com.*graph\.microsoft\.com/);
  assert.doesNotMatch(await hosts.textContent(), /127\.0\.0\.1/);
  await screenshot(page, "hosts-remembered-config");
  assert.ok(!seen.some((u) => u.startsWith(sim.url)), "nothing went to the planted address");
});

test("the test build takes sim-server from config.json and the sign-in screen names it", async () => {
  const files = {};
  const app = await serve({ files });
  // A sim-server of its own that knows this app's address (it signs in).
  const own = await startSim(["--client-id", TEST_CLIENT, "--redirect-uri", app.url]);
  servers.push(own);
  const sim = own;
  files["/config.json"] = JSON.stringify({ ...simConfig(), authority: own.url, graphBaseUrl: `${own.url}/v1.0` });
  const { page } = await openPage(browser, app.url);
  const hosts = page.getByTestId("effective-hosts");
  await hosts.waitFor({ timeout: 30_000 });
  const port = new URL(sim.url).port;
  assert.match(await hosts.textContent(), new RegExp(`Signs in at 127\\.0\\.0\\.1:${port}.*Graph at 127\\.0\\.0\\.1:${port}`));
  await screenshot(page, "hosts-effective");
  // The code comes back in the fragment: the static host never sees it in a request.
  const seen = recordRequests(page);
  await page.getByRole("button", { name: "Sign in with Microsoft" }).click();
  await page.locator(".sku-card").first().waitFor({ timeout: 30_000 });
  const authorize = new URL(seen.find((u) => u.includes("/oauth2/v2.0/authorize")));
  assert.equal(authorize.searchParams.get("response_mode"), "fragment");
  const toApp = seen.filter((u) => u.startsWith(app.url));
  assert.ok(toApp.length > 0 && !toApp.some((u) => /[?&]code=/.test(u)), toApp.join("\n"));
});
