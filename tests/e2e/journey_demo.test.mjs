// The demo tenant end to end: overview, wizard, preview, apply, verify, report export, and a
// reload that resumes on the report - all in the page, against the in-browser simulator.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openPage, screenshot, useStack } from "./lib/harness.mjs";
import { pickSkus, readJournal, realProblems } from "./journey_lib.mjs";

const stack = useStack({});

test("overview lists every subscription with seats and service plans", async () => {
  const { page, problems } = await openPage(stack.browser, stack.app.url);
  await page.getByTestId("tenant-name").waitFor();
  const cards = page.locator(".sku-card");
  await cards.first().waitFor();
  assert.ok((await cards.count()) >= 2);
  const e1 = page.locator('.sku-card[data-sku="STANDARDPACK"]');
  assert.match(await e1.textContent(), /Office 365 E1/);
  assert.match(await e1.textContent(), /Purchased\s*\d+/);
  await e1.locator("summary").click();
  assert.ok((await e1.locator(".plans li").count()) > 5, "service plans expand");
  assert.match(await e1.locator("summary").textContent(), /^\d+ service plans$/);
  // SharePoint Online (Plan 1) has one plan: "1 service plan", not "1 service plans".
  const one = page.locator('.sku-card[data-sku="SHAREPOINTSTANDARD"] summary');
  assert.equal((await one.textContent()).trim(), "1 service plan");
  // Microsoft's friendly plan names arrive with the catalog, loaded when the list first opens.
  await e1.locator(".plans li", { hasText: "Exchange Online (Plan 1)" }).waitFor({ timeout: 10_000 });
  assert.deepEqual(realProblems(problems), []);
});

test("a swap for chosen users goes from wizard to verified report", async () => {
  const { page, problems } = await openPage(stack.browser, stack.app.url + "#/migrate");
  await pickSkus(page, "STANDARDPACK", "ENTERPRISEPACK");
  await page.getByLabel("Chosen users").check();
  for (const who of ["carlos", "emily"]) {
    await page.fill("#user-search", who);
    await page.locator(".pick-list input[type=checkbox]").first().check();
  }
  await page.getByRole("button", { name: "Preview" }).click();
  await page.waitForURL(/#\/preview$/);
  assert.match(await page.getByTestId("row-count").textContent(), /2 of 2 rows/);
  await page.locator(".vrow").first().click();
  assert.match(await page.locator(".detail").textContent(), /assignLicense/);
  // Coverage names each plan by Microsoft's friendly name beside its id.
  const coverage = await page.locator(".detail .coverage").textContent();
  assert.match(coverage, /Exchange Online \(Plan 1\) \(EXCHANGE_S_STANDARD\)/);
  assert.match(coverage, /Microsoft 365 Apps for enterprise \(OFFICESUBSCRIPTION\)/);

  await page.getByRole("button", { name: "Apply…" }).click();
  const start = page.getByRole("button", { name: "Apply now" });
  assert.equal(await start.isDisabled(), true, "nothing runs before the confirmation is ticked");
  assert.match(await page.locator(".confirm").textContent(), /2 users get Office 365 E3/);
  await page.getByLabel("I have reviewed").check();
  await start.click();
  await page.getByText("Applied", { exact: true }).waitFor();
  assert.match(await page.getByTestId("apply-progress").textContent(), /2 done · 0 failed/);
  const stored = await page.evaluate(() => localStorage.getItem("licswap.journal"));
  const journal = readJournal(stored);
  assert.equal(Object.keys(journal.entries).length, 2, "journal saved with both actions");
  assert.doesNotMatch(JSON.stringify(journal), /token|bearer/i, "no token in the journal");

  await page.getByRole("link", { name: "Verify and report" }).click();
  await page.getByRole("button", { name: "Verify now" }).click();
  await page.getByTestId("verify-summary").waitFor();
  assert.match(await page.getByTestId("verify-summary").textContent(), /2 as planned/);
  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Export CSV" }).click();
  assert.match((await download).suggestedFilename(), /\.csv$/);
  await screenshot(page, "journey-demo-report");

  await page.reload();
  await page.getByRole("heading", { name: /Office 365 E1 → Office 365 E3/ }).waitFor();
  assert.match(page.url(), /#\/report$/, "a reload comes back to the same run");
  assert.deepEqual(realProblems(problems), []);
});

test("a verified swap can be rolled back, previewed first", async () => {
  const { page, problems } = await openPage(stack.browser, stack.app.url + "#/migrate");
  await pickSkus(page, "STANDARDPACK", "ENTERPRISEPACK");
  await page.getByLabel("Chosen users").check();
  await page.fill("#user-search", "diego");
  await page.locator(".pick-list input[type=checkbox]").first().check();
  await page.getByRole("button", { name: "Preview" }).click();
  await page.getByRole("button", { name: "Apply…" }).click();
  await page.getByLabel("I have reviewed").check();
  await page.getByRole("button", { name: "Apply now" }).click();
  await page.getByText("Applied", { exact: true }).waitFor();
  await page.getByRole("link", { name: "Verify and report" }).click();
  await page.getByRole("button", { name: "Verify now" }).click();
  await page.getByTestId("verify-summary").waitFor();
  await page.getByRole("button", { name: "Preview the rollback" }).click();
  await page.getByRole("heading", { name: "Office 365 E3 → Office 365 E1" }).waitFor();
  assert.match(page.url(), /#\/preview$/, "the rollback is shown as a preview first");
  await page.getByRole("button", { name: "Apply…" }).click();
  await page.getByLabel("I have reviewed").check();
  await page.getByRole("button", { name: "Apply now" }).click();
  await page.getByText("Applied", { exact: true }).waitFor();
  assert.match(await page.getByTestId("apply-progress").textContent(), /1 done · 0 failed/);
  await page.getByRole("link", { name: "Verify and report" }).click();
  await page.getByRole("button", { name: "Verify now" }).click();
  assert.match(await page.getByTestId("verify-summary").textContent(), /1 as planned/);
  assert.deepEqual(realProblems(problems), []);
});

test("the planner is warmed up once a tenant is read, once per page, and the preview is unchanged", async () => {
  const { page, problems } = await openPage(stack.browser, stack.app.url + "#/migrate");
  const entries = (name) => page.evaluate((n) => performance.getEntriesByName(n).length, name);
  await pickSkus(page, "STANDARDPACK", "ENTERPRISEPACK");
  // After the holders are on screen, before any preview (src/planning.rs: a throwaway plan of a
  // small cut of the tenant, so the admin's first preview runs optimized code).
  await page.waitForFunction(() => performance.getEntriesByName("licswap:warm-up").length === 1, null, { timeout: 10_000 });
  assert.equal(await entries("licswap:plan"), 0, "no plan was made for the admin yet");
  // Another source is another load: the page's code is warm already.
  await pickSkus(page, "EXCHANGESTANDARD", "ENTERPRISEPACK");
  await pickSkus(page, "STANDARDPACK", "ENTERPRISEPACK");
  await page.getByRole("button", { name: "Preview" }).click();
  await page.getByTestId("row-count").waitFor();
  assert.equal(await entries("licswap:warm-up"), 1);
  assert.equal(await entries("licswap:plan"), 1);
  // The demo tenant's E1 -> E3 preview as every other journey finds it: the warm-up changed nothing.
  assert.match(await page.getByTestId("row-count").textContent(), /of \d+ rows/);
  assert.match(await page.locator("main").textContent(), /Office 365 E1 → Office 365 E3/);
  assert.deepEqual(realProblems(problems), []);
});

test("the preview blocks apply while a blocker stands and says why", async () => {
  const { page } = await openPage(stack.browser, stack.app.url + "#/migrate");
  await pickSkus(page, "STANDARDPACK", "ENTERPRISEPACK");
  await page.getByRole("button", { name: "Preview" }).click();
  await page.waitForURL(/#\/preview$/);
  const apply = page.getByRole("button", { name: "Apply…" });
  assert.equal(await apply.isDisabled(), true);
  assert.match(await page.locator("#apply-reason").textContent(), /blocker/);
  assert.ok((await page.locator(".finding.bad").count()) >= 1, "blockers listed first");
  // Keyboard: the list moves its selection with the arrow keys and End.
  await page.locator(".vlist").focus();
  await page.keyboard.press("ArrowDown");
  const first = await page.locator(".detail h3").textContent();
  await page.keyboard.press("End");
  const last = await page.locator(".detail h3").textContent();
  assert.notEqual(first, last);
  // The list scrolls to the selection and renders the rows now in view on the next frame.
  const selected = page.locator('.vrow[aria-selected="true"]');
  await selected.waitFor({ timeout: 5_000 });
  assert.equal(await selected.count(), 1, "the selected row is in view");
  await page.selectOption("#f-sev", "blocker");
  const rows = await page.locator(".vrow").count();
  assert.ok(rows >= 1);
  await screenshot(page, "journey-demo-blocked");

  // The demo tenant is built to trip every rule that can fire on an E1 -> E3 swap of every
  // holder; each shows once, as a group, blockers first, then warnings, then information.
  const codes = await page.locator("li.finding").evaluateAll((els) => els.map((e) => e.dataset.code));
  assert.deepEqual(codes, [
    "SeatsInsufficient", "MutuallyExclusive", "UsageLocationMissing",
    "AccountDisabled", "SeveralGroups",
    "InheritedCoveredByGroup", "DirectAndInherited", "DisabledPlansKept", "DynamicGroup", "OnPremisesSyncedGroup",
  ]);
  // Microsoft allows Exchange Online Plan 1 beside Plan 2: the one conflict is SharePoint's.
  const conflict = await page.locator('li.finding[data-code="MutuallyExclusive"]').textContent();
  assert.match(conflict, /SHAREPOINTSTANDARD/);
  assert.doesNotMatch(conflict, /EXCHANGE_S_/);
});

test("lost services are listed by friendly name and can all be accepted at once", async () => {
  const { page, problems } = await openPage(stack.browser, stack.app.url + "#/migrate");
  // Office 365 E3 -> E1 is a downgrade: the wizard lists what the target does not include.
  await pickSkus(page, "ENTERPRISEPACK", "STANDARDPACK");
  const waivers = page.locator("fieldset.waivers");
  await waivers.waitFor();
  assert.match(await waivers.textContent(), /Microsoft 365 Apps for enterprise\s*OFFICESUBSCRIPTION/);
  assert.match(await waivers.textContent(), /Exchange Online \(Plan 2\)\s*EXCHANGE_S_ENTERPRISE/);
  // Without waivers the preview blocks, and names the lost plans with one action for all.
  await page.getByRole("button", { name: "Preview" }).click();
  await page.waitForURL(/#\/preview$/);
  const waiveAll = page.getByTestId("waive-all");
  assert.match(await waiveAll.textContent(), /Azure Rights Management \(RMS_S_ENTERPRISE\)/);
  assert.equal(await page.getByRole("button", { name: "Apply…" }).isDisabled(), true);
  await waiveAll.getByRole("button", { name: /Accept the loss of all \d+/ }).click();
  // Planned again: the losses are recorded as waived, and nothing blocks on them any more.
  await page.locator('li.finding[data-code="ServiceLossWaived"]').waitFor();
  assert.equal(await page.locator('li.finding[data-code="ServiceLoss"]').count(), 0);
  await screenshot(page, "journey-demo-waived");
  // The wizard shows every plan ticked, and "Accept none" clears them.
  await page.getByRole("link", { name: "Change the request" }).click();
  await waivers.waitFor();
  const boxes = waivers.locator("input[type=checkbox]");
  assert.ok((await boxes.count()) > 10);
  for (const box of await boxes.all()) assert.equal(await box.isChecked(), true);
  await waivers.getByRole("button", { name: "Accept none" }).click();
  for (const box of await boxes.all()) assert.equal(await box.isChecked(), false);
  await waivers.getByRole("button", { name: /Accept all \d+ losses/ }).click();
  for (const box of await boxes.all()) assert.equal(await box.isChecked(), true);
  assert.deepEqual(realProblems(problems), []);
});
