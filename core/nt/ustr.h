/* UNICODE_STRING (doc/structures.md §1) through the kernel address space, as UTF-8:
 * module names, file names. */
#ifndef KDX_USTR_H
#define KDX_USTR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dump.h"

/* Characters read at most; a hostile Length stays bounded. */
#define USTR_MAX 256u

/* The string whose UNICODE_STRING is at va, into out (NUL-terminated,
 * truncated to size); surrogates and bad code units become '?'. False when
 * the descriptor or its buffer is not in the dump. */
bool ustr_read(struct dump *d, uint64_t va, char *out, size_t size);

#endif
