// Complaints: the list with filters (status, priority, assignee, customer),
// a new complaint for a customer found by name or phone, and on each row its
// status, priority and assignee changed in place (v2 API; customers:read to
// see, customers:write to change). The customer page lists a customer's own
// complaints with the same rows (complaintRows).

import { h, call, field, select, formBody, table, when, badge, pager, guarded, clearErrors } from "./ui.js";
import { can } from "./session.js";

export const COMPLAINT_STATUSES = ["open", "in_progress", "resolved", "closed"];
export const PRIORITIES = ["low", "medium", "high", "urgent"];
const label = (s) => s.replace("_", " ");

// Staff who can be assigned: only an admin may list staff; others see ids.
async function staffList() {
  if (!can("staff:manage")) return [];
  return call("GET", "/api/v2/staff?per_page=100").then((r) => r.data.filter((u) => u.active)).catch(() => []);
}

// The table rows of `complaints`; with customers:write each row changes in place.
export function complaintRows(complaints, staff, names, reload) {
  const write = can("customers:write");
  const who = (id) => (id ? staff.find((u) => u.id === id)?.name ?? `staff #${id}` : "");
  return complaints.map((c) => {
    const row = h("tr", { "data-complaint": c.id });
    const cells = [
      h("td", {}, `#${c.id}`),
      h("td", { class: "nowrap" }, when(c.created_at)),
      h("td", {}, h("a", { href: `#/customers/${c.customer_id}` }, names.get(c.customer_id) ?? `#${c.customer_id}`)),
      h("td", {}, h("strong", {}, c.subject), c.body ? h("div", { class: "muted" }, c.body) : ""),
      h("td", {}, badge(c.priority)),
      h("td", {}, badge(c.status), c.resolved_at ? h("div", { class: "muted nowrap" }, when(c.resolved_at)) : ""),
      h("td", {}, who(c.assigned_to)),
    ];
    if (write) {
      const status = h("select", { name: "status", "aria-label": `Status of complaint ${c.id}` },
        COMPLAINT_STATUSES.map((s) => h("option", { value: s }, label(s))));
      status.value = c.status;
      const priority = h("select", { name: "priority", "aria-label": `Priority of complaint ${c.id}` },
        PRIORITIES.map((p) => h("option", { value: p }, p)));
      priority.value = c.priority;
      const assignee = staff.length ? h("select", { name: "assigned_to", "aria-label": `Assignee of complaint ${c.id}` },
        h("option", { value: "" }, "— nobody —"), staff.map((u) => h("option", { value: u.id }, u.name))) : null;
      if (assignee) assignee.value = String(c.assigned_to ?? "");
      const error = h("p", { class: "form-error", role: "alert", hidden: true });
      cells.push(h("td", { class: "actions" }, status, priority, assignee ?? "",
        h("button", { type: "button", class: "complaint-save", onclick: async () => {
          const body = {};
          if (status.value !== c.status) body.status = status.value;
          if (priority.value !== c.priority) body.priority = priority.value;
          if (assignee && assignee.value !== String(c.assigned_to ?? "")) body.assigned_to = assignee.value ? Number(assignee.value) : null;
          if (!Object.keys(body).length) return;
          try {
            await call("PUT", `/api/v2/complaints/${c.id}`, body);
            await reload();
          } catch (err) { error.hidden = false; error.textContent = err.message; }
        } }, "Save"), error));
    }
    row.append(...cells);
    return row;
  });
}

export const complaintHeadings = () => ["No.", "Opened", "Customer", "Complaint", "Priority", "Status", "Assigned to",
  ...(can("customers:write") ? ["Change"] : [])];

// Customers' names for the rows (one lookup per customer not yet known).
async function namesOf(ids, names) {
  await Promise.all([...new Set(ids)].filter((id) => !names.has(id)).map((id) =>
    call("GET", `/api/v2/customers/${id}`).then((r) => names.set(id, r.data.name)).catch(() => names.set(id, `#${id}`))));
}

function newComplaintForm(staff, done) {
  const results = h("select", { id: "complaint-customer", name: "customer_id", required: true },
    h("option", { value: "" }, "— find the customer first —"));
  const form = h("form", { class: "card grid", id: "complaint-form" },
    h("h3", { class: "wide" }, "New complaint"),
    h("div", {}, h("label", { for: "complaint-find" }, "Find the customer (name, phone, username)"),
      h("fieldset", { class: "input-row" }, h("input", { id: "complaint-find", type: "search", autocomplete: "off" }),
        h("button", { type: "button", id: "complaint-find-button", onclick: async () => {
          const q = form.querySelector("#complaint-find").value.trim();
          if (!q) return;
          await guarded(form, async () => {
            const r = await call("GET", `/api/v2/customers?${new URLSearchParams({ search: q, per_page: 20 })}`);
            results.replaceChildren(...(r.data.length
              ? r.data.map((c) => h("option", { value: c.id }, `${c.name} — ${c.phone} (#${c.id})`))
              : [h("option", { value: "" }, "No customer matches")]));
          });
        } }, "Find"))),
    h("div", {}, h("label", { for: "complaint-customer" }, "Customer"), results),
    h("div", { class: "wide" }, ...field("Subject", "subject", "text", { id: "complaint-subject", required: true, maxlength: 200 })),
    h("div", { class: "wide" }, h("label", { for: "complaint-body" }, "What the customer said"),
      h("textarea", { id: "complaint-body", name: "body", rows: 3 })),
    h("div", {}, ...select("Priority", "priority", PRIORITIES.map((p) => [p, p]), { id: "complaint-priority" })),
    staff.length ? h("div", {}, ...select("Assign to", "assigned_to", [["", "— nobody —"], ...staff.map((u) => [u.id, u.name])], { id: "complaint-assignee" })) : "",
    h("p", { class: "wide" }, h("button", { type: "submit" }, "Open complaint")));
  form.querySelector("#complaint-priority").value = "medium";
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors(form);
    await guarded(form, async () => {
      await call("POST", "/api/v2/complaints", formBody(form, ["customer_id", "assigned_to"]));
      form.remove();
      await done();
    });
  });
  return form;
}

// Customers' names already looked up, kept while the panel is open.
const names = new Map();

export async function complaintsView(content) {
  const staff = await staffList();
  const filter = h("form", { class: "card filters", id: "complaint-filter" },
    h("div", {}, ...select("Status", "status", [["", "All"], ...COMPLAINT_STATUSES.map((s) => [s, label(s)])], { id: "complaint-filter-status" })),
    h("div", {}, ...select("Priority", "priority", [["", "All"], ...PRIORITIES.map((p) => [p, p])], { id: "complaint-filter-priority" })),
    staff.length ? h("div", {}, ...select("Assigned to", "assigned_to", [["", "Anyone"], ...staff.map((u) => [u.id, u.name])], { id: "complaint-filter-assignee" })) : "",
    h("div", {}, ...field("Customer no.", "customer_id", "number", { id: "complaint-filter-customer", min: 1 })),
    h("p", {}, h("button", { type: "submit" }, "Show")));
  const out = h("div", { id: "complaints-out" });
  const formHolder = h("div");
  let page = 1;
  async function load(p = page) {
    page = p;
    const q = new URLSearchParams({ ...formBody(filter), page, per_page: 25 });
    await guarded(out, async () => {
      const r = await call("GET", `/api/v2/complaints?${q}`);
      await namesOf(r.data.map((c) => c.customer_id), names);
      out.replaceChildren(table("complaints", complaintHeadings(), complaintRows(r.data, staff, names, () => load()), "No complaints match."),
        pager(r.meta, load));
    });
  }
  filter.addEventListener("submit", (e) => { e.preventDefault(); load(1); });
  const newButton = can("customers:write") ? h("button", { type: "button", id: "new-complaint", onclick: () => {
    formHolder.replaceChildren(newComplaintForm(staff, () => load(1)));
    formHolder.querySelector("#complaint-find").focus();
  } }, "New complaint") : "";
  content.replaceChildren(h("div", { class: "title-row" }, h("h2", {}, "Complaints"), newButton), formHolder, filter, out);
  await load(1);
}
