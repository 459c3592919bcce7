/* descriptor.h - what bench/ knows about a transport, in results.json.
 *
 * Everything the report needs about a stack (display order, the floor, its
 * broker, what is on the wire, the properties the numbers do not show, its
 * Debian packages) is a field of its table (transports/transport.h). A run
 * writes those fields into results.json (environment.transports.NAME), so
 * `rpcbench report` on an old run reports with what that run knew. A
 * results.json written before these fields existed falls back to the table
 * of the same name in this build (rb_transport_find), and a name neither
 * knows gets neutral values (order RB_DESC_ORDER_UNKNOWN, not the floor, no
 * broker, no properties). The broker is written as its name (rb_broker_key:
 * "none" for a direct transport) and read back through the brokers'
 * registry (rb_broker_find); a name it does not know reads as no broker.
 *
 * A descriptor is an rb_transport with its function pointers NULL; its
 * strings are borrowed (from the JSON document or the static table).
 */
#ifndef RB_DESCRIPTOR_H
#define RB_DESCRIPTOR_H

#include <jansson.h>

#include "broker.h"
#include "transport.h"

/* The order of a transport that neither results.json nor this build knows:
 * after every known one (ties by name). */
#define RB_DESC_ORDER_UNKNOWN 1000

/* Fill *out with the descriptor of transport `name`: from j (an object as
 * the writer writes it, write_sections.c; borrowed: out's strings point into it) when j is
 * an object, else from this build's table of that name, else neutral
 * values. out->name is `name` (borrowed). Returns 1 when the descriptor came
 * from j, 2 from this build's table, 0 when neither knew the name. */
int rb_desc_lookup(const char *name, const json_t *j, rb_transport *out);

#endif
