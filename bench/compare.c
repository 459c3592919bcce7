/* compare.c: placeholder until compare lands (owned by the report work). */
#include "compare.h"
#include <stdio.h>
int rb_compare_main(int argc, char **argv) { (void)argc; (void)argv; fprintf(stderr, "rpcbench compare: not written yet\n"); return 1; }
