/* Allocation for documents and screens: a failed allocation there cannot
 * be shown to anyone in a useful way, so these abort instead of returning
 * NULL. Core code that parses dumps returns errors instead. */
#ifndef KDX_XALLOC_H
#define KDX_XALLOC_H

#include <stdarg.h>
#include <stddef.h>

void *xrealloc(void *p, size_t n);
/* NULL stays NULL. */
char *xstrdup(const char *s);
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
