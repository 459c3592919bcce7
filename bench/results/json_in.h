/* json_in.h - what the readers of results.json (read.c, read_sections.c)
 * share: figures out of JSON objects (absent, null or not a number: NAN),
 * the allocations an rb_results owns, timelines and manifest values.
 * Only bench/results/ reads JSON; everyone else reads the model (model.h). */
#ifndef RB_JSON_IN_H
#define RB_JSON_IN_H

#include <jansson.h>

#include "results/model.h"

/* The number at key of obj (obj may be NULL); NAN unless a number. */
double rb_jnum(const json_t *obj, const char *key);

/* The integer at key; 0 unless an integer. */
long long rb_jint(const json_t *obj, const char *key);

/* 1 when the value at key is true. */
int rb_jtrue(const json_t *obj, const char *key);

/* The string at key (borrowed from obj), or dflt unless a string. */
const char *rb_jstr(const json_t *obj, const char *key, const char *dflt);

/* The string at key into buf[0..cap), cut to fit; "" unless a string. */
void rb_jstr_copy(const json_t *obj, const char *key, char *buf, size_t cap);

/* [lo, hi] at key into *s; both NAN unless two numbers. */
void rb_jspread(const json_t *obj, const char *key, rb_spread *s);

/* {"median","lo","hi"} at key into *r (NAN each when absent). */
void rb_jratio(const json_t *obj, const char *key, rb_ratio *r);

/* A latency object (rb_latency_json) into *l; l->n is 1 when its p50 is
 * known (a round had samples), else 0. */
void rb_jlat(const json_t *o, rb_latency *l);

/* cnt zeroed items of size bytes owned by r (freed by rb_results_free);
 * NULL when out of memory. cnt 0 gets one item. */
void *rb_results_alloc(rb_results *r, size_t cnt, size_t size);

/* Read an array written by rb_timeline_json (write.h) back. Missing or
 * null figures become NAN (counts 0). *out malloc'd (caller frees; NULL
 * when *n is 0). RB_OK, RB_EINVAL when arr is not an array of objects,
 * RB_ENOMEM. */
int rb_timeline_from_json(const json_t *arr, rb_tl_point **out, size_t *n);

/* The same, the points owned by r. An absent or malformed timeline reads
 * as none (*out NULL, *n 0). RB_OK or RB_ENOMEM. */
int rb_read_timeline(rb_results *r, const json_t *arr, rb_tl_point **out, size_t *n);

/* The members of object obj into *kv (owned by r), *n of them, in file
 * order; strings borrowed from obj. Nothing when obj is not an object.
 * RB_OK or RB_ENOMEM. */
int rb_read_kvs(rb_results *r, const json_t *obj, rb_kv **kv, size_t *n);

#endif
