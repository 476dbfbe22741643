// License health in the demo tenant: every member in a group-licensing error listed by kind with
// counts, each explained with Microsoft's product and plan names and its fix, the groups with
// members in error, and the CSV export; signed in, the fixes licswap plans (a direct license a
// group duplicates; a direct license that conflicts with a group's, then reprocessing).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { TEST_CLIENT, axeViolations, openPage, screenshot, serveApp, startSim, useStack } from "./lib/harness.mjs";
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
  assert.match(await page.getByRole("heading", { name: /^\d+ members? in error$/ }).textContent(), /^6 members in error$/);

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

/** dist/ with its own sim-server tenant (the Contoso demo over HTTP), signed in for real;
 * `simArgs` are more sim-server flags. */
async function freshTenant(simArgs = []) {
  const files = {};
  const app = await serveApp({ files });
  const sim = await startSim(["--redirect-uri", app.url, "--client-id", TEST_CLIENT, ...simArgs]);
  files["/config.json"] = JSON.stringify({
    clientId: TEST_CLIENT,
    tenant: "contosodemo.onmicrosoft.com",
    authority: sim.url,
    graphBaseUrl: `${sim.url}/v1.0`,
  });
  return { url: app.url, simUrl: sim.url, close: async () => { await sim.close(); await app.close(); } };
}

async function applyAndVerify(page, expectDone) {
  await page.getByRole("button", { name: "Apply…" }).click();
  await page.getByLabel("I have reviewed").check();
  // Every run asks for the write scope (a consent round trip: the app drops the scope when a run
  // ends, so no token of the tab can still change licenses), then applies.
  await consentToWrite(page);
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
    await applyAndVerify(page, 1);

    await page.getByRole("button", { name: "Preview the rollback" }).click();
    await page.waitForURL(/#\/preview$/);
    await applyAndVerify(page, 1);

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

/** Graph as another admin (sim-server's test token): the user `upn` with its license states. */
async function graphUser(simUrl, upn) {
  const { access_token } = await (
    await fetch(`${simUrl}/_sim/token`, {
      method: "POST",
      body: JSON.stringify({ scopes: ["LicenseAssignment.Read.All", "User.Read.All", "GroupMember.Read.All"] }),
    })
  ).json();
  const get = async (path) =>
    (await fetch(`${simUrl}/v1.0${path}`, { headers: { authorization: `Bearer ${access_token}` } })).json();
  const skus = (await get("/subscribedSkus")).value;
  const users = (await get("/users?$select=id,userPrincipalName,licenseAssignmentStates&$top=999")).value;
  const user = users.find((u) => u.userPrincipalName === upn);
  assert.ok(user, `no user ${upn} in Graph`);
  const part = (id) => skus.find((s) => s.skuId === id)?.skuPartNumber;
  return user.licenseAssignmentStates.map((s) => ({ ...s, part: part(s.skuId) }));
}

test("signed in: a conflicting direct license is removed, the member reprocessed, and the error is gone", async () => {
  // Entra keeps a member in error until the member is processed again, even once the cause is
  // gone (https://learn.microsoft.com/entra/identity/users/licensing-groups-resolve-problems):
  // sim-server does too with this flag, so only the reprocessing can clear the error here.
  const tenant = await freshTenant(["--errors-stay-until-reprocessed"]);
  try {
    const { page, problems } = await openPage(stack.browser, tenant.url);
    await signIn(page);
    await page.getByRole("link", { name: "License health" }).click();
    const fixes = page.getByTestId("conflict-fixes");
    await fixes.waitFor({ timeout: 30_000 });
    // The demo's conflict: SharePoint Online (Plan 1) directly beside the PMO group's Project.
    const conflict = page.locator('section[data-kind="MutuallyExclusiveViolation"] .health-issue');
    assert.equal(await conflict.count(), 1);
    const upn = await conflict.getAttribute("data-user");
    assert.match(await conflict.textContent(), /group Project - PMO/);
    const before = await graphUser(tenant.simUrl, upn);
    assert.ok(before.some((s) => s.part === "SHAREPOINTSTANDARD" && !s.assignedByGroup), JSON.stringify(before));
    assert.ok(before.some((s) => s.part === "PROJECTPREMIUM" && s.error === "MutuallyExclusiveViolation"));
    await screenshot(page, "health-conflict-fix");

    await fixes
      .getByRole("button", { name: "Plan the fix: remove the direct SharePoint Online (Plan 1) license of 1 member(s)" })
      .click();
    await page.waitForURL(/#\/preview$/);
    await page.getByRole("heading", { name: "SharePoint Online (Plan 1) → SharePoint Online (Plan 1)" }).waitFor();
    await applyAndVerify(page, 1);

    // Removed, yet still in error: Entra has not processed the member again.
    const between = await graphUser(tenant.simUrl, upn);
    assert.ok(!between.some((s) => s.part === "SHAREPOINTSTANDARD"), JSON.stringify(between));
    assert.ok(between.some((s) => s.part === "PROJECTPREMIUM" && s.error === "MutuallyExclusiveViolation"));

    // Reprocessing asks for User.ReadWrite.All first: a consent round trip back to the report.
    const step = page.getByTestId("reprocess");
    const reprocess = step.getByRole("button", { name: "Reprocess 1 member(s)" });
    const result = page.getByTestId("reprocess-result");
    /** The first press goes to Entra for consent (sim-server grants it at once) and back. */
    const consentRoundTrip = async () => {
      const back = page.waitForEvent("load");
      await reprocess.click();
      await back;
      await page.waitForURL(/^[^?]*#\/report$/, { timeout: 30_000 });
    };
    // A signed-in admin whose role may not reprocess users: Graph's 403, explained, no crash.
    const roles = (list) =>
      fetch(`${tenant.simUrl}/_sim/roles`, { method: "POST", body: JSON.stringify({ roles: list }) });
    await consentRoundTrip();
    await roles(["Groups Administrator"]);
    await reprocess.click();
    await result.waitFor({ timeout: 30_000 });
    const refused = await result.textContent();
    assert.match(refused, /^Reprocessed 0 member\(s\); 1 refused/);
    assert.match(refused, new RegExp(upn.replace(/\./g, "\\.")));
    assert.match(refused, /Authorization_RequestDenied \(403\).*User\.ReadWrite\.All.*License Administrator/s);
    await screenshot(page, "health-reprocess-refused");
    assert.deepEqual(await axeViolations(page), []);

    // With the role back, the permission is asked again (it was dropped after the refused try).
    await roles(["Global Administrator"]);
    await consentRoundTrip();
    await reprocess.click();
    await result.waitFor({ timeout: 30_000 });
    assert.match(await result.textContent(), /^Reprocessed 1 member\(s\)/);
    await screenshot(page, "health-reprocessed");
    assert.deepEqual(await axeViolations(page), []);
    // Done: the tab's token no longer carries User.ReadWrite.All (nor the write scope).
    const kept = JSON.parse(await page.evaluate(() => sessionStorage.getItem("licswap.tokens")));
    assert.doesNotMatch(`${kept.scope} ${kept.requested}`, /User\.ReadWrite\.All|LicenseAssignment\.ReadWrite\.All/);

    await step.getByRole("button", { name: "Check license health again" }).click();
    await page.waitForURL(/#\/health$/);
    const counts = page.getByTestId("health-counts");
    await counts.waitFor({ timeout: 30_000 });
    assert.equal(await counts.locator('li[data-kind="MutuallyExclusiveViolation"]').count(), 0);
    assert.equal(await page.locator(`.health-issue[data-user="${upn}"]`).count(), 0);
    assert.match(await page.getByRole("heading", { name: /^\d+ members? in error$/ }).textContent(), /^5 members in error$/);
    assert.equal(await page.getByTestId("conflict-fixes").count(), 0);

    // Graph agrees: the group's Project Online Premium is Active for the member.
    const after = await graphUser(tenant.simUrl, upn);
    const project = after.find((s) => s.part === "PROJECTPREMIUM");
    assert.equal(project?.state, "Active", JSON.stringify(after));
    assert.ok(project.assignedByGroup, "from the group");
    assert.ok(!after.some((s) => s.error && s.error !== "None"), JSON.stringify(after));
    assert.deepEqual(realProblems(problems), []);
  } finally {
    await tenant.close();
  }
});
