// Bundle swaps (several licenses to several in one assignLicense per user or group), signed in
// against sim-server's demo tenant: the Teams unbundling (Office 365 E5 -> Office 365 E5 EEA
// (no Teams) + Microsoft Teams EEA) for a group and for direct users, applied and verified, and
// read back from Graph; and a shared preview of a bundle (E3 + EMS -> Microsoft 365 E3) that
// opens read-only.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openPage, screenshot, useStack } from "./lib/harness.mjs";
import { signIn, realProblems, consentToWrite } from "./journey_lib.mjs";

const stack = useStack({ sim: [] });

const SUITE = "Office_365_w/o_Teams_Bundle_E5";
const TEAMS = "Microsoft_Teams_EEA_New";

/** Chooses `sources` and `targets` (part numbers) in the wizard, adding pickers for the second and
 * later ones, and waits for the holders. */
async function pickBundle(page, sources, targets) {
  const opt = (id, part) => page.locator(`#${id} option`, { hasText: `(${part})` });
  await opt("source", sources[0]).waitFor({ state: "attached", timeout: 30_000 });
  for (const [side, parts] of [["source", sources], ["target", targets]]) {
    for (const [i, part] of parts.entries()) {
      const id = i === 0 ? side : `${side}-${i + 1}`;
      if (i > 0) await page.getByRole("button", { name: `+ Add another ${side} license` }).click();
      await page.selectOption(`#${id}`, await opt(id, part).getAttribute("value"));
    }
  }
  await page.getByText(/users hold (the source license|one of the source licenses)/).waitFor({ timeout: 60_000 });
}

/** Graph as another admin (sim-server's test token): each license state of `path`'s users. */
async function graph(path) {
  const { access_token } = await (
    await fetch(`${stack.sim.url}/_sim/token`, {
      method: "POST",
      body: JSON.stringify({ scopes: ["LicenseAssignment.Read.All", "User.Read.All", "GroupMember.Read.All"] }),
    })
  ).json();
  return (await fetch(`${stack.sim.url}/v1.0${path}`, { headers: { authorization: `Bearer ${access_token}` } })).json();
}

async function skuIds() {
  const skus = (await graph("/subscribedSkus")).value;
  const id = (part) => skus.find((s) => s.skuPartNumber === part).skuId;
  return { e5: id("ENTERPRISEPREMIUM"), suite: id(SUITE), teams: id(TEAMS) };
}

/** Applies the open preview (consent round trip included), verifies, and returns the number of
 * calls verified as planned. */
async function applyAndVerify(page) {
  await page.getByRole("button", { name: "Apply…" }).click();
  await page.getByLabel("I have reviewed").check();
  await consentToWrite(page);
  await page.getByRole("button", { name: "Apply now" }).click();
  await page.getByText("Applied", { exact: true }).waitFor({ timeout: 120_000 });
  const progress = await page.getByTestId("apply-progress").textContent();
  assert.match(progress, / 0 failed/, progress);
  await page.getByRole("link", { name: "Verify and report" }).click();
  await page.getByRole("button", { name: "Verify now" }).click();
  await page.getByTestId("verify-summary").waitFor({ timeout: 60_000 });
  return page.getByTestId("verify-summary").textContent();
}

test("the Teams unbundling of a group and of direct users, applied and verified", { timeout: 240_000 }, async () => {
  const { page, problems } = await openPage(stack.browser, stack.app.url);
  const refused = [];
  page.on("response", (r) => r.status() === 403 && refused.push(new URL(r.url()).pathname));
  await signIn(page);
  const ids = await skuIds();

  // The group first.
  await page.goto(stack.app.url + "#/migrate");
  await pickBundle(page, ["ENTERPRISEPREMIUM"], [SUITE, TEAMS]);
  const summary = await page.locator(".move-summary").textContent();
  assert.match(summary, /Office 365 E5 → Office 365 E5 EEA \(no Teams\) \+ Microsoft Teams EEA/);
  assert.match(summary, /Microsoft Teams EEA: \d+ free seats/);
  await screenshot(page, "journey-bundle-wizard");
  await page.getByLabel("Members of chosen groups").check();
  await page.locator(".pick-list label", { hasText: "E5 - Leadership" }).locator("input[type=checkbox]").check();
  await page.getByRole("button", { name: "Preview" }).click();
  await page.waitForURL(/#\/preview$/);
  await page.getByRole("heading", { name: "Office 365 E5 → Office 365 E5 EEA (no Teams) + Microsoft Teams EEA" }).waitFor();
  assert.equal(await page.locator(".seats-card").count(), 2, "seats of each target");
  assert.equal(await page.getByRole("button", { name: "Apply…" }).isDisabled(), false, "no blocker");
  await screenshot(page, "journey-bundle-preview");
  assert.match(await applyAndVerify(page), /1 as planned/);

  const group = (await graph("/groups?$select=id,displayName,assignedLicenses")).value.find((g) => g.displayName === "E5 - Leadership");
  assert.deepEqual(group.assignedLicenses.map((l) => l.skuId).sort(), [ids.suite, ids.teams].sort());
  const members = (await graph(`/groups/${group.id}/members?$select=id,licenseAssignmentStates`)).value;
  assert.equal(members.length, 3);
  for (const m of members) {
    const active = (sku) => m.licenseAssignmentStates.some((s) => s.skuId === sku && s.state === "Active");
    assert.ok(active(ids.suite) && active(ids.teams), JSON.stringify(m));
    assert.ok(!m.licenseAssignmentStates.some((s) => s.skuId === ids.e5), "E5 is gone");
  }

  // Then everyone who still holds E5: the two direct holders, one call each.
  await page.goto(stack.app.url + "#/migrate");
  await pickBundle(page, ["ENTERPRISEPREMIUM"], [SUITE, TEAMS]);
  await page.getByRole("button", { name: "Preview" }).click();
  await page.waitForURL(/#\/preview$/);
  assert.match(await page.getByTestId("row-count").textContent(), /2 of 2 rows/);
  await page.locator(".vrow").first().click();
  const detail = await page.locator(".detail").textContent();
  assert.match(detail, /assignLicense/);
  assert.match(await applyAndVerify(page), /2 as planned/);
  const holders = (await graph(`/users?$filter=assignedLicenses/any(x:x/skuId eq ${ids.teams})&$select=id,assignedLicenses&$top=999`)).value;
  assert.equal(holders.length, 5, "three group members and two direct holders have Teams");
  const left = (await graph(`/users?$filter=assignedLicenses/any(x:x/skuId eq ${ids.e5})&$select=id&$top=999`)).value;
  assert.equal(left.length, 0, "nobody holds Office 365 E5 any more");
  const stats = await (await fetch(`${stack.sim.url}/_sim/stats`)).json();
  assert.equal(stats.serviceLosses, 0, "no service lost on the way");
  await screenshot(page, "journey-bundle-report");
  assert.ok(refused.every((p) => p.endsWith("/membersWithLicenseErrors")), refused.join(", "));
  const forbidden = /status of 403 \(Forbidden\)/;
  assert.deepEqual(realProblems(problems).filter((p) => !forbidden.test(p)), []);
});

test("a shared preview of a bundle opens read-only with Microsoft's product names", async () => {
  const { page } = await openPage(stack.browser, stack.app.url);
  await signIn(page);
  await page.goto(stack.app.url + "#/migrate");
  await pickBundle(page, ["ENTERPRISEPACK", "EMS"], ["SPE_E3"]);
  await page.getByRole("button", { name: "Preview" }).click();
  await page.waitForURL(/#\/preview$/);
  await page.getByRole("button", { name: "Copy link" }).click();
  const link = await page.getByTestId("share-link").inputValue();
  await page.context().close();

  const shared = await openPage(stack.browser, link);
  await shared.page.getByText("Shared preview (read-only)").waitFor();
  await shared.page
    .getByRole("heading", { name: "Office 365 E3 + Enterprise Mobility + Security E3 → Microsoft 365 E3" })
    .waitFor();
  assert.equal(await shared.page.getByRole("button", { name: "Apply…" }).count(), 0);
  assert.match(await shared.page.locator(".findings").textContent(), /Holds some of the sources, not all/);
  await screenshot(shared.page, "journey-bundle-shared");
  assert.deepEqual(realProblems(shared.problems), []);
});
