/* xr_conns.c - keeps Abyss's connection slots for clients that send
 * requests.
 *
 * Abyss 1.33 gives every accepted connection a thread and a slot (up to
 * XR_MAX_CONN) from accept until the client leaves or a read times out, and
 * accepts nothing while the slots are full. Connections that send nothing
 * (idle), or a request a byte at a time (slowloris), would hold every slot
 * for the read timeout, again and again, and lock good clients out.
 *
 * So the server's watcher thread sweeps the accepted connections every
 * XR_SWEEP_MS. While fewer than XR_SHED_AT are open it only notes when it
 * first saw each one. From XR_SHED_AT on, every connection that is not in a
 * request handler and has not delivered a complete request header within
 * the last XR_SHED_GRACE_MS (counted from when it was first seen) is shut
 * down: its Abyss thread ends and the slot goes to the next connection in
 * the accept queue. A benchmark client sends its next request within
 * microseconds of the last reply, so it is never shed; a client idle for
 * longer than the grace reconnects (curl does so by itself).
 *
 * Connections are told apart by their peer address: Abyss's handlers see
 * the session's peer address, the sweep sees the sockets (accepted sockets
 * of this process with the listening socket's local port, from
 * /proc/self/fd).
 */
#include "xr_int.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* Connections tracked at once (open addressing, a power of two): room for
 * the slots and for short-lived connections (xmlrpc-close makes one per
 * call) noted between two sweeps. */
#define XR_PEERS (16u * XR_MAX_CONN)

typedef struct xr_peer_key {
    uint16_t family;
    uint16_t port;              /* network order */
    uint8_t addr[16];
} xr_peer_key;

typedef struct xr_peer {
    xr_peer_key key;
    int used;
    int busy;                   /* requests in a handler now */
    uint64_t seen_ns;           /* first seen (CLOCK_MONOTONIC) */
    uint64_t header_ns;         /* last complete request header, 0: none */
    uint32_t gen;               /* the last sweep that saw it */
} xr_peer;

struct xr_conns {
    pthread_mutex_t mu;
    int listen_fd;
    uint32_t gen;
    uint64_t shed;              /* connections shut down, total */
    xr_peer peers[XR_PEERS];
};

static int key_of(const struct sockaddr *sa, xr_peer_key *k)
{
    memset(k, 0, sizeof *k);
    k->family = sa->sa_family;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *a = (const struct sockaddr_in *)sa;
        k->port = a->sin_port;
        memcpy(k->addr, &a->sin_addr, 4);
    } else if (sa->sa_family == AF_INET6) {
        /* Abyss 1.33 keeps the peer in a struct sockaddr (16 bytes), which
         * holds only the first 8 bytes of an IPv6 address: key on those. */
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)sa;
        k->port = a->sin6_port;
        memcpy(k->addr, &a->sin6_addr, 8);
    } else {
        return -1;
    }
    return 0;
}

/* The entry of k, inserted when missing (NULL when the table is full).
 * Under c->mu. */
static xr_peer *peer_get(xr_conns *c, const xr_peer_key *k, uint64_t now)
{
    uint32_t h = (uint32_t)ntohs(k->port) * 2654435761u;
    for (uint32_t n = 0; n < XR_PEERS; n++) {
        xr_peer *p = &c->peers[(h + n) & (XR_PEERS - 1)];
        if (p->used && memcmp(&p->key, k, sizeof *k) == 0)
            return p;
        if (!p->used) {
            memset(p, 0, sizeof *p);
            p->used = 1;
            p->key = *k;
            p->seen_ns = now;
            p->gen = c->gen;
            return p;
        }
    }
    return NULL;
}

/* Drop the entries the last sweep did not see, then rebuild the table so
 * probe chains stay short. Under c->mu. */
static void peers_collect(xr_conns *c)
{
    static xr_peer keep[XR_PEERS];  /* only the watcher thread sweeps */
    size_t n = 0;
    for (size_t i = 0; i < XR_PEERS; i++)
        if (c->peers[i].used && (c->peers[i].gen == c->gen || c->peers[i].busy))
            keep[n++] = c->peers[i];
    memset(c->peers, 0, sizeof c->peers);
    for (size_t i = 0; i < n; i++) {
        xr_peer *p = peer_get(c, &keep[i].key, keep[i].seen_ns);
        if (p)
            *p = keep[i];
    }
}

int xr_conns_new(xr_conns **out, int listen_fd)
{
    xr_conns *c = calloc(1, sizeof *c);
    *out = NULL;
    if (!c)
        return RB_ENOMEM;
    pthread_mutex_init(&c->mu, NULL);
    c->listen_fd = listen_fd;
    *out = c;
    return RB_OK;
}

void xr_conns_destroy(xr_conns **c)
{
    if (c && *c) {
        pthread_mutex_destroy(&(*c)->mu);
        free(*c);
        *c = NULL;
    }
}

/* The peer of an Abyss session, as a key. */
static int session_key(TSession *session, xr_peer_key *k)
{
    const struct abyss_unix_chaninfo *ci = NULL;
    void *info = NULL;
    SessionGetChannelInfo(session, &info);
    ci = info;
    if (!ci || ci->peerAddrLen == 0)
        return -1;
    return key_of(&ci->peerAddr, k);
}

void xr_conns_note(xr_conns *c, TSession *session, int what)
{
    xr_peer_key k;
    if (!c || session_key(session, &k) != 0)
        return;
    uint64_t now = rb_now_ns();
    pthread_mutex_lock(&c->mu);
    xr_peer *p = peer_get(c, &k, now);
    if (p) {
        if (what == XR_NOTE_HEADER)
            p->header_ns = now;
        else if (what == XR_NOTE_BUSY)
            p->busy++;
        else if (p->busy > 0) {
            p->busy--;
            p->header_ns = now;
        }
    }
    pthread_mutex_unlock(&c->mu);
}

/* The port of a socket's local address, or -1. */
static int local_port(int fd)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0)
        return -1;
    if (ss.ss_family == AF_INET)
        return ntohs(((struct sockaddr_in *)&ss)->sin_port);
    if (ss.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    return -1;
}

/* Call fn(c, fd, arg) for every socket accepted from our listening socket
 * (sockets of this process with its local port, other than it). Returns how
 * many there were. */
static size_t each_conn(xr_conns *c, void (*fn)(xr_conns *, int, void *), void *arg)
{
    int port = local_port(c->listen_fd);
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    size_t n = 0;
    if (port <= 0 || !d) {
        if (d)
            closedir(d);
        return 0;
    }
    while ((e = readdir(d)) != NULL) {
        char *end;
        long fd = strtol(e->d_name, &end, 10);
        struct stat st;
        if (*end || end == e->d_name || fd == c->listen_fd || fd == dirfd(d))
            continue;
        if (fstat((int)fd, &st) == 0 && S_ISSOCK(st.st_mode) && local_port((int)fd) == port) {
            n++;
            if (fn)
                fn(c, (int)fd, arg);
        }
    }
    closedir(d);
    return n;
}

static void shut(xr_conns *c, int fd, void *arg)
{
    (void)c;
    (void)arg;
    shutdown(fd, SHUT_RDWR);
}

void xr_conns_shutdown_all(xr_conns *c)
{
    each_conn(c, shut, NULL);
}

typedef struct sweep_arg {
    uint64_t now;
    int shed;                   /* 1: shed the connections past their grace */
    size_t done;                /* connections shut down by this sweep */
} sweep_arg;

static void sweep_one(xr_conns *c, int fd, void *arg)
{
    sweep_arg *a = arg;
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    xr_peer_key k;
    if (getpeername(fd, (struct sockaddr *)&ss, &sl) != 0 ||
        key_of((struct sockaddr *)&ss, &k) != 0)
        return;
    xr_peer *p = peer_get(c, &k, a->now);
    if (!p)
        return;
    p->gen = c->gen;
    uint64_t last = p->header_ns > p->seen_ns ? p->header_ns : p->seen_ns;
    if (a->shed && !p->busy && a->now - last >= (uint64_t)XR_SHED_GRACE_MS * 1000000u) {
        shutdown(fd, SHUT_RDWR);
        a->done++;
    }
}

size_t xr_conns_sweep(xr_conns *c)
{
    sweep_arg a = { .now = rb_now_ns() };
    pthread_mutex_lock(&c->mu);
    c->gen++;
    a.shed = each_conn(c, NULL, NULL) >= XR_SHED_AT;
    each_conn(c, sweep_one, &a);
    peers_collect(c);
    c->shed += a.done;
    pthread_mutex_unlock(&c->mu);
    return a.done;
}
