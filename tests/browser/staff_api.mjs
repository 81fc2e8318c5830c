// The staff API as the browser tests call it outside the page: a panel
// session (cookie and X-CSRF-Token) for panel.mjs's administrator.
import assert from "node:assert/strict";

export const ADMIN = { email: "owner@isp.example", password: "a long enough password" };

export async function staffApi(base, who = ADMIN) {
  const opened = await fetch(`${base}/admin/api/session`, {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(who),
  });
  assert.equal(opened.status, 200, "the administrator panel.mjs set up logs in");
  const cookie = opened.headers.get("set-cookie").split(";")[0];
  const csrf = (await opened.json()).csrf_token;
  const staff = async (method, path, body) => {
    const headers = { cookie, "x-csrf-token": csrf, accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    const r = await fetch(`${base}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    let json = null;
    try { json = JSON.parse(text); } catch { json = text; }
    return { status: r.status, body: json };
  };
  const must = async (status, method, path, body) => {
    const r = await staff(method, path, body);
    assert.equal(r.status, status, `${method} ${path}: ${JSON.stringify(r.body)}`);
    return r.body;
  };
  return { staff, must };
}
