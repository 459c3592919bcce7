#include "measure/wire.h"
#include "rb_error.h"

#include <dirent.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Inodes of the sockets among pid's open files, sorted. */
static int socket_inodes(pid_t pid, uint64_t **out, size_t *n)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/fd", (int)pid);
    DIR *d = opendir(path);
    if (!d)
        return RB_EIO;
    size_t cap = 64;
    uint64_t *v = malloc(cap * sizeof *v);
    *n = 0;
    struct dirent *e;
    while (v && (e = readdir(d))) {
        char lp[320], target[64];
        snprintf(lp, sizeof lp, "%s/%s", path, e->d_name);
        ssize_t l = readlink(lp, target, sizeof target - 1);
        if (l <= 0)
            continue;
        target[l] = '\0';
        unsigned long long ino;
        if (sscanf(target, "socket:[%llu]", &ino) != 1)
            continue;
        if (*n == cap) {
            uint64_t *nv = realloc(v, (cap *= 2) * sizeof *v);
            if (!nv) {
                free(v);
                v = NULL;
                break;
            }
            v = nv;
        }
        v[(*n)++] = ino;
    }
    closedir(d);
    if (!v)
        return RB_ENOMEM;
    *out = v;
    return RB_OK;
}

static int has_inode(const uint64_t *v, size_t n, uint64_t ino)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] == ino)
            return 1;
    return 0;
}

/* Add one socket; a socket already in the snapshot is kept once. A netlink
 * dump that races with sockets opening and closing elsewhere on the machine
 * may return an entry twice, and counting it twice would double its bytes. */
static int snap_add(rb_wire_snap *s, uint64_t ino, uint64_t sent, uint64_t recv)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->socks[i].inode == ino)
            return RB_OK;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        rb_wire_sock *p = realloc(s->socks, cap * sizeof *p);
        if (!p)
            return RB_ENOMEM;
        s->socks = p;
        s->cap = cap;
    }
    s->socks[s->n++] = (rb_wire_sock){ ino, sent, recv };
    return RB_OK;
}

/* Dump all TCP sockets of one family with their tcp_info; keep pid's. */
static int dump_family(int family, int peer_port, const uint64_t *inodes, size_t ninodes,
                       rb_wire_snap *snap)
{
    int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (fd < 0)
        return RB_EIO;
    struct {
        struct nlmsghdr nlh;
        struct inet_diag_req_v2 req;
    } msg = {
        .nlh = { .nlmsg_len = sizeof msg, .nlmsg_type = SOCK_DIAG_BY_FAMILY,
                 .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP },
        .req = { .sdiag_family = (uint8_t)family, .sdiag_protocol = IPPROTO_TCP,
                 .idiag_ext = 1 << (INET_DIAG_INFO - 1), .idiag_states = ~0u },
    };
    int rc = RB_OK;
    if (send(fd, &msg, sizeof msg, 0) < 0) {
        close(fd);
        return RB_EIO;
    }
    static __thread char buf[65536];
    for (int done = 0; !done;) {
        ssize_t len = recv(fd, buf, sizeof buf, 0);
        if (len < 0) {
            if (errno == EINTR)
                continue;
            rc = RB_EIO;
            break;
        }
        if (len == 0)
            break;
        for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)len);
             h = NLMSG_NEXT(h, len)) {
            if (h->nlmsg_type == NLMSG_DONE) {
                done = 1;
                break;
            }
            if (h->nlmsg_type == NLMSG_ERROR) {
                rc = RB_EIO;
                done = 1;
                break;
            }
            struct inet_diag_msg *m = NLMSG_DATA(h);
            if (ntohs(m->id.idiag_dport) != peer_port || !has_inode(inodes, ninodes, m->idiag_inode))
                continue;
            size_t alen = h->nlmsg_len - NLMSG_LENGTH(sizeof *m);
            for (struct rtattr *a = (struct rtattr *)(m + 1); RTA_OK(a, alen); a = RTA_NEXT(a, alen)) {
                if (a->rta_type != INET_DIAG_INFO)
                    continue;
                struct tcp_info ti;
                memset(&ti, 0, sizeof ti);
                size_t il = RTA_PAYLOAD(a) < sizeof ti ? RTA_PAYLOAD(a) : sizeof ti;
                memcpy(&ti, RTA_DATA(a), il);
                /* Sent: what the application wrote, once. tcpi_bytes_sent
                 * counts every retransmission and loss probe again (loopback
                 * here does retransmit under load), so it can exceed what the
                 * connection carried; tcpi_bytes_acked alone lags by any
                 * bytes whose ACK is still delayed (the peer has nothing to
                 * send back). Acked + idiag_wqueue (write_seq - snd_una)
                 * is every byte written, counted once. */
                uint64_t sent = ti.tcpi_bytes_acked + m->idiag_wqueue;
                if (snap_add(snap, m->idiag_inode, sent, ti.tcpi_bytes_received))
                    rc = RB_ENOMEM;
            }
        }
    }
    close(fd);
    return rc;
}

int rb_wire_snapshot(pid_t pid, int peer_port, rb_wire_snap *snap)
{
    snap->n = 0;
    uint64_t *inodes = NULL;
    size_t ninodes = 0;
    int rc = socket_inodes(pid, &inodes, &ninodes);
    if (rc)
        return rc;
    rc = dump_family(AF_INET, peer_port, inodes, ninodes, snap);
    if (rc == RB_OK)
        rc = dump_family(AF_INET6, peer_port, inodes, ninodes, snap);
    free(inodes);
    return rc;
}

int rb_wire_diff(const rb_wire_snap *before, const rb_wire_snap *after, uint64_t *bytes)
{
    uint64_t sum = 0;
    size_t matched = 0;
    for (size_t i = 0; i < after->n; i++) {
        const rb_wire_sock *a = &after->socks[i];
        uint64_t s0 = 0, r0 = 0;
        for (size_t j = 0; j < before->n; j++)
            if (before->socks[j].inode == a->inode) {
                s0 = before->socks[j].sent;
                r0 = before->socks[j].received;
                matched++;
                break;
            }
        sum += (a->sent - s0) + (a->received - r0);
    }
    *bytes = sum;
    if (after->n == 0 || matched != before->n || matched != after->n)
        return RB_EINVAL;
    return RB_OK;
}

void rb_wire_snap_free(rb_wire_snap *snap)
{
    free(snap->socks);
    memset(snap, 0, sizeof *snap);
}
