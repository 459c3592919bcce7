/* xr_methods.c - the XML-RPC server's methods (fib, getObj, sendObj) and
 * their registry: decode the params, call the service (rb_service_work once
 * per executed request), encode the result. */
#include "xr.h"
#include "xr_codec.h"

#include <stdio.h>
#include <stdlib.h>

#include <xmlrpc-c/server.h>

int rb_xr_read_int(xmlrpc_value *v, int64_t *out)
{
    xmlrpc_env env;
    xmlrpc_env_init(&env);
    int ok = 0;
    switch (xmlrpc_value_type(v)) {
    case XMLRPC_TYPE_INT: {
        int i;
        xmlrpc_read_int(&env, v, &i);
        *out = i;
        ok = !env.fault_occurred;
        break;
    }
    case XMLRPC_TYPE_I8: {
        xmlrpc_int64 i;
        xmlrpc_read_i8(&env, v, &i);
        *out = i;
        ok = !env.fault_occurred;
        break;
    }
    default:
        break;
    }
    xmlrpc_env_clean(&env);
    return ok;
}

xmlrpc_value *rb_xr_int_new(xmlrpc_env *env, int64_t x)
{
    if (x >= INT32_MIN && x <= INT32_MAX)
        return xmlrpc_int_new(env, (int)x);
    return xmlrpc_i8_new(env, x);
}

/* The params array must hold exactly `want` items. */
static int check_arity(xmlrpc_env *env, xmlrpc_value *params, int want, const char *usage)
{
    int n = xmlrpc_array_size(env, params);
    if (env->fault_occurred)
        return 0;
    if (n != want) {
        xmlrpc_env_set_fault_formatted(env, RB_XR_FAULT_INVALID,
                                       "%s (got %d parameters)", usage, n);
        return 0;
    }
    return 1;
}

static xmlrpc_value *m_fib(xmlrpc_env *env, xmlrpc_value *params, void *srvinfo, void *callinfo)
{
    (void)srvinfo;
    (void)callinfo;
    xmlrpc_value *arg = NULL;
    int64_t n = 0, r = 0;
    if (!check_arity(env, params, 1, "fib(n) takes one integer n, 0..92"))
        return NULL;
    xmlrpc_array_read_item(env, params, 0, &arg);
    if (env->fault_occurred)
        return NULL;
    int ok = rb_xr_read_int(arg, &n);
    xmlrpc_DECREF(arg);
    if (!ok) {
        xmlrpc_env_set_fault(env, RB_XR_FAULT_INVALID,
                             "fib(n): n must be an integer (<int> or <i8>)");
        return NULL;
    }
    if (rb_fib(n, &r) != RB_OK) {
        xmlrpc_env_set_fault_formatted(env, RB_XR_FAULT_INVALID,
                                       "fib(n): n = %lld is outside 0..%d",
                                       (long long)n, RB_FIB_MAX);
        return NULL;
    }
    rb_service_work();
    return xmlrpc_i8_new(env, r);
}

static xmlrpc_value *m_get_obj(xmlrpc_env *env, xmlrpc_value *params, void *srvinfo, void *callinfo)
{
    (void)callinfo;
    const rb_obj *get_obj = srvinfo;
    if (!check_arity(env, params, 0, "getObj() takes no parameters"))
        return NULL;
    rb_service_work();
    xmlrpc_value *s = xmlrpc_struct_new(env);
    for (size_t i = 0; i < get_obj->count && !env->fault_occurred; i++) {
        xmlrpc_value *v = rb_xr_int_new(env, get_obj->entries[i].value);
        if (env->fault_occurred)
            break;
        xmlrpc_struct_set_value_n(env, s, rb_obj_key(get_obj, i),
                                  get_obj->entries[i].key_len, v);
        xmlrpc_DECREF(v);
    }
    if (env->fault_occurred && s) {
        xmlrpc_DECREF(s);
        s = NULL;
    }
    return s;
}

static xmlrpc_value *m_send_obj(xmlrpc_env *env, xmlrpc_value *params, void *srvinfo, void *callinfo)
{
    (void)srvinfo;
    (void)callinfo;
    xmlrpc_value *s = NULL, *ret = NULL;
    rb_obj obj = RB_OBJ_INIT;
    int64_t ack = 0;
    if (!check_arity(env, params, 1, "sendObj(obj) takes one struct of name -> integer"))
        goto done;
    xmlrpc_array_read_item(env, params, 0, &s);
    if (env->fault_occurred)
        goto done;
    if (xmlrpc_value_type(s) != XMLRPC_TYPE_STRUCT) {
        xmlrpc_env_set_fault(env, RB_XR_FAULT_INVALID,
                             "sendObj(obj): obj must be a struct of name -> integer");
        goto done;
    }
    char why[160];
    if (rb_xr_obj_read(env, s, &obj, why, sizeof why) != RB_OK && !env->fault_occurred)
        xmlrpc_env_set_fault_formatted(env, RB_XR_FAULT_INVALID, "sendObj(obj): %s", why);
    if (env->fault_occurred)
        goto done;
    rb_service_send_obj(&obj, &ack);
    rb_service_work();
    ret = rb_xr_int_new(env, ack);
done:
    if (s)
        xmlrpc_DECREF(s);
    rb_obj_free(&obj);
    return ret;
}

int rb_xr_registry_new(xmlrpc_env *env, const rb_obj *get_obj, xmlrpc_registry **out)
{
    void *info = (void *)get_obj;
    const struct xmlrpc_method_info3 methods[] = {
        { .methodName = RB_METHOD_FIB, .methodFunction = m_fib, .serverInfo = info,
          .signatureString = "I:i,I:I",
          .help = "fib(n): the n-th Fibonacci number F(n) as <i8>, 0 <= n <= 92" },
        { .methodName = RB_METHOD_GET_OBJ, .methodFunction = m_get_obj, .serverInfo = info,
          .signatureString = "S:",
          .help = "getObj(): struct of the server's entries \"server:i\" -> i" },
        { .methodName = RB_METHOD_SEND_OBJ, .methodFunction = m_send_obj, .serverInfo = info,
          .signatureString = "i:S",
          .help = "sendObj(obj): store a struct of name -> integer; returns its entry count" },
    };
    *out = xmlrpc_registry_new(env);
    for (size_t i = 0; i < sizeof methods / sizeof methods[0] && !env->fault_occurred; i++)
        xmlrpc_registry_add_method3(env, *out, &methods[i]);
    if (env->fault_occurred) {
        fprintf(stderr, "xmlrpc: registry: %s\n", env->fault_string);
        return RB_ENOMEM;
    }
    return RB_OK;
}

