/* wire.h - bytes on the wire, from the kernel's per-socket TCP counters.
 *
 * A snapshot lists the TCP sockets that process `pid` owns (found through
 * /proc/PID/fd) whose remote port is `peer_port`, with each socket's bytes
 * sent and received, read for every socket at once through
 * NETLINK_SOCK_DIAG as `ss -ti` does: sent is tcpi_bytes_acked plus the
 * bytes still in the send queue (idiag_wqueue = write_seq - snd_una), i.e.
 * every byte the application wrote, counted once; received is
 * tcpi_bytes_received (struct tcp_info, <linux/tcp.h>). These count TCP
 * payload: every byte the stack's protocol puts on the connection (framing,
 * HTTP and HTTP/2 headers, AMQP frames, ZMTP), excluding TCP/IP headers.
 * Retransmissions and loss probes are not counted again (tcpi_bytes_sent
 * would count them: loopback on a loaded VM does retransmit), and a byte
 * whose ACK the peer is still delaying is counted all the same.
 *
 * The difference of two snapshots is what those sockets carried in between.
 * A socket opened and closed between two snapshots is invisible, so when
 * the set of sockets changed, rb_wire_diff says so and the caller reports
 * null instead of a number that is too small.
 */
#ifndef RB_WIRE_H
#define RB_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct rb_wire_sock {
    uint64_t inode;
    uint64_t sent;       /* bytes written: tcpi_bytes_acked + idiag_wqueue */
    uint64_t received;   /* tcpi_bytes_received, bytes */
} rb_wire_sock;

typedef struct rb_wire_snap {
    rb_wire_sock *socks;
    size_t n, cap;
} rb_wire_snap;

/* Fill snap (emptied first) with pid's TCP sockets connected to remote port
 * peer_port (1..65535), IPv4 and IPv6, each socket once. RB_OK, RB_EIO (no /proc entry or
 * netlink error) or RB_ENOMEM. */
int rb_wire_snapshot(pid_t pid, int peer_port, rb_wire_snap *snap);

/* Bytes carried, both directions, between before and after, into *bytes.
 * Returns RB_OK; RB_EINVAL when after has no sockets or the socket set
 * changed (a connection opened or closed in between: the figure would be
 * short), with *bytes set to the partial sum anyway. */
int rb_wire_diff(const rb_wire_snap *before, const rb_wire_snap *after, uint64_t *bytes);

void rb_wire_snap_free(rb_wire_snap *snap);

#endif
