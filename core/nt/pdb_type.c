#include "core/nt/pdb_type.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Whether a line's WHEN cell (doc/layouts.md) holds for p's column. */
static bool applies(const char *when, const struct profile *p)
{
	if (strcmp(when, "-") == 0)
		return true;
	if (strcmp(when, "x86") == 0)
		return p->machine == MACHINE_X86;
	if (strcmp(when, "x64") == 0)
		return p->machine == MACHINE_X64;
	if (when[0] == '<')
		return p->build < strtoul(when + 1, NULL, 10);
	if (when[0] == '>' && when[1] == '=')
		return p->build >= strtoul(when + 2, NULL, 10);
	return false;
}

static const void *table_of(const struct profile *p, const struct layout_field *f)
{
	return *(const void *const *)((const char *)p + f->table_member);
}

/* A row's value as a number: offsets and sizes (PROF_ABSENT when absent),
 * constants of every width. */
static uint64_t row_value(const struct profile *p, const struct layout_field *f)
{
	const char *at = (const char *)table_of(p, f) + f->offset;
	switch (f->kind) {
	case LAYOUT_OFF: case LAYOUT_SIZE: case LAYOUT_U16: { uint16_t v; memcpy(&v, at, 2); return v; }
	case LAYOUT_U8: return *(const uint8_t *)at;
	case LAYOUT_U32: { uint32_t v; memcpy(&v, at, 4); return v; }
	case LAYOUT_U64: { uint64_t v; memcpy(&v, at, 8); return v; }
	case LAYOUT_BOOL: return *(const bool *)at;
	case LAYOUT_BITS: { struct prof_bits b; memcpy(&b, at, sizeof b); return b.offset; }
	}
	return 0;
}

/* The line naming table.field in p's column (the first that applies). */
static const struct pdb_name *line_for(const struct profile *p, const char *table, const char *field)
{
	for (const struct pdb_name *l = pdb_names; l->table; l++)
		if (strcmp(l->table, table) == 0 && strcmp(l->field, field) == 0 && applies(l->when, p))
			return l;
	return NULL;
}

/* The type's SIZE row's value in p; 0 when it has none or the build lacks it. */
static uint32_t type_size(const struct profile *p, const char *type)
{
	for (const struct pdb_name *l = pdb_names; l->table; l++) {
		if (strcmp(l->type, type) != 0 || strcmp(l->member, "SIZE") != 0 || line_for(p, l->table, l->field) != l)
			continue;
		uint64_t v = row_value(p, layout_field_named(l->table, l->field));
		return v == PROF_ABSENT ? 0 : (uint32_t)v;
	}
	return 0;
}

/* A member's size from the row's width or the line's SIZE cell. */
static uint32_t member_size(const struct profile *p, const struct pdb_name *l, const struct layout_field *f)
{
	const char *w = strcmp(l->size, "-") != 0 ? l->size : f->width;
	if (w[0] == '_')
		return type_size(p, w);
	if (strcmp(w, "ptr") == 0)
		return p->ptr_size;
	if (strcmp(w, "list") == 0)
		return 2u * p->ptr_size;
	if (strcmp(w, "ustr") == 0)
		return p->ptr_size == 8 ? 16 : 8;
	if (w[0] >= '1' && w[0] <= '9')
		return (uint32_t)strtoul(w, NULL, 10);
	const struct layout_field *row = strcmp(w, "*") != 0 && w[0] ? layout_field_named(l->table, w) : NULL;
	return row ? (uint32_t)row_value(p, row) : 0;
}

static struct pdb_member *add(struct pdb_layout *out, const char *prefix, const char *name)
{
	if (out->n == PDB_MAX_MEMBERS)
		return NULL;
	struct pdb_member *m = &out->m[out->n++];
	memset(m, 0, sizeof *m);
	snprintf(m->name, sizeof m->name, "%s%s", prefix, name);
	return m;
}

/* Adds type's members at base under prefix; depth bounds embedding. */
static void collect(const struct profile *p, const char *type, uint32_t base, const char *prefix,
		    int depth, struct pdb_layout *out)
{
	for (const struct pdb_name *l = pdb_names; l->table; l++) {
		if (strcmp(l->type, type) != 0 || strcmp(l->member, "SIZE") == 0)
			continue;
		if (strcmp(l->table, "-") == 0) {      /* a type embedded at offset 0 */
			struct pdb_member *m = add(out, prefix, l->member);
			if (!m)
				return;
			m->embeds = l->size;
			m->offset = base;
			m->size = type_size(p, l->size);
			m->width = "*";
			if (depth < 2) {
				char sub[64];
				snprintf(sub, sizeof sub, "%s%s.", prefix, l->member);
				collect(p, l->size, base, sub, depth + 1, out);
			}
			continue;
		}
		if (line_for(p, l->table, l->field) != l)
			continue;
		const struct layout_field *f = layout_field_named(l->table, l->field);
		if (!f)
			continue;
		bool constant = strcmp(l->member, "-") == 0;
		if (constant && depth > 0)
			continue;
		struct pdb_member *m = add(out, constant ? "" : prefix, constant ? l->field : l->member);
		if (!m)
			return;
		m->field = f;
		m->width = f->width;
		if (constant) {
			m->constant = true;
			m->value = row_value(p, f);
			continue;
		}
		if (f->kind == LAYOUT_BITS) {
			struct prof_bits b;
			memcpy(&b, (const char *)table_of(p, f) + f->offset, sizeof b);
			m->absent = b.offset == PROF_ABSENT;
			m->offset = base + b.offset;
			m->bit = b.bit;
			m->bits = b.width;
			continue;
		}
		uint64_t v = row_value(p, f);
		m->absent = v == PROF_ABSENT;
		m->offset = base + (uint32_t)v;
		m->size = member_size(p, l, f);
		if (l->size[0] == '_') {
			m->embeds = l->size;
			if (!m->absent && depth < 2) {
				char sub[64];
				snprintf(sub, sizeof sub, "%s%s.", prefix, l->member);
				collect(p, l->size, m->offset, sub, depth + 1, out);
			}
		}
	}
}

/* Offset order; absent members, then constants, after the rest. */
static int rank(const struct pdb_member *m)
{
	return m->constant ? 2 : m->absent;
}

static bool before(const struct pdb_member *x, const struct pdb_member *y)
{
	if (rank(x) != rank(y))
		return rank(x) < rank(y);
	return rank(x) == 0 && x->offset < y->offset;
}

/* An insertion sort: stable, so equal offsets keep file order (a union's
 * members, an embedded type before its first member). */
static void sort_members(struct pdb_layout *l)
{
	for (size_t i = 1; i < l->n; i++) {
		struct pdb_member m = l->m[i];
		size_t j = i;
		while (j > 0 && before(&m, &l->m[j - 1])) {
			l->m[j] = l->m[j - 1];
			j--;
		}
		l->m[j] = m;
	}
}

bool pdb_layout(const struct profile *p, const char *type, struct pdb_layout *out)
{
	memset(out, 0, sizeof *out);
	const char *list[64];
	size_t n = pdb_type_list(list, 64);
	for (size_t i = 0; i < n && !out->type; i++)
		if (strcmp(list[i], type) == 0)
			out->type = list[i];
	if (!out->type)
		return false;
	collect(p, out->type, 0, "", 0, out);
	out->size = type_size(p, out->type);
	out->has_size = out->size != 0;
	sort_members(out);
	return true;
}

size_t pdb_type_list(const char **out, size_t max)
{
	size_t n = 0;
	for (const struct pdb_name *l = pdb_names; l->table; l++) {
		size_t i = 0;
		while (i < n && strcmp(out[i], l->type) != 0)
			i++;
		if (i == n && n < max)
			out[n++] = l->type;
	}
	return n;
}
