// Browser test of the admin panel in headless Chromium (Debian's), driven by
// playwright-core: first-run setup with the code, the API client secret shown
// once, the request log, a webhook with a test delivery to a local receiver,
// packages, operators and their funds, a customer created and paid for (the
// webhook receiver gets both events), the dashboard's figures and charts,
// logout/login, the Staff screen (create, role, disable — the user's open
// session ends — enable, password, the last admin kept), the API docs page, a
// phone-sized screen; RADIUS on the Network screen (a router's secret and
// auth mode set from the panel, a too-short secret refused, "Sync now" on an
// unreachable router, a live session from an Accounting-Request the test
// sends as the router, the same session on the customer's page); Billing →
// Online payments (the gateways, a customer's manual send-money claims
// approved and rejected from the verification queue, a bKash payment made
// through the stand-in refunded in part).
// No page may log a Content-Security-Policy violation.
// Screenshots of each screen go to $ARTIFACTS and are checked to be real images.
import { createRequire } from "node:module";
import { readFileSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { createHmac, timingSafeEqual } from "node:crypto";
import assert from "node:assert/strict";
import { accounting as nasAccounting, attribute, u32 } from "./nas.mjs";

const require = createRequire(`${process.env.PW_PREFIX}/node_modules/`);
const { chromium } = require("playwright-core");
const BASE = process.env.BASE;
const ARTIFACTS = process.env.ARTIFACTS;
const code = readFileSync(`${process.env.DATA_DIR}/setup-code`, "utf8").trim();

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox"],
});
const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
// Every console message and page error: none may be a CSP violation.
const consoleLog = [];
const watch = (p) => {
  p.on("console", (m) => consoleLog.push(`${m.type()}: ${m.text()}`));
  p.on("pageerror", (e) => consoleLog.push(`pageerror: ${e.message}`));
};
watch(page);
const cspViolations = () => consoleLog.filter((l) => /Content Security Policy|Refused to (execute|load|apply|evaluate|connect|frame)/i.test(l));
const shots = [];
const shot = async (name) => {
  const path = `${ARTIFACTS}/${name}.png`;
  await page.screenshot({ path, fullPage: true });
  shots.push(path);
};

// First run: the setup page; a wrong code is refused next to the form.
await page.goto(`${BASE}/`);
await page.waitForSelector("#setup-form");
await shot("01-setup");
await page.fill("#setup_code", "AAAA-BBBB-CCCC");
await page.fill("#name", "Owner");
await page.fill("#email", "owner@isp.example");
await page.fill("#password", "a long enough password");
await page.click("#setup-form button[type=submit]");
await page.waitForSelector("#setup-form [role=alert]");
assert.match(await page.textContent("#setup-form [role=alert]"), /setup code is wrong/);
// A weak password is shown next to the password field.
await page.fill("#setup_code", code);
await page.fill("#password", "short");
await page.click("#setup-form button[type=submit]");
await page.waitForSelector("#password + .field-error");
await page.fill("#password", "a long enough password");
await page.click("#setup-form button[type=submit]");
// Straight to the dashboard, empty.
await page.waitForSelector("#stat-total");
assert.equal((await page.textContent("#stat-total strong")).trim(), "0");
await page.click('nav.menu a:text("Integrations")');
await page.waitForSelector("text=Integrations → API Management");
await page.waitForSelector("#client-form");
await shot("02-api-clients-empty");

// Create a v2 client: the secret is shown once, with the warning.
await page.fill("#client-form #name", "Mobile App");
await page.selectOption("#type", "v2");
await page.click("#client-form button[type=submit]");
await page.waitForSelector("#secret-box");
const secret = (await page.textContent('#secret-box code[data-field="client_secret"]')).trim();
const clientId = (await page.textContent('#secret-box code[data-field="client_id"]')).trim();
assert.ok(secret.length >= 32, secret);
assert.match(await page.textContent("#secret-box"), /shown only once/);
await page.waitForSelector('#clients td:text("Mobile App")');
await shot("03-secret-shown-once");

// The secret works against the API...
const token = await fetch(`${BASE}/api/v2/auth/token`, {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ client_id: clientId, client_secret: secret }),
});
assert.equal(token.status, 200);
const accessToken = (await token.json()).access_token;
const listed = await fetch(`${BASE}/api/v2/packages`, { headers: { authorization: `Bearer ${accessToken}` } });
assert.equal(listed.status, 200);
// ...and is never shown again.
await page.reload();
await page.waitForSelector("#clients");
assert.equal(await page.$("#secret-box"), null);
assert.ok(!(await page.content()).includes(secret));

// The request log shows the token call.
await page.click('nav.tabs a:text("API request log")');
await page.waitForSelector("#request-log");
// The log is written in batches off the request path: filter until it shows.
await page.selectOption("#log-filter #client_id", { label: "Mobile App (v2)" });
await page.fill("#log-filter #from", "2020-01-01T00:00");
let logged = false;
for (let i = 0; i < 40 && !logged; i++) {
  await page.fill("#log-filter #path", "/api/v2/packages");
  await page.click("#log-filter button[type=submit]");
  await page.waitForTimeout(250);
  logged = /\/api\/v2\/packages/.test(await page.textContent("#request-log"));
}
assert.ok(logged, "the client's request appears in the request log, filtered by client");
assert.match(await page.textContent("#request-log tbody"), /Mobile App/);
await shot("04-request-log");

// Webhooks: add an endpoint (a receiver here), send a test, see it delivered
// and verify its signature over the raw body as integrators are told to.
const received = [];
const receiver = createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    received.push({ headers: req.headers, body: Buffer.concat(chunks) });
    res.writeHead(200, { "content-type": "text/plain" });
    res.end("thanks");
  });
});
await new Promise((ok) => receiver.listen(0, "127.0.0.1", ok));
const hookUrl = `http://127.0.0.1:${receiver.address().port}/hooks/ispbills`;
await page.click('nav.tabs a:text("Webhooks")');
await page.waitForSelector("#webhook-form");
await page.fill("#webhook-form #url", hookUrl);
await page.check('input[value="customer.created"]');
await page.check('input[value="payment.received"]');
await page.click("#webhook-form button[type=submit]");
await page.waitForSelector('#secret-box code[data-field="secret"]');
const hookSecret = (await page.textContent('#secret-box code[data-field="secret"]')).trim();
assert.match(hookSecret, /^whsec_/);
await page.waitForSelector("#webhooks");
await page.click('#webhooks button:text("Send test")');
for (let i = 0; i < 80 && received.length === 0; i++) await page.waitForTimeout(100);
assert.equal(received.length, 1, "the test delivery reached the receiver");
const expected = createHmac("sha256", hookSecret).update(received[0].body).digest("hex");
assert.ok(timingSafeEqual(Buffer.from(expected), Buffer.from(received[0].headers["x-signature"])));
assert.equal(JSON.parse(received[0].body).event, "webhook.test");
let delivered = false;
for (let i = 0; i < 40 && !delivered; i++) {
  await page.click('#delivery-detail button:text("Refresh")');
  await page.waitForTimeout(250);
  delivered = /delivered/.test(await page.textContent("#deliveries"));
}
assert.ok(delivered, "the delivery log shows it delivered");
await page.click('#deliveries button:text("Attempts")');
await page.waitForSelector("#delivery-detail section");
assert.match(await page.textContent("#delivery-detail section"), /HTTP 200/);
await shot("05-webhooks");

// Packages: one created from the panel.
await page.click('nav.menu a:text("Packages")');
await page.click("#new-package");
await page.fill("#package-form #name", "Home 10 Mbps");
await page.fill("#package-form #price", "1000");
await page.fill("#package-form #speed_down_kbps", "10240");
await page.fill("#package-form #speed_up_kbps", "10240");
await page.click("#package-form button[type=submit]");
await page.waitForSelector('#packages td:text("Home 10 Mbps")');
assert.match(await page.textContent("#packages"), /BDT 1,000/);
await shot("06-packages");

// Operators and their funds.
await page.click('nav.menu a:text("Operators")');
await page.click("#new-operator");
await page.fill("#operator-form #name", "Badda Broadband");
await page.click("#operator-form button[type=submit]");
await page.waitForSelector('#operators td:text("Badda Broadband")');
await page.click('#operators button:text("Add funds")');
await page.fill("#fund-form #amount", "5000");
await page.fill("#fund-form #note", "cash at the office");
await page.click("#fund-form button[type=submit]");
await page.waitForSelector('#operators td:text("BDT 5,000")');
await shot("07-operators");

// A customer: the API's validation error shows next to the phone field,
// then created with the package; the receiver gets customer.created.
await page.click('nav.menu a:text("Customers")');
await page.waitForSelector("#customers-empty");
await page.click("#new-customer");
await page.fill("#customer-form #name", "Rahim Uddin");
await page.fill("#customer-form #phone", "12345");
await page.selectOption("#customer-form #package_id", { label: "Home 10 Mbps — BDT 1,000" });
await page.click("#customer-form button[type=submit]");
await page.waitForSelector('#customer-form [data-for="phone"]');
assert.match(await page.textContent('#customer-form [data-for="phone"]'), /valid mobile number/);
await shot("08-customer-form-error");
await page.fill("#customer-form #phone", "01712345678");
await page.fill("#customer-form #username", "rahim.pppoe");
await page.click("#customer-form button[type=submit]");
await page.waitForSelector("#customer-name");
assert.match(await page.textContent("#customer-name"), /Rahim Uddin/);
assert.match(await page.textContent("#customer-info"), /Home 10 Mbps/);
const waitFor = async (event) => {
  for (let i = 0; i < 80; i++) {
    const hit = received.find((r) => JSON.parse(r.body).event === event);
    if (hit) return JSON.parse(hit.body);
    await page.waitForTimeout(100);
  }
  throw new Error(`${event} never reached the receiver`);
};
assert.equal((await waitFor("customer.created")).data.name, "Rahim Uddin");

// Record a payment: it shows in the customer's payments, the receiver gets it.
await page.fill("#payment-form #amount", "1000");
await page.selectOption("#payment-form #method", "bkash");
await page.fill("#payment-form #transaction_id", "TXN8A7B6C");
await page.click("#payment-form button[type=submit]");
await page.waitForSelector("#customer-notice .ok");
assert.match(await page.textContent("#customer-notice"), /BDT 1,000 recorded/);
assert.match(await page.textContent("#customer-payments"), /TXN8A7B6C/);
const paid = await waitFor("payment.received");
assert.equal(paid.data.amount, 1000);
assert.equal(paid.data.transaction_id, "TXN8A7B6C");
// The same transaction id again is refused, next to the form.
await page.fill("#payment-form #amount", "1000");
await page.selectOption("#payment-form #method", "bkash");
await page.fill("#payment-form #transaction_id", "TXN8A7B6C");
await page.click("#payment-form button[type=submit]");
await page.waitForSelector("#payment-form [role=alert]");
await shot("09-customer-paid");

// Suspend (with a reason) and activate again.
await page.click("#action-suspend");
await page.fill("#action-form #reason", "asked to pause");
await page.click("#action-form button[type=submit]");
await page.waitForSelector('#customer-name .badge:text("suspended")');
await page.click("#action-activate");
await page.click("#action-form button[type=submit]");
await page.waitForSelector('#customer-name .badge:text("active")');
// Edit: change the address only.
await page.click("#edit-customer");
await page.fill("#customer-edit-form #address", "House 12, Road 5, Badda");
await page.click("#customer-edit-form button[type=submit]");
await page.waitForSelector('#customer-info dd:text("House 12, Road 5, Badda")');
// The customer's history: who did each change and why, newest first.
await page.waitForSelector('#customer-history-list td:has-text("House 12, Road 5, Badda")');
const changes = await page.$$eval("#customer-history-list tbody tr", (rows) => rows.map((r) => r.innerText.replace(/\s+/g, " ")));
assert.equal(changes.length, 5, JSON.stringify(changes));
assert.match(changes[0], /\(staff\) Edited .*Address: .* → House 12, Road 5, Badda/);
assert.match(changes[1], /\(staff\) Activated By hand Status: suspended → active/);
assert.match(changes[2], /\(staff\) Suspended asked to pause Status: active → suspended/);
// The payment and the customer's creation: what was made, without a "before".
assert.match(changes[3], /\(staff\) Payment received #\d+ .*Amount: BDT 1,000 .*Method: bkash/);
assert.doesNotMatch(changes[3], /\(none\) →/);
assert.match(changes[4], /\(staff\) Created Name: Rahim Uddin Phone: 01712345678/);
receiver.close();

// Search finds the customer; a search for someone else finds nobody.
await page.click('nav.menu a:text("Customers")');
await page.fill("#customer-filter #search", "Rahim");
await page.click("#customer-filter button[type=submit]");
await page.waitForSelector('#customers a:text("Rahim Uddin")');
await shot("10-customers");
await page.fill("#customer-filter #search", "Nobody Here");
await page.click("#customer-filter button[type=submit]");
await page.waitForSelector("#customers-empty");

// The dashboard counts it: one active customer, today's collection in the chart.
await page.click('nav.menu a:text("Dashboard")');
await page.waitForSelector("#collections-chart");
assert.equal((await page.textContent("#stat-total strong")).trim(), "1");
assert.match(await page.textContent("#stat-today"), /BDT 1,000/);
assert.match(await page.textContent("#stat-revenue"), /BDT 1,000/);
const bars = await page.$$eval("#collections-chart rect", (rs) => rs.map((r) => Number(r.dataset.amount)));
assert.equal(bars.length, 30);
assert.equal(bars[29], 1000, "today's bar is the payment");
assert.equal(await page.getAttribute('#status-chart rect[data-status="active"]', "data-count"), "1");
await shot("11-dashboard");

// Network: nothing to watch yet, said plainly.
await page.click('nav.menu a:text("Network")');
await page.waitForSelector("#routers-empty");
await page.waitForSelector("#olts-empty");
assert.match(await page.textContent("#zabbix-none"), /Zabbix is not configured/);
assert.equal((await page.textContent("#radius-sessions-empty")).trim(), "No live sessions.");
await shot("12-network");

// RADIUS: a router added over the API (it need not be reachable) becomes a
// RADIUS client from the panel; a too-short secret is refused next to the field.
const api = async (method, path, body) => {
  const t = await fetch(`${BASE}/api/v2/auth/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ client_id: clientId, client_secret: secret }),
  });
  const r = await fetch(`${BASE}${path}`, {
    method,
    headers: { authorization: `Bearer ${(await t.json()).access_token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, body: await r.json() };
};
const made = await api("POST", "/api/v2/network/routers",
  { name: "core-1", host: "127.0.0.1", port: 1, username: "ispbills", password: "router api pass" });
assert.equal(made.status, 201, JSON.stringify(made.body));
const routerId = made.body.data.id;
const routerRow = `#routers tr[data-router="${routerId}"]`;
await page.reload();
await page.waitForSelector(routerRow);
assert.equal((await page.textContent(`${routerRow} td[data-col="auth_mode"]`)).trim(), "secrets");
assert.equal((await page.textContent(`${routerRow} td[data-col="radius_secret"]`)).trim(), "not set");
assert.equal((await page.textContent(`${routerRow} td[data-col="radius_last_request_at"]`)).trim(), "never");
await page.click(`${routerRow} button.radius-edit`);
await page.waitForSelector("#radius-form");
await page.fill("#radius-form #radius_secret", "too-short");
await page.selectOption("#radius-form #auth_mode", "radius");
await page.click("#radius-form button[type=submit]");
await page.waitForSelector('#radius-form [data-for="radius_secret"]');
assert.match(await page.textContent('#radius-form [data-for="radius_secret"]'), /at least 16 characters/);
await shot("18-radius-secret-error");
// Generated: 32 random letters and digits, shown once after saving.
await page.click("#radius-form #generate-secret");
const radiusSecret = await page.inputValue("#radius-form #radius_secret");
assert.match(radiusSecret, /^[A-Za-z0-9]{32}$/);
await page.click("#radius-form button[type=submit]");
await page.waitForSelector("#radius-saved");
assert.equal((await page.textContent('#secret-box code[data-field="radius_secret"]')).trim(), radiusSecret);
await page.waitForSelector(`${routerRow} td[data-col="auth_mode"]:text("radius")`);
assert.equal((await page.textContent(`${routerRow} td[data-col="radius_secret"]`)).trim(), "set");
const stored = (await api("GET", `/api/v2/network/routers/${routerId}`)).body.data;
assert.equal(stored.auth_mode, "radius");
assert.equal(stored.radius_enabled, true);
assert.ok(!JSON.stringify(stored).includes(radiusSecret), "the API never shows the secret");
await shot("19-radius-set");
// "Sync now" on a router that cannot be reached: the 503's message.
await page.click(`${routerRow} button.sync-now`);
await page.waitForSelector("#router-panel [role=alert]");
assert.match(await page.textContent("#router-panel [role=alert]"), /could not be reached/);
// What a sync of a reachable router in RADIUS mode answers (stood in for
// here: there is no RouterOS in the test): the lists shown, and the logins
// made earlier removed on confirmation with remove_secrets=true.
const syncCalls = [];
await page.route(`**/api/v2/network/routers/${routerId}/sync*`, (route) => {
  const remove = new URL(route.request().url()).searchParams.get("remove_secrets") === "true";
  syncCalls.push(remove);
  const lists = { added: [], changed: [], removed: [], unmanaged: ["ppp secret hand-made"], disconnected: [],
    address_list_added: [], address_list_removed: [], secrets_to_remove: [], radius_setup: [], errors: [] };
  if (remove) lists.removed = ["ppp secret rahim.pppoe"];
  else Object.assign(lists, { radius_setup: ["/radius add 127.0.0.1", "/ppp aaa use-radius=yes"], secrets_to_remove: ["ppp secret rahim.pppoe"] });
  route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify({ data: lists }) });
});
await page.click(`${routerRow} button.sync-now`);
await page.waitForSelector('#sync-result [data-list="secrets_to_remove"]');
assert.match(await page.textContent('#sync-result [data-list="radius_setup"]'), /ppp aaa use-radius=yes/);
assert.match(await page.textContent('#sync-result [data-list="unmanaged"]'), /hand-made/);
assert.equal(await page.$('#sync-result [data-list="added"]'), null, "empty lists are not shown");
page.once("dialog", (d) => d.accept());
await page.click("#sync-result #remove-secrets");
await page.waitForSelector('#sync-result [data-list="removed"]');
assert.match(await page.textContent('#sync-result [data-list="removed"]'), /rahim\.pppoe/);
assert.equal(await page.$("#sync-result #remove-secrets"), null);
assert.deepEqual(syncCalls, [false, true]);
await page.unroute(`**/api/v2/network/routers/${routerId}/sync*`);

// A live session: the test plays the router and sends an accounting Start
// and an Interim-Update (RFC 2866) for a customer on it.
const customer = await api("POST", "/api/v2/customers", { name: "Selim Reza", phone: "01711000000",
  connection_type: "pppoe", username: "selim.pppoe", password: "pppoe pass 1", router_id: routerId });
assert.equal(customer.status, 201, JSON.stringify(customer.body));
const accounting = (identifier, status, extra = []) => nasAccounting({
  acct: process.env.RADIUS_ACCT, secret: radiusSecret, identifier, status, attrs: [
    attribute(44, Buffer.from("81a00001")), // Acct-Session-Id
    attribute(1, Buffer.from("selim.pppoe")), // User-Name
    attribute(8, Buffer.from([10, 20, 30, 40])), // Framed-IP-Address
    attribute(31, Buffer.from("AA:BB:CC:DD:EE:01")), // Calling-Station-Id
    ...extra] });
await accounting(1, 1); // Start
await accounting(2, 3, [ // Interim-Update: 1.5 GB down, 5 MB up, an hour online
  attribute(46, u32(3725)), attribute(42, u32(5 * 1024 * 1024)), attribute(43, u32(1536 * 1024 * 1024))]);
await page.click("#refresh-sessions");
await page.waitForSelector('#radius-sessions a:text("selim.pppoe")');
const live = await page.textContent("#radius-sessions tbody");
for (const text of ["core-1", "10.20.30.40", "AA:BB:CC:DD:EE:01", "1.50 GB", "5.00 MB"]) assert.ok(live.includes(text), `${text} in ${live}`);
// The router's last RADIUS request is written once a second.
let seen = "";
const localTime = /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/;
for (let i = 0; i < 20 && !localTime.test(seen); i++) {
  await page.waitForTimeout(250);
  await page.reload();
  await page.waitForSelector(routerRow);
  seen = await page.textContent(`${routerRow} td[data-col="radius_last_request_at"]`);
}
assert.match(seen, localTime, "the last RADIUS request shows");
await page.waitForSelector('#radius-sessions a:text("selim.pppoe")');
await shot("20-radius-sessions");
// The customer's page lists the session, online.
await page.click('#radius-sessions a:text("selim.pppoe")');
await page.waitForSelector("#customer-sessions tr[data-session]");
assert.match(await page.textContent("#customer-name"), /Selim Reza/);
const history = await page.textContent("#customer-sessions tbody");
for (const text of ["online", "10.20.30.40", "AA:BB:CC:DD:EE:01", "1.50 GB", "5.00 MB", "core-1"]) assert.ok(history.includes(text), `${text} in ${history}`);
await shot("21-customer-sessions");
// Staff: create a support user, make them a reseller's staff, disable them
// (their open session ends at once), enable, set a password; the last admin stays.
await page.click('nav.menu a:text("Staff")');
await page.waitForSelector("#staff");
assert.match(await page.textContent("#staff"), /owner@isp\.example/);
await page.click("#new-staff");
await page.fill("#staff-form #name", "Karim Hasan");
await page.fill("#staff-form #email", "karim@isp.example");
await page.selectOption("#staff-form #role", "support");
await page.fill("#staff-form #password", "short");
await page.click("#staff-form button[type=submit]");
await page.waitForSelector('#staff-form [data-for="password"]');
await page.fill("#staff-form #password", "karim's long password");
await page.click("#staff-form button[type=submit]");
await page.waitForSelector('#staff tr[data-email="karim@isp.example"]');
const karimRow = '#staff tr[data-email="karim@isp.example"]';
assert.match(await page.textContent(karimRow), /support/);
// Karim logs in elsewhere (a second browser).
const other = await browser.newContext();
const karimPage = await other.newPage();
watch(karimPage);
await karimPage.goto(`${BASE}/`);
await karimPage.waitForSelector("#login-form");
await karimPage.fill("#login-form #email", "karim@isp.example");
await karimPage.fill("#login-form #password", "karim's long password");
await karimPage.click("#login-form button[type=submit]");
await karimPage.waitForSelector("#customers-empty, #customers");
assert.equal(await karimPage.$('nav.menu a:text("Staff")'), null, "support staff see no Staff screen");
// Made a reseller's staff.
await page.click(`${karimRow} button:text("Edit")`);
await page.selectOption("#staff-edit-form #role", "operator_staff");
await page.selectOption("#staff-edit-form #operator_id", { label: "Badda Broadband" });
await page.click("#staff-edit-form button[type=submit]");
await page.waitForSelector(`${karimRow} td:text("Badda Broadband")`);
assert.match(await page.textContent(karimRow), /operator/);
// Disabled: Karim's session is over on his next request.
page.once("dialog", (d) => d.accept());
await page.click(`${karimRow} button:text("Disable")`);
await page.waitForSelector(`${karimRow} .badge.disabled`);
await karimPage.reload();
await karimPage.waitForSelector("#login-form");
await karimPage.fill("#login-form #email", "karim@isp.example");
await karimPage.fill("#login-form #password", "karim's long password");
await karimPage.click("#login-form button[type=submit]");
await karimPage.waitForSelector("#login-form [role=alert]");
// Enabled, with a new password.
await page.click(`${karimRow} button:text("Enable")`);
await page.waitForSelector(`${karimRow} .badge.active`);
await page.click(`${karimRow} button:text("Set password")`);
await page.fill("#password-form #password", "karim's new passphrase");
await page.click("#password-form button[type=submit]");
await page.waitForSelector("#staff-notice .ok");
await karimPage.fill("#login-form #password", "karim's new passphrase");
await karimPage.click("#login-form button[type=submit]");
await karimPage.waitForSelector("#dashboard, #stat-total, #customers, #customers-empty");
await other.close();
// The only administrator cannot disable themselves.
page.once("dialog", (d) => d.accept());
await page.click('#staff tr[data-email="owner@isp.example"] button:text("Disable")');
await page.waitForSelector("#staff-notice [role=alert]");
assert.match(await page.textContent("#staff-notice"), /last active administrator/);
await shot("16-staff");

// Log out, a wrong password, log in again.
await page.click("#logout");
await page.waitForSelector("#login-form");
await page.fill("#login-form #email", "owner@isp.example");
await page.fill("#login-form #password", "wrong password here");
await page.click("#login-form button[type=submit]");
await page.waitForSelector("#login-form [role=alert]");
await shot("13-login-error");
await page.fill("#login-form #password", "a long enough password");
await page.click("#login-form button[type=submit]");
// Back where the operator was.
await page.waitForSelector("#staff");

// Usable on a phone screen.
await page.setViewportSize({ width: 375, height: 740 });
await page.goto(`${BASE}/#/dashboard`);
await page.waitForSelector("#collections-chart");
await shot("14-phone-dashboard");
// The menu is folded behind its button on a phone.
assert.equal(await page.isVisible('nav.menu a:text("Customers")'), false, "the menu is folded on a phone");
await page.click("#menu-toggle");
await page.click('nav.menu a:text("Customers")');
await page.click('#customers a:text("Rahim Uddin")');
await page.waitForSelector("#payment-form");
await shot("15-phone-customer");
const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
assert.ok(overflow <= 1, `the page scrolls sideways on a phone by ${overflow}px`);
await page.click("#menu-toggle");
await page.click('nav.menu a:text("Network")');
await page.waitForSelector("#radius-sessions");
await page.click("#routers button.radius-edit");
await page.waitForSelector("#radius-form");
await shot("22-phone-network");
const networkOverflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
assert.ok(networkOverflow <= 1, `the network screen scrolls sideways on a phone by ${networkOverflow}px`);

// The API documentation renders under its own policy.
await page.setViewportSize({ width: 1200, height: 800 });
await page.goto(`${BASE}/docs/api`);
await page.waitForSelector(".swagger-ui .info");
assert.match(await page.textContent(".swagger-ui .info"), /ISPBills API/);
await page.waitForTimeout(500);
await shot("17-docs");

// Billing → Online payments. Gateways: bKash (pointed at the stand-in by
// scripts/browser-test) ready and not in production mode, the manual
// send-money claims always there, the missing [server] public_url warned of.
await page.goto(`${BASE}/#/billing/gateways`);
const bkashCard = '#gateways [data-gateway="bkash"]';
const manualCard = '#gateways [data-gateway="manual"]';
await page.waitForSelector(bkashCard);
assert.equal(await page.getAttribute(bkashCard, "data-state"), "ready", await page.textContent(bkashCard));
assert.match(await page.textContent(`${bkashCard} .gateway-state`), /^Ready/);
// The stand-in's address is bKash's sandbox or a custom one, never production:
// either way a warning says no real money moves there.
const bkashMode = await page.getAttribute(bkashCard, "data-mode");
assert.ok(["sandbox", "custom"].includes(bkashMode), `bKash mode ${bkashMode}`);
assert.ok(await page.$(`${bkashCard} .gateway-mode.warning`), "the test mode is called out");
if (bkashMode === "sandbox") assert.match(await page.textContent(`${bkashCard} .gateway-mode`), /test mode, no real money/);
assert.equal(await page.getAttribute(manualCard, "data-state"), "ready", await page.textContent(manualCard));
assert.match(await page.textContent("#public-url-warning"), /public_url/);
assert.match(await page.textContent("#gateway-config-note"), /\[payments\.bkash\].*restart/);
await shot("billing-gateways");

// A customer with a login claims two send-money payments through the
// customer API (POST /api/v2/me/payments, gateway manual).
const payer = await api("POST", "/api/v2/customers", { name: "Nasima Akter", phone: "01911000000",
  connection_type: "pppoe", username: "nasima.pppoe", password: "nasima pppoe pass" });
assert.equal(payer.status, 201, JSON.stringify(payer.body));
const payerId = payer.body.data.id;
const loggedIn = await fetch(`${BASE}/api/v2/me/login`, {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ username: "nasima.pppoe", password: "nasima pppoe pass" }),
});
assert.equal(loggedIn.status, 200, await loggedIn.clone().text());
const customerToken = (await loggedIn.json()).access_token;
const me = async (method, path, body) => {
  const r = await fetch(`${BASE}${path}`, {
    method,
    headers: { authorization: `Bearer ${customerToken}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, body: await r.json() };
};
const claim = async (amount, method, trxId) => {
  const r = await me("POST", "/api/v2/me/payments", { gateway: "manual", amount, method, sender: "01712345678", trx_id: trxId });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.payment.state, "pending");
  return r.body.payment;
};
const approvedClaim = await claim(500, "bkash", "ABC123XYZ");
const refusedClaim = await claim(300, "nagad", "NGD456QRS");
assert.equal(approvedClaim.gateway_trx_id, "bkash:ABC123XYZ");

// The verification queue: both pending; one approved (booked), one rejected with a reason.
await page.click('nav.tabs a:text("Verification queue")');
const approvedRow = `#verifications tr[data-online-payment="${approvedClaim.id}"]`;
const refusedRow = `#verifications tr[data-online-payment="${refusedClaim.id}"]`;
await page.waitForSelector(approvedRow);
await page.waitForSelector(refusedRow);
const claimed = await page.textContent(approvedRow);
for (const text of ["bkash:ABC123XYZ", "01712345678", "BDT 500", approvedClaim.reference, "pending"]) assert.ok(claimed.includes(text), `${text} in ${claimed}`);
assert.equal(await page.getAttribute(`${approvedRow} a[href^="#/customers/"]`, "href"), `#/customers/${payerId}`);
await shot("billing-verifications");
page.once("dialog", (d) => d.accept());
await page.click(`${approvedRow} button.approve`);
await page.waitForSelector("#verification-notice .ok");
assert.match(await page.textContent("#verification-notice"), new RegExp(`${approvedClaim.reference} approved`));
await page.waitForSelector(approvedRow, { state: "detached" });
await page.click(`${refusedRow} button.reject`);
await page.waitForSelector("#reject-form");
await page.fill("#reject-form [name=reason]", "No such transaction in the Nagad statement");
await page.click("#reject-form button[type=submit]");
await page.waitForSelector(refusedRow, { state: "detached" });
assert.match(await page.textContent("#verification-notice"), /rejected/);
assert.equal(await page.$("#reject-form"), null);
await page.selectOption("#verification-state", "rejected");
await page.waitForSelector(`${refusedRow}[data-state="rejected"]`);
assert.match(await page.textContent(refusedRow), /No such transaction in the Nagad statement/);
assert.equal(await page.$(`${refusedRow} button`), null, "a decided claim has no buttons");
// Booked as the customer's payment, by the service and transaction id given.
const payerPayments = (await api("GET", `/api/v2/customers/${payerId}/payments`)).body.data;
assert.ok(payerPayments.some((p) => p.method === "bkash" && p.transaction_id === "ABC123XYZ" && p.amount === 500), JSON.stringify(payerPayments));
assert.ok(!payerPayments.some((p) => p.transaction_id === "NGD456QRS"), "the rejected claim is not booked");

// Online payments: the approved claim paid, the rejected one rejected; a
// bKash payment (paid through the stand-in: its checkout page approves and
// sends the "browser" back to /portal/pay/bkash) refunded in part.
const started = await me("POST", "/api/v2/me/payments", { gateway: "bkash", amount: 800 });
assert.equal(started.status, 201, JSON.stringify(started.body));
const backFromBkash = await fetch(started.body.redirect_url);
assert.match(backFromBkash.url, /\/portal\/result\.html\?ref=OP/);
const bkashPaid = started.body.payment;
assert.equal((await me("GET", `/api/v2/me/online-payments/${bkashPaid.reference}`)).body.data.state, "paid");
await page.click('nav.tabs a:text("Online payments")');
await page.waitForSelector("#online-payment-filter");
await page.fill("#online-payment-filter #op-customer", String(payerId));
await page.click("#online-payment-filter button[type=submit]");
const onlineRow = (id) => `#online-payments tr[data-online-payment="${id}"]`;
await page.waitForSelector(`${onlineRow(approvedClaim.id)}[data-state="paid"]`);
assert.match(await page.textContent(onlineRow(approvedClaim.id)), /manual.*BDT 500.*paid.*bkash:ABC123XYZ/);
assert.equal(await page.getAttribute(onlineRow(refusedClaim.id), "data-state"), "rejected");
const bkashRow = onlineRow(bkashPaid.id);
assert.equal(await page.getAttribute(bkashRow, "data-state"), "paid");
assert.equal((await page.textContent(`${bkashRow} td[data-col="refunded"]`)).trim(), "");
await page.click(`${bkashRow} button.refund`);
await page.waitForSelector("#refund-form");
assert.equal(await page.inputValue("#refund-form #refund-amount"), "800", "the whole amount is offered");
await page.fill("#refund-form #refund-amount", "250");
await page.fill("#refund-form #refund-reason", "Charged twice for the same month");
page.once("dialog", (d) => d.accept());
await page.click("#refund-form button[type=submit]");
await page.waitForSelector("#refund-result");
assert.equal(await page.getAttribute("#refund-result", "data-state"), "refunded", await page.textContent("#refund-result"));
assert.match(await page.textContent("#refund-result"), /BDT 250 refunded/);
await page.waitForSelector("#refunds tr[data-refund]");
assert.match(await page.textContent("#refunds tbody"), /BDT 250.*refunded.*Charged twice for the same month/);
await page.waitForSelector(`${bkashRow} td[data-col="refunded"]:text("BDT 250")`);
// What is left is offered next time.
await page.click(`${bkashRow} button.refund`);
assert.equal(await page.inputValue("#refund-form #refund-amount"), "550");
await page.click('#refund-form button:text("Cancel")');
await page.click(`${bkashRow} button.show-refunds`);
await page.waitForSelector("#refunds tr[data-refund]");
await shot("billing-online-payments");
// Usable on a phone: the tables scroll inside their wrappers, the page does not.
await page.setViewportSize({ width: 375, height: 740 });
for (const [tab, shown] of [["verifications", "#verifications, #verifications-empty"],
  ["online-payments", "#online-payments, #online-payments-empty"], ["gateways", "#gateways"]]) {
  await page.goto(`${BASE}/#/billing/${tab}`);
  await page.waitForSelector(shown);
  const sideways = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(sideways <= 1, `Billing → ${tab} scrolls sideways on a phone by ${sideways}px`);
}
await page.setViewportSize({ width: 1200, height: 800 });

assert.deepEqual(cspViolations(), [], `CSP violations in the console:\n${consoleLog.join("\n")}`);
await browser.close();
for (const path of shots) {
  const bytes = readFileSync(path);
  assert.ok(statSync(path).size > 3000, `${path} is too small`);
  assert.equal(bytes.subarray(1, 4).toString(), "PNG", `${path} is not a PNG`);
}
assert.equal(shots.length, 25, "every main screen was captured");
console.log(`panel browser test passed; ${shots.length} screenshots in ${ARTIFACTS}`);
