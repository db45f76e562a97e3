#include "core/util/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

int kdx_fail(struct kdx_error *err, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof err->msg, fmt, ap);
		va_end(ap);
	}
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
