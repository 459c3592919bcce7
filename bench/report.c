/* report.c: being written */
typedef int rb_placeholder_report;
