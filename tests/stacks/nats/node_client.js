// node_client.js QUEUE KIND - the stock Node client of NATS calls our
// server (KIND nats: request-reply; nats-js: the request published to the
// server's JetStream stream, its reply subject in Rpcbench-Reply-To) and
// prints one JSON line per call: {"what", "code", "ct", "body"} (body as
// text, or "mp:<hex>" for MessagePack).
"use strict";
const { headers, createInbox } = require("nats");
const { connectFromEnv } = require("./node_common.js");

const [queue, kind] = process.argv.slice(2);
const te = new TextEncoder();

const calls = [
  ["fib msgpack", "fib", Uint8Array.from([0x91, 30]), "application/msgpack"],
  ["fib json", "fib", te.encode("30"), "application/json"],
  ["fib text", "fib", te.encode("30"), null],
  ["getObj json", "getObj", new Uint8Array(0), "application/json"],
  ["sendObj json", "sendObj", te.encode('{"a":1,"b":2,"c":3}'), "application/json"],
  ["fib 93 json", "fib", te.encode("93"), "application/json"],
  ["unknown method", "nope", te.encode("1"), "application/json"],
];

function line(what, m) {
  const ct = m.headers ? m.headers.get("Content-Type") : "";
  const body = ct === "application/msgpack" ? "mp:" + Buffer.from(m.data).toString("hex")
                                             : Buffer.from(m.data).toString("utf8");
  console.log(JSON.stringify({ what, code: m.headers ? m.headers.get("Rpcbench-Code") : "", ct, body }));
}

async function viaStream(nc, js, subj, data, h) {
  const inbox = createInbox();
  const sub = nc.subscribe(inbox, { max: 1 });
  h.set("Rpcbench-Reply-To", inbox);
  const pa = await js.publish(subj, data, { headers: h });
  if (!pa.seq) throw new Error("no PubAck sequence");
  for await (const m of sub) return m;
  throw new Error("no reply");
}

(async () => {
  const nc = await connectFromEnv("rpcbench-interop-node-client");
  const js = kind === "nats-js" ? nc.jetstream() : null;
  for (const [what, method, data, ct] of calls) {
    const h = headers();
    if (ct) h.set("Content-Type", ct);
    const subj = `${queue}.${method}`;
    const m = js ? await viaStream(nc, js, subj, data, h)
                 : await nc.request(subj, data, { timeout: 5000, headers: h });
    line(what, m);
  }
  await nc.drain();
})().catch((e) => { console.error("node client: " + e.message); process.exit(1); });
