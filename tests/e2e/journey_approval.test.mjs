// Four eyes, signed in against sim-server: the admin shares a preview, a reviewer approves it in
// a fresh browser, the admin opens the approved file and applies exactly the approved calls; a
// tenant change between approval and apply shows the difference and only the approved subset
// runs; with `requireApprovalAbove` in config.json an unapproved plan over the threshold cannot
// be applied; a tampered approved file is detected.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import { inflateRawSync } from "node:zlib";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openPage, screenshot, useStack, TEST_CLIENT } from "./lib/harness.mjs";
import { openWizard, signIn, readJournal, realProblems } from "./journey_lib.mjs";

const stack = useStack({ sim: ["--client-id", TEST_CLIENT] });
const DOMAIN = "contosodemo.onmicrosoft.com";
const simStats = async () => (await fetch(`${stack.sim.url}/_sim/stats`)).json();

/** Graph on sim-server as another admin would use it (a token from the simulator's control port). */
async function graph(path, body) {
  const t = await fetch(`${stack.sim.url}/_sim/token`, {
    method: "POST",
    body: JSON.stringify({ scopes: ["User.Read.All", "LicenseAssignment.ReadWrite.All"] }),
  });
  const { access_token } = await t.json();
  const r = await fetch(`${stack.sim.url}/v1.0/${path}`, {
    method: body ? "POST" : "GET",
    headers: { authorization: `Bearer ${access_token}`, "content-type": "application/json" },
    body: body && JSON.stringify(body),
  });
  assert.ok(r.ok, `${path}: ${r.status} ${await r.clone().text()}`);
  return r.status === 204 ? null : r.json();
}

/** The actions of the plan inside a shared preview's text form (`v1.` + checksum + DEFLATE). */
function previewActions(encoded) {
  const bytes = Buffer.from(encoded.replace(/^v1\./, ""), "base64url");
  const preview = JSON.parse(inflateRawSync(bytes.subarray(8)).toString("utf8"));
  return preview.plan.phases.flatMap((p) => p.actions);
}

/** The admin plans E1 -> E3 for `upns` and opens the preview. */
async function planFor(page, upns) {
  await openWizard(page, stack.app.url, "STANDARDPACK", "ENTERPRISEPACK");
  await page.getByLabel("A list of users").check();
  await page.fill("#user-list", upns.join("\n"));
  await page.getByRole("button", { name: "Preview" }).click();
  await page.waitForURL(/#\/preview$/);
  assert.equal(await page.getByRole("button", { name: "Apply…" }).isDisabled(), false, "nothing blocks the plan");
}

/** The admin's share link (or `#/open` and an approved file), opened by a reviewer in a fresh
 * browser context who approves it and downloads the approved preview file. */
async function reviewerApproves(link, name, role, { fileText } = {}) {
  const { page, context, problems } = await openPage(stack.browser, link);
  if (fileText) {
    // A later approver opens the approved file of the one before.
    await page.setInputFiles("#preview-file", saveTemp("approved-so-far.json", fileText));
  }
  await page.getByText("Shared preview (read-only)").waitFor({ timeout: 30_000 });
  assert.match(await page.getByRole("note").filter({ hasText: "attestation" }).textContent(), /not a signature/);
  await page.getByLabel("Your name").fill(name);
  await page.getByLabel("Your role").fill(role);
  await page.getByLabel("Comment").fill("Checked seats and service coverage.");
  await page.getByRole("button", { name: "Approve this plan" }).click();
  const esc = (t) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  await page.getByText(new RegExp(`^Approved by (.*, |.* and )?${esc(name)} \\(${esc(role)}\\)$`)).waitFor();
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Download approved preview (.json)" }).click(),
  ]);
  const file = readFileSync(await download.path(), "utf8");
  await screenshot(page, `journey-approval-reviewer-${role.replace(/\W+/g, "-").toLowerCase()}`);
  assert.deepEqual(realProblems(problems), []);
  await context.close();
  return file;
}

function saveTemp(name, text) {
  const path = join(mkdtempSync(join(tmpdir(), "licswap-approval-")), name);
  writeFileSync(path, text);
  return path;
}

/** From the confirmation through the consent round trip to a finished run. */
async function confirmAndRun(page, button) {
  await page.getByLabel("I have reviewed").check();
  const back = page.waitForEvent("load");
  await page.getByRole("button", { name: button }).click();
  await back; // the write-scope consent round trip
  await page.waitForURL(/^[^?]*#\/apply$/, { timeout: 30_000 });
  await page.getByTestId("audit-note").waitFor();
  await page.getByLabel("I have reviewed").check();
  const before = (await simStats()).licenseWrites;
  await page.getByRole("button", { name: button }).click();
  await page.getByText("Applied", { exact: true }).waitFor({ timeout: 60_000 });
  const journal = readJournal(await page.evaluate(() => localStorage.getItem("licswap.journal")));
  return { journal, writes: (await simStats()).licenseWrites - before };
}

test("an approved preview is applied exactly as approved, with an audit record", { timeout: 240_000 }, async () => {
  const admin = await openPage(stack.browser, stack.app.url);
  const page = admin.page;
  await signIn(page);
  await planFor(page, [`carlos.demir4@${DOMAIN}`, `emily.wilke7@${DOMAIN}`]);
  const shown = page.getByTestId("plan-digest").filter({ hasText: /[0-9A-Z]{4}-[0-9A-Z]{4}/ });
  await shown.waitFor();
  const digest = (await shown.textContent()).match(/[0-9A-Z]{4}-[0-9A-Z]{4}/)[0];
  await page.getByRole("button", { name: "Copy link" }).click();
  const link = await page.getByTestId("share-link").inputValue();

  const fileText = await reviewerApproves(link, "Alice Reviewer", "Change board");
  const file = JSON.parse(fileText);
  assert.equal(file.licswapApproved, 1);
  assert.equal(file.digest, digest, "the reviewer approved the digest the admin saw");
  assert.equal(file.approvals.length, 1);
  assert.equal(file.approvals[0].digest, file.digestSha256);
  const approvedIds = previewActions(file.preview).map((a) => a.id).sort();
  assert.equal(approvedIds.length, 2);

  // A file whose approval was edited afterwards is detected (in another fresh browser).
  const forged = JSON.parse(fileText);
  forged.approvals[0].name = "Mallory";
  const other = await openPage(stack.browser, stack.app.url + "#/open");
  await other.page.setInputFiles("#preview-file", saveTemp("forged.json", JSON.stringify(forged)));
  const alert = other.page.getByRole("alert").filter({ hasText: "do not hold" });
  await alert.waitFor({ timeout: 30_000 });
  assert.match(await alert.textContent(), /edited after it was recorded/);
  assert.equal(await other.page.getByRole("button", { name: /Apply what/ }).count(), 0);
  await other.context.close();

  // The admin opens the approved file and applies it.
  await page.goto(stack.app.url + "#/open");
  await page.setInputFiles("#preview-file", saveTemp("approved.json", fileText));
  await page.getByText("Approved by Alice Reviewer (Change board)").first().waitFor({ timeout: 30_000 });
  await page.getByRole("button", { name: "Apply what Alice Reviewer approved…" }).click();
  await page.waitForURL(/#\/apply-approved$/);
  const check = page.getByTestId("approved-check");
  await check.waitFor({ timeout: 30_000 });
  assert.match(await check.textContent(), /still matches the approval/);
  await screenshot(page, "journey-approval-check-identical");
  await page.getByRole("button", { name: `Apply what Alice Reviewer approved (digest ${digest})` }).click();
  await page.waitForURL(/#\/apply$/);
  assert.match(await page.getByTestId("audit-note").textContent(), /Approved by Alice Reviewer/);
  await screenshot(page, "journey-approval-confirm");

  const { journal, writes } = await confirmAndRun(page, "Apply what Alice Reviewer approved");
  assert.deepEqual(Object.keys(journal.entries).sort(), approvedIds, "the run is exactly the approved calls");
  assert.equal(writes, 2, "two assignLicense calls reached Graph");

  await page.getByRole("link", { name: "Verify and report" }).click();
  const audit = await page.getByTestId("audit-note").textContent();
  assert.match(audit, new RegExp(digest));
  assert.match(audit, /Approved by Alice Reviewer \(Change board\)/);
  assert.match(audit, /Applied by admin@contosodemo\.onmicrosoft\.com/);
  await screenshot(page, "journey-approval-report");
  const [json] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export JSON" }).click()]);
  const report = JSON.parse(readFileSync(await json.path(), "utf8"));
  assert.equal(report.audit.digestSha256, file.digestSha256);
  assert.equal(report.audit.approvals[0].name, "Alice Reviewer");
  assert.equal(report.audit.appliedBy, `admin@${DOMAIN}`);
  assert.ok(report.audit.appliedAt.startsWith(new Date().toISOString().slice(0, 4)));
  assert.deepEqual(report.rows.map((r) => r.state), ["done", "done"]);

  // The rollback's own record names the run it undoes.
  await page.getByRole("button", { name: "Verify now" }).click();
  await page.getByTestId("verify-summary").waitFor({ timeout: 60_000 });
  await page.getByRole("button", { name: "Preview the rollback" }).click();
  await page.waitForURL(/#\/preview$/);
  await page.getByRole("button", { name: "Apply…" }).click();
  const undo = await page.getByTestId("audit-note").textContent();
  assert.match(undo, new RegExp(`Rollback of the run of plan ${digest} applied .* by admin@contosodemo\\.onmicrosoft\\.com`));
  assert.doesNotMatch(undo, new RegExp(digest + ".*" + digest), "the rollback has a digest of its own");
  assert.deepEqual(realProblems(admin.problems), []);
});

/** Direct E1 holders with nothing else (only E1, no disabled plan, no group), as Graph says now. */
async function plainE1Holders() {
  const users = (await graph("users?$select=id,userPrincipalName,assignedLicenses,licenseAssignmentStates,accountEnabled,usageLocation")).value;
  const skus = (await graph("subscribedSkus")).value;
  const e1 = skus.find((s) => s.skuPartNumber === "STANDARDPACK").skuId;
  const pbi = skus.find((s) => s.skuPartNumber === "POWER_BI_PRO").skuId;
  const plain = users.filter(
    (u) =>
      u.accountEnabled !== false &&
      u.usageLocation &&
      u.assignedLicenses.length === 1 &&
      u.assignedLicenses[0].skuId === e1 &&
      u.assignedLicenses[0].disabledPlans.length === 0 &&
      u.licenseAssignmentStates.every((s) => !s.assignedByGroup),
  );
  return { plain, e1, pbi };
}

test("a tenant change after the approval shows the difference and applies only the approved subset", { timeout: 240_000 }, async () => {
  // Two direct E1 holders nobody else touched (the first test swapped carlos and emily).
  const { plain, e1, pbi } = await plainE1Holders();
  assert.ok(plain.length >= 4, "the demo tenant has direct E1 holders");
  const [keep, edited] = plain.slice(0, 2);

  const admin = await openPage(stack.browser, stack.app.url);
  const page = admin.page;
  await signIn(page);
  await planFor(page, [keep.userPrincipalName, edited.userPrincipalName]);
  await page.getByRole("button", { name: "Copy link" }).click();
  const first = await reviewerApproves(await page.getByTestId("share-link").inputValue(), "Bo Security", "Security officer");
  // A second approval, chained to the first.
  const fileText = await reviewerApproves(stack.app.url + "#/open", "Cy Board", "CAB", { fileText: first });
  const chained = JSON.parse(fileText);
  assert.deepEqual(chained.approvals.map((a) => a.name), ["Bo Security", "Cy Board"]);
  assert.equal(chained.approvals[1].prev, chained.approvals[0].seal);
  const approved = previewActions(chained.preview);
  const keptId = approved.find((a) => a.target.id.toLowerCase() === keep.id.toLowerCase()).id;

  // Another admin gives one of them Power BI Pro after the approval.
  await graph(`users/${edited.id}/assignLicense`, { addLicenses: [{ skuId: pbi, disabledPlans: [] }], removeLicenses: [] });

  await page.goto(stack.app.url + "#/open");
  await page.setInputFiles("#preview-file", saveTemp("approved.json", fileText));
  await page.getByRole("button", { name: "Apply what Bo Security approved…" }).click();
  const check = page.getByTestId("approved-check");
  await check.waitFor({ timeout: 30_000 });
  assert.match(await check.textContent(), /changed since the approval/);
  assert.match(await check.textContent(), /1 of the 2 approved calls are still exactly as approved/);
  const diff = await page.getByTestId("approved-diff").textContent();
  assert.match(diff, new RegExp(`Changed${edited.userPrincipalName.replace(/\./g, "\\.")}stale target`));
  assert.doesNotMatch(diff, new RegExp(keep.userPrincipalName.replace(/\./g, "\\.")));
  // An override is possible only with a written reason.
  await page.getByText("Override: apply the new plan without a new approval").click();
  assert.equal(await page.getByRole("button", { name: "Apply the new plan with this reason" }).isDisabled(), true);
  await screenshot(page, "journey-approval-diff");

  await page.getByRole("button", { name: "Apply only the approved subset (1 of 2)" }).click();
  await page.waitForURL(/#\/apply$/);
  assert.match(await page.getByTestId("audit-note").textContent(), /Only the approved subset: 1 change was left out/);
  const { journal, writes } = await confirmAndRun(page, "Apply what Bo Security approved");
  assert.deepEqual(Object.keys(journal.entries), [keptId], "only the approved call that still holds ran");
  assert.equal(writes, 1);
  const after = await graph(`users/${edited.id}?$select=assignedLicenses`);
  assert.ok(after.assignedLicenses.some((l) => l.skuId === e1), "the changed user was left alone");
  assert.deepEqual(realProblems(admin.problems), []);
});

test("with requireApprovalAbove set, an unapproved plan over the threshold cannot be applied", { timeout: 120_000 }, async () => {
  const config = stack.files["/config.json"];
  stack.files["/config.json"] = JSON.stringify({ ...JSON.parse(config), requireApprovalAbove: 1 });
  try {
    const { page, problems } = await openPage(stack.browser, stack.app.url);
    await signIn(page);
    const { plain } = await plainE1Holders();
    await planFor(page, plain.slice(0, 2).map((u) => u.userPrincipalName));
    await page.getByRole("button", { name: "Apply…" }).click();
    const alert = page.getByRole("alert").filter({ hasText: "An approval is required" });
    await alert.waitFor({ timeout: 30_000 });
    assert.match(await alert.textContent(), /changes 2 users.*requireApprovalAbove: 1/);
    assert.equal(await page.getByRole("button", { name: /Apply now|Apply what/ }).count(), 0, "no way to apply unapproved");
    assert.equal(await page.getByLabel("I have reviewed").count(), 0);
    await screenshot(page, "journey-approval-policy");
    assert.deepEqual(realProblems(problems), []);
  } finally {
    stack.files["/config.json"] = config;
  }
});
