/* rabbitmq.h - RabbitMQ, the broker of the AMQP transports.
 *
 * Two tables, one per deployment the transports use, both run by the
 * control script rabbitmq.sh beside this file (scripts/broker runs it for
 * the user):
 *   rb_broker_rabbitmq          "rabbitmq": the private node (started by the
 *                               user: scripts/broker start), URL in
 *                               RPCBENCH_AMQP_URL, its VM's pid in
 *                               RPCBENCH_BROKER_PID
 *   rb_broker_rabbitmq_cluster  "rabbitmq-cluster": 3 nodes on this machine
 *                               for quorum queues (started on demand by a
 *                               run: scripts/broker start --nodes 3), URLs in
 *                               RPCBENCH_AMQP_CLUSTER_URL, pids in
 *                               RPCBENCH_CLUSTER_PIDS
 * $RPCBENCH_BROKER_SCRIPT, when set, is run instead of rabbitmq.sh.
 */
#ifndef RB_BROKER_RABBITMQ_H
#define RB_BROKER_RABBITMQ_H

#include "broker.h"

extern const rb_broker rb_broker_rabbitmq;
extern const rb_broker rb_broker_rabbitmq_cluster;

#endif
