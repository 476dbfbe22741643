// License health in the demo tenant: every member in a group-licensing error listed by kind with
// counts, each explained with Microsoft's product and plan names and its fix, the groups with
// members in error, and the CSV export.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { openPage, screenshot, useStack } from "./lib/harness.mjs";
import { realProblems } from "./journey_lib.mjs";

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
    /No seat of Project Online Premium was free.*Free 1 seat\(s\) of Project Online Premium/s,
  );
  assert.match(await page.locator('section[data-kind="ProhibitedInUsageLocationViolation"]').textContent(), /usage location, CU/);

  const groups = page.getByTestId("health-groups");
  for (const g of ["Project - PMO", "Project - Viewers (SharePoint off)", "Power BI - Partners"]) {
    assert.match(await groups.textContent(), new RegExp(g.replace(/[()]/g, "\\$&")));
  }
  assert.equal(await groups.locator("tbody tr").count(), 3);
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
