// Browser test of the admin panel in headless Chromium (Debian's), driven by
// playwright-core: first-run setup with the code, the API client secret shown
// once, the request log, logout/login, a phone-sized screen. Screenshots of
// each screen go to $ARTIFACTS and are checked to be real images.
import { createRequire } from "node:module";
import { readFileSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { createHmac, timingSafeEqual } from "node:crypto";
import assert from "node:assert/strict";

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
// ...and is never shown again.
await page.reload();
await page.waitForSelector("#clients");
assert.equal(await page.$("#secret-box"), null);
assert.ok(!(await page.content()).includes(secret));

// The request log shows the token call.
await page.click('nav.tabs button:text("API request log")');
await page.waitForSelector("#request-log");
// The log is written in batches off the request path: filter until it shows.
let logged = false;
for (let i = 0; i < 40 && !logged; i++) {
  await page.fill("#log-filter #path", "/api/v2/auth");
  await page.click("#log-filter button[type=submit]");
  await page.waitForTimeout(250);
  logged = /\/api\/v2\/auth\/token/.test(await page.textContent("#request-log"));
}
assert.ok(logged, "the token request appears in the request log");
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
await page.click('nav.tabs button:text("Webhooks")');
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
receiver.close();

// Log out, a wrong password, log in again.
await page.click("#logout");
await page.waitForSelector("#login-form");
await page.fill("#login-form #email", "owner@isp.example");
await page.fill("#login-form #password", "wrong password here");
await page.click("#login-form button[type=submit]");
await page.waitForSelector("#login-form [role=alert]");
await shot("06-login-error");
await page.fill("#login-form #password", "a long enough password");
await page.click("#login-form button[type=submit]");
await page.waitForSelector("#clients");

// Usable on a phone screen.
await page.setViewportSize({ width: 375, height: 740 });
await page.reload();
await page.waitForSelector("#clients");
await shot("07-phone");

await browser.close();
for (const path of shots) {
  const bytes = readFileSync(path);
  assert.ok(statSync(path).size > 3000, `${path} is too small`);
  assert.equal(bytes.subarray(1, 4).toString(), "PNG", `${path} is not a PNG`);
}
console.log(`panel browser test passed; ${shots.length} screenshots in ${ARTIFACTS}`);
