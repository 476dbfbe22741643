// Signing in to a configured tenant (sim-server as Entra ID + Graph): PKCE redirect, tokens kept
// out of localStorage and the URL, a tampered state refused, Entra errors explained, and a
// malformed config.json reported with the sign-in form as fallback.
import { test } from "node:test";
import assert from "node:assert/strict";
import { TEST_CLIENT, openPage, screenshot, serveApp, startSim, useStack } from "./lib/harness.mjs";
import { realProblems } from "./journey_lib.mjs";

const CLIENT = TEST_CLIENT;
const stack = useStack({ sim: ["--client-id", CLIENT] });

test("sign-in with PKCE reads the tenant; tokens stay in this tab only", async () => {
  const { page, problems } = await openPage(stack.browser, stack.app.url);
  let authorize;
  page.on("request", (r) => r.url().includes("/oauth2/v2.0/authorize") && (authorize = new URL(r.url())));
  await page.getByRole("button", { name: "Sign in with Microsoft" }).click();
  await page.locator(".sku-card").first().waitFor({ timeout: 30_000 });
  assert.equal(authorize.searchParams.get("code_challenge_method"), "S256");
  assert.ok(authorize.searchParams.get("state")?.length >= 16);
  assert.doesNotMatch(authorize.searchParams.get("scope"), /ReadWrite/, "read-only scopes to preview");
  assert.doesNotMatch(page.url(), /code=|state=/, "code and state removed from the address");
  const local = await page.evaluate(() => JSON.stringify(localStorage));
  assert.doesNotMatch(local, /accessToken|refreshToken/);
  assert.ok(await page.evaluate(() => sessionStorage.getItem("licswap.tokens")));
  await screenshot(page, "journey-signin-overview");
  await page.getByRole("button", { name: "Sign out" }).click();
  assert.equal(await page.evaluate(() => sessionStorage.getItem("licswap.tokens")), null);
  assert.deepEqual(realProblems(problems), []);
});

test("a tenant's subscription text is shown as text, never run as markup", async () => {
  const { page, problems } = await openPage(stack.browser, stack.app.url);
  // Graph's answer with markup in a part number and a status (the card's head and seats are
  // built as one piece of HTML: card_html.rs escapes what comes from the tenant).
  const hostile = '<img src=x id=injected onerror="window.__injected=1">';
  await page.route("**/v1.0/subscribedSkus**", async (route) => {
    const response = await route.fetch();
    const body = await response.json();
    body.value[0].skuPartNumber = hostile;
    body.value[0].skuId = "00000000-0000-4000-8000-000000000001";
    body.value[0].capabilityStatus = "<b>Suspended</b>";
    await route.fulfill({ response, json: body });
  });
  await page.getByRole("button", { name: "Sign in with Microsoft" }).click();
  const card = page.locator(".sku-card").filter({ hasText: "id=injected" });
  await card.waitFor({ timeout: 30_000 });
  assert.equal(await card.locator(".sku-name").textContent(), hostile, "unknown product: its part number, literally");
  assert.equal(await card.locator(".tag.warn").textContent(), "<b>Suspended</b>");
  assert.equal(await page.locator("#injected, .sku-card img, .sku-card b").count(), 0, "no element from the text");
  assert.equal(await page.evaluate(() => window.__injected), undefined);
  assert.deepEqual(realProblems(problems), []);
});

test("a redirect whose state was tampered with is refused", async () => {
  const { page } = await openPage(stack.browser, stack.app.url);
  await page.route("**/oauth2/v2.0/authorize**", (route) =>
    route.fulfill({ status: 302, headers: { location: `${stack.app.url}?code=stolen&state=forged` } }),
  );
  await page.getByRole("button", { name: "Sign in with Microsoft" }).click();
  const alert = page.getByRole("alert").filter({ hasText: /state mismatch/ });
  await alert.waitFor({ timeout: 30_000 });
  assert.equal(await page.evaluate(() => sessionStorage.getItem("licswap.tokens")), null);
  assert.doesNotMatch(page.url(), /stolen/);
});

test("an Entra error in the redirect is explained with what to fix", async () => {
  const { page } = await openPage(stack.browser, stack.app.url);
  await page.route("**/oauth2/v2.0/authorize**", (route) => {
    const state = new URL(route.request().url()).searchParams.get("state");
    const desc = encodeURIComponent("AADSTS50011: The redirect URI specified in the request does not match");
    route.fulfill({
      status: 302,
      headers: { location: `${stack.app.url}?error=invalid_request&error_description=${desc}&state=${state}` },
    });
  });
  await page.getByRole("button", { name: "Sign in with Microsoft" }).click();
  const alert = page.getByRole("alert").filter({ hasText: /redirect URI/ });
  await alert.waitFor({ timeout: 30_000 });
  assert.match(await alert.textContent(), /Single-page application/);
});

test("a malformed config.json is reported and the sign-in form is offered", async () => {
  const bad = await serveApp({ files: { "/config.json": '{"clientId": 42' } });
  try {
    const { page } = await openPage(stack.browser, bad.url);
    const alert = page.getByRole("alert").filter({ hasText: /config\.json/ });
    await alert.waitFor({ timeout: 30_000 });
    await page.getByLabel("Application (client) ID").waitFor();
    await screenshot(page, "journey-signin-bad-config");
  } finally {
    await bad.close();
  }
});

test("a short-lived sign-in renews itself with the refresh token", async () => {
  const shortFiles = {};
  const shortApp = await serveApp({ files: shortFiles });
  const short = await startSim(["--redirect-uri", shortApp.url, "--client-id", CLIENT, "--token-lifetime-secs", "4"]);
  shortFiles["/config.json"] = JSON.stringify({
    clientId: CLIENT,
    tenant: "contosodemo.onmicrosoft.com",
    authority: short.url,
    graphBaseUrl: `${short.url}/v1.0`,
  });
  try {
    const { page } = await openPage(stack.browser, shortApp.url);
    await page.getByRole("button", { name: "Sign in with Microsoft" }).click();
    await page.locator(".sku-card").first().waitFor({ timeout: 30_000 });
    const first = await page.evaluate(() => JSON.parse(sessionStorage.getItem("licswap.tokens")).expiresAtMs);
    let renewals = 0;
    page.on("request", (r) => r.url().endsWith("/oauth2/v2.0/token") && renewals++);
    await page.waitForTimeout(6_000);
    assert.ok(renewals >= 1 && renewals <= 4, `renewed ahead of expiry, not in a loop (${renewals} renewals in 6 s)`);
    const later = await page.evaluate(() => JSON.parse(sessionStorage.getItem("licswap.tokens")).expiresAtMs);
    assert.ok(later > first, "a new token replaced the first before it expired");
    // Refresh reads the subscriptions again (the list stays on screen meanwhile).
    const reread = page.waitForResponse(
      (r) => new URL(r.url()).pathname.endsWith("/v1.0/subscribedSkus") && r.request().method() === "GET",
    );
    await page.getByRole("button", { name: "Refresh" }).click();
    assert.equal((await reread).status(), 200, "Refresh sent a new GET /subscribedSkus, which succeeded");
    await page.locator(".sku-card").first().waitFor();
    assert.equal(await page.getByRole("alert").count(), 0, "Graph calls still work");
  } finally {
    await shortApp.close();
    await short.close();
  }
});
