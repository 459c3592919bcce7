/* registry.c - the brokers this build knows (broker.h). Every stack's
 * tables are built, whichever transports are: an old results.json naming a
 * broker still reports with its words. A new stack adds its tables here. */
#include "broker.h"

#include <stddef.h>
#include <string.h>

#include "rabbitmq/rabbitmq.h"

const rb_broker *const rb_brokers[] = {
    &rb_broker_rabbitmq,
    &rb_broker_rabbitmq_cluster,
    NULL,
};

const rb_broker *rb_broker_find(const char *name)
{
    for (const rb_broker *const *p = rb_brokers; name && *p; p++)
        if (strcmp((*p)->name, name) == 0)
            return *p;
    return NULL;
}
