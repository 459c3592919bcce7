/* registry.c - the transports this build has. Each stack's table is compiled
 * only when its CMake option found its libraries (RB_HAVE_<STACK>). */
#include "transport.h"

#include <stddef.h>

#ifdef RB_HAVE_TCP
extern const rb_transport rb_transport_tcp;
#endif
#ifdef RB_HAVE_AMQP
extern const rb_transport rb_transport_amqp;
extern const rb_transport rb_transport_amqp_queue;
extern const rb_transport rb_transport_amqp_durable;
#endif
#ifdef RB_HAVE_XMLRPC
extern const rb_transport rb_transport_xmlrpc;
extern const rb_transport rb_transport_xmlrpc_close;
#endif
#ifdef RB_HAVE_ZMQ
extern const rb_transport rb_transport_zmq;
#endif
#ifdef RB_HAVE_GRPC
extern const rb_transport rb_transport_grpc;
#endif
#ifdef RB_HAVE_REST
extern const rb_transport rb_transport_rest;
#endif

const rb_transport *const rb_transports[] = {
#ifdef RB_HAVE_TCP
    &rb_transport_tcp,
#endif
#ifdef RB_HAVE_AMQP
    &rb_transport_amqp,
    &rb_transport_amqp_queue,
    &rb_transport_amqp_durable,
#endif
#ifdef RB_HAVE_XMLRPC
    &rb_transport_xmlrpc,
    &rb_transport_xmlrpc_close,
#endif
#ifdef RB_HAVE_ZMQ
    &rb_transport_zmq,
#endif
#ifdef RB_HAVE_GRPC
    &rb_transport_grpc,
#endif
#ifdef RB_HAVE_REST
    &rb_transport_rest,
#endif
    NULL,
};
