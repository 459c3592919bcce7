/* results.c: being written */
typedef int rb_placeholder_results;
