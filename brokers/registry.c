/* registry.c - finding a broker by name in the registry (broker.h). The
 * list itself, rb_brokers[], is generated from the brokers/<name>/ folders
 * (brokers/CMakeLists.txt, registry.c.in). */
#include "broker.h"

#include <stddef.h>
#include <string.h>

const rb_broker *rb_broker_find(const char *name)
{
    for (const rb_broker *const *p = rb_brokers; name && *p; p++)
        if (strcmp((*p)->name, name) == 0)
            return *p;
    return NULL;
}
