// The panel in Bangla, after the other suites (it logs in as panel.mjs's
// administrator, on the data they left). First the catalogues themselves:
// web/i18n/en.json and bn.json have the same keys, the same {placeholders},
// no empty string, and every t("key") the panel's code names is in them.
// Then, with the header's switch, every screen (each section, each tab, a
// customer's page, the invoice paper): no English catalogue string is left
// on the screen (text, placeholders, labels, titles), numbers are in Bangla
// digits, amounts in ৳, the switch is remembered after a reload, and each
// screen is axe-clean and fits 360 px. Screenshots: bn-*.png.
import { createRequire } from "node:module";
import { readFileSync, readdirSync } from "node:fs";
import assert from "node:assert/strict";
import { ADMIN, staffApi } from "./staff_api.mjs";
import { axeViolations } from "./axe.mjs";

const require = createRequire(`${process.env.PW_PREFIX}/node_modules/`);
const { chromium } = require("playwright-core");
const BASE = process.env.BASE;
const ARTIFACTS = process.env.ARTIFACTS;

// ---- The catalogues ---------------------------------------------------------
const en = JSON.parse(readFileSync("web/i18n/en.json", "utf8"));
const bn = JSON.parse(readFileSync("web/i18n/bn.json", "utf8"));
assert.deepEqual(Object.keys(bn).sort(), Object.keys(en).sort(), "en.json and bn.json have the same keys");
const holes = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
for (const [key, text] of Object.entries(en)) {
  assert.ok(text.trim() && bn[key].trim(), `${key} is empty`);
  assert.deepEqual(holes(bn[key]), holes(text), `${key}: the same placeholders in both`);
}
const code = ["web/app.js", ...readdirSync("web/js").map((f) => `web/js/${f}`)];
let named = 0;
for (const file of code) {
  for (const [, key] of readFileSync(file, "utf8").matchAll(/\bt\("([a-z_]+\.[A-Za-z0-9_.-]+)"/g)) {
    assert.ok(key in en, `${file} names "${key}", which the catalogue lacks`);
    named += 1;
  }
}
assert.ok(named > 500, `the panel's code names its strings (${named} found)`);

// English strings that must not be seen in Bangla: those the two catalogues
// word differently. A string with placeholders is looked for by its longest
// literal piece (when that is long enough to be sure).
const whole = new Set();
const pieces = new Set();
for (const [key, text] of Object.entries(en)) {
  if (bn[key] === text || !/[A-Za-z]{2}/.test(text)) continue;
  if (!text.includes("{")) whole.add(text.trim());
  const longest = text.split(/\{\w+\}/).map((p) => p.trim()).sort((a, b) => b.length - a.length)[0];
  if (longest.length >= 12 && longest.includes(" ")) pieces.add(longest);
}

// ---- The screens ---------------------------------------------------------
const { must } = await staffApi(BASE);
const customer = (await must(200, "GET", "/api/v2/customers?per_page=1")).data[0];
// Data the other suites named like a catalogue string (an API client called
// "Mobile App", as the form's placeholder suggests) is data, not a label.
const data = new Set((await must(200, "GET", "/admin/api/clients")).data.map((c) => c.name));

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: ["--no-sandbox"] });
const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
const page = await context.newPage();
const problems = [];
page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
page.on("console", (m) => { if (/Content Security Policy|Refused to/i.test(m.text())) problems.push(m.text()); });

await page.goto(`${BASE}/`);
await page.waitForSelector("#login-form, #zone");
// The switch is on the login page too; it is remembered per browser.
await page.click("#lang-switch");
await page.waitForSelector("#login-form, #zone");
if (await page.isVisible("#login-form")) {
  assert.equal((await page.textContent("#login-form h2")).trim(), bn["login.title"]);
  await page.fill("#login-form #email", ADMIN.email);
  await page.fill("#login-form #password", ADMIN.password);
  await page.click("#login-form button[type=submit]");
}
await page.waitForSelector("#zone");
assert.equal(await page.getAttribute("html", "lang"), "bn");
assert.equal((await page.textContent("#zone")).trim(), bn["header.zone"].replace("{zone}", "UTC+06:00"));
assert.equal((await page.textContent("#lang-switch")).trim(), "English");

// Every visible text node, and the words of controls (placeholder, label, title).
const seen = () => page.evaluate(() => {
  const out = [];
  const visible = (el) => el && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || ["SCRIPT", "STYLE", "CODE", "TEXTAREA", "NOSCRIPT"].includes(el.tagName) || !visible(el)) continue;
    // Words marked as another language on purpose (the switch says "English").
    if (el.closest("[lang]")?.getAttribute("lang") === "en") continue;
    const text = n.textContent.replace(/\s+/g, " ").trim();
    if (text) out.push(text);
  }
  for (const el of document.querySelectorAll("[placeholder], [aria-label], [title]")) {
    if (!visible(el)) continue;
    for (const a of ["placeholder", "aria-label", "title"]) if (el.getAttribute(a)) out.push(el.getAttribute(a).trim());
  }
  return out;
});

const english = (texts) => {
  const left = new Set();
  for (const text of texts) {
    if (data.has(text)) continue;
    if (whole.has(text)) left.add(text);
    for (const p of pieces) if (text.includes(p)) left.add(p);
  }
  return [...left];
};

const screens = [
  ["dashboard", "#/dashboard", "#stat-total"],
  ["customers", "#/customers", "#customers"],
  ["customer", `#/customers/${customer.id}`, "#customer-name"],
  ["packages", "#/packages", "#content h2"],
  ["operators", "#/operators", "#content h2"],
  ["network", "#/network", "#content h2"],
  ["billing-bills", "#/billing/bills", "#bills"],
  ["billing-invoices", "#/billing/invoices", "#invoices"],
  ["billing-payments", "#/billing/payments", "#payments"],
  ["billing-cards", "#/billing/cards", "#cards"],
  ["billing-verifications", "#/billing/verifications", "#content h2"],
  ["billing-online", "#/billing/online-payments", "#content h2"],
  ["billing-gateways", "#/billing/gateways", "#content h2"],
  ["billing-run", "#/billing/run", "#billing-run-summary"],
  ["complaints", "#/complaints", "#complaints"],
  ["sms", "#/sms", "#sms-credits"],
  ["logs-router", "#/logs/router", "#content h2"],
  ["logs-ppp", "#/logs/ppp-auth", "#content h2"],
  ["logs-hotspot", "#/logs/hotspot", "#content h2"],
  ["logs-device", "#/logs/device-access", "#content h2"],
  ["logs-suspension", "#/logs/auto-suspension", "#content h2"],
  ["logs-audit", "#/logs/audit", "#log-entries, #log-entries-empty"],
  ["integrations-clients", "#/integrations/clients", "#content h2"],
  ["integrations-webhooks", "#/integrations/webhooks", "#content h2"],
  ["integrations-requests", "#/integrations/request-log", "#content h2"],
  ["staff", "#/staff", "#staff"],
  ["account", "#/account", "#two-factor"],
];
const failures = [];
for (const [name, hash, ready] of screens) {
  await page.setViewportSize({ width: 1200, height: 800 });
  await page.goto(`${BASE}/${hash}`);
  await page.waitForSelector(ready, { timeout: 15000 });
  // What loads after the first paint (lists, counts) has come in.
  await page.waitForLoadState("networkidle");
  await page.waitForTimeout(300);
  const left = english(await seen());
  if (left.length) failures.push(`${name}: English left on the screen: ${left.map((s) => JSON.stringify(s)).join(", ")}`);
  const violations = await axeViolations(page);
  if (violations.length) failures.push(`${name}: axe: ${violations.join("; ")}`);
  await page.setViewportSize({ width: 360, height: 740 });
  await page.waitForTimeout(100);
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  if (wide > 362) failures.push(`${name}: ${wide} px wide at 360 px`);
  // The phone layout (stacked tables, the folded menu) is checked by axe too.
  const narrow = await axeViolations(page);
  if (narrow.length) failures.push(`${name} at 360 px: axe: ${narrow.join("; ")}`);
  await page.screenshot({ path: `${ARTIFACTS}/bn-${name}.png`, fullPage: true });
}
assert.deepEqual(failures, [], failures.join("\n"));

// Numbers in Bangla digits, amounts in ৳ (the customers' bills on their page).
await page.setViewportSize({ width: 1200, height: 800 });
await page.goto(`${BASE}/#/billing/bills`);
await page.waitForSelector("#content-inner table");
const billsText = await page.textContent("#content-inner table");
assert.match(billsText, /৳[০-৯]/, "amounts in ৳ with Bangla digits");
assert.doesNotMatch(billsText, /BDT/, "no BDT in Bangla");
// The invoice paper is in Bangla too.
await page.goto(`${BASE}/#/billing/invoices`);
await page.waitForSelector("#content-inner table");
await page.click("#content-inner button.invoice-print >> nth=0");
await page.waitForSelector("#invoice-paper");
const paperLeft = english(await seen());
assert.deepEqual(paperLeft, [], `the invoice paper in Bangla: ${paperLeft.join(", ")}`);
assert.match(await page.textContent("#invoice-paper"), /৳[০-৯]/);
await page.screenshot({ path: `${ARTIFACTS}/bn-invoice-paper.png`, fullPage: true });

// Remembered after a reload; English again with the switch.
await page.reload();
await page.waitForSelector("#zone");
assert.equal(await page.getAttribute("html", "lang"), "bn");
await page.click("#lang-switch");
await page.waitForSelector("#zone");
assert.equal((await page.textContent("#zone")).trim(), "Times in UTC+06:00");
assert.equal(await page.getAttribute("html", "lang"), "en");

assert.deepEqual(problems, [], problems.join("\n"));
await browser.close();
console.log(`bangla: ${named} catalogue strings named by the code, ${Object.keys(en).length} in each catalogue; ${screens.length} screens in Bangla with no English string left, axe-clean at desk and 360 px width, 360 px wide`);
