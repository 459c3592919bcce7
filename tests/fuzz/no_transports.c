/* no_transports.c - the fuzz targets call decoders, never a transport by
 * name; transports/transport.c's lookup wants a registry, so they link this
 * empty one (the generated transport_registry.c is rpcbench's own). */
#include "transport.h"

#include <stddef.h>

const rb_transport *const rb_transports[] = { NULL };
