"""Bad input and faults of the AMQP transports.

Server side (`rpcbench serve amqp --max-request 4096`), requests sent raw
with pika: every malformed request gets an error reply with the
rpcbench-code / rpcbench-error headers and a JSON body saying the same, the
request's correlation_id is echoed, a request without reply_to is acked and
dropped, hostile reply_to values do not hurt, and after all of it the next
good call succeeds.

Client side (`rpcbench call`): no queue -> ENOSERVER (before the deadline:
otherwise it would be ETIMEDOUT); a queue with no consumer -> ETIMEDOUT;
broker not running, wrong password, no or malformed RPCBENCH_AMQP_URL ->
ECONNECT with a clear message that never shows the password."""
import json
import os

from amqpt import TRANSPORTS, URL, RawClient, acall, connect, err_code, queue_name, serve
from rbtest import RPCBENCH, Checks, free_port
import subprocess

checks = Checks()
LIMIT = 4096

# (what, body, type property, expected rpcbench-code)
cases = [
    ("not JSON", b"{", "fib", "EINVAL"),
    ("empty body", b"", "fib", "EINVAL"),
    ("fib string", b'"30"', "fib", "EINVAL"),
    ("fib float", b"30.5", "fib", "EINVAL"),
    ("fib 3.0", b"3.0", "fib", "EINVAL"),
    ("fib true", b"true", "fib", "EINVAL"),
    ("fib null", b"null", "fib", "EINVAL"),
    ("fib 93", b"93", "fib", "EINVAL"),
    ("fib -1", b"-1", "fib", "EINVAL"),
    ("fib 2^64", b"18446744073709551616", "fib", "EINVAL"),
    ("two values", b"1 2", "fib", "EINVAL"),
    ("trailing garbage", b"30x", "fib", "EINVAL"),
    ("fib array", b"[30]", "fib", "EINVAL"),
    ("invalid UTF-8", b'"\xff\xfe"', "fib", "EINVAL"),
    ("NUL byte", b"3\x000", "fib", "EINVAL"),
    ("nesting 2040 deep", b"[" * 2040 + b"]" * 2040, "fib", "EINVAL"),
    ("unterminated nesting 4000", b"[" * 4000, "sendObj", "EINVAL"),
    ("sendObj list", b"[1,2]", "sendObj", "EINVAL"),
    ("sendObj number", b"5", "sendObj", "EINVAL"),
    ("sendObj string value", b'{"a":"b"}', "sendObj", "EINVAL"),
    ("sendObj float value", b'{"a":1.5}', "sendObj", "EINVAL"),
    ("sendObj null value", b'{"a":null}', "sendObj", "EINVAL"),
    ("sendObj nested", b'{"a":{"b":1}}', "sendObj", "EINVAL"),
    ("sendObj duplicate key", b'{"a":1,"a":2}', "sendObj", "EINVAL"),
    ("sendObj key with NUL", b'{"a\\u0000b":1}', "sendObj", "EINVAL"),
    ("sendObj value 2^63", b'{"a":9223372036854775808}', "sendObj", "EINVAL"),
    ("sendObj truncated", b'{"a":1,', "sendObj", "EINVAL"),
    ("unknown method", b"30", "nosuch", "ENOMETHOD"),
    ("method with odd bytes", b"30", "f\u00efb\"\n", "ENOMETHOD"),
    ("method case", b"30", "FIB", "ENOMETHOD"),
    ("over the size limit (fib)", b"1" + b" " * LIMIT, "fib", "ETOOBIG"),
    ("over the size limit (sendObj)",
     json.dumps({"k%d" % i: i for i in range(LIMIT // 4)}).encode(), "sendObj", "ETOOBIG"),
]

for t in TRANSPORTS:
    q = queue_name("bad-" + t)
    with serve(t, q, "--max-request", str(LIMIT), "--entries", "3") as srv:
        rc_ = RawClient()
        for what, body, typ, want in cases:
            rep = rc_.request(q, body, type=typ)
            if rep is None:
                checks.true("%s %s: an error reply" % (t, what), False, "no reply")
                continue
            props, rbody = rep
            h = props.headers or {}
            checks.eq("%s %s: rpcbench-code" % (t, what), h.get("rpcbench-code"), want)
            checks.true("%s %s: rpcbench-error message" % (t, what), h.get("rpcbench-error"), str(h))
            try:
                b = json.loads(rbody)
            except ValueError:
                b = None
            checks.eq("%s %s: body code" % (t, what), b.get("code") if isinstance(b, dict) else rbody, want)
        checks.true("%s: alive after the bad requests" % t, srv.alive())

        # The tutorial's convention: no type is fib.
        rep = rc_.request(q, b"10", type=None)
        checks.eq("%s no type: fib(10)" % t, rep[1] if rep else None, b"55")
        checks.eq("%s no type: no error header" % t, (rep[0].headers or {}).get("rpcbench-code") if rep else "none", None)
        # getObj ignores its body.
        rep = rc_.request(q, b"anything", type="getObj")
        checks.eq("%s getObj with a body" % t, json.loads(rep[1]) if rep else None,
                  {"server:0": 0, "server:1": 1, "server:2": 2})
        # A long correlation_id comes back unchanged.
        cid = "c" * 255
        rep = rc_.request(q, b"7", type="fib", corr=cid)
        checks.eq("%s 255-byte correlation_id echoed" % t, rep[0].correlation_id if rep else None, cid)
        checks.eq("%s 255-byte correlation_id reply" % t, rep[1] if rep else None, b"13")

        # No reply_to: acked and dropped; hostile reply_to values: no harm.
        rc_.request(q, b"5", type="fib", reply_to=None, wait=0)
        rc_.request(q, b"5", type="fib", reply_to="amq.rabbitmq.reply-to.bogus", wait=0)
        rc_.request(q, b"5", type="fib", reply_to="no-such-queue-" + q, wait=0)
        rc_.request(q, b"5", type="fib", reply_to="x" * 255, wait=0)
        rep = rc_.request(q, b"20", type="fib")
        checks.eq("%s after odd reply_to: fib(20)" % t, rep[1] if rep else None, b"6765")
        rc_.close()
        c = connect()
        ok = c.channel().queue_declare(queue=q, passive=True)
        checks.eq("%s: no request left in the queue" % t, ok.method.message_count, 0)
        checks.eq("%s: consumer still there" % t, ok.method.consumer_count, 1)
        c.close()

        rc, out, err = acall(t, "fib", 30, queue=q)
        checks.eq("%s: next good call after all that" % t, out.get("result") if isinstance(out, dict) else (out, err), 832040)
        checks.eq("%s: clean exit" % t, srv.stop(), 0)
    if t == "amqp-durable":
        c = connect()
        c.channel().queue_delete(queue=q)
        c.close()

# --- client-side faults ------------------------------------------------------
for t in TRANSPORTS:
    rc, out, err = acall(t, "fib", 10, queue=queue_name("nosuch"), timeout_ms=30000)
    checks.eq("%s no queue: ENOSERVER (not the 30 s deadline)" % t, err_code(out), "ENOSERVER")
    checks.true("%s no queue: non-zero exit" % t, rc != 0)

    q = queue_name("idle-" + t)
    c = connect()
    ch = c.channel()
    ch.queue_declare(queue=q)
    rc, out, err = acall(t, "fib", 10, queue=q, timeout_ms=300)
    checks.eq("%s queue without consumer: deadline" % t, err_code(out), "ETIMEDOUT")
    ch.queue_delete(queue=q)
    c.close()

port = free_port()   # nothing listens there
user_pass = URL.split("//", 1)[1].split("@", 1)[0]
password = user_pass.split(":", 1)[1]
vhost = URL.rsplit("/", 1)[1]
env = dict(os.environ, RPCBENCH_AMQP_URL="amqp://%s@127.0.0.1:%d/%s" % (user_pass, port, vhost))
for t in TRANSPORTS:
    rc, out, err = acall(t, "fib", 10, timeout_ms=2000, env=env)
    checks.eq("%s broker not running: ECONNECT" % t, err_code(out), "ECONNECT")
    checks.true("%s broker not running: says where" % t, "127.0.0.1:%d" % port in err, err)
    checks.true("%s broker not running: no password shown" % t, password not in err + json.dumps(out), err)

bad_pw = dict(os.environ, RPCBENCH_AMQP_URL=URL.replace(":" + password + "@", ":wrong" + password[:4] + "@"))
rc, out, err = acall("amqp", "fib", 10, timeout_ms=5000, env=bad_pw)
checks.eq("wrong password: ECONNECT", err_code(out), "ECONNECT")
checks.true("wrong password: says login", "login" in err, err)
checks.true("wrong password: no password shown", password[:4] not in err.replace(password[:4] + "@", ""), err)

no_url = {k: v for k, v in os.environ.items() if k != "RPCBENCH_AMQP_URL"}
rc, out, err = acall("amqp", "fib", 10, env=no_url)
checks.eq("no URL: ECONNECT", err_code(out), "ECONNECT")
checks.true("no URL: names the variable", "RPCBENCH_AMQP_URL" in err, err)

bad_url = dict(os.environ, RPCBENCH_AMQP_URL="amqp://u:s3cret-pw@127.0.0.1:notaport/v")
rc, out, err = acall("amqp", "fib", 10, env=bad_url)
checks.eq("malformed URL: ECONNECT", err_code(out), "ECONNECT")
checks.true("malformed URL: password not echoed", "s3cret-pw" not in err + json.dumps(out), err)

# A server that cannot reach the broker says so and exits, without "ready".
p = subprocess.run([RPCBENCH, "serve", "amqp", "--queue", queue_name("x")], env=env,
                   capture_output=True, text=True, timeout=60)
checks.true("serve without broker: non-zero exit", p.returncode != 0, str(p.returncode))
checks.true("serve without broker: no ready line", "ready" not in p.stdout, p.stdout)
checks.true("serve without broker: says why", "cannot connect" in p.stderr, p.stderr)

checks.exit()
