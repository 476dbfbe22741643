// A shared preview is someone's claim, opened on the app's own origin: it says its contents are
// not verified and labels the tenant as claimed, its ids are never named from the viewer's own
// tenant, a link too long to be one someone sent is refused, and a crafted one with a huge number
// of phases renders only a capped few.
import { test } from "node:test";
import assert from "node:assert/strict";
import { deflateRawSync, inflateRawSync } from "node:zlib";
import { openPage, screenshot, useStack } from "./lib/harness.mjs";
import { pickSkus } from "./journey_lib.mjs";

const stack = useStack({});

function fnv1a64(bytes) {
  let h = 0xcbf29ce484222325n;
  for (const b of bytes) h = BigInt.asUintN(64, (h ^ BigInt(b)) * 0x100000001b3n);
  return h;
}
const decodePreview = (text) =>
  JSON.parse(inflateRawSync(Buffer.from(text.replace(/^v1\./, ""), "base64url").subarray(8)).toString("utf8"));
function encodePreview(obj) {
  const bytes = Buffer.from(JSON.stringify(obj), "utf8");
  const sum = Buffer.alloc(8);
  sum.writeBigUInt64BE(fnv1a64(bytes));
  return "v1." + Buffer.concat([sum, deflateRawSync(bytes)]).toString("base64url");
}

/** A preview link made in the demo tenant, and the page it was made in (its plan is Local). */
async function demoPreview() {
  const opened = await openPage(stack.browser, stack.app.url + "#/migrate");
  await pickSkus(opened.page, "STANDARDPACK", "ENTERPRISEPACK");
  await opened.page.getByRole("button", { name: "Preview" }).click();
  await opened.page.waitForURL(/#\/preview$/);
  await opened.page.getByRole("button", { name: "Copy link" }).click();
  const link = await opened.page.getByTestId("share-link").inputValue();
  return { ...opened, preview: decodePreview(link.split("#/preview/")[1]) };
}

test("an opened preview says it is not verified, labels the tenant a claim, and names no one from the viewer's tenant", async () => {
  const { page, preview, problems } = await demoPreview();
  // The crafted preview lists real users of the viewer's tenant by id only (name = id).
  const ids = [];
  for (const phase of preview.plan.phases) {
    for (const a of phase.actions) {
      if (a.target.kind === "user") {
        a.target.name = a.target.id;
        ids.push(a.target.id);
      }
    }
  }
  preview.plan.coverage = [];
  preview.plan.findings = [];
  assert.ok(ids.length > 0);
  // Opened in the same tab, where the demo tenant's data is loaded and a local plan exists.
  await page.goto(`${stack.app.url}#/preview/${encodePreview(preview)}`);
  await page.getByTestId("unverified-banner").waitFor({ timeout: 30_000 });
  assert.match(await page.getByTestId("unverified-banner").textContent(), /not verified/);
  assert.match(await page.locator(".eyebrow").first().textContent(), /claims to be from .* \(not verified\)/);
  await page.locator(".vrow").first().waitFor({ timeout: 30_000 });
  const rows = await page.locator(".vrow").allTextContents();
  assert.ok(rows.some((r) => ids.some((id) => r.includes(id))), "the ids are shown as they are");
  assert.ok(!rows.some((r) => /@contosodemo\.onmicrosoft\.com/i.test(r)), `resolved against the viewer's tenant: ${rows[0]}`);
  await screenshot(page, "shared-untrusted");
  assert.deepEqual(problems.filter((p) => /pageerror|panicked/.test(p)), []);
});

test("a crafted preview with a huge number of phases renders a capped few; an oversized link is refused", async () => {
  const { page, preview } = await demoPreview();
  const template = preview.plan.phases[0];
  preview.plan.phases = Array.from({ length: 20_000 }, (_, i) => ({ ...template, title: `Phase ${i}`, actions: [] }));
  await page.goto(`${stack.app.url}#/preview/${encodePreview(preview)}`);
  await page.getByText(/and 19,980 more phases, not shown/).waitFor({ timeout: 60_000 });
  assert.ok((await page.locator(".phases li").count()) <= 20);

  // Chromium itself refuses to open an address over 2 MiB; pasted, such a link is refused too.
  const huge = `${stack.app.url}#/preview/v1.${"A".repeat(3 * 1024 * 1024)}`;
  await page.goto(`${stack.app.url}#/open`);
  await page.locator("#preview-text").fill(huge);
  await page.getByRole("button", { name: "Open", exact: true }).click();
  await page.getByText(/larger than 2 MiB/).waitFor({ timeout: 30_000 });
});
