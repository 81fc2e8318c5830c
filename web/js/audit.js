// The audit trail in words: who changed what (staff, an API client, the
// customer, the command line or a job), why, and each changed field before
// and after. Used by the customer's page (its history) and the Logs screen.

import { h, call, table, when, guarded, money } from "./ui.js";
import { t, word, digits } from "./i18n.js";

// Field names the edit form shows, by the API's field name.
const FIELDS = {
  name: "customers.name", email: "customers.email", phone: "customers.phone", address: "customers.address",
  package_id: "customers.package", username: "customers.username", router_id: "customers.router",
  operator_id: "customers.operator", status: "customers.status",
};

// `user:3` → the staff user's name; `job:billing-run` → the job in words.
export function actorText(row) {
  const [kind, rest] = row.actor.split(":");
  if (kind === "job") return t("audit.by_job", { job: word("audit.job_", rest) });
  if (kind === "system") return t("audit.by_system");
  const who = row.actor_name ?? `#${digits(rest)}`;
  return t(`audit.by_${kind}`, { who });
}

// The reason given, in words where it is one the appliance writes itself
// (the billing run's, in English in the API).
export function reasonText(reason) {
  const overdue = /^bill #(\d+) overdue since (\d{4}-\d{2}-\d{2})$/.exec(reason ?? "");
  if (overdue) return runReason(overdue[1], overdue[2]);
  if (reason === "prepaid period ended") return runReason(null);
  return word("audit.reason_", reason ?? "");
}

// The run's reason: a bill overdue since a day, or a prepaid period ended.
export const runReason = (bill, due) => (bill
  ? t("billing.run_reason_overdue", { bill: digits(bill), due: digits(due) })
  : t("billing.run_reason_prepaid"));

// Money, in major units as the API writes it.
const MONEY = new Set(["amount", "paid", "price", "wholesale_price", "balance"]);

const valueText = (field, v) => {
  if (v === null || v === undefined || v === "") return t("audit.empty");
  if (field === "status") return word("status.", v);
  if (field.endsWith("_at")) return when(v);
  if (MONEY.has(field) && typeof v === "number") return money(v);
  return digits(String(v));
};

// `Phone: 01711… → 01811…`, one line per changed field.
export function changesText(changes, action = "") {
  const made = action.endsWith(".created") || action === "payment.received";
  return Object.entries(changes ?? {}).map(([field, c]) => {
    const name = FIELDS[field] ? t(FIELDS[field]) : word("audit.field_", field);
    if (c === "changed") return t("audit.changed", { field: name });
    if (typeof c !== "object" || c === null) return t("audit.note", { field: name, value: digits(String(c)) });
    // Something made: its values, without a "before" that never was.
    if (made && (c.before === null || c.before === undefined)) return t("audit.note", { field: name, value: valueText(field, c.after) });
    return t("audit.before_after", { field: name, before: valueText(field, c.before), after: valueText(field, c.after) });
  });
}

export const actionText = (action) => word("audit.action_", action.replaceAll(".", "_"));

// The action and, for what is not a customer, which one: `Router changed #3`.
export const actionOf = (row) => (row.resource_id && row.resource_type !== "customer"
  ? `${actionText(row.action)} #${digits(row.resource_id)}` : actionText(row.action));

// The customer's history: every change recorded about them, newest first.
export async function customerHistory(c) {
  const box = h("section", { id: "customer-history" }, h("h3", {}, t("audit.history_title")));
  const list = h("div");
  box.append(list);
  await guarded(list, async () => {
    const r = await call("GET", `/api/v2/logs/audit?customer_id=${c.id}&per_page=50`);
    list.replaceChildren(table("customer-history-list", [t("logs.col_time"), t("logs.col_by"), t("logs.col_action"), t("logs.col_reason"), t("audit.col_changes")],
      r.data.map((row) => h("tr", { "data-audit": row.id },
        h("td", { class: "nowrap" }, when(row.at)), h("td", {}, actorText(row)), h("td", {}, actionOf(row)),
        h("td", {}, row.reason ? reasonText(row.reason) : ""),
        h("td", {}, ...changesText(row.changes, row.action).map((line) => h("div", {}, line))))),
      t("audit.history_none")));
  });
  return box;
}
