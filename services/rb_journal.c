#include "rb_journal.h"
#include "rb_error.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static pthread_once_t journal_once = PTHREAD_ONCE_INIT;
static int journal_fd = -1;          /* set once, read-only afterwards */
static int journal_warned;

static void journal_open(void)
{
    const char *path = getenv(RB_JOURNAL_ENV);
    if (!path || !*path)
        return;
    journal_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (journal_fd < 0)
        fprintf(stderr, "rpcbench: journal %s cannot be opened: %s (calls are served, not recorded)\n",
                path, strerror(errno));
}

/* The id entry: first in the harness's objects, searched further for
 * objects of other senders. */
static int find_id(const rb_obj *obj, int64_t *id)
{
    static const size_t klen = sizeof RB_JOURNAL_KEY - 1;
    for (size_t i = 0; i < obj->count; i++)
        if (obj->entries[i].key_len == klen && memcmp(rb_obj_key(obj, i), RB_JOURNAL_KEY, klen) == 0) {
            *id = obj->entries[i].value;
            return *id >= 0;
        }
    return 0;
}

void rb_journal_note(const rb_obj *obj)
{
    pthread_once(&journal_once, journal_open);
    int64_t id;
    if (journal_fd < 0 || !find_id(obj, &id))
        return;
    unsigned char rec[RB_JOURNAL_RECORD];
    for (int i = 0; i < RB_JOURNAL_RECORD; i++)
        rec[i] = (unsigned char)((uint64_t)id >> (8 * i));
    ssize_t n;
    do
        n = write(journal_fd, rec, sizeof rec);   /* one write: one whole record */
    while (n < 0 && errno == EINTR);
    if (n != (ssize_t)sizeof rec && !__atomic_exchange_n(&journal_warned, 1, __ATOMIC_RELAXED))
        fprintf(stderr, "rpcbench: journal write failed: %s\n", n < 0 ? strerror(errno) : "short write");
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

int rb_journal_load(const char *path, rb_journal *j)
{
    memset(j, 0, sizeof *j);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? RB_OK : RB_EIO;
    struct stat st;
    unsigned char *buf = NULL;
    int rc = RB_EIO;
    if (fstat(fd, &st))
        goto fail;
    size_t size = (size_t)st.st_size, got = 0;
    buf = malloc(size ? size : 1);
    if (!buf) {
        rc = RB_ENOMEM;
        goto fail;
    }
    while (got < size) {
        ssize_t r = read(fd, buf + got, size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;   /* the file shrank: keep what was read */
        got += (size_t)r;
    }
    j->n = got / RB_JOURNAL_RECORD;
    j->torn = got % RB_JOURNAL_RECORD != 0;
    j->ids = malloc((j->n ? j->n : 1) * sizeof *j->ids);
    if (!j->ids) {
        rc = RB_ENOMEM;
        goto fail;
    }
    for (size_t i = 0; i < j->n; i++) {
        uint64_t v = 0;
        for (int b = RB_JOURNAL_RECORD - 1; b >= 0; b--)
            v = v << 8 | buf[i * RB_JOURNAL_RECORD + (size_t)b];
        j->ids[i] = v;
    }
    qsort(j->ids, j->n, sizeof *j->ids, cmp_u64);
    free(buf);
    close(fd);
    return RB_OK;
fail:
    free(buf);
    close(fd);
    rb_journal_free(j);
    return rc;
}

uint32_t rb_journal_executions(const rb_journal *j, uint64_t id)
{
    size_t lo = 0, hi = j->n;          /* first index with ids[i] >= id */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (j->ids[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    uint32_t n = 0;
    while (lo < j->n && j->ids[lo] == id)
        lo++, n++;
    return n;
}

void rb_journal_free(rb_journal *j)
{
    free(j->ids);
    memset(j, 0, sizeof *j);
}
