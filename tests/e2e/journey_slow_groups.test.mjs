// Group processing that outlasts the tab: Entra can take hours to process a group swap
// (https://learn.microsoft.com/entra/identity/users/licensing-group-advanced: a support ticket
// only after 24 hours for groups of up to 60,000 members). Signed in, the admin applies a group
// swap on sim-server with slow processing, reads what the run waits for, closes the tab while
// Entra works, opens a new tab later, signs in again and resumes: the run picks up the wait from
// its journal, nothing is sent twice, and verify agrees.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openPage, screenshot, useStack } from "./lib/harness.mjs";
import { openWizard, signIn, realProblems, consentToWrite } from "./journey_lib.mjs";

const stack = useStack({ sim: ["--group-delay-ms", "20000"] });
const simStats = async () => (await fetch(`${stack.sim.url}/_sim/stats`)).json();

test("a group swap slower than the tab is resumed in a new tab and verified", { timeout: 240_000 }, async () => {
  const first = await openPage(stack.browser, stack.app.url);
  let page = first.page;
  await signIn(page);
  await openWizard(page, stack.app.url, "STANDARDPACK", "ENTERPRISEPACK");
  await page.getByLabel("Members of chosen groups").check();
  for (const name of ["E1 - Sales", "E1 - Marketing"]) {
    await page.locator(".pick-list label", { hasText: name }).locator("input[type=checkbox]").check();
  }
  await page.getByRole("button", { name: "Preview" }).click();
  await page.waitForURL(/#\/preview$/);
  await page.getByRole("button", { name: "Apply…" }).click();
  await page.getByLabel("I have reviewed").check();
  await consentToWrite(page);
  const writesBefore = (await simStats()).licenseWrites;
  await page.getByRole("button", { name: "Apply now" }).click();

  const waiting = page.getByTestId("waiting-for");
  await waiting.waitFor({ timeout: 30_000 });
  assert.match(await waiting.textContent(), /E1 - (Sales|Marketing).*minutes to hours.*close this tab/);
  assert.equal((await simStats()).processingPending > 0, true, "Entra is still processing");
  await screenshot(page, "journey-slow-groups-waiting");
  await page.close(); // the admin closes the tab while Entra works

  // Later, a new tab of the same browser: the closing tab kept its unfinished run (plan and journal)
  // for this tenant and app registration; its sign-in died with it.
  await new Promise((ok) => setTimeout(ok, 5_000));
  page = await first.context.newPage();
  const problems = [];
  page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
  await page.goto(stack.app.url);
  await signIn(page);
  await page.goto(stack.app.url + "#/apply");
  await page.getByText(/This plan was started before in this browser/).waitFor({ timeout: 30_000 });
  // The new tab's sign-in holds the read permissions only: resuming asks for the write
  // permission again (a consent round trip), then resumes.
  await page.getByLabel("I have reviewed").check();
  const again = page.waitForEvent("load");
  await page.getByRole("button", { name: "Resume applying" }).click();
  await again;
  await page.waitForURL(/^[^?]*#\/apply$/, { timeout: 30_000 });
  await page.getByText(/This plan was started before in this browser: 2 done/).waitFor({ timeout: 30_000 });
  await page.getByLabel("I have reviewed").check();
  await page.getByRole("button", { name: "Resume applying" }).click();
  await page.locator(".ok-box, .error-box").first().waitFor({ timeout: 120_000 });
  const progress = await page.getByTestId("apply-progress").textContent();
  assert.match(progress, / 0 failed/, progress);
  const done = Number(progress.match(/(\d+) done/)[1]);
  assert.equal((await simStats()).licenseWrites - writesBefore, done, "nothing was sent twice");
  assert.match(await page.locator(".ok-box").first().textContent(), /^Applied/);
  await screenshot(page, "journey-slow-groups-resumed");

  await page.getByRole("link", { name: "Verify and report" }).click();
  await page.getByRole("button", { name: "Verify now" }).click();
  await page.getByTestId("verify-summary").waitFor({ timeout: 60_000 });
  assert.match(await page.getByTestId("verify-summary").textContent(), new RegExp(`${done} as planned · 0 differ`));
  // The errors list is refused to the app's permissions (see journey_resume): only those 403s.
  const forbidden = /status of 403 \(Forbidden\)/;
  assert.deepEqual(realProblems(problems).filter((p) => !forbidden.test(p)), []);
});
