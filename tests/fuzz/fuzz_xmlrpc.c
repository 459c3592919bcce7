/* fuzz_xmlrpc.c - the XML-RPC request screen and xmlrpc-c's parser behind
 * it, exactly in the server's order (transports/xmlrpc/xr_server.c,
 * process_xml): rb_xr_screen(), and only when it lets the body through,
 * xmlrpc_parse_call() under the limits the server sets (XML size = the
 * request limit, value nesting RB_XR_MAX_NESTING). Then the server's
 * reading of the parameters (array items; struct members with
 * rb_xr_obj_read, the same reading as m_send_obj's; rb_xr_read_int).
 * The client's order on a reply is run on the same bytes: screen, then
 * xmlrpc_parse_response2() and the reading of a result struct.
 * Invariant: a refused body always has a reason and one of the two fault
 * codes. Note: Debian's libxmlrpc is not instrumented, so libFuzzer's
 * coverage guidance stops at the screen; the seeds carry the structure. */
#include "fuzz.h"
#include "rb_error.h"
#include "xr_codec.h"

#include <string.h>

/* What the server's method handlers read of any parameter list. */
static void read_value(xmlrpc_value *v)
{
    xmlrpc_env env;
    int64_t x;
    xmlrpc_env_init(&env);
    rb_obj obj = RB_OBJ_INIT;
    if (xmlrpc_value_type(v) == XMLRPC_TYPE_STRUCT)
        rb_xr_obj_read(&env, v, &obj, NULL, 0);
    else
        rb_xr_read_int(v, &x);
    rb_obj_free(&obj);
    xmlrpc_env_clean(&env);
}

static void server(const char *xml, size_t len)
{
    char why[128] = "";
    int code = rb_xr_screen(xml, len, why, sizeof why);
    if (code != 0) {
        if ((code != RB_XR_FAULT_INVALID && code != RB_XR_FAULT_TOOBIG &&
             code != RB_XR_FAULT_ENCODING && code != RB_XR_FAULT_PARSE) || why[0] == '\0')
            rb_fuzz_fail("screen refused with code %d, reason '%s'", code, why);
        return;
    }
    xmlrpc_env env;
    const char *method = NULL;
    xmlrpc_value *params = NULL;
    xmlrpc_env_init(&env);
    xmlrpc_parse_call(&env, xml, len, &method, &params);
    if (!env.fault_occurred) {
        int n = xmlrpc_array_size(&env, params);
        for (int i = 0; i < n && !env.fault_occurred; i++) {
            xmlrpc_value *item = NULL;
            xmlrpc_array_read_item(&env, params, (unsigned)i, &item);
            if (!env.fault_occurred) {
                read_value(item);
                xmlrpc_DECREF(item);
            }
        }
        xmlrpc_DECREF(params);
        free((void *)method);
    }
    xmlrpc_env_clean(&env);
}

static void client(const char *xml, size_t len)
{
    char why[128];
    if (rb_xr_screen(xml, len, why, sizeof why) != 0)
        return;
    xmlrpc_env env;
    xmlrpc_value *result = NULL;
    int fault_code = 0;
    const char *fault_string = NULL;
    xmlrpc_env_init(&env);
    xmlrpc_parse_response2(&env, xml, len, &result, &fault_code, &fault_string);
    if (!env.fault_occurred) {
        if (fault_string)
            free((void *)fault_string);
        else if (result) {
            read_value(result);
            xmlrpc_DECREF(result);
        }
    }
    xmlrpc_env_clean(&env);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    if (!init) {
        xmlrpc_limit_set(XMLRPC_XML_SIZE_LIMIT_ID, RB_DEFAULT_MAX_REQUEST);
        xmlrpc_limit_set(XMLRPC_NESTING_LIMIT_ID, RB_XR_MAX_NESTING);
        init = 1;
    }
    char *xml = malloc(size ? size : 1);   /* exact size: ASan sees overreads */
    if (!xml)
        return 0;
    memcpy(xml, data, size);
    server(xml, size);
    client(xml, size);
    free(xml);
    return 0;
}
