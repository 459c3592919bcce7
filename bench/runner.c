/* runner.c: being written */
typedef int rb_placeholder_runner;
