/* zmq_internal.h - what transport `zmq`'s client (zmq_transport.c) and
 * server (zmq_server.c) share. Private to transports/zmq/. */
#ifndef RB_ZMQ_INTERNAL_H
#define RB_ZMQ_INTERNAL_H

#include <stddef.h>

#include "transport.h"

/* czmq's process-wide setup (signal handlers off, linger 0), once. */
void zmq_tr_ensure_init(void);

/* "HOST:PORT" -> "tcp://HOST:PORT" in ep (IPv6 hosts bracketed; port 0 ->
 * "*"), host without brackets in host, the port in *port, *ipv6 = 1 for an
 * IPv6 host. RB_OK or RB_EINVAL (no port, empty host, too long). */
int rb_zmq_make_endpoint(const char *hostport, char *ep, size_t eplen,
                         char *host, size_t hostlen, int *port, int *ipv6);

/* The server: the table's serve entry (see transport.h). */
int zmq_tr_serve(const rb_server_opts *o);

#endif
