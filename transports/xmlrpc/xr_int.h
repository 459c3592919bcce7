/* xr_int.h - internals of the XML-RPC server (xr_server.c, xr_conns.c).
 * The client does not include this. */
#ifndef RB_XR_INT_H
#define RB_XR_INT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <xmlrpc-c/abyss.h>

#include "xr.h"

/* Connections served at once (one Abyss thread each) and the listen
 * backlog: far above any concurrency the harness uses. */
#define XR_MAX_CONN 512u
#define XR_BACKLOG 512u

/* Shedding (xr_conns.c): from XR_SHED_AT open connections on, a
 * connection that is not in a handler and delivered no complete request
 * header for XR_SHED_GRACE_MS is shut down; the sweep runs every
 * XR_SWEEP_MS. Worst case for a new good client behind XR_MAX_CONN idle
 * ones: about grace + one sweep + Abyss's accept (well inside a 5 s
 * deadline). */
#define XR_SHED_AT (XR_MAX_CONN / 4u)
#define XR_SHED_GRACE_MS 2000u
#define XR_SWEEP_MS 250u

typedef struct xr_conns xr_conns;

/* A new tracker of the connections accepted from listen_fd (not owned).
 * Returns RB_OK or RB_ENOMEM (*out NULL). */
int xr_conns_new(xr_conns **out, int listen_fd);

/* Free the tracker; accepts NULL and sets *c to NULL. */
void xr_conns_destroy(xr_conns **c);

enum { XR_NOTE_HEADER = 0, XR_NOTE_BUSY, XR_NOTE_DONE };

/* From a request handler: the session's connection delivered a complete
 * request header (XR_NOTE_HEADER), entered (XR_NOTE_BUSY) or left
 * (XR_NOTE_DONE) the handler that executes it. c may be NULL. */
void xr_conns_note(xr_conns *c, TSession *session, int what);

/* One sweep (from the watcher thread only): notes new connections and,
 * at XR_SHED_AT connections or more, shuts down those past their grace.
 * Returns how many it shut down. */
size_t xr_conns_sweep(xr_conns *c);

/* Shut down every accepted connection (at server stop). */
void xr_conns_shutdown_all(xr_conns *c);

#endif
