/* nats_broker.h - NATS (Debian's nats-server, JetStream on), the broker of the
 * nats and nats-js transports.
 *
 * One table, run by the control script nats.sh beside this file
 * (`scripts/broker --broker nats start|stop|restart|status` for the user):
 *   rb_broker_nats  "nats": one private nats-server on 127.0.0.1 (port
 *                   $RPCBENCH_NATS_PORT, default 4250), started on demand by
 *                   a run that needs it when RPCBENCH_NATS_URL is unset;
 *                   URL (with the credentials) in RPCBENCH_NATS_URL, the
 *                   server's pid in RPCBENCH_NATS_PID
 * $RPCBENCH_NATS_SCRIPT, when set, is run instead of nats.sh.
 *
 * Not named nats.h: brokers/ is on the include path, and "nats/nats.h"
 * would hide the C client's <nats/nats.h> from the transports.
 */
#ifndef RB_BROKER_NATS_BROKER_H
#define RB_BROKER_NATS_BROKER_H

#include "broker.h"

extern const rb_broker rb_broker_nats;

#endif
