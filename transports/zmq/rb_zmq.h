/* rb_zmq.h - transport `zmq`: ZeroMQ (czmq 4.2 / libzmq 4.3) + MessagePack,
 * speaking zerorpc's protocol v3 (events in zerorpc.h).
 *
 * Server (`rpcbench serve zmq`): a ROUTER bound to --listen (default
 * RB_ZMQ_DEFAULT_ENDPOINT; port 0 binds an ephemeral port, printed in the
 * "ready HOST:PORT" line). Methods fib, getObj, sendObj, and zerorpc's
 * built-ins _zerorpc_ping/_name/_list/_inspect. Replies "OK" [result] or
 * "ERR" [name, message, traceback] with names NameError (unknown method),
 * ValueError (invalid argument), ProtocolError (not a zerorpc v3 event),
 * MemoryError, RequestTooLarge (an event of more than RB_MAX_ELEMENTS
 * MessagePack values, refused before it is decoded). A frame over
 * --max-request is dropped by libzmq (ZMQ_MAXMSGSIZE), which disconnects
 * that peer without a reply. A connection that has not finished ZMTP's
 * handshake within 5 s is closed (idle and slow raw connections).
 * --threads 1 (default): one thread serves the ROUTER; --threads N > 1:
 * the ROUTER is proxied over inproc to N worker threads (slower on 2 cores).
 *
 * Client: a DEALER per rb_client, ZMQ_IMMEDIATE (requests queue only on a
 * live connection), a fresh message_id per call, a deadline on each call;
 * only the event whose response_to is the call's id answers it (others are
 * counted in stale_replies); "_zpc_hb" is sent on the channel of a call
 * waiting longer than 5 s; after a timeout the socket is reopened (Lazy
 * Pirate). ERR names map back: NameError -> RB_ENOMETHOD, ValueError and
 * TypeError -> RB_EINVAL, RequestTooLarge -> RB_ETOOBIG, ProtocolError ->
 * RB_EPROTO, any other -> RB_ESERVER. A server that is down or gone gives
 * RB_ETIMEDOUT at the deadline ("no connection" / "no reply").
 *
 * Body bytes are the MessagePack events; wire bytes add ZMTP framing (an
 * empty delimiter frame and a 2- or 9-byte header per frame).
 */
#ifndef RB_ZMQ_H
#define RB_ZMQ_H

#include "transport.h"

#define RB_ZMQ_DEFAULT_ENDPOINT "127.0.0.1:7305"

/* The transport table, registered in this folder's CMakeLists.txt. */
extern const rb_transport rb_transport_zmq;

#endif
