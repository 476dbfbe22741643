// The browser's own path under faults: signed in against sim-server, a swap of 100+ direct users
// and the tenant's static E1 groups runs while sim-server answers 30% of Graph requests with 503
// and drops 30% of responses after processing them (POST /_sim/faults), and the page is reloaded
// half way. A browser cannot tell a request that never arrived from an answer that was lost
// (and Chromium itself sends a POST again when its answer dies on a reused connection), so every
// write whose fate is unclear must be read back before anything is resent.
//
// The assertions come from sim-server's own counts, not from the app: every license write it
// made is a call the app reports done (nothing landed while reported failed, nothing twice),
// nobody lost a service, and verify agrees with the tenant for every action.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { openPage, screenshot, useStack } from "./lib/harness.mjs";
import { openWizard, readJournal, realProblems, signIn, consentToWrite } from "./journey_lib.mjs";

const USERS = 260;
const stack = useStack({
  sim: ["--users", String(USERS), "--seed", "1", "--group-delay-ms", "3000"],
  tenant: "contosogen1.onmicrosoft.com",
});
const simStats = async () => (await fetch(`${stack.sim.url}/_sim/stats`)).json();
const setFaults = (f) =>
  fetch(`${stack.sim.url}/_sim/faults`, { method: "POST", body: JSON.stringify(f) }).then((r) => r.json());
/** A token for sim-server's Graph, as another admin's tool would hold. */
async function adminToken() {
  const r = await fetch(`${stack.sim.url}/_sim/token`, {
    method: "POST",
    body: JSON.stringify({ scopes: ["User.Read.All", "LicenseAssignment.ReadWrite.All"] }),
  });
  return { authorization: `Bearer ${(await r.json()).access_token}` };
}

/** The generated tenant gives a few E1 holders another product beside it that conflicts with E3
 * or depends on E1 (blockers by design); an admin takes every product but E1 and E3 off its
 * holders first, so the whole plan can run. */
async function clearBlockers() {
  const auth = await adminToken();
  const graph = (path, init = {}) =>
    fetch(`${stack.sim.url}/v1.0${path}`, { ...init, headers: { ...auth, "content-type": "application/json" } });
  const skus = (await (await graph("/subscribedSkus")).json()).value;
  let removed = 0;
  for (const sku of skus.filter((s) => !["STANDARDPACK", "ENTERPRISEPACK"].includes(s.skuPartNumber))) {
    const holders = (await (await graph(`/users?$filter=assignedLicenses/any(x:x/skuId eq ${sku.skuId})&$select=id`)).json()).value;
    for (const u of holders) {
      const r = await graph(`/users/${u.id}/assignLicense`, {
        method: "POST",
        body: JSON.stringify({ addLicenses: [], removeLicenses: [sku.skuId] }),
      });
      assert.ok(r.ok, `${sku.skuPartNumber} removed from ${u.id} (${r.status})`);
      removed += 1;
    }
  }
  return removed;
}

const journalOf = async (page) => readJournal(await page.evaluate(() => localStorage.getItem("licswap.journal")));

/** The row this journey adds to the fault table `cargo xtask test` prints beside the native suite's. */
function recordRow(cells) {
  const dir = process.env.LICSWAP_FAULT_ROWS ?? new URL("../../target/tmp/fault-journey", import.meta.url).pathname;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "browser-faults.md"), `| ${cells.join(" | ")} |\n`);
}

test("100+ swaps under 503s, dropped answers and a reload: every write done once, none reported failed", { timeout: 600_000 }, async (t) => {
  assert.ok((await clearBlockers()) > 0, "the tenant's blockers were cleared first");
  const { page, problems } = await openPage(stack.browser, stack.app.url);
  await signIn(page, 60_000);
  await openWizard(page, stack.app.url, "STANDARDPACK", "ENTERPRISEPACK");
  await page.getByLabel(/plan a first wave/).check();
  await page.getByRole("button", { name: "Preview" }).click();
  await page.waitForURL(/#\/preview$/, { timeout: 120_000 });

  await page.getByRole("button", { name: "Apply…" }).click();
  await page.getByLabel("I have reviewed").check();
  await consentToWrite(page);

  const before = await simStats();
  await setFaults({ serverErrorRate: 0.3, dropRate: 0.3 });
  await page.getByRole("button", { name: "Apply now" }).click();
  const actions = Object.keys((await journalOf(page)).entries);
  const groups = actions.filter((id) => id.includes(":group:")).length;
  t.diagnostic(`${actions.length} actions, ${groups} of them group swaps`);
  assert.ok(actions.length >= 100, `at least 100 actions (${actions.length})`);
  assert.ok(groups >= 2 && actions.length - groups >= 90, "direct users and groups");

  // Reload once about a third of the writes have landed.
  for (let i = 0; (await simStats()).licenseWrites - before.licenseWrites < actions.length / 3; i++) {
    assert.ok(i < 1200, "a third of the writes landed");
    await new Promise((ok) => setTimeout(ok, 100));
  }
  await page.reload();
  await page.getByText(/This plan was started before in this browser/).waitFor({ timeout: 60_000 });
  const review = page.getByLabel("I have reviewed");
  if (await review.count()) await review.check();
  await page.getByRole("button", { name: "Resume applying" }).click();
  await page.locator(".ok-box, .error-box").first().waitFor({ timeout: 480_000 });
  const faults = await simStats();
  await setFaults({ serverErrorRate: 0, dropRate: 0 });
  await screenshot(page, "journey-faults-applied");

  const progress = await page.getByTestId("apply-progress").textContent();
  t.diagnostic(progress);
  const journal = await journalOf(page);
  const entries = Object.values(journal.entries);
  const count = (s) => entries.filter((e) => e.state === s).length;
  const done = count("done");
  const failed = count("failed");
  const readBack = entries.filter((e) => /outcome was unknown|answer/.test(e.note ?? "")).length;
  for (const [id, e] of Object.entries(journal.entries).filter(([, e]) => e.state !== "done")) {
    t.diagnostic(`${id}: ${e.state} ${e.code ?? ""} ${e.message ?? ""} ${e.note ?? ""}`);
  }
  const writes = faults.licenseWrites - before.licenseWrites;
  const injected = faults.injected5xx - before.injected5xx;
  t.diagnostic(`sim-server: ${writes} license writes, ${injected} injected 503s; app: ${done} done, ${failed} failed, ${readBack} settled by read-back`);

  // Verify with the faults off: every action re-read.
  await page.getByRole("link", { name: "Verify and report" }).click();
  await page.getByRole("button", { name: "Verify now" }).click();
  await page.getByTestId("verify-summary").waitFor({ timeout: 120_000 });
  const summary = await page.getByTestId("verify-summary").textContent();
  t.diagnostic(summary);
  await screenshot(page, "journey-faults-verified");
  const losses = (await simStats()).serviceLosses - before.serviceLosses;

  const lost = actions.length - done - failed - count("stale");
  recordRow([
    "browser: 30% 503 + 30% dropped + reload", actions.length, 2, "-", "-", injected, "-", readBack, "-", 1,
    count("stale"), failed, done, Math.max(lost, 0), Math.max(writes - done, 0), losses,
  ]);
  assert.ok(injected > 10, `sim-server injected 503s (${injected})`);
  assert.equal(writes, done, `every license write sim-server made is a call reported done (${writes} writes, ${done} done)`);
  assert.equal(failed, 0, "no call reported failed: every fault here is transient");
  assert.equal(done, actions.length, `every action done (${progress})`);
  assert.ok(readBack > 0, "some outcomes were settled by reading the target back");
  assert.equal(losses, 0, "nobody lost a service");
  assert.match(summary, new RegExp(`${actions.length} as planned · 0 differ · 0 could not be read`));
  assert.match(summary, /the tenant matches the plan/);
  // The browser logs every fault sim-server injects (dropped answers, 503s) and the 403s of the
  // errors list refused to the app's permissions; anything else is a real problem.
  const injected_ = /net::ERR_EMPTY_RESPONSE|net::ERR_CONNECTION_(RESET|CLOSED)|status of 503|status of 403/;
  assert.deepEqual(realProblems(problems).filter((p) => !injected_.test(p)), []);
});
