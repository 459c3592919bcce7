/* rb_service.h - the service contract every transport implements.
 *
 *   fib(n)       0 <= n <= 92 -> F(n) as int64 (F(0)=0, F(1)=1,
 *                F(92)=7540113804746346429); otherwise "invalid argument".
 *   getObj()     -> map of E entries "server:i" -> i (E: the server's entry
 *                count, default 100).
 *   sendObj(obj) map string -> int64 -> the number of entries received.
 *
 * The logic lives here once; transports only decode, call and encode.
 */
#ifndef RB_SERVICE_H
#define RB_SERVICE_H

#include <stddef.h>
#include <stdint.h>

#include "rb_obj.h"

#define RB_FIB_MAX 92                          /* largest n whose F(n) fits int64 */
#define RB_DEFAULT_ENTRIES 100                 /* getObj entries, default */
#define RB_DEFAULT_MAX_REQUEST (16u << 20)     /* request size limit, bytes */
#define RB_DEFAULT_TIMEOUT_MS 5000             /* per-call deadline, ms */
#define RB_MAX_DEPTH 32                        /* nesting accepted by decoders */
#define RB_MAX_ELEMENTS (1u << 20)  /* decoded elements one request may hold */

/* The method names on the wire, exactly as the classic examples spell them. */
#define RB_METHOD_FIB "fib"
#define RB_METHOD_GET_OBJ "getObj"
#define RB_METHOD_SEND_OBJ "sendObj"

typedef enum rb_method {
    RB_M_FIB = 0,
    RB_M_GET_OBJ,
    RB_M_SEND_OBJ,
    RB_M__COUNT
} rb_method;

/* "fib", "getObj", "sendObj". */
const char *rb_method_name(rb_method m);

/* Method by wire name (len bytes, not NUL-terminated). Returns the method,
 * or -1 when the name is unknown. */
int rb_method_from_name(const char *name, size_t len);

/* F(n), computed iteratively. Returns RB_OK, or RB_EINVAL when n is outside
 * 0..RB_FIB_MAX (*out untouched). */
int rb_fib(int64_t n, int64_t *out);

/* getObj's reply for a server with `entries` entries, into out (cleared
 * first). Returns RB_OK or RB_ENOMEM. */
int rb_service_get_obj(size_t entries, rb_obj *out);

/* sendObj's handling: the server stores the received object (here: keeps its
 * entry count) and acknowledges with the number of entries. Returns RB_OK. */
int rb_service_send_obj(const rb_obj *obj, int64_t *ack);

/* Server work time (rpcbench serve --work-us N [--work busy|sleep]): what a
 * real handler would spend before replying. Set once at server start, before
 * any thread serves; us 0 (the default) means none. sleep 0 spins on
 * CLOCK_THREAD_CPUTIME_ID (busy CPU, so it shows in the server's CPU per
 * call), 1 sleeps (clock_nanosleep). us is 0..10,000,000. */
void rb_service_set_work(uint64_t us, int sleep);

/* The configured work time in µs (0: none). */
uint64_t rb_service_work_us(void);

/* Spend the configured work time, once per executed request, in the thread
 * that handles it, after the request is decoded and before the reply is
 * encoded. Every server calls it for every request it executes (fib, getObj,
 * sendObj, errors excepted); a no-op when no work is configured. */
void rb_service_work(void);

#endif
