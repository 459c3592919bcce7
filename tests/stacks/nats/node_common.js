// node_common.js - what the Node sides of test_interop.py share: the
// connection from RPCBENCH_NATS_URL (user and password taken out of the
// URL), and the little MessagePack rpcbench's client sends (an arguments
// array of small ints, or of one map string -> int) decoded by hand, so no
// package beyond the stock `nats` client is needed.
"use strict";
const { connect } = require("nats");

async function connectFromEnv(name) {
  const u = new URL(process.env.RPCBENCH_NATS_URL);
  return connect({
    servers: `${u.hostname}:${u.port}`,
    user: decodeURIComponent(u.username),
    pass: decodeURIComponent(u.password),
    name,
  });
}

// Decode one MessagePack value of the subset rpcbench sends: positive and
// negative fixint, uint8..64, int8..64, fixstr/str8/str16, fixarray/array16,
// fixmap/map16/map32. Returns [value, next offset]; throws on anything else.
function mpDecode(b, i = 0) {
  const t = b[i];
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (t <= 0x7f) return [t, i + 1];
  if (t >= 0xe0) return [t - 0x100, i + 1];
  if ((t & 0xe0) === 0xa0) return str(b, i + 1, t & 0x1f);
  if ((t & 0xf0) === 0x90) return arr(b, i + 1, t & 0x0f);
  if ((t & 0xf0) === 0x80) return map(b, i + 1, t & 0x0f);
  switch (t) {
    case 0xcc: return [b[i + 1], i + 2];
    case 0xcd: return [dv.getUint16(i + 1), i + 3];
    case 0xce: return [dv.getUint32(i + 1), i + 5];
    case 0xcf: return [dv.getBigUint64(i + 1), i + 9];
    case 0xd0: return [dv.getInt8(i + 1), i + 2];
    case 0xd1: return [dv.getInt16(i + 1), i + 3];
    case 0xd2: return [dv.getInt32(i + 1), i + 5];
    case 0xd3: return [dv.getBigInt64(i + 1), i + 9];
    case 0xd9: return str(b, i + 2, b[i + 1]);
    case 0xda: return str(b, i + 3, dv.getUint16(i + 1));
    case 0xdc: return arr(b, i + 3, dv.getUint16(i + 1));
    case 0xde: return map(b, i + 3, dv.getUint16(i + 1));
    case 0xdf: return map(b, i + 5, dv.getUint32(i + 1));
    default: throw new Error(`MessagePack type 0x${t.toString(16)} not handled`);
  }
}
function str(b, i, n) { return [Buffer.from(b.subarray(i, i + n)).toString("utf8"), i + n]; }
function arr(b, i, n) {
  const out = [];
  for (let k = 0; k < n; k++) { const [v, j] = mpDecode(b, i); out.push(v); i = j; }
  return [out, i];
}
function map(b, i, n) {
  const out = {};
  for (let k = 0; k < n; k++) {
    const [key, j] = mpDecode(b, i); const [v, j2] = mpDecode(b, j);
    out[key] = v; i = j2;
  }
  return [out, i];
}

module.exports = { connectFromEnv, mpDecode };
