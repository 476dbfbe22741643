// A target changed between preview and apply (someone else edited it in Graph): apply leaves it
// untouched, lists it, and re-planning picks up its current state.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openPage, screenshot, useStack } from "./lib/harness.mjs";
import { openWizard, signIn, realProblems, consentToWrite } from "./journey_lib.mjs";

const stack = useStack({ sim: [] });

/** Another admin (a token of their own, from sim-server's test endpoint) gives `upn` a Power BI
 * Pro license, straight through Graph. */
async function editBehindOurBack(upn) {
  const { access_token } = await (
    await fetch(`${stack.sim.url}/_sim/token`, {
      method: "POST",
      body: JSON.stringify({ scopes: ["LicenseAssignment.ReadWrite.All"] }),
    })
  ).json();
  const auth = { authorization: `Bearer ${access_token}` };
  const skus = await (await fetch(`${stack.sim.url}/v1.0/subscribedSkus`, { headers: auth })).json();
  const pbi = skus.value.find((s) => s.skuPartNumber === "POWER_BI_PRO");
  const r = await fetch(`${stack.sim.url}/v1.0/users/${upn}/assignLicense`, {
    method: "POST",
    headers: { "content-type": "application/json", ...auth },
    body: JSON.stringify({ addLicenses: [{ skuId: pbi.skuId, disabledPlans: [] }], removeLicenses: [] }),
  });
  assert.ok(r.ok, `the edit went through (${r.status})`);
}

test("a target edited after the preview is left alone and offered for re-planning", async () => {
  const { page, problems } = await openPage(stack.browser, stack.app.url);
  await signIn(page);
  await openWizard(page, stack.app.url, "STANDARDPACK", "ENTERPRISEPACK");
  await page.getByLabel("A list of users").check();
  await page.fill("#user-list", "carlos.demir4@contosodemo.onmicrosoft.com\nemily.wilke7@contosodemo.onmicrosoft.com");
  await page.getByRole("button", { name: "Preview" }).click();
  await page.waitForURL(/#\/preview$/);

  await editBehindOurBack("emily.wilke7@contosodemo.onmicrosoft.com");

  await page.getByRole("button", { name: "Apply…" }).click();
  await page.getByLabel("I have reviewed").check();
  // Applying asks for the write scope first: a consent round trip (the sim grants it at once)
  // that comes back to the apply screen with the plan.
  await consentToWrite(page);
  await page.getByRole("button", { name: "Apply now" }).click();
  await page.getByText("1 target changed since planning").waitFor({ timeout: 30_000 });
  assert.match(await page.getByTestId("apply-progress").textContent(), /1 done · 0 failed · 1 stale/);
  await screenshot(page, "journey-stale-applied");

  await page.getByRole("button", { name: "Re-plan these" }).click();
  await page.waitForURL(/#\/preview$/);
  assert.match(await page.getByTestId("row-count").textContent(), /1 of 1 row/, "only the changed target is re-planned");
  await page.locator(".vrow").first().click();
  const detail = await page.locator(".detail").textContent();
  assert.match(detail, /emily/);
  assert.match(detail, /assignLicense/, "the re-plan swaps the edited user, with her current licenses");
  assert.equal(await page.getByRole("button", { name: "Apply…" }).isDisabled(), false);
  assert.deepEqual(realProblems(problems), []);
});
