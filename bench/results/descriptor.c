/* descriptor.c - a transport's descriptor read back (descriptor.h). */
#include "results/descriptor.h"

#include <string.h>

static const char *jstr(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));   /* NULL unless a string */
}

static void from_json(const json_t *j, rb_transport *out)
{
    const json_t *order = json_object_get(j, "order"), *pk = json_object_get(j, "packages");
    const json_t *pr = json_object_get(j, "properties"), *v;
    const char *lib;
    int n = 0;

    out->description = jstr(j, "description");
    out->order = json_is_integer(order) ? (int)json_integer_value(order) : RB_DESC_ORDER_UNKNOWN;
    out->is_floor = json_is_true(json_object_get(j, "is_floor"));
    out->broker = rb_broker_find(jstr(j, "broker"));
    out->wire = jstr(j, "wire");
    out->props.human_readable = jstr(pr, "human_readable");
    out->props.schema = jstr(pr, "schema");
    out->props.streaming = jstr(pr, "streaming");
    out->props.stdlib = jstr(pr, "stdlib");
    out->props.restart = jstr(pr, "restart");
    json_object_foreach((json_t *)pk, lib, v) {
        if (n == RB_MAX_PACKAGES || !json_is_string(v))
            break;
        out->packages[n].library = lib;
        out->packages[n++].debian_package = json_string_value(v);
    }
}

int rb_desc_lookup(const char *name, const json_t *j, rb_transport *out)
{
    const rb_transport *t;

    memset(out, 0, sizeof *out);
    if (json_is_object(j)) {
        from_json(j, out);
        out->name = name;
        return 1;
    }
    t = rb_transport_find(name);
    if (t) {
        /* The table's data, none of its functions: a descriptor is not a
         * transport to call. */
        *out = *t;
        out->init = NULL;
        out->version = NULL;
        out->connect = NULL;
        out->fib = NULL;
        out->get_obj = NULL;
        out->send_obj = NULL;
        out->close = NULL;
        out->serve = NULL;
        out->name = name;
        return 2;
    }
    out->name = name;
    out->order = RB_DESC_ORDER_UNKNOWN;
    return 0;
}
