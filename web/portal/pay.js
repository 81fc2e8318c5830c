// Paying with bKash: the payment is started on the appliance, which answers
// bKash's page; the browser goes there, and bKash sends it back to
// /portal/pay/bkash, which forwards to result.html?ref=<reference>.
import { api, ApiError, explain, h } from "./api.js";
import { t } from "./i18n.js";

let offered = null;

/** Whether bKash is offered (GET /api/v2/me/gateways, asked once). */
export async function bkashOffered() {
  if (offered === null) {
    offered = api("GET", "/api/v2/me/gateways")
      .then((g) => (g?.gateways ?? []).includes("bkash"))
      .catch(() => true); // unknown: let the attempt say
  }
  return offered;
}

/**
 * Starts a payment with `token` (a bill, an amount, or everything due) and
 * sends the browser to bKash. `status` shows progress and errors.
 */
export async function payWithBkash(token, { billId, amount } = {}, status) {
  const body = { gateway: "bkash" };
  if (billId) body.bill_id = billId;
  if (amount) body.amount = amount;
  status.replaceChildren(h("p", { class: "notice info", role: "status" }, t("to_bkash")));
  try {
    const started = await api("POST", "/api/v2/me/payments", { token, body });
    const to = new URL(started.redirect_url, location.href);
    if (to.protocol !== "https:" && to.protocol !== "http:") throw new ApiError(502, "BAD_REDIRECT", to.href);
    location.href = to.href;
    return true;
  } catch (err) {
    const gatewayMissing = err.status === 422 && err.details?.gateway;
    const text = gatewayMissing ? t("pay_not_offered") : explain(err, { 503: "pay_unavailable", 502: "pay_unavailable" });
    status.replaceChildren(h("p", { class: "notice error", role: "alert", "data-testid": "pay-error" }, text));
    return false;
  }
}

/** A big bKash button that pays with `token()` when pressed. */
export function payButton(label, token, what, status, attrs = {}) {
  const button = h("button", { type: "button", class: "pay bkash", ...attrs }, label);
  button.addEventListener("click", async () => {
    button.disabled = true;
    const gone = await payWithBkash(token(), what, status);
    if (!gone) button.disabled = false;
  });
  return button;
}
