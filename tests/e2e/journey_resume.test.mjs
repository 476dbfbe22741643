// E1 -> E3 for two groups on sim-server (the demo tenant), signed in, with a reload while the apply waits
// for group processing: the run resumes from the journal, the members who also held E1 directly
// are swapped after their groups, and no call is sent twice (counted by sim-server itself).
import { test } from "node:test";
import assert from "node:assert/strict";
import { openPage, screenshot, useStack } from "./lib/harness.mjs";
import { openWizard, signIn, readJournal, realProblems, consentToWrite } from "./journey_lib.mjs";

// Slow group processing leaves a window to reload in while the run waits for it.
const stack = useStack({ sim: ["--group-delay-ms", "6000"] });

const simStats = async () => (await fetch(`${stack.sim.url}/_sim/stats`)).json();

test("a reload during a group swap resumes from the journal and repeats nothing", { timeout: 180_000 }, async () => {
  const { page, problems } = await openPage(stack.browser, stack.app.url);
  // Microsoft documents no permission for a group's membersWithLicenseErrors; sim-server refuses
  // it to the app's permissions, and the app falls back to the members' license states. Those
  // 403s (and only those) are expected.
  const refused = [];
  page.on("response", (r) => r.status() === 403 && refused.push(new URL(r.url()).pathname));
  await signIn(page);
  await openWizard(page, stack.app.url, "STANDARDPACK", "ENTERPRISEPACK");
  await page.getByLabel("Members of chosen groups").check();
  for (const name of ["E1 - Sales", "E1 - Marketing"]) {
    await page.locator(".pick-list label", { hasText: name }).locator("input[type=checkbox]").check();
  }
  await page.getByRole("button", { name: "Preview" }).click();
  await page.waitForURL(/#\/preview$/);
  assert.equal(await page.getByRole("button", { name: "Apply…" }).isDisabled(), false, "no blocker for these groups");

  await page.getByRole("button", { name: "Apply…" }).click();
  await page.getByLabel("I have reviewed").check();
  await consentToWrite(page);
  const writesBefore = (await simStats()).licenseWrites;
  await page.getByRole("button", { name: "Apply now" }).click();

  // Both group swaps are sent (phase 1); the run now waits for Graph's group processing.
  for (let i = 0; (await simStats()).licenseWrites - writesBefore < 2; i++) {
    assert.ok(i < 300, "the group swaps were sent");
    await new Promise((ok) => setTimeout(ok, 100));
  }
  // The apply screen says what it waits for, and that the tab may be closed meanwhile.
  const waiting = page.getByTestId("waiting-for");
  await waiting.waitFor({ timeout: 30_000 });
  assert.match(await waiting.textContent(), /Entra is assigning the new license to the members of 'E1 - (Sales|Marketing)'.*close this tab/);
  await page.reload();
  await page.getByText(/This plan was started before in this browser/).waitFor({ timeout: 30_000 });
  const midway = readJournal(await page.evaluate(() => localStorage.getItem("licswap.journal")));
  assert.ok(Object.keys(midway.entries).length >= 2, "the journal survived the reload");

  const review = page.getByLabel("I have reviewed");
  if (await review.count()) await review.check();
  await page.getByRole("button", { name: "Resume applying" }).click();
  await page.getByText("Applied", { exact: true }).waitFor({ timeout: 120_000 });
  const progress = await page.getByTestId("apply-progress").textContent();
  const done = Number(progress.match(/(\d+) done/)[1]);
  assert.match(progress, / 0 failed/, progress);
  const writes = (await simStats()).licenseWrites - writesBefore;
  assert.equal(writes, done, `every call took effect exactly once (${writes} writes for ${done} calls)`);
  assert.ok(done > 2, "the groups and their members who also held E1 directly were swapped");
  await screenshot(page, "journey-resume-applied");
  assert.match(await page.locator("main").textContent(), /each member's own license states were used instead/,
    "the report says how group processing was read");
  const sales = page.locator("summary", { hasText: "E1 - Sales" });
  assert.match(await sales.textContent(), /— 17 active, 0 in error/,
    "after phase 2 the members who held E1 directly show E3 Active through the group");

  await page.getByRole("link", { name: "Verify and report" }).click();
  await page.getByRole("button", { name: "Verify now" }).click();
  await page.getByTestId("verify-summary").waitFor({ timeout: 60_000 });
  assert.match(await page.getByTestId("verify-summary").textContent(), new RegExp(`${done} as planned`));
  assert.ok(refused.every((p) => p.endsWith("/membersWithLicenseErrors")), refused.join(", "));
  const forbidden = /status of 403 \(Forbidden\)/;
  assert.equal(problems.filter((p) => forbidden.test(p)).length, refused.length);
  assert.deepEqual(realProblems(problems).filter((p) => !forbidden.test(p)), []);
});
