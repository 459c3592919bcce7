/* call_cmd.c - `rpcbench call` (commands.h): one call, its reply as JSON. */
#include "cli/args.h"
#include "cli/commands.h"

#include <getopt.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rb_service.h"
#include "transport.h"

void rb_call_usage(FILE *f)
{
    fprintf(f,
"usage: rpcbench call TRANSPORT METHOD [ARG] [options]\n"
"  one call; the reply as JSON on stdout\n"
"  METHOD ARG: fib N (0..92) | getObj | sendObj [ENTRIES | JSON object]\n"
"  --connect HOST:PORT  the server (default: the transport's endpoint)\n"
"  --queue NAME         request queue of a broker transport\n"
"  --timeout MS         the call's deadline (default %d)\n"
"exit status: 0 a reply; 1 the call failed (error in the JSON); 2 usage\n",
            RB_DEFAULT_TIMEOUT_MS);
}

/* What one call sends: fib's n, or sendObj's object. */
typedef struct call_arg {
    int64_t n;
    rb_obj obj;
} call_arg;

/* sendObj's argument: a JSON object of integers, or an entry count (NULL:
 * the default count) into *o. RB_OK, RB_EINVAL (message on stderr) or
 * RB_ENOMEM. */
static int parse_obj_arg(const char *arg, rb_obj *o)
{
    long long count = RB_DEFAULT_ENTRIES;
    if (!arg || arg[0] != '{') {
        if (arg && rb_arg_int("sendObj's entry count", arg, 0, 10000000, &count) != RB_OK)
            return RB_EINVAL;
        return rb_obj_fill(o, "client", (size_t)count);
    }
    json_error_t jerr;
    json_t *j = json_loads(arg, 0, &jerr), *v;
    const char *k;
    int rc = RB_OK;
    if (!json_is_object(j)) {
        fprintf(stderr, "rpcbench: sendObj's argument is not a JSON object: %s\n", jerr.text);
        rc = RB_EINVAL;
        goto out;
    }
    json_object_foreach(j, k, v) {
        if (!json_is_integer(v)) {
            fprintf(stderr, "rpcbench: sendObj's values must be integers ('%s' is not)\n", k);
            rc = RB_EINVAL;
            goto out;
        }
        rb_obj_add(o, k, strlen(k), json_integer_value(v));
    }
out:
    json_decref(j);
    return rc;
}

/* Method m's argument arg (NULL: the default) into *ca. RB_OK, RB_EINVAL
 * (message on stderr) or RB_ENOMEM. */
static int parse_call_arg(rb_method m, const char *arg, call_arg *ca)
{
    long long n = 30;
    ca->n = 0;
    if (m == RB_M_FIB) {
        if (arg && rb_arg_int("fib's n", arg, INT64_MIN, INT64_MAX, &n) != RB_OK)
            return RB_EINVAL;
        ca->n = n;
        return RB_OK;
    }
    return m == RB_M_SEND_OBJ ? parse_obj_arg(arg, &ca->obj) : RB_OK;
}

static json_t *obj_to_json(const rb_obj *o)
{
    json_t *j = json_object();
    for (size_t i = 0; i < o->count; i++)
        json_object_set_new(j, rb_obj_key(o, i), json_integer(o->entries[i].value));
    return j;
}

/* Method m with argument ca on connected client cl, its reply into out.
 * The call's result (RB_OK or its error). */
static int make_call(rb_client *cl, rb_method m, call_arg *ca, rb_obj *reply, json_t *out)
{
    int64_t num = 0;
    int rc;
    if (m == RB_M_FIB) {
        json_object_set_new(out, "arg", json_integer(ca->n));
        if ((rc = rb_call_fib(cl, ca->n, &num)) == RB_OK)
            json_object_set_new(out, "result", json_integer(num));
    } else if (m == RB_M_GET_OBJ) {
        if ((rc = rb_call_get_obj(cl, reply)) == RB_OK)
            json_object_set_new(out, "result", obj_to_json(reply));
    } else {
        json_object_set_new(out, "arg_entries", json_integer((json_int_t)ca->obj.count));
        if ((rc = rb_call_send_obj(cl, &ca->obj, &num)) == RB_OK)
            json_object_set_new(out, "result", json_integer(num));
    }
    return rc;
}

/* Connect, make one call of method m with argument ca, print the reply (or
 * the error) as one JSON line. Returns the exit status: 0, or 1 on error. */
static int call_and_print(const rb_transport *t, rb_method m, call_arg *ca,
                          const rb_client_opts *cop)
{
    rb_client_opts co = *cop;
    rb_client *cl = NULL;
    char errbuf[256];
    rb_obj reply = RB_OBJ_INIT;
    json_t *out = json_object();
    json_object_set_new(out, "transport", json_string(t->name));
    json_object_set_new(out, "method", json_string(rb_method_name(m)));
    int rc = rb_connect(t, &co, &cl, errbuf, sizeof errbuf);
    uint64_t t0 = rb_now_ns();
    if (rc == RB_OK) {
        rc = make_call(cl, m, ca, &reply, out);
        if (rc)
            snprintf(errbuf, sizeof errbuf, "%s", cl->errstr);
        json_object_set_new(out, "latency_us", json_real((double)(rb_now_ns() - t0) / 1e3));
        json_object_set_new(out, "body_bytes", json_pack("{s:I,s:I}",
            "request", (json_int_t)cl->req_body_bytes, "reply", (json_int_t)cl->rep_body_bytes));
    }
    if (rc) {
        json_object_set_new(out, "error", json_pack("{s:s,s:s,s:s}",
            "code", rb_err_name(rc), "kind", rb_fail_kind_name(rb_fail_kind_of(rc)),
            "message", errbuf));
        fprintf(stderr, "rpcbench call %s %s: %s\n", t->name, rb_method_name(m), errbuf);
    }
    char *s = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(9));
    puts(s);
    free(s);
    json_decref(out);
    rb_obj_free(&reply);
    rb_close(&cl);
    return rc ? 1 : 0;
}

/* The options, before and after the positional arguments, into *co and
 * pos[0..*npos). 0, or 2 (usage, message on stderr). */
static int call_options(int argc, char **argv, rb_client_opts *co, char **pos, int *npos)
{
    static const struct option opts[] = {
        { "connect", required_argument, NULL, 'c' },
        { "queue", required_argument, NULL, 'q' },
        { "timeout", required_argument, NULL, 'T' },
        { 0, 0, 0, 0 },
    };
    long long timeout = co->timeout_ms;
    int c;
    /* "+": stop at the first positional argument, so a negative ARG
     * (fib -1) is not taken for an option; "--" is accepted too. (--help
     * never gets here: main.c answers it.) */
    while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
        switch (c) {
        case 'c': co->endpoint = optarg; break;
        case 'q': co->queue = optarg; break;
        case 'T':
            if (rb_arg_int("--timeout", optarg, 1, 3600000, &timeout) != RB_OK)
                return 2;
            break;
        default: rb_call_usage(stderr); return 2;
        }
    }
    /* Options may also follow the positional arguments. */
    *npos = 0;
    for (int i = optind; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) continue;
        else if (strcmp(argv[i], "--connect") == 0 && i + 1 < argc) co->endpoint = argv[++i];
        else if (strcmp(argv[i], "--queue") == 0 && i + 1 < argc) co->queue = argv[++i];
        else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) {
            if (rb_arg_int("--timeout", argv[++i], 1, 3600000, &timeout) != RB_OK)
                return 2;
        } else if (*npos < 3) pos[(*npos)++] = argv[i];
        else {
            fprintf(stderr, "rpcbench call: unexpected argument '%s'\n", argv[i]);
            rb_call_usage(stderr);
            return 2;
        }
    }
    co->timeout_ms = (int)timeout;
    return 0;
}

/* TRANSPORT and METHOD given, and the method's argument as it wants. The
 * transport (NULL: message on stderr, usage) and method into *t, *m. */
static int call_target(char **pos, int npos, const rb_transport **t, int *m)
{
    if (npos < 2) {
        if (npos == 0)
            fprintf(stderr, "rpcbench call: missing TRANSPORT and METHOD\n");
        else if (rb_method_from_name(pos[0], strlen(pos[0])) >= 0)
            fprintf(stderr, "rpcbench call: missing TRANSPORT before METHOD '%s'\n", pos[0]);
        else
            fprintf(stderr, "rpcbench call: missing METHOD after TRANSPORT '%s' "
                            "(fib, getObj, sendObj)\n", pos[0]);
        rb_call_usage(stderr);
        return 2;
    }
    if (!(*t = rb_arg_transport(pos[0])))
        return 2;
    if ((*m = rb_method_from_name(pos[1], strlen(pos[1]))) < 0) {
        fprintf(stderr, "rpcbench: unknown method '%s' (fib, getObj, sendObj)\n", pos[1]);
        return 2;
    }
    if (*m == RB_M_FIB && npos < 3) {
        fprintf(stderr, "rpcbench call: fib needs its argument N (0..92), e.g. "
                        "rpcbench call %s fib 30\n", (*t)->name);
        return 2;
    }
    if (*m == RB_M_GET_OBJ && npos > 2) {
        fprintf(stderr, "rpcbench call: getObj takes no argument, got '%s'\n", pos[2]);
        return 2;
    }
    return 0;
}

int rb_call_main(int argc, char **argv)
{
    rb_client_opts co = { .timeout_ms = RB_DEFAULT_TIMEOUT_MS };
    char *pos[3], host[256];
    int npos, m, port, rc;
    const rb_transport *t;
    if ((rc = call_options(argc, argv, &co, pos, &npos)) || (rc = call_target(pos, npos, &t, &m)))
        return rc;
    if (t->broker == RB_BROKER_NONE && co.endpoint &&
        rb_parse_hostport(co.endpoint, host, sizeof host, &port) != RB_OK) {
        fprintf(stderr, "rpcbench call: --connect wants HOST:PORT, got '%s'\n", co.endpoint);
        return 2;
    }
    call_arg ca = { .obj = RB_OBJ_INIT };
    if ((rc = parse_call_arg((rb_method)m, npos > 2 ? pos[2] : NULL, &ca)) != RB_OK) {
        rb_obj_free(&ca.obj);
        return rc == RB_EINVAL ? 2 : 1;
    }
    if (t->init && t->init() != RB_OK) {
        fprintf(stderr, "rpcbench: %s: cannot initialise its library\n", t->name);
        rb_obj_free(&ca.obj);
        return 1;
    }
    rc = call_and_print(t, (rb_method)m, &ca, &co);
    rb_obj_free(&ca.obj);
    return rc;
}
