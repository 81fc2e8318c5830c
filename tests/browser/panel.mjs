// Browser test of the admin panel in headless Chromium (Debian's), driven by
// playwright-core: first-run setup with the code, the API client secret shown
// once, the request log, logout/login, a phone-sized screen. Screenshots of
// each screen go to $ARTIFACTS and are checked to be real images.
import { createRequire } from "node:module";
import { readFileSync, statSync } from "node:fs";
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

// Log out, a wrong password, log in again.
await page.click("#logout");
await page.waitForSelector("#login-form");
await page.fill("#login-form #email", "owner@isp.example");
await page.fill("#login-form #password", "wrong password here");
await page.click("#login-form button[type=submit]");
await page.waitForSelector("#login-form [role=alert]");
await shot("05-login-error");
await page.fill("#login-form #password", "a long enough password");
await page.click("#login-form button[type=submit]");
await page.waitForSelector("#clients");

// Usable on a phone screen.
await page.setViewportSize({ width: 375, height: 740 });
await page.reload();
await page.waitForSelector("#clients");
await shot("06-phone");

await browser.close();
for (const path of shots) {
  const bytes = readFileSync(path);
  assert.ok(statSync(path).size > 3000, `${path} is too small`);
  assert.equal(bytes.subarray(1, 4).toString(), "PNG", `${path} is not a PNG`);
}
console.log(`panel browser test passed; ${shots.length} screenshots in ${ARTIFACTS}`);
