/* report.h - report.md and plots from a results folder (being written). */
#ifndef RB_REPORT_H
#define RB_REPORT_H
int rb_report_write(const char *dir);
int rb_report_main(int argc, char **argv);
#endif
