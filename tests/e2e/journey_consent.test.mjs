// The first sign-in to a tenant where no administrator has granted consent yet, by a License
// Administrator (who cannot grant it): Entra stops at "Need admin approval" (AADSTS90094); going
// back to licswap shows who must consent and the admin-consent link for the configured app; once
// an administrator has used that link, the same License Administrator signs in and reads the
// tenant. sim-server models Entra's consent rules (--signed-in-roles).
import { test } from "node:test";
import assert from "node:assert/strict";
import { TEST_CLIENT, openPage, screenshot, useStack } from "./lib/harness.mjs";
import { realProblems } from "./journey_lib.mjs";

const stack = useStack({ sim: ["--client-id", TEST_CLIENT, "--signed-in-roles", "License Administrator"] });

test("a first sign-in without admin consent explains who must consent and links to it", async () => {
  const { page, problems } = await openPage(stack.browser, stack.app.url);
  await page.getByRole("button", { name: "Sign in with Microsoft" }).click();
  // Entra's page, not licswap's: the app has no control until the user goes back.
  await page.getByRole("heading", { name: "Need admin approval" }).waitFor({ timeout: 30_000 });
  assert.match(await page.textContent("body"), /AADSTS90094/);
  await screenshot(page, "journey-consent-need-admin-approval");
  await page.getByRole("link", { name: "Return to the application without granting consent" }).click();

  const alert = page.getByRole("alert").filter({ hasText: /administrator/i });
  await alert.waitFor({ timeout: 30_000 });
  const text = await alert.textContent();
  assert.match(text, /Global Administrator/);
  assert.match(text, /Cloud Application Administrator/);
  assert.match(text, /A License Administrator cannot/);
  const link = `${stack.sim.url}/contosodemo.onmicrosoft.com/adminconsent?client_id=${TEST_CLIENT}`;
  assert.ok(text.includes(link), `the admin-consent link for the configured app is offered: ${text}`);
  assert.doesNotMatch(text, /cancelled/, "not mistaken for a cancelled sign-in");
  assert.equal(await page.evaluate(() => sessionStorage.getItem("licswap.tokens")), null);
  await screenshot(page, "journey-consent-explained");

  // An administrator follows the link (sim-server stands in for one who may consent) ...
  const href = text.match(/https?:\/\/\S+adminconsent\?\S+/)[0];
  const admin = await stack.browser.newPage();
  await admin.goto(href);
  assert.match(admin.url(), /admin_consent=True/);
  await admin.close();

  // ... and the License Administrator's next sign-in goes through.
  await page.getByRole("button", { name: "Sign in with Microsoft" }).click();
  await page.locator(".sku-card").first().waitFor({ timeout: 30_000 });
  assert.deepEqual(realProblems(problems), []);
});
