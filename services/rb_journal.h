/* rb_journal.h - the execution journal of fault runs: which calls a server
 * executed, and how many times.
 *
 * No wire format changes. In a fault run the harness calls sendObj with an
 * object whose first entry is RB_JOURNAL_KEY -> call id (an ordinary map
 * entry any stock client could send), followed by the usual "client:i" -> i
 * entries. A server started with the environment variable RB_JOURNAL_ENV
 * set to a file name appends the id of every sendObj it executes to that
 * file: 8 bytes (the id, little-endian) in one write() on an O_APPEND
 * descriptor, before the reply is encoded. The bytes are in the kernel's page
 * cache once write() returns, so a record survives the server's own SIGKILL
 * (not a crash of the machine), and concurrent server threads and processes
 * appending to one file never interleave a record.
 *
 * Without the variable nothing is opened and rb_journal_note costs one
 * pthread_once check per sendObj. An object without the key is not recorded.
 */
#ifndef RB_JOURNAL_H
#define RB_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "rb_obj.h"

#define RB_JOURNAL_ENV "RPCBENCH_JOURNAL"   /* journal file of a server */
#define RB_JOURNAL_KEY "rpcbench:call"      /* sendObj entry: key -> call id */
#define RB_JOURNAL_RECORD 8                 /* bytes per executed call */

/* Server side, called by rb_service_send_obj for every executed sendObj:
 * when RB_JOURNAL_ENV was set at the first call (the journal is opened
 * then, created with mode 0600 if missing), and obj has an entry
 * RB_JOURNAL_KEY with a value >= 0, append that value. A journal that cannot
 * be opened or written is reported once on stderr; the call is served
 * anyway. Thread-safe. */
void rb_journal_note(const rb_obj *obj);

/* The harness's reader: every record of a journal, sorted. */
typedef struct rb_journal {
    uint64_t *ids;      /* executed call ids, ascending, with repeats */
    size_t n;           /* records */
    int torn;           /* 1: the file's size was not a multiple of 8 (the
                           partial record is ignored) */
} rb_journal;

/* Read the journal at path into j (owned by the caller: rb_journal_free).
 * A missing file is an empty journal (a server that executed nothing
 * creates none). Returns RB_OK, RB_EIO (unreadable) or RB_ENOMEM. */
int rb_journal_load(const char *path, rb_journal *j);

/* How many times call `id` was executed (0 when never). O(log n). */
uint32_t rb_journal_executions(const rb_journal *j, uint64_t id);

/* Release j's memory; j is empty afterwards. Accepts an empty journal. */
void rb_journal_free(rb_journal *j);

#endif
