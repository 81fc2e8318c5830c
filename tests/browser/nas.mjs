// The browser tests play a MikroTik in RADIUS mode: accounting to the
// appliance's RADIUS server (RFC 2866) and the router's CoA/Disconnect port
// the appliance sends to (RFC 5176), answering each request with an ACK
// signed with the shared secret.
import { createHash } from "node:crypto";
import dgram from "node:dgram";
import assert from "node:assert/strict";

export const attribute = (type, value) => Buffer.concat([Buffer.from([type, value.length + 2]), value]);
export const u32 = (n) => { const b = Buffer.alloc(4); b.writeUInt32BE(n); return b; };
const md5 = (...parts) => createHash("md5").update(Buffer.concat(parts)).digest();

// One accounting request (Acct-Status-Type `status`) from the router to
// `acct` ("host:port"); checks the Accounting-Response and its signature.
export async function accounting({ acct, secret, identifier, status, attrs }) {
  const [host, port] = [acct.replace(/:\d+$/, ""), Number(acct.split(":").pop())];
  const body = Buffer.concat([attribute(40, u32(status)), ...attrs]);
  const head = Buffer.from([4, identifier, (20 + body.length) >> 8, (20 + body.length) & 0xff]);
  const authenticator = md5(head, Buffer.alloc(16), body, Buffer.from(secret));
  const socket = dgram.createSocket("udp4");
  try {
    const answer = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no Accounting-Response from the RADIUS server")), 5000);
      socket.on("message", (m) => { clearTimeout(timer); resolve(m); });
      socket.on("error", reject);
      socket.send(Buffer.concat([head, authenticator, body]), port, host);
    });
    assert.equal(answer[0], 5, "an Accounting-Response");
    assert.equal(answer[1], identifier);
    // Response Authenticator = MD5(code, id, length, request authenticator, attributes, secret).
    const expected = md5(answer.subarray(0, 4), authenticator, answer.subarray(20), Buffer.from(secret));
    assert.ok(expected.equals(answer.subarray(4, 20)), "the answer is signed with the router's secret");
  } finally { socket.close(); }
}

// The attributes of a packet as [type, value] pairs.
const attributes = (packet) => {
  const out = [];
  for (let i = 20; i + 2 <= packet.length;) {
    const len = packet[i + 1];
    if (len < 2) break;
    out.push([packet[i], packet.subarray(i + 2, i + len)]);
    i += len;
  }
  return out;
};

// The router's CoA port on 127.0.0.1 (a free one): every request whose
// Request Authenticator is right is kept and ACKed (Disconnect-ACK 41,
// CoA-ACK 44); one signed with another secret is kept as `forged`.
export async function coaPort(secret) {
  const socket = dgram.createSocket("udp4");
  const seen = [];
  socket.on("message", (m, from) => {
    const code = m[0];
    const signed = md5(m.subarray(0, 4), Buffer.alloc(16), m.subarray(20), Buffer.from(secret)).equals(m.subarray(4, 20));
    const attrs = attributes(m);
    const text = (type) => attrs.find(([t]) => t === type)?.[1].toString("utf8") ?? null;
    seen.push({ code, signed, user: text(1), session: text(44) });
    if (!signed || (code !== 40 && code !== 43)) return;
    const head = Buffer.from([code + 1, m[1], 0, 20]);
    const auth = md5(head, m.subarray(4, 20), Buffer.from(secret));
    socket.send(Buffer.concat([head, auth]), from.port, from.address);
  });
  await new Promise((resolve) => socket.bind(0, "127.0.0.1", resolve));
  return {
    port: socket.address().port,
    seen,
    // Waits (up to `ms`) for a request matching `pred`.
    async waitFor(pred, what, ms = 20000) {
      const until = Date.now() + ms;
      while (Date.now() < until) {
        const found = seen.find(pred);
        if (found) return found;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`the router never got ${what}: ${JSON.stringify(seen)}`);
    },
    close: () => socket.close(),
  };
}
