/* fault_net.h - the network faults: reset a process's TCP connections to a
 * port (sock_diag SOCK_DESTROY, as `ss -K` does) and a partition of a
 * loopback port (an nftables table of our own), with their undo. Calls
 * fault_base.h only.
 */
#ifndef RB_FAULT_NET_H
#define RB_FAULT_NET_H

#include <stddef.h>
#include <sys/types.h>

/* Destroy (SOCK_DESTROY) every TCP socket process `owner` holds whose remote
 * port is `port` (IPv4 and IPv6): the owner's next read or write fails
 * (ECONNABORTED) and the peer gets a RST. *n (may be NULL): sockets reset.
 * RB_OK, RB_EUNSUPP (no CAP_NET_ADMIN or no CONFIG_INET_DIAG_DESTROY, with
 * the reason on err), RB_EIO. */
int rb_fault_conn_reset(pid_t owner, int port, int *n, char *err, size_t errlen);

/* Drop every TCP segment to or from `port` on loopback, both directions,
 * until rb_fault_partition_end: table inet rpcbench_<pid>_<seq>, registered
 * for undo. *handle identifies it. RB_OK, RB_EUNSUPP (not root, no nft), RB_EIO. */
int rb_fault_partition_begin(int port, int *handle, char *err, size_t errlen);

/* Delete the table of handle. RB_OK or RB_EIO. */
int rb_fault_partition_end(int handle);

/* Delete every table this process registered. Async-signal-safe (fork,
 * execve, waitpid, no stdio, no allocation, no lock), so a signal handler
 * may call it: fault.c's does. */
void rb_fault_net_undo_signal_safe(void);

/* Delete tables rpcbench_<pid>_* of processes that are gone (left by a
 * harness that was SIGKILLed). */
void rb_fault_net_sweep(void);

#endif
