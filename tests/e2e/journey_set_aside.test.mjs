// Applying what is clear, signed in against sim-server's generated 400-user tenant: two users
// with a blocker of their own (a SharePoint conflict) stop Apply for everyone else. The admin sets
// them aside from the preview, exports the list, applies the rest, and finds them in the report
// as not done, with why; verify agrees with the tenant.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { openPage, screenshot, useStack } from "./lib/harness.mjs";
import { openWizard, signIn, realProblems, consentToWrite } from "./journey_lib.mjs";

const stack = useStack({ sim: ["--users", "400"] });

test("two blocked users are set aside and the rest of a 400-user swap is applied and verified", { timeout: 240_000 }, async () => {
  const { page, problems } = await openPage(stack.browser, stack.app.url);
  await signIn(page);
  await openWizard(page, stack.app.url, "STANDARDPACK", "ENTERPRISEPACK");
  // The generated tenant is short of E3 seats: a first wave of what fits.
  await page.getByLabel("If seats run short, plan a first wave of what fits").check();
  await page.getByRole("button", { name: "Preview" }).click();
  await page.waitForURL(/#\/preview$/);
  assert.equal(await page.getByRole("button", { name: "Apply…" }).isDisabled(), true, "the blockers stop Apply");
  assert.match(await page.locator("#apply-reason").textContent(), /^2 blockers must be resolved first/);

  await page.getByRole("button", { name: "Set aside the 2 users with a blocker and apply the rest" }).click();
  const list = page.getByTestId("set-aside");
  await list.waitFor({ timeout: 30_000 });
  assert.match(await list.locator("h2").textContent(), /Set aside: not changed by this plan \(2\)/);
  assert.equal(await list.locator("li").count(), 2);
  assert.match(await list.textContent(), /conflict|cannot be enabled together/i, "each says why");
  assert.equal(await page.getByRole("button", { name: "Apply…" }).isDisabled(), false, "the rest can be applied");
  await screenshot(page, "journey-set-aside-preview");

  const [download] = await Promise.all([page.waitForEvent("download"), list.getByRole("button", { name: "Export CSV" }).click()]);
  const csv = await readFile(await download.path(), "utf8");
  const rows = csv.trim().split(/\r\n/);
  assert.equal(rows.length, 3, csv);
  assert.ok(rows.slice(1).every((r) => /,setAside,user,/.test(r) && /,set aside,/.test(r)), csv);

  await page.getByRole("button", { name: "Apply…" }).click();
  await page.getByLabel("I have reviewed").check();
  await consentToWrite(page);
  await page.getByRole("button", { name: "Apply now" }).click();
  await page.locator(".ok-box, .error-box").first().waitFor({ timeout: 180_000 });
  const progress = await page.getByTestId("apply-progress").textContent();
  assert.match(progress, / 0 failed/, progress);
  const done = Number(progress.match(/(\d+) done/)[1]);
  assert.ok(done > 100, progress);

  await page.getByRole("link", { name: "Verify and report" }).click();
  const kept = page.getByTestId("set-aside");
  await kept.waitFor({ timeout: 30_000 });
  assert.match(await kept.locator("h2").textContent(), /Set aside: not done \(2\)/);
  await page.getByRole("button", { name: "Verify now" }).click();
  await page.getByTestId("verify-summary").waitFor({ timeout: 120_000 });
  assert.match(await page.getByTestId("verify-summary").textContent(), new RegExp(`${done} as planned · 0 differ`));
  await screenshot(page, "journey-set-aside-report");
  // Group swaps read membersWithLicenseErrors, which sim-server refuses to the app's permissions
  // (see journey_resume): only those 403s.
  const forbidden = /status of 403 \(Forbidden\)/;
  assert.deepEqual(realProblems(problems).filter((p) => !forbidden.test(p)), []);
});
