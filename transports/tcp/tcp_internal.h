/* tcp_internal.h - what the tcp transport's client (tcp.c) and server
 * (tcp_server.c) share: the frame header and socket options. Private to
 * transports/tcp/.
 *
 * Frame: uint32 length (big-endian, body bytes) | body (one MessagePack
 * value). See tcp.c for the request and reply values.
 */
#ifndef RB_TCP_INTERNAL_H
#define RB_TCP_INTERNAL_H

#include "transport.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <sys/socket.h>

/* The transport table (tcp.c); the server takes its default endpoint. */
extern const rb_transport rb_transport_tcp;

static inline void rb_tcp_put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static inline uint32_t rb_tcp_get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Nagle off: every frame is a whole message. */
static inline void rb_tcp_nodelay(int fd)
{
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

/* The server (tcp_server.c): the table's serve entry. Runs until
 * rb_serve_stop; RB_OK, or RB_EINVAL (bad listen address), RB_ELISTEN
 * (cannot listen, the reason and address on stderr), RB_ENOMEM. */
int tcp_serve(const rb_server_opts *o);

#endif
