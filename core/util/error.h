/* Errors and warnings travel as values: a message buffer filled where the
 * failure is understood, returned up to whoever can show it. */
#ifndef KDX_ERROR_H
#define KDX_ERROR_H

#include <stddef.h>

/* What kind of failure, so callers can branch without comparing messages
 * (calibration tries another layout on KDX_ERR_NO_LAYOUT, a scan stops on
 * KDX_ERR_CANCELLED). */
enum kdx_errcode {
	KDX_ERR_FAILED,      /* anything else: unreadable file, bad argument */
	KDX_ERR_NO_DATA,     /* the dump lacks the page or structure */
	KDX_ERR_CORRUPT,     /* the data is there but inconsistent */
	KDX_ERR_NO_LAYOUT,   /* no structure layout for this build */
	KDX_ERR_CANCELLED,   /* the user stopped a long scan */
};

struct kdx_error {
	char msg[512];
	enum kdx_errcode code;
};

/* Formats the message into err (if non-NULL) and returns -1. */
int kdx_fail(struct kdx_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The same with the kind of failure. */
int kdx_fail_as(struct kdx_error *err, enum kdx_errcode code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

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
