// Browser test of the customer portal in headless Chromium (Debian's), driven
// by playwright-core, against the server scripts/browser-test started with
// bKash pointed at the stand-in (tests/browser/bkash_standin.mjs, $BKASH_SIM).
// It runs after panel.mjs and logs in to the staff API as the administrator
// that test set up.
//
// Staff side (API): a package, a customer on the browser's address
// (static_ip 127.0.0.1) with a login and password, a bill overdue past
// grace; the day's billing run (`ispbills billing run`) suspends the customer.
// Customer side (browser): the suspension page greets them, shows the reason,
// the due and the bills; "Pay with bKash" goes to the stand-in's checkout and
// back to the result page, which shows it paid; the staff API then shows the
// customer active and the bills paid. The suspension page when the address
// is nobody's, the result page's error answers, then the portal: a wrong
// password, the SMS-code tab, the login, home, bills, the payment's receipt,
// a printable invoice (print styles, window.print), Bangla, usage, a
// complaint, a cancelled bKash payment and the retry, the password change,
// an expired session, a live session's usage (the customer panel.mjs made
// online over RADIUS) and 360 px phone screens.
// A payment link staff make (POST /api/v2/customers/<id>/payment-link) for
// another customer with a bill: opened in a fresh browser without logging
// in, it greets them, shows what is due and pays it through the bKash
// stand-in; the same link with its last character changed is refused.
// Money sent by Send Money to the ISP's numbers (scripts/browser-test sets a
// bKash and a Nagad number in [payments.manual]): a bill claimed from the
// portal, the result page waiting for the ISP, the same transaction id
// refused, staff approve the claim through the API and the portal's online
// payments show it paid. Only bKash is set up here: no SSLCommerz button.
// Karim is on a router in RADIUS mode the test plays (tests/browser/nas.mjs):
// the run's suspension and the payment's Disconnect-Request reach its CoA port.
// No page may log a Content-Security-Policy violation; screenshots go to
// $ARTIFACTS as portal-*.png.
import { createRequire } from "node:module";
import { readFileSync, statSync } from "node:fs";
import { spawnSync } from "node:child_process";
import assert from "node:assert/strict";
import { accounting, attribute, coaPort } from "./nas.mjs";
import { staffApi } from "./staff_api.mjs";

const require = createRequire(`${process.env.PW_PREFIX}/node_modules/`);
const { chromium } = require("playwright-core");
const BASE = process.env.BASE;
const ARTIFACTS = process.env.ARTIFACTS;
const SIM = process.env.BKASH_SIM;
const BIN = process.env.SERVER_BIN || "target/debug/ispbills";
const CUSTOMER = { name: "Karim Hossain", phone: "01812345678", username: "karim.home", password: "karim pppoe pass" };

// ---- The staff API, with a panel session (cookie and X-CSRF-Token) ----
const { must } = await staffApi(BASE);
const sim = async (method, path, body) => {
  const r = await fetch(`${SIM}${path}`, { method, headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body) });
  return r.json();
};
// The ISP's day (UTC+6) moved by `days`.
const day = (days) => new Date(Date.now() + 6 * 3600e3 + days * 86400e3).toISOString().slice(0, 10);
const bdt = (n) => `BDT ${new Intl.NumberFormat("en-IN", { minimumFractionDigits: Number.isInteger(n) ? 0 : 2, maximumFractionDigits: 2 }).format(n)}`;
const openBills = async (id) => (await must(200, "GET", `/api/v2/billing/bills?customer_id=${id}&per_page=100`)).data
  .filter((b) => b.status === "unpaid" || b.status === "partial");
const dueOf = (bills) => Math.round(bills.reduce((s, b) => s + (b.amount - b.paid_amount), 0) * 100) / 100;

const pkg = (await must(201, "POST", "/api/v2/packages",
  { name: "Home 20 Mbps", price: 1200, speed_down_kbps: 20480, speed_up_kbps: 20480, billing_cycle: "monthly" })).data;
// Karim is online through panel.mjs's router core-1 in RADIUS mode; the
// test plays that router: its accounting, and its CoA port (RFC 5176).
const RADIUS_SECRET = "portal-test-radius-secret-0123456789";
const nas = await coaPort(RADIUS_SECRET);
const core = (await must(200, "GET", "/api/v2/network/routers?per_page=100")).data.find((r) => r.name === "core-1");
assert.ok(core, "panel.mjs made the router core-1");
await must(200, "PUT", `/api/v2/network/routers/${core.id}`,
  { radius_secret: RADIUS_SECRET, coa_port: nas.port, auth_mode: "radius" });
const customer = (await must(201, "POST", "/api/v2/customers", { ...CUSTOMER, package_id: pkg.id,
  address: "House 7, Road 3, Mirpur", static_ip: "127.0.0.1", connection_type: "pppoe", router_id: core.id })).data;
const karimSession = (identifier, status) => accounting({ acct: process.env.RADIUS_ACCT, secret: RADIUS_SECRET,
  identifier, status, attrs: [
    attribute(44, Buffer.from("k4r1m001")), // Acct-Session-Id
    attribute(1, Buffer.from(CUSTOMER.username)), // User-Name
    attribute(8, Buffer.from([127, 0, 0, 1])), // Framed-IP-Address
  ] });
await karimSession(11, 1); // Start
const overdue = (await must(201, "POST", "/api/v2/billing/bills", { customer_id: customer.id, amount: 1200,
  due_date: day(-20), description: "Internet — last month", period_start: day(-50), period_end: day(-21) })).data;
// The day's billing run suspends customers with a bill overdue past grace
// (by hand, a suspension would stay after a payment: only the run's is lifted).
const run = spawnSync(BIN, ["billing", "run"], { env: process.env, encoding: "utf8" });
assert.equal(run.status, 0, `billing run: ${run.stdout}${run.stderr}`);
assert.equal((await must(200, "GET", `/api/v2/customers/${customer.id}`)).data.status, "suspended", run.stdout);
const due = dueOf(await openBills(customer.id));
assert.ok(due >= 1200, `the overdue bill is due: ${due}`);
// The suspension reaches the router: a CoA-Request (to the suspended
// address list) or a Disconnect-Request for Karim's session, ACKed.
const suspendedAt = await nas.waitFor((r) => r.user === CUSTOMER.username && r.signed, "the suspension");
assert.equal(suspendedAt.session, "k4r1m001");
const before = nas.seen.length;

// ---- The browser ----
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox"],
});
const consoleLog = [];
const watch = (p) => {
  p.on("console", (m) => consoleLog.push(`${m.type()}: ${m.text()}`));
  p.on("pageerror", (e) => consoleLog.push(`pageerror: ${e.message}`));
};
const cspViolations = () => consoleLog.filter((l) => /Content Security Policy|Refused to (execute|load|apply|evaluate|connect|frame)/i.test(l));
const shots = [];
const shot = async (p, name) => {
  const shown = await p.innerText("body");
  assert.doesNotMatch(shown, /\bnull\b|\bundefined\b|\bNaN\b|\[object /, `portal-${name} shows a blank value`);
  const path = `${ARTIFACTS}/portal-${name}.png`;
  // From the top: a page scrolled by a fill would show the sticky header mid-page.
  await p.evaluate(() => window.scrollTo(0, 0));
  await p.screenshot({ path, fullPage: true });
  shots.push(path);
};
const noSideScroll = async (p, what) => {
  const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `${what} scrolls sideways on a phone by ${overflow}px`);
};
const text = async (p, selector) => (await p.innerText(selector)).replace(/\s+/g, " ").trim();

// 0. Logged in while suspended: the home screen says so, with "Pay now".
const early = await browser.newPage({ viewport: { width: 360, height: 740 } });
watch(early);
await early.goto(`${BASE}/portal/`);
await early.waitForSelector("#login-form");
await early.fill("#username", CUSTOMER.username);
await early.fill("#password", CUSTOMER.password);
await early.click("#login-form button[type=submit]");
await early.waitForSelector("#suspended-banner");
assert.match(await text(early, "#suspended-banner"), /Your connection is suspended/);
assert.equal(await early.getAttribute("#me-status", "data-status"), "suspended");
assert.equal(await early.getAttribute("#me-due", "data-amount"), String(due));
assert.equal(await text(early, "#pay-due"), `Pay ${bdt(due)} with bKash`);
await noSideScroll(early, "home while suspended");
await shot(early, "00-home-suspended-phone");
await early.click('#nav a[data-view="bills"]');
await early.waitForSelector(`[data-testid="pay-bill-${overdue.id}"]`);
assert.match(await text(early, `[data-testid="pay-bill-${overdue.id}"]`), /Pay now · BDT 1,200/);
await early.close();

// 1. The suspension page on a phone, recognised by the address (loopback).
const phone = await browser.newContext({ viewport: { width: 360, height: 740 }, hasTouch: true });
const sp = await phone.newPage();
watch(sp);
await sp.goto(`${BASE}/portal/suspended`);
await sp.waitForSelector('#app[data-state="suspended"]');
assert.match(await text(sp, "#greeting"), /Hello Karim, your connection is suspended/);
assert.match(await text(sp, "#reason"), new RegExp(`bill #${overdue.id} was not paid by`));
assert.equal(await sp.getAttribute("#due", "data-amount"), String(due));
assert.match(await text(sp, "#due"), new RegExp(bdt(due)));
assert.ok(await sp.$(`#open-bills [data-bill-id="${overdue.id}"]`), "the overdue bill is listed");
assert.equal(await text(sp, "#pay-bkash"), `Pay ${bdt(due)} with bKash`);
assert.equal(await sp.$("#pay-card, .pay.card"), null, "no SSLCommerz button: only bKash is set up");
assert.ok(await sp.$("#sent-money-open"), "Send Money is offered: the ISP's numbers are set up");
const box = await sp.locator("#pay-bkash").boundingBox();
assert.ok(box.height >= 48 && box.width >= 300, `a big button on a phone: ${JSON.stringify(box)}`);
assert.ok(await sp.evaluate(() => sessionStorage.getItem("ispbills.portal.pay_token")?.startsWith("c_")), "the pay token is kept");
await noSideScroll(sp, "the suspension page");
await shot(sp, "01-suspended-phone");

// Pay: to the stand-in's checkout page, back through /portal/pay/bkash to the result.
await sp.click("#pay-bkash");
await sp.waitForURL(/\/portal\/result\.html\?ref=OP[A-Z0-9]+$/, { timeout: 30000 });
const reference = new URL(sp.url()).searchParams.get("ref");
await sp.waitForSelector('#app[data-state="paid"]', { timeout: 35000 });
assert.match(await text(sp, "#result-title"), /Payment received/);
assert.match(await text(sp, "#result-detail"), /back in a minute/);
const trx = (await text(sp, "#trx-id strong"));
assert.match(trx, /^SIM\d{7}$/);
assert.match(await text(sp, "#result-amount"), new RegExp(bdt(due)));
await shot(sp, "02-paid-phone");
// What bKash was asked: the amount as text, our reference, our return address.
const [made] = (await sim("GET", "/sim/payments")).filter((p) => p.request.merchantInvoiceNumber === reference);
assert.ok(made, "the stand-in saw the payment");
assert.equal(made.request.amount, due.toFixed(2), "bKash takes the amount as text with two decimals");
assert.equal(made.request.callbackURL, `${BASE}/portal/pay/bkash`);
assert.equal(made.request.mode, "0011");
assert.equal(made.transactionStatus, "Completed");
assert.equal(made.trxID, trx);
assert.equal(made.executes, 1, "executed once");
// The staff API: active again, the bills paid, the payment booked.
assert.equal((await must(200, "GET", `/api/v2/customers/${customer.id}`)).data.status, "active", "the payment lifts the run's suspension");
assert.deepEqual(await openBills(customer.id), []);
const booked = (await must(200, "GET", `/api/v2/customers/${customer.id}/payments`)).data;
assert.ok(booked.some((p) => p.method === "bkash" && p.transaction_id === trx && p.amount === due), JSON.stringify(booked));
// And on the router: a Disconnect-Request for the suspended session, so
// the next login gets the full service; the router ends it.
const lifted = await nas.waitFor((r) => nas.seen.indexOf(r) >= before && r.code === 40, "the Disconnect-Request");
assert.deepEqual([lifted.user, lifted.session, lifted.signed], [CUSTOMER.username, "k4r1m001", true]);
await karimSession(12, 2); // Stop
// Back on the suspension page: nothing due now.
await sp.goto(`${BASE}/portal/suspended`);
await sp.waitForSelector('#app[data-state="nothing-due"]');
assert.match(await text(sp, "#greeting"), /your connection is active/);
await shot(sp, "03-suspended-cleared-phone");
// An address that is nobody's (answered here by the test): a way to log in.
await sp.route("**/api/v2/me/recognise", (route) => route.fulfill({ status: 404, contentType: "application/json",
  body: JSON.stringify({ error: { code: "NOT_FOUND", message: "Not found.", details: {} } }) }));
await sp.goto(`${BASE}/portal/suspended`);
await sp.waitForSelector('#app[data-state="unknown"]');
assert.match(await text(sp, "#greeting"), /could not recognise your line/);
assert.equal(await sp.getAttribute("#login-link", "href"), "/portal/");
await shot(sp, "04-unrecognised-phone");
await sp.unroute("**/api/v2/me/recognise");
// The result page's plain answers.
await sp.goto(`${BASE}/portal/result?error=later`);
await sp.waitForSelector('#app[data-state="later"]');
assert.match(await text(sp, "#result-detail"), /could not be reached.*do not pay again/);
await shot(sp, "05-result-later-phone");
await sp.goto(`${BASE}/portal/result.html?error=unknown`);
await sp.waitForSelector('#app[data-state="unknown"]');
const fresh = await browser.newPage();
watch(fresh);
await fresh.goto(`${BASE}/portal/result.html?ref=${reference}`);
await fresh.waitForSelector('#app[data-state="no-token"]');
assert.match(await text(fresh, "#result-detail"), /being confirmed/);
await fresh.close();
await phone.close();

// 1b. A payment link, as staff make it (or a reminder SMS carries it), for a
// customer with a bill who is not on this address: opened in a fresh browser
// without logging in, through /portal/l/<code> to the suspension page.
const LINKED = { name: "Rahima Begum", phone: "01722333444", username: "rahima.home", password: "rahima pppoe pass" };
const rahima = (await must(201, "POST", "/api/v2/customers", { ...LINKED, package_id: pkg.id,
  address: "Flat 2B, Road 11, Uttara" })).data;
const rahimaBill = (await must(201, "POST", "/api/v2/billing/bills", { customer_id: rahima.id, amount: 300,
  due_date: day(10), description: "Internet — next month" })).data;
const rahimaDue = dueOf(await openBills(rahima.id));
assert.equal(rahimaDue, 300);
const link = (await must(201, "POST", `/api/v2/customers/${rahima.id}/payment-link`)).data;
assert.match(link.code, /^[A-Za-z0-9_-]+$/, JSON.stringify(link));
assert.equal(link.url, `${BASE}/portal/l/${link.code}`, "the link is on the address the appliance was reached at");
const linkBrowser = await browser.newContext({ viewport: { width: 360, height: 740 }, hasTouch: true });
const lp = await linkBrowser.newPage();
watch(lp);
await lp.goto(link.url);
assert.equal(lp.url(), `${BASE}/portal/suspended?link=${link.code}`);
await lp.waitForSelector('#app[data-state="due"]');
assert.equal(await lp.getAttribute("#app", "data-via"), "link");
assert.match(await text(lp, "#greeting"), /^Hello Rahima, your connection is active\.$/);
assert.match(await text(lp, "#link-note"), /payment link.*without logging in/);
assert.equal(await lp.$("#reason"), null);
assert.equal(await lp.getAttribute("#due", "data-amount"), String(rahimaDue));
assert.match(await text(lp, "#due"), new RegExp(`Due now: ${bdt(rahimaDue)}`));
assert.ok(await lp.$(`#open-bills [data-bill-id="${rahimaBill.id}"]`), "the bill is listed");
if (link.bill_id) assert.equal(await lp.getAttribute('#open-bills [data-linked="true"]', "data-bill-id"), String(link.bill_id));
else assert.equal(await lp.$('#open-bills [data-linked="true"]'), null, "a link for everything due marks no bill");
assert.equal(await text(lp, "#pay-bkash"), `Pay ${bdt(rahimaDue)} with bKash`);
assert.equal(await lp.$("#pay-card, .pay.card"), null, "no SSLCommerz button: only bKash is set up");
assert.ok(await lp.$("#sent-money-open"), "Send Money is offered on the link's page too");
assert.ok(await lp.evaluate(() => sessionStorage.getItem("ispbills.portal.pay_token")?.startsWith("c_")), "the link gives a pay token");
await noSideScroll(lp, "the payment link's page");
await shot(lp, "23-payment-link-phone");
await lp.click("#pay-bkash");
await lp.waitForURL(/\/portal\/result\.html\?ref=OP[A-Z0-9]+$/, { timeout: 30000 });
const linkReference = new URL(lp.url()).searchParams.get("ref");
await lp.waitForSelector('#app[data-state="paid"]', { timeout: 35000 });
assert.match(await text(lp, "#result-title"), /Payment received/);
assert.match(await text(lp, "#result-amount"), new RegExp(bdt(rahimaDue)));
const [linkAtSim] = (await sim("GET", "/sim/payments")).filter((p) => p.request.merchantInvoiceNumber === linkReference);
assert.ok(linkAtSim && linkAtSim.transactionStatus === "Completed", "bKash was paid through the link");
assert.equal(linkAtSim.request.amount, "300.00");
assert.deepEqual(await openBills(rahima.id), [], "the link's payment paid the bill");
// The same link with its last character changed: not valid, with a way to log in.
const tampered = `${link.code.slice(0, -1)}${link.code.endsWith("0") ? "1" : "0"}`;
await lp.goto(`${BASE}/portal/l/${tampered}`);
await lp.waitForSelector('#app[data-state="bad-link"]');
assert.equal(await text(lp, "#link-error"),
  "This payment link is not valid or has expired. Log in to pay, or ask your ISP for a new link.");
assert.equal(await lp.getAttribute("#login-link", "href"), "/portal/");
await linkBrowser.close();

// 2. The portal: log in with the login name and password.
const desk = await browser.newContext({ viewport: { width: 1024, height: 800 } });
const page = await desk.newPage();
watch(page);
await page.goto(`${BASE}/portal/`);
await page.waitForSelector("#login-form");
await page.fill("#username", CUSTOMER.username);
await page.fill("#password", "not the password");
await page.click("#login-form button[type=submit]");
await page.waitForSelector('#login-form [role="alert"]');
assert.equal(await text(page, '#login-form [role="alert"]'), "Wrong username or password.");
await shot(page, "06-login-error");
// The SMS tab: a code is "sent" (for any number), a wrong one is refused.
// Codes cost SMS credits: without any, every number is told none can go out.
const topup = spawnSync(BIN, ["sms", "topup", "--credits", "50", "--note", "portal test"], { env: process.env, encoding: "utf8" });
assert.equal(topup.status, 0, `sms topup: ${topup.stdout}${topup.stderr}`);
await page.click("#tab-otp");
await page.fill("#phone", "01799999999");
await page.click("#send-code");
await page.waitForSelector("#otp-verify-form");
assert.match(await text(page, "#otp-verify-form"), /code is on its way by SMS/);
await page.fill("#code", "123456");
await page.click("#verify-code");
await page.waitForSelector('#otp-verify-form [role="alert"]');
assert.match(await text(page, '#otp-verify-form [role="alert"]'), /wrong or has expired/);
await shot(page, "07-otp");
await page.click("#tab-password");
await page.fill("#username", CUSTOMER.username);
await page.fill("#password", CUSTOMER.password);
await page.click("#login-form button[type=submit]");
await page.waitForSelector("#me-name");
assert.equal(await text(page, "#me-name"), `Hello, ${CUSTOMER.name}`);
assert.equal(await page.getAttribute("#me-status", "data-status"), "active");
assert.equal(await page.getAttribute("#me-due", "data-amount"), "0");
assert.match(await text(page, "#me-package"), /Home 20 Mbps.*20 Mbps down.*BDT 1,200 a month/);
await page.waitForSelector("#nothing-due");
assert.equal(await page.$("#suspended-banner"), null);
await shot(page, "08-home");

// Bills: all paid, none to pay.
await page.click('#nav a[data-view="bills"]');
await page.waitForSelector("#bills-list li");
const statuses = await page.$$eval("#bills-list li", (ls) => ls.map((l) => l.dataset.status));
assert.ok(statuses.length >= 1 && statuses.every((s) => s === "paid"), statuses.join());
assert.equal(await page.$(`#bills-list li[data-bill-id="${overdue.id}"] .badge.paid`) !== null, true);
assert.equal(await page.$(".pay-bill"), null);
await shot(page, "09-bills-paid");

// Payments, and the receipt of the bKash one.
await page.click('#nav a[data-view="payments"]');
await page.waitForSelector("#payments-list li");
assert.match(await text(page, "#payments-list"), new RegExp(trx));
await page.click(`#payments-list li:has-text("${trx}") a.receipt`);
await page.waitForSelector("#receipt");
assert.match(await text(page, "#receipt-amount"), new RegExp(bdt(due)));
assert.equal(await text(page, "#receipt-trx strong"), trx);
assert.match(await text(page, "#receipt"), /Payment receipt.*Karim Hossain.*Paid by bKash/i);
await shot(page, "10-receipt");

// Invoices: the overdue bill's, printable.
await page.click('#nav a[data-view="invoices"]');
await page.waitForSelector("#invoices-list li");
const invoiceId = await page.$$eval("#invoices-list li", (ls, bill) => ls
  .find((l) => l.dataset.billIds.split(",").includes(String(bill)))?.dataset.invoiceId, overdue.id);
assert.ok(invoiceId, "the overdue bill's invoice is listed");
await page.click(`[data-testid="open-invoice-${invoiceId}"]`);
await page.waitForSelector("#invoice");
assert.equal(page.url(), `${BASE}/portal/#/invoice/${invoiceId}`);
assert.match(await text(page, "#invoice-number"), /^INV-\d{4}-\d{6}$/);
assert.match(await text(page, "#invoice"), /Billed to Karim Hossain House 7, Road 3, Mirpur/);
await page.waitForSelector('#invoice[data-status="paid"]');
assert.ok(await page.$(`#invoice-bills tr[data-bill-id="${overdue.id}"][data-status="paid"]`), "the bill is on its invoice, paid");
assert.match(await text(page, "#invoice-payments"), new RegExp(trx));
assert.equal(await page.getAttribute("#invoice-due", "data-amount"), "0");
await shot(page, "11-invoice");
await page.evaluate(() => { window.printed = 0; window.print = () => { window.printed += 1; }; });
await page.click("#print-button");
assert.equal(await page.evaluate(() => window.printed), 1, "the Print button prints");
await page.emulateMedia({ media: "print" });
assert.equal(await page.isVisible("#nav"), false, "no menu on paper");
assert.equal(await page.isVisible("#print-button"), false, "no buttons on paper");
assert.equal(await page.isVisible(".top"), false, "no header on paper");
assert.equal(await page.isVisible("#invoice"), true);
await shot(page, "12-invoice-print");
await page.emulateMedia({ media: "screen" });

// Bangla: the switch, kept across a reload.
await page.click("#lang-switch");
await page.waitForSelector('html[lang="bn"]');
await page.waitForSelector("#invoice");
assert.equal(await text(page, "#invoice .paper-title h2"), "ইনভয়েস");
assert.equal(await text(page, "#invoice-status"), "পরিশোধিত");
assert.match(await text(page, "#invoice-totals"), /মোট.*টাকা/);
assert.equal(await text(page, '#nav a[data-view="home"]'), "হোম");
assert.equal(await text(page, "#lang-switch"), "English");
await shot(page, "13-invoice-bangla");
await page.goto(`${BASE}/portal/#/`);
await page.reload();
await page.waitForSelector("#me-name");
assert.equal(await page.getAttribute("html", "lang"), "bn");
assert.equal(await text(page, "#me-name"), `হ্যালো, ${CUSTOMER.name}`);
assert.equal(await text(page, "#me-status"), "চালু");
assert.match(await text(page, "#nothing-due"), /কোনো বকেয়া নেই/);
assert.equal(await text(page, "#logout"), "লগআউট");
await shot(page, "14-home-bangla");
await page.click("#lang-switch");
await page.waitForSelector('html[lang="en"]');
await page.waitForSelector("#me-name");
assert.equal(await text(page, "#me-name"), `Hello, ${CUSTOMER.name}`);

// Usage: offline now, the session the router ended listed.
await page.click('#nav a[data-view="usage"]');
await page.waitForSelector('#usage-now[data-online="false"]');
assert.match(await text(page, '#sessions-list [data-session="k4r1m001"]'), /ended/);
await shot(page, "15-usage");

// A complaint, then in the list.
await page.click('#nav a[data-view="complaints"]');
await page.waitForSelector("#complaint-form");
await page.fill("#subject", "Slow in the evening");
await page.fill("#body", "Speed drops below 2 Mbps after 9 pm.");
await page.click("#complaint-form button[type=submit]");
await page.waitForSelector("#complaint-sent");
assert.match(await text(page, "#complaints-list"), /Slow in the evening.*Open/);
await shot(page, "16-complaints");

// A new bill paid from the portal: the customer cancels on bKash's page,
// then tries again and pays.
const rent = (await must(201, "POST", "/api/v2/billing/bills", { customer_id: customer.id, amount: 350.5,
  due_date: day(10), description: "ONU rent" })).data;
await sim("POST", "/sim/outcome", { outcome: "cancel" });
await page.click('#nav a[data-view="bills"]');
await page.waitForSelector(`[data-testid="pay-bill-${rent.id}"]`);
assert.match(await text(page, `[data-testid="pay-bill-${rent.id}"]`), /BDT 350\.50/);
await page.click(`[data-testid="pay-bill-${rent.id}"]`);
await page.waitForURL(/\/portal\/result\.html\?ref=/, { timeout: 30000 });
await page.waitForSelector('#app[data-state="cancelled"]', { timeout: 35000 });
assert.match(await text(page, "#result-title"), /cancelled/);
assert.equal(await page.getAttribute("#try-again", "href"), "/portal/#/bills");
await shot(page, "17-cancelled");
await sim("POST", "/sim/outcome", { outcome: null });
await page.click("#try-again");
await page.waitForSelector(`[data-testid="pay-bill-${rent.id}"]`);
await page.click(`[data-testid="pay-bill-${rent.id}"]`);
await page.waitForURL(/\/portal\/result\.html\?ref=/, { timeout: 30000 });
await page.waitForSelector('#app[data-state="paid"]', { timeout: 35000 });
const rentPaid = (await must(200, "GET", `/api/v2/billing/bills/${rent.id}`)).data;
assert.equal(rentPaid.status, "paid");
const [rentAtSim] = (await sim("GET", "/sim/payments")).filter((p) => p.transactionStatus === "Completed" && p.request.amount === "350.50");
assert.ok(rentAtSim, "bKash was asked for 350.50");
await shot(page, "18-paid-again");
await page.click("#login-link");
await page.waitForSelector("#me-name");

// Money sent by Send Money: a new bill, claimed from its "I sent money"
// form as sent by Nagad; the result page waits for the ISP.
const staticIp = (await must(201, "POST", "/api/v2/billing/bills", { customer_id: customer.id, amount: 500,
  due_date: day(15), description: "Static IP — next month" })).data;
await page.click('#nav a[data-view="bills"]');
await page.waitForSelector(`[data-testid="sent-money-bill-${staticIp.id}"]`);
assert.ok(await page.$(`[data-testid="pay-bill-${staticIp.id}"]`), "bKash is offered for the bill too");
assert.equal(await page.$(".pay.card"), null, "no SSLCommerz button: only bKash is set up");
await page.click(`[data-testid="sent-money-bill-${staticIp.id}"]`);
await page.waitForSelector("#claim-form");
assert.equal(page.url(), `${BASE}/portal/#/sent/${staticIp.id}`);
assert.deepEqual(await page.$$eval("#send-money-numbers li", (ls) => ls.map((l) => `${l.dataset.method} ${l.dataset.number}`)),
  ["bkash 01712345678", "nagad 01812345678"]);
assert.match(await text(page, "#send-money-numbers"), /bKash 01712345678 Nagad 01812345678/);
assert.deepEqual(await page.$$eval("#claim-method option", (os) => os.map((o) => o.value)), ["bkash", "nagad"]);
assert.equal(await page.inputValue("#claim-amount"), "500", "the bill's open amount is offered");
assert.match(await text(page, "#claim-bill"), /Static IP — next month · BDT 500/);
// Checked before it is sent: not a mobile number, no transaction id.
await page.fill("#claim-sender", "12345");
await page.click("#claim-submit");
await page.waitForSelector("#claim-sender-error");
assert.match(await text(page, "#claim-sender-error"), /like 01712345678/);
assert.match(await text(page, "#claim-trx-error"), /transaction ID from the SMS/);
assert.equal(page.url(), `${BASE}/portal/#/sent/${staticIp.id}`, "nothing was sent");
await page.selectOption("#claim-method", "nagad");
await page.fill("#claim-sender", "01911223344");
await page.fill("#claim-trx", "8N7A6D5C4B");
assert.equal(await page.$(".field-error"), null, "a changed field's message goes");
await shot(page, "24-send-money-form");
await page.click("#claim-submit");
await page.waitForURL(/\/portal\/result\.html\?ref=[A-Za-z0-9_-]+$/, { timeout: 30000 });
const claimRef = new URL(page.url()).searchParams.get("ref");
await page.waitForSelector('#app[data-state="waiting"]');
assert.equal(await text(page, "#result-title"), "Waiting for the ISP to check your payment");
assert.match(await text(page, "#result-detail"), /Nagad transaction ID.*no need to send the money again/);
assert.match(await text(page, "#result-amount"), /BDT 500/);
assert.equal(await text(page, "#sent-with strong"), "Nagad");
assert.equal(await text(page, "#trx-id strong"), "8N7A6D5C4B");
await shot(page, "25-send-money-waiting");
// The same transaction again: refused next to its field.
await page.goto(`${BASE}/portal/#/sent/${staticIp.id}`);
await page.waitForSelector("#claim-form");
await page.selectOption("#claim-method", "nagad");
await page.fill("#claim-sender", "01911223344");
await page.fill("#claim-trx", "8n7a6d5c4b");
await page.click("#claim-submit");
await page.waitForSelector("#claim-trx-error");
assert.equal(await text(page, "#claim-trx-error"), "This transaction id was submitted already.");
// The portal's online payments: waiting; staff approve it (the verification
// queue, through the API); then paid, and booked with its transaction id.
await page.click('#nav a[data-view="payments"]');
const claimRow = `#online-payments-list li[data-reference="${claimRef}"]`;
await page.waitForSelector(`${claimRow}[data-state="pending"]`);
assert.match(await text(page, claimRow), /BDT 500 Waiting for check.*Nagad \(Send Money\).*8N7A6D5C4B/);
const queued = (await must(200, "GET", "/api/v2/billing/payment-verifications?per_page=100")).data
  .find((o) => o.reference === claimRef);
assert.ok(queued, `the claim ${claimRef} waits for staff`);
assert.equal(queued.gateway, "manual");
assert.equal(queued.gateway_trx_id, "nagad:8N7A6D5C4B");
assert.equal(queued.manual_sender, "01911223344");
assert.equal(queued.bill_id, staticIp.id);
assert.equal(queued.amount, 500);
assert.equal((await must(200, "POST", `/api/v2/billing/payment-verifications/${queued.id}/approve`)).data.state, "paid");
assert.equal((await must(200, "GET", `/api/v2/billing/bills/${staticIp.id}`)).data.status, "paid");
await page.reload();
await page.waitForSelector(`${claimRow}[data-state="paid"]`);
assert.match(await text(page, claimRow), /BDT 500 Paid/);
assert.match(await text(page, "#payments-list"), /8N7A6D5C4B/, "booked as a payment with its transaction id");

// The portal password: a wrong current one, two that differ, then set; the
// new one logs in, the old one no longer.
await page.click('#nav a[data-view="password"]');
await page.waitForSelector("#password-form");
await page.fill("#current_password", "not my password");
await page.fill("#new_password", "my new portal pass");
await page.fill("#repeat_password", "my new portal pass");
await page.click("#password-form button[type=submit]");
await page.waitForSelector('#password-form [role="alert"]');
assert.equal(await text(page, '#password-form [role="alert"]'), "The current password is wrong.");
await page.fill("#current_password", CUSTOMER.password);
await page.fill("#repeat_password", "something else");
await page.click("#password-form button[type=submit]");
assert.equal(await text(page, '#password-form [role="alert"]'), "The two new passwords are not the same.");
await page.fill("#repeat_password", "my new portal pass");
await page.click("#password-form button[type=submit]");
await page.waitForSelector("#password-changed");
await shot(page, "19-password");
// The token the change answered is the one kept: the account still opens.
await page.click('#nav a[data-view="home"]');
await page.waitForSelector("#me-name");
const loggedOut = await page.evaluate(() => sessionStorage.getItem("ispbills.portal.token"));
const loggingOut = page.waitForResponse((r) => r.url().endsWith("/api/v2/me/logout"));
await page.click("#logout");
await page.waitForSelector("#login-form");
assert.equal((await loggingOut).status(), 204);
assert.equal(await page.evaluate(() => sessionStorage.getItem("ispbills.portal.token")), null);
// The server forgot that token too.
assert.equal((await fetch(`${BASE}/api/v2/me`, { headers: { authorization: `Bearer ${loggedOut}` } })).status, 401);
await page.fill("#username", CUSTOMER.username);
await page.fill("#password", CUSTOMER.password);
await page.click("#login-form button[type=submit]");
await page.waitForSelector('#login-form [role="alert"]');
await page.fill("#password", "my new portal pass");
await page.click("#login-form button[type=submit]");
await page.waitForSelector("#me-name");

// A token that is no longer good: back to the login, saying why.
await page.evaluate(() => sessionStorage.setItem("ispbills.portal.token", "c_not-a-valid-token"));
await page.reload();
await page.waitForSelector("#login-notice");
assert.match(await text(page, "#login-notice"), /session has ended/);
await page.fill("#username", CUSTOMER.username);
await page.fill("#password", "my new portal pass");
await page.click("#login-form button[type=submit]");
await page.waitForSelector("#me-name");

// Usage with a live session: Selim, whose router login panel.mjs created and
// whose RADIUS session it played as the router (online, 1.5 GB down).
const selim = await browser.newPage({ viewport: { width: 360, height: 740 } });
watch(selim);
await selim.goto(`${BASE}/portal/#/usage`);
await selim.waitForSelector("#login-form");
await selim.fill("#username", "selim.pppoe");
await selim.fill("#password", "pppoe pass 1");
await selim.click("#login-form button[type=submit]");
await selim.waitForSelector('#usage-now[data-online="true"]');
const usage = await text(selim, "#app");
for (const shown of ["Online now", "10.20.30.40", "1.50 GB", "5.00 MB", "1 h 2 min"]) assert.ok(usage.includes(shown), `${shown} in ${usage}`);
await noSideScroll(selim, "the usage");
await shot(selim, "22-usage-online-phone");
await selim.close();

// A phone-sized screen: home and bills fit.
await page.setViewportSize({ width: 360, height: 740 });
await page.goto(`${BASE}/portal/#/`);
await page.waitForSelector("#me-name");
await noSideScroll(page, "home");
await shot(page, "20-phone-home");
await page.click('#nav a[data-view="bills"]');
await page.waitForSelector("#bills-list li");
await noSideScroll(page, "the bills");
await page.goto(`${BASE}/portal/#/invoice/${invoiceId}`);
await page.waitForSelector("#invoice");
await noSideScroll(page, "the invoice");
await shot(page, "21-phone-invoice");

assert.deepEqual(cspViolations(), [], `CSP violations in the console:\n${consoleLog.join("\n")}`);
await browser.close();
nas.close();
for (const path of shots) {
  const bytes = readFileSync(path);
  assert.ok(statSync(path).size > 3000, `${path} is too small`);
  assert.equal(bytes.subarray(1, 4).toString(), "PNG", `${path} is not a PNG`);
}
assert.equal(shots.length, 26, "every portal screen was captured");
console.log(`portal browser test passed; ${shots.length} screenshots in ${ARTIFACTS}`);
