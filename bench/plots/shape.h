/* shape.h - the shape of a run: which transports (display order), methods,
 * entries and concurrency values its scenarios have, and which scenario a
 * summary figure uses. */
#ifndef RB_SHAPE_H
#define RB_SHAPE_H

#include "results/model.h"

/* Most distinct values of each kind a report handles. */
#define RB_SHAPE_MAX 64

typedef struct rb_shape {
    const char *tr[RB_SHAPE_MAX]; /* transports: descriptor order, ties by name */
    size_t ntr;
    const char *me[RB_SHAPE_MAX]; /* methods: fib, getObj, sendObj, then others */
    size_t nme;
    long en[RB_SHAPE_MAX];        /* entries values >= 0, ascending */
    size_t nen;
    long co[RB_SHAPE_MAX];        /* concurrency values, ascending */
    size_t nco;
    const char *floor;            /* the floor transport's name, or "floor" */
} rb_shape;

/* Work out r's shape into *sh (strings borrowed from r). */
void rb_shape_of(const rb_results *r, rb_shape *sh);

/* The scenario of transport tr, method me, entries (any when < -1) and
 * concurrency conc; NULL when the run has none. */
const rb_summary *rb_shape_find(const rb_results *r, const char *tr, const char *me,
                              long entries, long conc);

/* Entries values method me was run with, ascending, into v (RB_SHAPE_MAX);
 * -1 alone for fib. Returns the count. */
size_t rb_shape_entries(const rb_results *r, const char *me, long *v);

/* Concurrency values method me was run with, ascending, into v. */
size_t rb_shape_conc(const rb_results *r, const char *me, long *v);

/* The payload the summary figures of me use: 100 entries (the default)
 * when run, else the middle value; -1 for fib. */
long rb_shape_ref_entries(const rb_results *r, const char *me);

/* The concurrency the summary figures of me use: the lowest run. */
long rb_shape_ref_conc(const rb_results *r, const char *me);

/* The scenarios of method me at entries en and concurrency co, one per
 * transport in display order, into g (RB_SHAPE_MAX). Returns the count. */
size_t rb_shape_group(const rb_results *r, const rb_shape *sh, const char *me, long en, long co,
                      const rb_summary **g);

/* The descriptor of transport tr in r, or NULL. */
const rb_transport *rb_shape_desc(const rb_results *r, const char *tr);

#endif
