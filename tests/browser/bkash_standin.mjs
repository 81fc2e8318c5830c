// A local stand-in for bKash Tokenized Checkout, API v1.2.0-beta, "Checkout
// URL" (mode 0011, no agreement), for the browser test. It is the node twin
// of tests/common/bkash_sim.rs and answers exactly as that one does; the
// spec, with the source of each fact, is in the project's notes on gateways
// (bKash's WooCommerce plugin, ApiComm.php, and recorded sandbox answers).
//
// Under /bkash/v1.2.0-beta/tokenized/checkout: token/grant, token/refresh
// (headers username/password, body app_key/app_secret), create, execute,
// payment/status, payment/refund (with amount: refund; without: refund
// status) and general/searchTransaction (headers Authorization: <id_token>
// — the bare token — and X-APP-Key). JSON, amounts as strings. A business
// failure is HTTP 200 with statusCode != "0000" and a statusMessage; a
// missing, unknown or expired id_token is refused by the API gateway in
// front: 401 {"message"}; an unknown path, 403.
//
// The customer's side: bkashURL is /bkash/checkout/<paymentID> here; a GET
// there acts out the chosen outcome (default: pays) and answers 302 to the
// merchant's callbackURL plus paymentID, status=success|failure|cancel,
// signature and apiVersion, as bKash's redirect does. Execute is the only
// step that moves money, and only once (a second call answers 2117).
//
// Steering for tests (not bKash's): POST /sim/outcome {"outcome"} (approve,
// insufficient_balance, fail, cancel), POST /sim/act {"paymentID","outcome"},
// POST /sim/expire-tokens, POST /sim/delay {"secs","execute_secs"},
// GET /sim/payments, GET /sim/calls?op=/token/grant.
//
// Run: node tests/browser/bkash_standin.mjs [port]  (0 or none: a free one);
// the first line printed is "bkash stand-in listening on 127.0.0.1:<port>".
import { createServer } from "node:http";
import { pathToFileURL } from "node:url";

export const USERNAME = "sim-merchant";
export const PASSWORD = "sim merchant password";
export const APP_KEY = "sim-app-key-5nfu8c2e";
export const APP_SECRET = "sim-app-secret-0b1d9k3q7x";
/** The wallet that pays. */
export const CUSTOMER_MSISDN = "01900000001";
export const PREFIX = "/bkash/v1.2.0-beta/tokenized/checkout";
const OPS = ["/token/grant", "/token/refresh", "/create", "/execute", "/payment/status",
  "/payment/refund", "/general/searchTransaction"];
const OUTCOMES = ["approve", "insufficient_balance", "fail", "cancel"];

/** "15", "15.5", "15.50" -> paisa; null for anything else. */
export function cents(s) {
  if (typeof s !== "string") return null;
  const [whole, frac = "", ...rest] = s.split(".");
  const digits = (t) => /^[0-9]+$/.test(t);
  if (rest.length || !digits(whole) || frac.length > 2 || (frac !== "" && !digits(frac))) return null;
  return Number(whole) * 100 + Number(frac.padEnd(2, "0"));
}

/** bKash's timestamp: 2024-07-25T19:35:17:574 GMT+0600. */
export function bkashTime(now = new Date()) {
  const t = new Date(now.getTime() + 6 * 3600 * 1000).toISOString(); // as UTC+6
  return `${t.slice(0, 19)}:${t.slice(20, 23)} GMT+0600`;
}

const fail = (code, message) => ({ statusCode: code, statusMessage: message });
const str = (v) => (typeof v === "string" ? v : "");
const field = (p, k) => str(p.request?.[k]);

/** <callbackURL>?paymentID=..&status=..&signature=..&apiVersion=1.2.0-beta/ */
function callback(p, status) {
  const cb = field(p, "callbackURL");
  const sep = cb.includes("?") ? "&" : "?";
  const id = p.paymentID;
  return `${cb}${sep}paymentID=${id}&status=${status}&signature=${id.slice(-10)}&apiVersion=1.2.0-beta/`;
}

export class BkashState {
  constructor() {
    this.payments = [];
    this.outcome = null; // what customers do from now on (null: approve)
    this.delaySecs = 0;
    this.executeDelaySecs = 0;
    this.idTokens = [];
    this.refreshTokens = [];
    this.expired = [];
    this.seq = 0;
    this.base = "";
    this.log = []; // {method, path}
  }

  find(id) {
    return this.payments.find((p) => p.paymentID === id);
  }

  /** The customer acts on the checkout page; where bKash then sends the browser. */
  checkout(id) {
    const p = this.find(id);
    if (!p) return null;
    p.customer ??= this.outcome ?? "approve";
    const [status, state] = {
      approve: ["success", null],
      insufficient_balance: ["success", null],
      fail: ["failure", "Failed"],
      cancel: ["cancel", "Cancelled"],
    }[p.customer];
    if (state && p.transactionStatus === "Initiated") p.transactionStatus = state;
    return callback(p, status);
  }

  /** One API call: [status, body]. */
  api(op, headers, b) {
    const s = (k) => str(b?.[k]);
    if (op.startsWith("/token/")) {
      let answer;
      if (headers.username !== USERNAME) answer = fail("9999", "Username does not exist");
      else if (headers.password !== PASSWORD) answer = fail("9999", "Invalid password"); // text unconfirmed
      else if (s("app_key") !== APP_KEY || s("app_secret") !== APP_SECRET) answer = fail("2001", "Invalid App Key");
      else if (op === "/token/refresh" && !this.refreshTokens.includes(s("refresh_token"))) {
        answer = fail("9999", "Invalid refresh token"); // text unconfirmed
      } else {
        this.seq += 1;
        const id = `sim-id-token-${this.seq}`;
        const refresh = `sim-refresh-token-${this.seq}`;
        this.idTokens.push(id);
        this.refreshTokens.push(refresh);
        answer = { statusCode: "0000", statusMessage: "Successful", id_token: id,
          token_type: "Bearer", expires_in: 3600, refresh_token: refresh };
      }
      return [200, answer];
    }
    const token = headers.authorization;
    if (token === undefined) return [401, { message: "Unauthorized" }];
    if (this.expired.includes(token)) return [401, { message: "The incoming token has expired" }];
    if (!this.idTokens.includes(token)) return [401, { message: "Unauthorized" }];
    if (headers["x-app-key"] !== APP_KEY) return [200, fail("2001", "Invalid App Key")];
    switch (op) {
      case "/create": return [200, this.create(b)];
      case "/execute": return [200, this.execute(s("paymentID"))];
      case "/payment/status": return [200, this.query(s("paymentID"))];
      case "/payment/refund": return [200, this.refund(b)];
      default: return [200, this.search(s("trxID"))];
    }
  }

  create(b) {
    const keys = ["mode", "payerReference", "callbackURL", "amount", "currency", "intent", "merchantInvoiceNumber"];
    const missing = (k) => b === null || typeof b !== "object" || b[k] === undefined || b[k] === null || b[k] === "";
    if (keys.some(missing)) return fail("2065", "Mandatory field missing");
    // bKash sends and takes amounts as strings ("500", "85.50").
    if (!((cents(b.amount) ?? 0) > 0)) return fail("2006", "Invalid amount");
    const cb = str(b.callbackURL);
    if (b.currency !== "BDT") return fail("2007", "Invalid currency");
    if (b.intent !== "sale" && b.intent !== "authorization") return fail("2008", "Invalid intent");
    if (b.mode !== "0011") return fail("2063", "Mode is not valid as per request data");
    if (!cb.startsWith("http://") && !cb.startsWith("https://")) return fail("2049", "Invalid Merchant Callback URL");
    this.seq += 1;
    const p = {
      paymentID: `TR0011SIM${String(this.seq).padStart(13, "0")}`,
      request: b,
      createTime: bkashTime(),
      customer: null,
      transactionStatus: "Initiated",
      trxID: null,
      executeTime: null,
      executed: false,
      executes: 0,
      queries: 0,
      refunds: [],
    };
    const answer = {
      paymentID: p.paymentID,
      bkashURL: `${this.base}/bkash/checkout/${p.paymentID}`,
      callbackURL: cb,
      successCallbackURL: callback(p, "success"),
      failureCallbackURL: callback(p, "failure"),
      cancelledCallbackURL: callback(p, "cancel"),
      amount: b.amount, intent: b.intent, currency: "BDT",
      paymentCreateTime: p.createTime, transactionStatus: "Initiated",
      merchantInvoiceNumber: b.merchantInvoiceNumber,
      statusCode: "0000", statusMessage: "Successful",
    };
    this.payments.push(p);
    return answer;
  }

  execute(id) {
    this.seq += 1;
    const trx = `SIM${String(this.seq).padStart(7, "0")}`;
    const p = this.find(id);
    if (!p) return fail("2002", "Invalid Payment ID");
    p.executes += 1;
    if (p.executed) return fail("2117", "Payment execution already been called before");
    if (p.customer === "approve") {
      p.executed = true;
      p.transactionStatus = "Completed";
      p.trxID = trx;
      p.executeTime = bkashTime();
      return { paymentID: p.paymentID, trxID: p.trxID, transactionStatus: "Completed",
        amount: field(p, "amount"), currency: "BDT", intent: field(p, "intent"),
        paymentExecuteTime: p.executeTime, merchantInvoiceNumber: field(p, "merchantInvoiceNumber"),
        payerReference: field(p, "payerReference"), customerMsisdn: CUSTOMER_MSISDN,
        statusCode: "0000", statusMessage: "Successful" };
    }
    if (p.customer === "insufficient_balance") {
      p.executed = true;
      p.transactionStatus = "Failed";
      return fail("2023", "Insufficient Balance");
    }
    return fail("2056", "Invalid Payment State");
  }

  query(id) {
    const p = this.find(id);
    if (!p) return fail("2002", "Invalid Payment ID");
    p.queries += 1;
    const v = { paymentID: p.paymentID, mode: "0011",
      paymentCreateTime: p.createTime, paymentExecuteTime: p.executeTime,
      amount: field(p, "amount"), currency: "BDT", intent: field(p, "intent"),
      merchantInvoice: field(p, "merchantInvoiceNumber"), trxID: p.trxID,
      transactionStatus: p.transactionStatus, verificationStatus: p.trxID ? "Complete" : "Incomplete",
      statusCode: "0000", statusMessage: "Successful", payerReference: field(p, "payerReference") };
    for (const k of Object.keys(v)) if (v[k] === null) delete v[k];
    return v;
  }

  search(trx) {
    const p = this.payments.find((x) => trx !== "" && x.trxID === trx);
    if (!p) return fail("2033", "Transaction not found");
    return { trxID: trx, initiationTime: p.executeTime, completedTime: p.executeTime,
      transactionType: "bKash Tokenized Checkout via API", customerMsisdn: CUSTOMER_MSISDN,
      transactionStatus: "Completed", amount: field(p, "amount"), currency: "BDT",
      organizationShortCode: "50022", statusCode: "0000", statusMessage: "Successful" };
  }

  refund(b) {
    this.seq += 1;
    const refundTrx = `SIMR${String(this.seq).padStart(6, "0")}`;
    const p = this.find(str(b?.paymentID));
    if (!p) return fail("2002", "Invalid Payment ID");
    if (p.trxID === null || p.trxID !== b.trxID) return fail("2033", "Transaction not found");
    const answer = (r) => ({ statusCode: "0000", statusMessage: "Successful", originalTrxID: p.trxID,
      refundTrxID: r.refundTrxID, transactionStatus: "Completed", amount: r.amount,
      currency: "BDT", charge: "0.00", completedTime: r.completedTime });
    if (b.amount === undefined || b.amount === null) {
      // Refund status: the same answer again, or 2002 when never refunded.
      const last = p.refunds.at(-1);
      return last ? answer(last) : fail("2002", "Invalid Payment ID");
    }
    const refunded = p.refunds.reduce((sum, r) => sum + (cents(r.amount) ?? 0), 0);
    const paid = cents(field(p, "amount")) ?? 0;
    const asked = cents(b.amount);
    if (!(asked !== null && asked > 0 && refunded + asked <= paid)) {
      return fail("2006", "Invalid amount"); // code unconfirmed for "more than paid"
    }
    const r = { refundTrxID: refundTrx, amount: str(b.amount), completedTime: bkashTime(), request: b };
    const v = answer(r);
    p.refunds.push(r);
    return v;
  }
}

const sleep = (secs) => new Promise((ok) => setTimeout(ok, secs * 1000));

/** Starts the stand-in on 127.0.0.1:`port` (0: a free one); resolves to {server, state, port, baseUrl}. */
export async function start(port = 0) {
  const state = new BkashState();
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", async () => {
      const url = new URL(req.url, "http://stand-in");
      const path = url.pathname;
      const raw = Buffer.concat(chunks).toString("utf8");
      let body = null;
      try { body = raw ? JSON.parse(raw) : null; } catch { body = null; }
      state.log.push({ method: req.method, path });
      const send = (status, value, extra = {}) => {
        const text = value === undefined ? "" : JSON.stringify(value);
        res.writeHead(status, { "content-type": "application/json", ...extra });
        res.end(text);
      };
      // The test's steering, not bKash's.
      if (path.startsWith("/sim/")) return sim(state, req.method, path, url, body, send);
      if (req.method === "GET") {
        const id = path.startsWith("/bkash/checkout/") ? path.slice("/bkash/checkout/".length) : "";
        const to = state.checkout(id);
        if (to === null) return send(404, undefined);
        res.writeHead(302, { location: to });
        return res.end();
      }
      const op = path.startsWith(PREFIX) ? path.slice(PREFIX.length) : "";
      if (req.method !== "POST" || !OPS.includes(op)) {
        // API Gateway: no such resource.
        return send(403, { message: req.headers.authorization !== undefined
          ? "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter."
          : "Missing Authentication Token" });
      }
      const delay = state.delaySecs + (op === "/execute" ? state.executeDelaySecs : 0);
      const [status, answer] = state.api(op, req.headers, body);
      if (delay > 0) await sleep(delay);
      send(status, answer);
    });
  });
  await new Promise((ok) => server.listen(port, "127.0.0.1", ok));
  const bound = server.address().port;
  state.base = `http://127.0.0.1:${bound}`;
  return { server, state, port: bound, baseUrl: `${state.base}/bkash/v1.2.0-beta` };
}

function sim(state, method, path, url, body, send) {
  const outcome = body?.outcome;
  if (method === "POST" && path === "/sim/outcome") {
    if (outcome !== null && !OUTCOMES.includes(outcome)) return send(422, { message: `outcome: one of ${OUTCOMES}` });
    state.outcome = outcome;
    return send(200, { outcome });
  }
  if (method === "POST" && path === "/sim/act") {
    const p = state.find(str(body?.paymentID));
    if (!p || !OUTCOMES.includes(outcome)) return send(404, { message: "no such payment or outcome" });
    p.customer = outcome;
    state.checkout(p.paymentID);
    return send(200, { paymentID: p.paymentID, outcome });
  }
  if (method === "POST" && path === "/sim/expire-tokens") {
    state.expired.push(...state.idTokens);
    return send(200, { expired: state.expired.length });
  }
  if (method === "POST" && path === "/sim/delay") {
    state.delaySecs = Number(body?.secs ?? 0);
    state.executeDelaySecs = Number(body?.execute_secs ?? 0);
    return send(200, { secs: state.delaySecs, execute_secs: state.executeDelaySecs });
  }
  if (method === "GET" && path === "/sim/payments") return send(200, state.payments);
  if (method === "GET" && path === "/sim/calls") {
    const op = url.searchParams.get("op") ?? "";
    return send(200, { calls: state.log.filter((r) => r.path === `${PREFIX}${op}`).length });
  }
  return send(404, { message: "no such steering" });
}

// Run on its own: print the port, stop on SIGTERM / SIGINT.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { server, port } = await start(Number(process.argv[2] ?? 0));
  console.log(`bkash stand-in listening on 127.0.0.1:${port}`);
  const stop = () => { server.closeAllConnections(); server.close(); process.exit(0); };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}
