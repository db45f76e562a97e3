#include "core/util/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static void fill(struct kdx_error *err, enum kdx_errcode code, const char *fmt, va_list ap)
{
	if (err) {
		vsnprintf(err->msg, sizeof err->msg, fmt, ap);
		err->code = code;
	}
}

int kdx_fail(struct kdx_error *err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fill(err, KDX_ERR_FAILED, fmt, ap);
	va_end(ap);
	return -1;
}

int kdx_fail_as(struct kdx_error *err, enum kdx_errcode code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fill(err, code, fmt, ap);
	va_end(ap);
	return -1;
}

void kdx_warn(struct kdx_warnings *w, const char *fmt, ...)
{
	if (w->count >= KDX_MAX_WARNINGS) {
		w->dropped++;
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&w->items[w->count], fmt, ap) >= 0)
		w->count++;
	va_end(ap);
}

void kdx_warnings_free(struct kdx_warnings *w)
{
	for (size_t i = 0; i < w->count; i++)
		free(w->items[i]);
	w->count = w->dropped = 0;
}
