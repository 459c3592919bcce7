/* fault_net.c - network faults: reset a process's TCP connections to a port
 * (sock_diag SOCK_DESTROY, as `ss -K` does) and a partition of a loopback
 * port (an nftables table of our own). See fault_net.h. */
#include "fault/fault_net.h"

#include "fault/fault_base.h"
#include "proc/spawn.h"
#include "rb_error.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- conn-reset ---------------------------------------------------------------- */

/* Inodes of the sockets among pid's open files. */
static int socket_inodes(pid_t pid, uint64_t *v, size_t cap, size_t *n)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/fd", (int)pid);
    DIR *d = opendir(path);
    if (!d)
        return RB_EIO;
    struct dirent *e;
    *n = 0;
    while ((e = readdir(d)) && *n < cap) {
        char lp[320], target[64];
        unsigned long long ino;
        snprintf(lp, sizeof lp, "%s/%s", path, e->d_name);
        ssize_t l = readlink(lp, target, sizeof target - 1);
        if (l <= 0)
            continue;
        target[l] = '\0';
        if (sscanf(target, "socket:[%llu]", &ino) == 1)
            v[(*n)++] = ino;
    }
    closedir(d);
    return RB_OK;
}

typedef struct diag_msg {
    struct nlmsghdr nlh;
    struct inet_diag_req_v2 req;
} diag_msg;

/* SOCK_DESTROY one socket by its id; 0 or a negative errno. */
static int destroy_one(int fd, int family, const struct inet_diag_sockid *id)
{
    diag_msg m = {
        .nlh = { .nlmsg_len = sizeof m, .nlmsg_type = SOCK_DESTROY,
                 .nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK },
        .req = { .sdiag_family = (uint8_t)family, .sdiag_protocol = IPPROTO_TCP,
                 .idiag_states = ~0u, .id = *id },
    };
    if (send(fd, &m, sizeof m, 0) < 0)
        return -errno;
    char buf[512];
    ssize_t len = recv(fd, buf, sizeof buf, 0);
    if (len < (ssize_t)NLMSG_LENGTH(sizeof(struct nlmsgerr)))
        return -EIO;
    struct nlmsghdr *h = (struct nlmsghdr *)buf;
    if (h->nlmsg_type != NLMSG_ERROR)
        return -EIO;
    return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
}

/* Dump one family's TCP sockets, collect those to `port` held by the owner. */
static int collect(int family, int port, const uint64_t *inodes, size_t ninodes,
                   struct inet_diag_sockid *ids, size_t cap, size_t *nids)
{
    int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (fd < 0)
        return RB_EIO;
    diag_msg m = {
        .nlh = { .nlmsg_len = sizeof m, .nlmsg_type = SOCK_DIAG_BY_FAMILY,
                 .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP },
        .req = { .sdiag_family = (uint8_t)family, .sdiag_protocol = IPPROTO_TCP,
                 .idiag_states = ~0u },
    };
    int rc = send(fd, &m, sizeof m, 0) < 0 ? RB_EIO : RB_OK;
    static __thread char buf[32768];
    for (int done = rc != RB_OK; !done;) {
        ssize_t len = recv(fd, buf, sizeof buf, 0);
        if (len < 0 && errno == EINTR)
            continue;
        if (len <= 0)
            break;
        for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)len);
             h = NLMSG_NEXT(h, len)) {
            if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR) {
                rc = h->nlmsg_type == NLMSG_ERROR ? RB_EIO : rc;
                done = 1;
                break;
            }
            struct inet_diag_msg *d = NLMSG_DATA(h);
            if (ntohs(d->id.idiag_dport) != port || *nids >= cap)
                continue;
            for (size_t i = 0; i < ninodes; i++)
                if (inodes[i] == d->idiag_inode) {
                    ids[(*nids)++] = d->id;
                    break;
                }
        }
    }
    close(fd);
    return rc;
}

int rb_fault_conn_reset(pid_t owner, int port, int *n, char *err, size_t errlen)
{
    enum { CAP = 4096 };
    uint64_t *inodes = malloc(CAP * sizeof *inodes);
    struct inet_diag_sockid *ids = malloc(CAP * sizeof *ids);
    int rc = RB_ENOMEM, done = 0;
    size_t ninodes = 0, nids = 0;
    if (n)
        *n = 0;
    if (!inodes || !ids)
        goto out;
    if ((rc = socket_inodes(owner, inodes, CAP, &ninodes))) {
        snprintf(err, errlen, "conn-reset: /proc/%d/fd: %s", (int)owner, strerror(errno));
        goto out;
    }
    size_t n4 = 0;
    rc = collect(AF_INET, port, inodes, ninodes, ids, CAP / 2, &nids);
    n4 = nids;
    if (rc == RB_OK)
        rc = collect(AF_INET6, port, inodes, ninodes, ids, CAP / 2, &nids);
    if (rc) {
        snprintf(err, errlen, "conn-reset: sock_diag dump failed");
        goto out;
    }
    int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (fd < 0) {
        rc = RB_EIO;
        goto out;
    }
    for (size_t i = 0; i < nids; i++) {
        int e = destroy_one(fd, i < n4 ? AF_INET : AF_INET6, &ids[i]);
        if (e == 0) {
            done++;
        } else if (e != -ENOENT) {   /* ENOENT: it closed meanwhile */
            rc = e == -EPERM || e == -EOPNOTSUPP ? RB_EUNSUPP : RB_EIO;
            snprintf(err, errlen, "conn-reset: SOCK_DESTROY: %s%s", strerror(-e),
                     e == -EPERM ? " (needs root: CAP_NET_ADMIN)"
                     : e == -EOPNOTSUPP ? " (kernel without CONFIG_INET_DIAG_DESTROY)" : "");
            break;
        }
    }
    close(fd);
out:
    if (n)
        *n = done;
    free(inodes);
    free(ids);
    return rc;
}

/* ---- partition ------------------------------------------------------------------ */

#define MAX_TABLES 16
static volatile int tables[MAX_TABLES];   /* sequence numbers in use, 0: free */
static volatile pid_t table_pid;          /* the pid in the names */
static char nft_path[64];
static pthread_mutex_t tab_lock = PTHREAD_MUTEX_INITIALIZER;

static int find_nft(void)
{
    static const char *const where[] = { "/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft" };
    if (nft_path[0])
        return 1;
    for (size_t i = 0; i < sizeof where / sizeof *where; i++)
        if (access(where[i], X_OK) == 0) {
            snprintf(nft_path, sizeof nft_path, "%s", where[i]);
            return 1;
        }
    return 0;
}

/* "rpcbench_<pid>_<seq>" without stdio (signal handlers use it). */
static void table_name(char *out, pid_t pid, int seq)
{
    static const char prefix[] = "rpcbench_";
    char digits[2][16];
    unsigned long v[2] = { (unsigned long)pid, (unsigned long)seq };
    size_t o = 0;
    memcpy(out, prefix, sizeof prefix - 1);
    o = sizeof prefix - 1;
    for (int k = 0; k < 2; k++) {
        int d = 0;
        do
            digits[k][d++] = (char)('0' + v[k] % 10);
        while ((v[k] /= 10) && d < 15);
        while (d)
            out[o++] = digits[k][--d];
        if (k == 0)
            out[o++] = '_';
    }
    out[o] = '\0';
}

/* Run nft with args, stdout to /dev/null, stderr too unless quiet == 0.
 * Its exit status, or -1.
 * The partition's undo runs this from a signal handler
 * (rb_fault_net_undo_signal_safe), so it must stay async-signal-safe: it
 * uses rb_spawn in its async-signal-safe mode (no opts.flush: fork, open,
 * dup2, execve, _exit only, an environment built here) and rb_spawn_wait
 * without a deadline (waitpid only). No stdio, no allocation, no lock here. */
static int run_nft(char *const args[], int quiet)
{
    if (!nft_path[0])
        return -1;
    static char *const env[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
    rb_spawn_opts o = {
        .envp = env,
        .out = { .kind = RB_IO_NULL },
        .err = { .kind = quiet ? RB_IO_NULL : RB_IO_INHERIT },
    };
    pid_t pid = rb_spawn(nft_path, args, &o);
    if (pid < 0)
        return -1;
    int st = rb_spawn_wait(pid, -1);
    return st >= 0 && st < 128 ? st : -1;
}

static int delete_table(pid_t pid, int seq)
{
    char name[48];
    table_name(name, pid, seq);
    char *const args[] = { "nft", "delete", "table", "inet", name, NULL };
    return run_nft(args, 1) == 0 ? RB_OK : RB_EIO;
}

int rb_fault_partition_begin(int port, int *handle, char *err, size_t errlen)
{
    static int seq;
    if (!rb_fault_has_netadmin()) {
        snprintf(err, errlen, "partition needs root (CAP_NET_ADMIN: nftables rules on loopback)");
        return RB_EUNSUPP;
    }
    if (!find_nft()) {
        snprintf(err, errlen, "partition needs nft (Debian's nftables; scripts/deps installs it)");
        return RB_EUNSUPP;
    }
    if (port <= 0 || port > 65535) {
        snprintf(err, errlen, "partition: no port to cut (%d)", port);
        return RB_EINVAL;
    }
    pthread_mutex_lock(&tab_lock);
    int slot = -1, rc = RB_EIO;
    for (int i = 0; i < MAX_TABLES && slot < 0; i++)
        if (!tables[i])
            slot = i;
    if (slot < 0) {
        snprintf(err, errlen, "partition: %d partitions at once already", MAX_TABLES);
        goto out;
    }
    table_pid = getpid();
    int s = ++seq;
    tables[slot] = s;   /* registered before it exists: undo never misses it */
    /* Dropped on input (after the sender's stack took the segment), so
     * senders see silence, as across a real partition, not EPERM. */
    char name[48], rules[512];
    table_name(name, table_pid, s);
    snprintf(rules, sizeof rules,
             "add table inet %s { chain in { type filter hook input priority -300; policy accept; "
             "iif \"lo\" tcp dport %d drop; iif \"lo\" tcp sport %d drop; }; }", name, port, port);
    char *const args[] = { "nft", rules, NULL };
    if (run_nft(args, 0) != 0) {
        tables[slot] = 0;
        delete_table(table_pid, s);
        snprintf(err, errlen, "partition: nft refused the table %s (see above)", name);
        goto out;
    }
    *handle = s;
    rc = RB_OK;
out:
    pthread_mutex_unlock(&tab_lock);
    return rc;
}

int rb_fault_partition_end(int handle)
{
    pthread_mutex_lock(&tab_lock);
    int rc = delete_table(table_pid, handle);
    for (int i = 0; i < MAX_TABLES; i++)
        if (tables[i] == handle)
            tables[i] = 0;
    pthread_mutex_unlock(&tab_lock);
    return rc;
}

void rb_fault_net_undo_signal_safe(void)
{
    for (int i = 0; i < MAX_TABLES; i++) {
        int s = tables[i];
        if (s) {
            delete_table(table_pid, s);
            tables[i] = 0;
        }
    }
}

void rb_fault_net_sweep(void)
{
    if (!find_nft() || !rb_fault_has_netadmin())
        return;
    char cmd[128], line[256];
    snprintf(cmd, sizeof cmd, "%s list tables 2>/dev/null", nft_path);
    FILE *p = popen(cmd, "r");
    if (!p)
        return;
    while (fgets(line, sizeof line, p)) {
        int pid, s;
        if (sscanf(line, "table inet rpcbench_%d_%d", &pid, &s) == 2 && pid > 0 &&
            kill(pid, 0) < 0 && errno == ESRCH) {
            fprintf(stderr, "rpcbench: removing partition table rpcbench_%d_%d left by a "
                            "process that is gone\n", pid, s);
            delete_table(pid, s);
        }
    }
    pclose(p);
}
