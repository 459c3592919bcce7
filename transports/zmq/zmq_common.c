/* zmq_common.c - what transport `zmq`'s client (zmq_transport.c) and
 * server (zmq_server.c) share: see zmq_common.h. */
#include "zmq_common.h"

#include <czmq.h>
#include <msgpack.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <zmq.h>

static pthread_once_t zmq_once = PTHREAD_ONCE_INIT;
static char zmq_version_str[96];

static void zmq_global_init(void)
{
    /* czmq's SIGINT/SIGTERM handlers would make blocking calls return on a
     * signal and fight the serve command's own handler: disable them before
     * czmq creates its context. */
    zsys_handler_set(NULL);
    zsys_init();
    zsys_set_linger(0);
    int zmaj, zmin, zpat, cmaj, cmin, cpat;
    zmq_version(&zmaj, &zmin, &zpat);
    zsys_version(&cmaj, &cmin, &cpat);
    snprintf(zmq_version_str, sizeof zmq_version_str,
             "czmq %d.%d.%d, libzmq %d.%d.%d, msgpack-c %s",
             cmaj, cmin, cpat, zmaj, zmin, zpat, msgpack_version());
}

void zmq_tr_ensure_init(void)
{
    pthread_once(&zmq_once, zmq_global_init);
}

const char *zmq_tr_version(void)
{
    pthread_once(&zmq_once, zmq_global_init);
    return zmq_version_str;
}

int rb_zmq_make_endpoint(const char *hostport, char *ep, size_t eplen,
                         char *host, size_t hostlen, int *port, int *ipv6)
{
    if (rb_parse_hostport(hostport, host, hostlen, port) != RB_OK || !host[0])
        return RB_EINVAL;
    *ipv6 = strchr(host, ':') != NULL;
    char portstr[8];
    if (*port == 0)
        snprintf(portstr, sizeof portstr, "*");
    else
        snprintf(portstr, sizeof portstr, "%d", *port);
    int n = snprintf(ep, eplen, *ipv6 ? "tcp://[%s]:%s" : "tcp://%s:%s", host, portstr);
    return n > 0 && (size_t)n < eplen ? RB_OK : RB_EINVAL;
}
