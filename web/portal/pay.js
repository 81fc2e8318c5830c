// Paying online: the payment is started on the appliance, which answers the
// gateway's page; the browser goes there, and the gateway sends it back to
// the appliance (/portal/pay/bkash, /portal/pay/sslcommerz), which forwards
// to result.html?ref=<reference>. bKash and SSLCommerz (card / mobile
// banking) are offered when the appliance has them set up; money sent by
// Send Money to the ISP's own numbers is claimed with sendmoney.js.
import { api, ApiError, explain, h, notice } from "./api.js";
import { t } from "./i18n.js";

let offered = null;

/**
 * What customers can pay with (GET /api/v2/me/gateways, asked once):
 * `{bkash, sslcommerz, sendMoney: [{method, number}], currency}`. When the
 * appliance cannot be asked, bKash is assumed (the attempt will say).
 */
export async function payOptions() {
  if (offered === null) {
    offered = api("GET", "/api/v2/me/gateways")
      .then((g) => ({
        bkash: (g?.gateways ?? []).includes("bkash"),
        sslcommerz: (g?.gateways ?? []).includes("sslcommerz"),
        sendMoney: (g?.send_money ?? []).filter((s) => s && s.method && s.number),
        currency: g?.currency || "BDT",
      }))
      .catch(() => ({ bkash: true, sslcommerz: false, sendMoney: [], currency: "BDT" }));
  }
  return offered;
}

/** Whether bKash is offered. */
export const bkashOffered = async () => (await payOptions()).bkash;

const GATEWAYS = {
  bkash: { going: "to_bkash", unavailable: "pay_unavailable", cls: "bkash" },
  sslcommerz: { going: "to_sslcommerz", unavailable: "pay_unavailable_card", cls: "card" },
};

/**
 * Starts a payment with `gateway` and `token` (a bill, an amount, or
 * everything due) and sends the browser to the gateway's page. `status`
 * shows progress and errors.
 */
export async function startPayment(gateway, token, { billId, amount } = {}, status) {
  const g = GATEWAYS[gateway];
  const body = { gateway };
  if (billId) body.bill_id = billId;
  if (amount) body.amount = amount;
  status.replaceChildren(h("p", { class: "notice info", role: "status" }, t(g.going)));
  try {
    const started = await api("POST", "/api/v2/me/payments", { token, body });
    const to = new URL(started.redirect_url, location.href);
    if (to.protocol !== "https:" && to.protocol !== "http:") throw new ApiError(502, "BAD_REDIRECT", to.href);
    location.assign(to.href);
    return true;
  } catch (err) {
    const gatewayMissing = err.status === 422 && err.details?.gateway;
    const text = gatewayMissing ? t("pay_not_offered") : explain(err, { 503: g.unavailable, 502: g.unavailable });
    status.replaceChildren(h("p", { class: "notice error", role: "alert", "data-testid": "pay-error" }, text));
    return false;
  }
}

/** Kept for callers of the bKash-only version. */
export const payWithBkash = (token, what, status) => startPayment("bkash", token, what, status);

/** A big button that pays with `gateway` and `token()` when pressed. */
export function payButton(label, token, what, status, attrs = {}, gateway = "bkash") {
  const button = h("button", { type: "button", class: `pay ${GATEWAYS[gateway].cls}`, "data-gateway": gateway, ...attrs }, label);
  button.addEventListener("click", async () => {
    button.disabled = true;
    const gone = await startPayment(gateway, token(), what, status);
    if (!gone) button.disabled = false;
  });
  return button;
}

/** The ways to pay, stacked (none: nothing). */
export const choices = (...nodes) => {
  const shown = nodes.flat().filter(Boolean);
  return shown.length ? h("div", { class: "pay-choices" }, ...shown) : null;
};

/** Whether nothing at all can be paid online (no gateway, no Send Money number). */
export const nothingOffered = (offer) => !offer.bkash && !offer.sslcommerz && !offer.sendMoney.length;

/** The notice that online payment is not offered. */
export const notOffered = () => notice("info", t("pay_not_offered"), { id: "pay-not-offered", "data-testid": "pay-not-offered" });

/**
 * The pay buttons `offer` (payOptions()) allows for `what`: bKash's and
 * SSLCommerz's, each `[label, attrs]`; when nothing can be paid online, the
 * notice saying so (unless `quiet`).
 */
export function payButtons(offer, { token, what = {}, status, bkash, card, quiet = false }) {
  const buttons = [];
  if (offer.bkash && bkash) buttons.push(payButton(bkash[0], token, what, status, bkash[1], "bkash"));
  if (offer.sslcommerz && card) buttons.push(payButton(card[0], token, what, status, card[1], "sslcommerz"));
  if (!quiet && nothingOffered(offer)) buttons.push(notOffered());
  return buttons;
}
