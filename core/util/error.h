/* Errors and warnings travel as values: a message buffer filled where the
 * failure is understood, returned up to whoever can show it. */
#ifndef KDX_ERROR_H
#define KDX_ERROR_H

#include <stddef.h>

struct kdx_error {
	char msg[512];
};

/* Formats the message into err (if non-NULL) and returns -1. */
int kdx_fail(struct kdx_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Non-fatal findings a reader wants the user to see (e.g. "KDBG page not in
 * dump"). Bounded: past KDX_MAX_WARNINGS further warnings are counted only. */
#define KDX_MAX_WARNINGS 64
struct kdx_warnings {
	char *items[KDX_MAX_WARNINGS];
	size_t count;
	size_t dropped;
};

void kdx_warn(struct kdx_warnings *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void kdx_warnings_free(struct kdx_warnings *w);

#endif
