/* zmq_server.h - transport `zmq`'s server (zmq_server.c), the table's serve
 * entry (zmq_transport.c). Private to transports/zmq/. */
#ifndef RB_ZMQ_SERVER_H
#define RB_ZMQ_SERVER_H

#include "transport.h"

/* The server: the table's serve entry (see transport.h and rb_zmq.h). */
int zmq_tr_serve(const rb_server_opts *o);

#endif
