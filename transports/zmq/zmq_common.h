/* zmq_common.h - what transport `zmq`'s client (zmq_transport.c) and
 * server (zmq_server.c) share: czmq's process-wide setup, the libraries'
 * versions and the endpoint syntax (zmq_common.c). Private to
 * transports/zmq/. */
#ifndef RB_ZMQ_COMMON_H
#define RB_ZMQ_COMMON_H

#include <stddef.h>

#include "transport.h"

/* czmq's process-wide setup (signal handlers off, linger 0), once;
 * thread-safe, later calls do nothing. */
void zmq_tr_ensure_init(void);

/* "czmq 4.2.1, libzmq 4.3.4, msgpack-c 4.0.0": the runtime versions, a
 * static string (runs zmq_tr_ensure_init first). */
const char *zmq_tr_version(void);

/* "HOST:PORT" -> "tcp://HOST:PORT" in ep (IPv6 hosts bracketed; port 0 ->
 * "*"), host without brackets in host, the port in *port, *ipv6 = 1 for an
 * IPv6 host. RB_OK or RB_EINVAL (no port, empty host, too long). */
int rb_zmq_make_endpoint(const char *hostport, char *ep, size_t eplen,
                         char *host, size_t hostlen, int *port, int *ipv6);

#endif
