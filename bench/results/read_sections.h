/* read_sections.h - the parts of results.json below a scenario's summary
 * and beside the scenarios, into the model (model.h): a round
 * (per_round[]), a fault, the "slo" list, the "codecs" list and the
 * "environment" manifest. Used by read.c; every function fills what r owns
 * (strings borrowed from r's document) and returns RB_OK or RB_ENOMEM. */
#ifndef RB_READ_SECTIONS_H
#define RB_READ_SECTIONS_H

#include <jansson.h>

#include "results/model.h"

/* One per_round[] object (or an SLO confirming run) into *rd: its figures,
 * validity checks, machine state, timeline and open-loop figures. */
int rb_read_round(rb_results *r, const json_t *o, rb_round *rd);

/* Scenario js's "fault" object and its rounds' ones into rec (rec->rounds
 * already read: rec->nrounds of them). */
int rb_read_faults(rb_results *r, const json_t *js, rb_scen_rec *rec);

/* The top-level "slo" list into r->slo. */
int rb_read_slo(rb_results *r, const json_t *root);

/* The top-level "codecs" list into r->codecs. */
int rb_read_codecs(rb_results *r, const json_t *root);

/* The "environment" object into r->env. */
int rb_read_env(rb_results *r, const json_t *root);

#endif
