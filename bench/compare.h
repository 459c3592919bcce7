/* compare.h - `rpcbench compare A B` (being written). */
#ifndef RB_COMPARE_H
#define RB_COMPARE_H
int rb_compare_main(int argc, char **argv);
#endif
