// node_responder.js QUEUE - a responder written with the stock Node client
// of NATS, answering rpcbench's client on QUEUE.fib/getObj/sendObj as
// transports/nats/README.md describes (queue group QUEUE; MessagePack
// requests; replies in JSON with Content-Type application/json; errors in
// the Rpcbench-Code / Rpcbench-Error headers). Prints "ready QUEUE" once
// subscribed; exits on SIGTERM.
"use strict";
const { headers } = require("nats");
const { connectFromEnv, mpDecode } = require("./node_common.js");

const queue = process.argv[2];
const te = new TextEncoder();

function fib(n) { let a = 0n, b = 1n; for (let i = 0; i < n; i++) [a, b] = [b, a + b]; return a; }

function answer(method, data) {
  const [args] = mpDecode(data);
  if (method === "fib") {
    const n = Number(args[0]);
    if (!Number.isInteger(n) || n < 0 || n > 92) return ["EINVAL", `fib(${args[0]}): n must be 0..92`];
    return [null, fib(n).toString()];
  }
  if (method === "getObj") {
    const o = {};
    for (let i = 0; i < 100; i++) o[`server:${i}`] = i;
    return [null, JSON.stringify(o)];
  }
  if (method === "sendObj") return [null, String(Object.keys(args[0]).length)];
  return ["ENOMETHOD", `unknown method "${method}"`];
}

(async () => {
  const nc = await connectFromEnv("rpcbench-interop-node-responder");
  const sub = nc.subscribe(`${queue}.*`, { queue });
  await nc.flush();
  console.log(`ready ${queue}`);
  process.on("SIGTERM", async () => { await nc.drain(); process.exit(0); });
  for await (const m of sub) {
    const method = m.subject.slice(queue.length + 1);
    const h = headers();
    h.set("Content-Type", "application/json");
    let code, body;
    try { [code, body] = answer(method, m.data); } catch (e) { [code, body] = ["EINVAL", e.message]; }
    if (code) {
      h.set("Rpcbench-Code", code);
      h.set("Rpcbench-Error", body);
      body = JSON.stringify({ error: body, code });
    }
    m.respond(te.encode(body), { headers: h });
  }
})().catch((e) => { console.error("node responder: " + e.message); process.exit(1); });
