// What a session leaves behind, signed in against sim-server (Entra ID + Graph): after a run the
// tab's tokens can no longer write; sign-out removes the plan, the journal and the tenant's data
// from the browser; a plan planted in localStorage is never taken for the admin's own; a token
// renewal that answers after sign-out does not sign the tab back in.
import { test } from "node:test";
import assert from "node:assert/strict";
import { TEST_CLIENT, openPage, screenshot, serveApp, startSim, useStack } from "./lib/harness.mjs";
import { openWizard, signIn, realProblems } from "./journey_lib.mjs";

const stack = useStack({ sim: ["--client-id", TEST_CLIENT, "--group-delay-ms", "300"] });

const storage = (page) =>
  page.evaluate(() => {
    const dump = (area) => Object.fromEntries(Array.from({ length: area.length }, (_, i) => [area.key(i), area.getItem(area.key(i))]));
    return { local: dump(localStorage), session: dump(sessionStorage) };
  });

test("a signed-in run ends with read-only tokens, and sign-out leaves no plan, journal or tenant data", { timeout: 240_000 }, async () => {
  const { page, problems } = await openPage(stack.browser, stack.app.url);
  await signIn(page);
  await openWizard(page, stack.app.url, "STANDARDPACK", "ENTERPRISEPACK");
  // Direct swaps for a list of users (signed-in group swaps wait on membersWithLicenseErrors,
  // which sim-server now refuses to these scopes: see the report).
  await page.getByLabel("A list of users").check();
  await page.fill("#user-list", ["carlos.demir4", "emily.wilke7"].map((u) => `${u}@contosodemo.onmicrosoft.com`).join("\n"));
  await page.getByRole("button", { name: "Preview" }).click();
  await page.waitForURL(/#\/preview$/);
  await page.getByRole("button", { name: "Copy link" }).click();
  const encoded = (await page.getByTestId("share-link").inputValue()).split("#/preview/")[1];

  await page.getByRole("button", { name: "Apply…" }).click();
  await page.getByLabel("I have reviewed").check();
  const back = page.waitForEvent("load");
  await page.getByRole("button", { name: "Apply now" }).click();
  await back; // the write-scope consent round trip
  await page.waitForURL(/^[^?#]*#\/apply$/, { timeout: 30_000 });
  // The code is exchanged for tokens after the page loads: wait for the tab's tokens (a loaded CI
  // machine may read storage before the exchange answered).
  await page.getByLabel("I have reviewed").waitFor({ timeout: 30_000 });
  let during = await storage(page);
  for (let i = 0; !during.session["licswap.tokens"]; i++) {
    assert.ok(i < 100, "the consent round trip left this tab signed in");
    await page.waitForTimeout(100);
    during = await storage(page);
  }
  assert.ok(during.session["licswap.applyPlan"], "the plan being applied is kept in this tab's sessionStorage");
  assert.equal(during.local["licswap.applyPlan"], undefined, "never in localStorage");
  assert.match(JSON.parse(during.session["licswap.tokens"]).scope, /ReadWrite/, "the write scope for the run");

  await page.getByLabel("I have reviewed").check();
  await page.getByRole("button", { name: "Apply now" }).click();
  await page.getByText("Applied", { exact: true }).waitFor({ timeout: 120_000 });
  // The run is over: the tab renews with the read scopes only.
  for (let i = 0; /ReadWrite/.test(JSON.parse((await storage(page)).session["licswap.tokens"]).scope); i++) {
    assert.ok(i < 100, "tokens renewed without the write scope after the run");
    await page.waitForTimeout(100);
  }

  await page.getByRole("button", { name: "Sign out" }).first().click();
  const after = await storage(page);
  for (const key of Object.keys({ ...after.local, ...after.session })) {
    assert.doesNotMatch(key, /applyPlan|journal|keptRun|tokens|pendingAuth|approvedPreview|applyAudit/, `${key} outlived sign-out`);
  }
  assert.equal(await page.getByTestId("tenant-name").count(), 0, "the tenant's name is gone from the page");
  await screenshot(page, "session-signed-out");

  // The next person at this browser signs in: no plan comes back.
  await page.goto(stack.app.url);
  await signIn(page);
  await page.goto(new URL("#/apply", stack.app.url).href);
  await page.getByText("There is no plan to apply").waitFor({ timeout: 30_000 });

  // A plan planted in localStorage (any script on the origin can write there) is not trusted.
  await page.evaluate((e) => localStorage.setItem("licswap.applyPlan", e), encoded);
  await page.reload();
  await page.getByText("There is no plan to apply").waitFor({ timeout: 30_000 });
  assert.deepEqual(realProblems(problems), []);
});

test("a token renewal answering after sign-out does not sign the tab back in", { timeout: 120_000 }, async () => {
  const files = {};
  const app = await serveApp({ files });
  const sim = await startSim(["--redirect-uri", app.url, "--client-id", TEST_CLIENT, "--token-lifetime-secs", "4"]);
  files["/config.json"] = JSON.stringify({
    clientId: TEST_CLIENT,
    tenant: "contosodemo.onmicrosoft.com",
    authority: sim.url,
    graphBaseUrl: `${sim.url}/v1.0`,
  });
  try {
    const { page } = await openPage(stack.browser, app.url);
    await signIn(page);
    // Hold the next renewal (about 3 s after sign-in) until the admin has signed out.
    let held;
    const heldNow = new Promise((ok) => (held = ok));
    await page.route("**/oauth2/v2.0/token", (route) => held(route));
    const renewal = await heldNow;
    await page.getByRole("button", { name: "Sign out" }).first().click();
    assert.equal(await page.evaluate(() => sessionStorage.getItem("licswap.tokens")), null);
    await renewal.continue();
    await page.waitForTimeout(1_000);
    assert.equal(await page.evaluate(() => sessionStorage.getItem("licswap.tokens")), null, "the late answer was dropped");
    await page.reload();
    await page.getByRole("button", { name: "Sign in with Microsoft" }).waitFor({ timeout: 30_000 });
    assert.equal(await page.locator(".sku-card").count(), 0, "still signed out after a reload");
  } finally {
    await app.close();
    await sim.close();
  }
});


test("a refresh token that expires mid-run (AADSTS700084) sends the admin through sign-in, and the run resumes from its journal", { timeout: 240_000 }, async () => {
  const files = {};
  const app = await serveApp({ files });
  // Access tokens live 40 s and the app renews one that has less than 30 s left: the run's first
  // ~10 s (the group swaps go out) use the consent's token, then every renewal is refused while
  // Entra still processes the groups (30 s).
  const sim = await startSim([
    "--redirect-uri", app.url, "--client-id", TEST_CLIENT, "--token-lifetime-secs", "40", "--group-delay-ms", "30000",
  ]);
  files["/config.json"] = JSON.stringify({
    clientId: TEST_CLIENT,
    tenant: "contosodemo.onmicrosoft.com",
    authority: sim.url,
    graphBaseUrl: `${sim.url}/v1.0`,
  });
  const stats = async () => (await fetch(`${sim.url}/_sim/stats`)).json();
  try {
    const { page } = await openPage(stack.browser, app.url);
    await signIn(page);
    await openWizard(page, app.url, "STANDARDPACK", "ENTERPRISEPACK");
    await page.getByLabel("Members of chosen groups").check();
    for (const name of ["E1 - Sales", "E1 - Marketing"]) {
      await page.locator(".pick-list label", { hasText: name }).locator("input[type=checkbox]").check();
    }
    await page.getByRole("button", { name: "Preview" }).click();
    await page.waitForURL(/#\/preview$/);
    await page.getByRole("button", { name: "Apply…" }).click();
    await page.getByLabel("I have reviewed").check();
    const back = page.waitForEvent("load");
    await page.getByRole("button", { name: "Apply now" }).click();
    await back;
    await page.waitForURL(/^[^?#]*#\/apply$/, { timeout: 30_000 });
    await page.getByLabel("I have reviewed").check();
    const writesBefore = (await stats()).licenseWrites;
    // From now on Entra refuses to renew: the SPA refresh token's fixed lifetime has passed
    // (https://learn.microsoft.com/entra/identity-platform/refresh-tokens).
    await page.route("**/oauth2/v2.0/token", async (route) => {
      if (!/grant_type=refresh_token/.test(route.request().postData() ?? "")) return route.continue();
      await route.fulfill({
        status: 400,
        contentType: "application/json",
        body: JSON.stringify({
          error: "invalid_grant",
          error_description: "AADSTS700084: The refresh token was issued to a single page app (SPA), and therefore has a fixed, limited lifetime of 1.00:00:00, which cannot be extended.",
        }),
      });
    });
    await page.getByRole("button", { name: "Apply now" }).click();
    // The group swap goes out; the run then waits for group processing while the token expires.
    for (let i = 0; (await stats()).licenseWrites - writesBefore < 1; i++) {
      assert.ok(i < 300, "the group swap was sent");
      await page.waitForTimeout(100);
    }
    await page.getByRole("button", { name: "Sign in with Microsoft" }).waitFor({ timeout: 60_000 });
    assert.match(await page.getByRole("alert").first().textContent(), /sign-in has expired/i);
    await page.unroute("**/oauth2/v2.0/token");
    await page.getByRole("button", { name: "Sign in with Microsoft" }).click();
    await page.waitForURL(/^[^?#]*#\/apply$/, { timeout: 30_000 });
    await page.getByText(/This plan was started before in this browser/).waitFor({ timeout: 30_000 });
    const review = page.getByLabel("I have reviewed");
    if (await review.count()) await review.check();
    const consent = page.waitForEvent("load", { timeout: 10_000 }).catch(() => null);
    await page.getByRole("button", { name: "Resume applying" }).click();
    if (await consent) {
      // The write scope is asked for again (the new sign-in asked for reading only).
      await page.waitForURL(/^[^?#]*#\/apply$/, { timeout: 30_000 });
      // The address comes back before the screen does: wait for the review box, then tick it.
      await review.waitFor({ timeout: 30_000 });
      await review.check();
      await page.getByRole("button", { name: "Resume applying" }).click();
    }
    await page.getByText("Applied", { exact: true }).waitFor({ timeout: 120_000 });
    const progress = await page.getByTestId("apply-progress").textContent();
    const done = Number(progress.match(/(\d+) done/)[1]);
    assert.match(progress, / 0 failed/, progress);
    assert.equal((await stats()).licenseWrites - writesBefore, done, "every call took effect exactly once");
    await screenshot(page, "session-expired-mid-run-resumed");
  } finally {
    await app.close();
    await sim.close();
  }
});
