// License health in the demo tenant: every member in a group-licensing error listed by kind with
// counts, each explained with Microsoft's product and plan names and its fix, the groups with
// members in error, and the CSV export.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { TEST_CLIENT, openPage, screenshot, serveApp, startSim, useStack } from "./lib/harness.mjs";
import { consentToWrite, realProblems, signIn } from "./journey_lib.mjs";

const stack = useStack({});

test("the demo's licensing errors are listed by kind, explained, and exported", async () => {
  const { page, problems } = await openPage(stack.browser, stack.app.url);
  await page.getByTestId("tenant-name").waitFor();
  await page.getByRole("link", { name: "License health" }).click();
  await page.waitForURL(/#\/health$/);
  const counts = page.getByTestId("health-counts");
  await counts.waitFor({ timeout: 30_000 });
  for (const kind of [
    "CountViolation",
    "MutuallyExclusiveViolation",
    "DependencyViolation",
    "ProhibitedInUsageLocationViolation",
    "UniquenessViolation",
    "Other",
  ]) {
    assert.match(await counts.locator(`li[data-kind="${kind}"]`).textContent(), /: 1$/, kind);
  }
  assert.match(await page.getByRole("heading", { name: /members in error/ }).textContent(), /^6 members in error$/);

  // The conflict names both plans and both products, and the fix.
  const conflict = page.locator('section[data-kind="MutuallyExclusiveViolation"] .health-issue');
  assert.equal(await conflict.count(), 1);
  const text = await conflict.textContent();
  assert.match(text, /SharePoint \(Plan 2\) in Project Online Premium \(from group Project - PMO\) cannot be enabled together with SharePoint \(Plan 1\) in SharePoint Online \(Plan 1\) \(assigned directly\)/);
  assert.match(text, /Fix: Remove the direct SharePoint Online \(Plan 1\) license/);
  // The seat that ran out, and how many to free or buy.
  assert.match(
    await page.locator('section[data-kind="CountViolation"]').textContent(),
    /No seat of Exchange Online \(Plan 1\) was free.*Free 1 seat\(s\) of Exchange Online \(Plan 1\)/s,
  );
  assert.match(await page.locator('section[data-kind="ProhibitedInUsageLocationViolation"]').textContent(), /usage location, CU/);

  const groups = page.getByTestId("health-groups");
  for (const g of ["Project - PMO", "Project - Viewers (SharePoint off)", "Exchange - Front desk", "Power BI - Partners"]) {
    assert.match(await groups.textContent(), new RegExp(g.replace(/[()]/g, "\\$&")));
  }
  assert.equal(await groups.locator("tbody tr").count(), 4);
  await screenshot(page, "health-demo");

  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Export CSV" }).click();
  const file = await download;
  assert.match(file.suggestedFilename(), /^licswap-license-health-.*\.csv$/);
  const csv = await readFile(await file.path(), "utf8");
  const lines = csv.split("\r\n").filter(Boolean);
  assert.equal(lines.length, 7, csv);
  assert.match(lines[0], /^user,user id,group,group id,products,error,state,problem,what failed,fix$/);
  assert.ok(lines.some((l) => l.includes("MutuallyExclusiveViolation") && l.includes("Project - PMO")));
  assert.deepEqual(realProblems(problems), []);
});

/** dist/ with its own sim-server tenant (the Contoso demo over HTTP), signed in for real. */
async function freshTenant() {
  const files = {};
  const app = await serveApp({ files });
  const sim = await startSim(["--redirect-uri", app.url, "--client-id", TEST_CLIENT]);
  files["/config.json"] = JSON.stringify({
    clientId: TEST_CLIENT,
    tenant: "contosodemo.onmicrosoft.com",
    authority: sim.url,
    graphBaseUrl: `${sim.url}/v1.0`,
  });
  return { url: app.url, close: async () => { await sim.close(); await app.close(); } };
}

async function applyAndVerify(page, expectDone, { firstWrite }) {
  await page.getByRole("button", { name: "Apply…" }).click();
  await page.getByLabel("I have reviewed").check();
  // The first write asks for the write scope (a consent round trip), then applies.
  if (firstWrite) await consentToWrite(page);
  await page.getByRole("button", { name: "Apply now" }).click();
  await page.getByText("Applied", { exact: true }).waitFor({ timeout: 60_000 });
  assert.match(await page.getByTestId("apply-progress").textContent(), new RegExp(`${expectDone} done · 0 failed`));
  await page.getByRole("link", { name: "Verify and report" }).click();
  await page.getByRole("button", { name: "Verify now" }).click();
  await page.getByTestId("verify-summary").waitFor({ timeout: 60_000 });
  assert.match(await page.getByTestId("verify-summary").textContent(), new RegExp(`${expectDone} as planned`));
}

test("signed in: a direct license a group duplicates is removed, verified, and rolled back", async () => {
  const tenant = await freshTenant();
  try {
    const { page, problems } = await openPage(stack.browser, tenant.url);
    await signIn(page);
    await page.getByRole("link", { name: "License health" }).click();
    const cleanup = page.getByTestId("cleanup");
    await cleanup.waitFor({ timeout: 30_000 });
    // Project: one full duplicate, and one whose group turns SharePoint off (it stays, and says why).
    const project = cleanup.locator(".cleanup-sku", { hasText: "Project Online Premium" });
    assert.match(await project.locator("h3").textContent(), /Project Online Premium: 1 of 2 can go/);
    assert.match(await project.locator('li[data-covered="false"]').textContent(), /stays: the groups do not give SharePoint \(Plan 2\)/);
    const bi = cleanup.locator(".cleanup-sku", { hasText: "Power BI Pro" });
    assert.match(await bi.locator("h3").textContent(), /Power BI Pro: 1 of 1 can go/);
    await screenshot(page, "health-cleanup");

    await bi.getByRole("button", { name: /Plan removing 1 direct Power BI Pro license/ }).click();
    await page.waitForURL(/#\/preview$/);
    await page.getByRole("heading", { name: "Power BI Pro → Power BI Pro" }).waitFor();
    await applyAndVerify(page, 1, { firstWrite: true });

    await page.getByRole("button", { name: "Preview the rollback" }).click();
    await page.waitForURL(/#\/preview$/);
    await applyAndVerify(page, 1, { firstWrite: false });

    // Back on the health screen, the direct license is there again, still covered.
    await page.goto(tenant.url + "#/health");
    await page.getByRole("button", { name: "Load again" }).click();
    await page.getByTestId("cleanup").locator(".cleanup-sku", { hasText: "Power BI Pro" }).waitFor({ timeout: 30_000 });
    assert.match(
      await page.getByTestId("cleanup").locator(".cleanup-sku", { hasText: "Power BI Pro" }).locator("h3").textContent(),
      /Power BI Pro: 1 of 1 can go/,
    );
    assert.deepEqual(realProblems(problems), []);
  } finally {
    await tenant.close();
  }
});
