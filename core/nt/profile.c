#include "core/nt/profile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util/bytes.h"

const struct profile *profile_by_name(const char *name)
{
	for (const struct profile *const *p = kdx_profiles; *p; p++)
		if (strcmp((*p)->name, name) == 0)
			return *p;
	return NULL;
}

bool profile_serves(const struct profile *p, enum machine m, enum paging pg, uint32_t build)
{
	return pg != PAGING_UNKNOWN && profile_serves_build(p, m, pg, build);
}

bool profile_serves_build(const struct profile *p, enum machine m, enum paging pg, uint32_t build)
{
	return p->machine == m && (pg == PAGING_UNKNOWN || p->paging == pg) &&
	       build >= p->min_build && build <= p->max_build;
}

/* The revision of the build p's column was taken from (5512 of
 * 5.1.2600.5512); 0 when the source names none (6.3.9600, 5.2.3790 SP1). */
static uint32_t profile_revision(const struct profile *p)
{
	const char *s = p->taken_from;
	for (int dots = 0; dots < 3; dots++, s++)
		if (!(s = strchr(s, '.')))
			return 0;
	return (uint32_t)strtoul(s, NULL, 10);
}

const struct profile *profile_for_revision(enum machine m, enum paging pg, uint32_t build,
					   uint32_t revision)
{
	const struct profile *best = NULL, *earliest = NULL;
	for (const struct profile *const *p = kdx_profiles; *p; p++) {
		if (!profile_serves_build(*p, m, pg, build))
			continue;
		uint32_t r = profile_revision(*p);
		if (!earliest || r < profile_revision(earliest))
			earliest = *p;
		if (r <= revision && (!best || r > profile_revision(best)))
			best = *p;
	}
	return best ? best : earliest;
}

const struct profile *profile_select(enum machine m, enum paging pg, bool has_build, uint32_t build)
{
	for (const struct profile *const *p = kdx_profiles; has_build && *p; p++)
		if (profile_serves(*p, m, pg, build))
			return *p;
	return NULL;
}

const struct profile *profile_nearest(enum machine m, enum paging pg, uint32_t build)
{
	const struct profile *best = NULL;
	uint32_t best_gap = 0;
	for (const struct profile *const *p = kdx_profiles; *p; p++) {
		if ((*p)->machine != m || (*p)->paging != pg)
			continue;
		uint32_t gap = build > (*p)->build ? build - (*p)->build : (*p)->build - build;
		if (!best || gap < best_gap || (gap == best_gap && (*p)->build > best->build)) {
			best = *p;
			best_gap = gap;
		}
	}
	return best;
}

void dump_layout_init(struct dump_layout *l, const struct profile *p)
{
	memset(l, 0, sizeof *l);
	l->profile = p;
	for (size_t i = 0; i < LAYOUT_FIELDS; i++)
		l->source[i] = p ? LAYOUT_FROM_TABLE : LAYOUT_UNKNOWN;
}

void dump_layout_free(struct dump_layout *l)
{
	if (l->patched) {
		/* Every table of a patched profile is an owned copy. */
		for (const struct layout_field *f = layout_fields; f->table; f++)
			if (f == layout_fields || strcmp(f->table, f[-1].table) != 0)
				free(*(void **)((char *)l->patched + f->table_member));
		free(l->patched);
	}
	l->patched = NULL;
	l->profile = NULL;
}

/* A private copy of the profile whose tables may be written. */
static struct profile *patchable(struct dump_layout *l)
{
	if (l->patched)
		return l->patched;
	struct profile *p = malloc(sizeof *p);
	if (!p)
		return NULL;
	*p = *l->profile;
	for (const struct layout_field *f = layout_fields; f->table; f++) {
		if (f != layout_fields && strcmp(f->table, f[-1].table) == 0)
			continue;
		void **slot = (void **)((char *)p + f->table_member);
		void *copy = malloc(f->table_size);
		if (copy)
			memcpy(copy, *slot, f->table_size);
		*slot = copy;
	}
	l->patched = p;
	l->profile = p;
	for (const struct layout_field *f = layout_fields; f->table; f++)
		if (!*(void **)((char *)p + f->table_member)) {
			dump_layout_free(l);
			return NULL;
		}
	return p;
}

static bool parse_u64(const char *s, uint64_t *v)
{
	char *end;
	errno = 0;
	unsigned long long x = strtoull(s, &end, 0);
	if (errno || end == s || *end)
		return false;
	*v = x;
	return true;
}

/* Stores one cell into the field; false when the text is not a value of
 * the field's kind or does not fit it. */
static bool store(void *table, const struct layout_field *f, const char *cell)
{
	char *at = (char *)table + f->offset;
	uint64_t v;
	if (f->kind == LAYOUT_BITS) {
		struct prof_bits b = { PROF_ABSENT, 0, 0 };
		unsigned off, bit, width;
		char tail;
		if (strcmp(cell, "-") != 0) {
			if (sscanf(cell, "%i:%u:%u%c", (int *)&off, &bit, &width, &tail) != 3 ||
			    off >= PROF_ABSENT || bit + width > 64 || !width)
				return false;
			b = (struct prof_bits){ (uint16_t)off, (uint8_t)bit, (uint8_t)width };
		}
		memcpy(at, &b, sizeof b);
		return true;
	}
	if ((f->kind == LAYOUT_OFF || f->kind == LAYOUT_SIZE) && strcmp(cell, "-") == 0)
		v = PROF_ABSENT;
	else if (!parse_u64(cell, &v))
		return false;
	switch (f->kind) {
	case LAYOUT_OFF: case LAYOUT_SIZE: case LAYOUT_U16: {
		if (v > 0xffff || (f->kind != LAYOUT_U16 && v == PROF_ABSENT && strcmp(cell, "-")))
			return false;
		uint16_t x = (uint16_t)v;
		memcpy(at, &x, sizeof x);
		return true;
	}
	case LAYOUT_U8: {
		if (v > 0xff)
			return false;
		uint8_t x = (uint8_t)v;
		memcpy(at, &x, sizeof x);
		return true;
	}
	case LAYOUT_U32: {
		if (v > 0xffffffffu)
			return false;
		uint32_t x = (uint32_t)v;
		memcpy(at, &x, sizeof x);
		return true;
	}
	case LAYOUT_U64:
		memcpy(at, &v, sizeof v);
		return true;
	case LAYOUT_BOOL: {
		if (v > 1)
			return false;
		bool x = v;
		memcpy(at, &x, sizeof x);
		return true;
	}
	default:
		return false;
	}
}

/* Splits a line at tabs in place; returns the number of cells. */
static size_t split_tabs(char *line, char **cells, size_t max)
{
	size_t n = 0;
	line[strcspn(line, "\r\n")] = 0;
	for (char *s = line; n < max; ) {
		cells[n++] = s;
		char *tab = strchr(s, '\t');
		if (!tab)
			break;
		*tab = 0;
		s = tab + 1;
	}
	return n;
}

static uint16_t u16_of(const void *table, const struct layout_field *f)
{
	uint16_t v;
	memcpy(&v, (const char *)table + f->offset, sizeof v);
	return v;
}

static const void *table_of(const struct profile *p, const struct layout_field *f)
{
	return *(const void *const *)((const char *)p + f->table_member);
}

const struct layout_field *layout_field_named(const char *table, const char *name)
{
	for (const struct layout_field *f = layout_fields; f->table; f++)
		if (strcmp(f->table, table) == 0 && strcmp(f->name, name) == 0)
			return f;
	return NULL;
}

uint16_t layout_field_value(const struct profile *p, const struct layout_field *f)
{
	return u16_of(table_of(p, f), f);
}

unsigned layout_record_span(const struct profile *p, const char *table, uint16_t size)
{
	if (size != PROF_ABSENT)
		return size;
	unsigned end = 0;
	for (const struct layout_field *f = layout_fields; f->table; f++) {
		uint16_t v;
		if (f->kind == LAYOUT_OFF && strcmp(f->table, table) == 0 &&
		    (v = layout_field_value(p, f)) != PROF_ABSENT && v + 16u > end)
			end = v + 16u;
	}
	return end;
}

const struct layout_field *layout_bound_of(const struct layout_field *f)
{
	const struct layout_field *whole = NULL, *part = NULL;
	for (const struct layout_field *g = layout_fields; g->table; g++) {
		if (strcmp(g->table, f->table) != 0 || g->kind != LAYOUT_SIZE)
			continue;
		size_t n = strlen(g->name);
		if (strcmp(g->name, "size") == 0)
			whole = g;
		else if (n > 5 && strncmp(f->name, g->name, n - 4) == 0)
			part = g;
	}
	return part ? part : whole;
}

const struct prof_segheap *segheap_layout(const struct profile *p)
{
	return p && p->pool->segment_heap && p->segheap->seg_bytes ? p->segheap : NULL;
}

/* The verifier table's rows are the PDB's fields themselves: its field
 * list (layout_fields) gives their names and order, the column their
 * offsets, the width ("4" or "ptr") their size. */
size_t verifier_layout(const struct profile *p,
		       struct prof_verifier_field out[PROF_VERIFIER_MAX_FIELDS])
{
	size_t n = 0;
	for (const struct layout_field *f = layout_fields; p && f->table && n < PROF_VERIFIER_MAX_FIELDS;
	     f++) {
		if (strcmp(f->table, "verifier") != 0 || f->kind != LAYOUT_OFF)
			continue;
		uint16_t off = u16_of(p->verifier, f);
		if (off != PROF_ABSENT)
			out[n++] = (struct prof_verifier_field){
				f->name, off, (uint8_t)(strcmp(f->width, "ptr") == 0 ? p->ptr_size
							 : atoi(f->width)) };
	}
	return n;
}

/* Every offset of the table inside its size (the rule the built-in tables
 * are tested against), so a file cannot send a reader past its buffer. */
static int check_bounds(const char *path, const void *table, const char *name,
			struct kdx_error *err)
{
	for (const struct layout_field *f = layout_fields; f->table; f++) {
		if (strcmp(f->table, name) != 0 || (f->kind != LAYOUT_OFF && f->kind != LAYOUT_BITS))
			continue;
		const struct layout_field *b = layout_bound_of(f);
		if (!b)
			continue;
		unsigned size = u16_of(table, b), off, end;
		if (f->kind == LAYOUT_BITS) {
			struct prof_bits bits;
			memcpy(&bits, (const char *)table + f->offset, sizeof bits);
			off = bits.offset;
			end = off + (bits.bit + bits.width + 7u) / 8u;
		} else {
			off = u16_of(table, f);
			end = off + 1;
		}
		if (off != PROF_ABSENT && (size == PROF_ABSENT || end > size))
			return kdx_fail(err, "%s: %s.%s at 0x%x is outside %s 0x%x", path, name,
					f->name, off, b->name, size);
	}
	return 0;
}

int dump_layout_load(struct dump_layout *l, const char *path, struct kdx_error *err)
{
	if (!l->profile)
		return kdx_fail_as(err, KDX_ERR_NO_LAYOUT, "%s: the dump has no built-in layout to "
				   "change (unknown build)", path);
	FILE *fp = fopen(path, "r");
	if (!fp)
		return kdx_fail(err, "%s: %s", path, strerror(errno));
	int rc = dump_layout_read(l, fp, path, err);
	fclose(fp);
	return rc;
}

int dump_layout_read(struct dump_layout *l, FILE *fp, const char *path, struct kdx_error *err)
{
	enum { MAX_CELLS = 64 };
	char line[4096], *cells[MAX_CELLS], table[64] = "";
	size_t col = 0, lineno = 0;
	int rc = 0;
	void *target = NULL;
	while (rc == 0 && fgets(line, sizeof line, fp)) {
		lineno++;
		if (line[0] == '#' || strspn(line, " \t\r\n") == strlen(line))
			continue;
		size_t n = split_tabs(line, cells, MAX_CELLS);
		if (!*table || (n >= 3 && strcmp(cells[1], "type") == 0)) {
			/* A header: TABLE, "type", one name per column; each table
			 * of a file starts with one. */
			const struct layout_field *f = layout_fields;
			while (f->table && strcmp(f->table, cells[0]) != 0)
				f++;
			if (n < 3 || strcmp(cells[1], "type") != 0 || !f->table) {
				rc = kdx_fail(err, "%s: line %zu: expected a header 'TABLE<tab>type<tab>BUILD...' "
					      "naming a known table", path, lineno);
				break;
			}
			if (*table && (rc = check_bounds(path, target, table, err)) < 0)
				break;
			col = 0;
			for (size_t i = 2; i < n; i++)
				if (strcmp(cells[i], l->profile->name) == 0 || n == 3)
					col = i;
			if (!col) {
				rc = kdx_fail(err, "%s: no column named %s", path, l->profile->name);
				break;
			}
			snprintf(table, sizeof table, "%s", cells[0]);
			struct profile *p = patchable(l);
			if (!p) {
				rc = kdx_fail(err, "%s: out of memory", path);
				break;
			}
			target = *(void **)((char *)p + f->table_member);
			continue;
		}
		if (strcmp(cells[0], "taken_from") == 0 || strcmp(cells[0], "source") == 0)
			continue;
		const struct layout_field *f = layout_field_named(table, cells[0]);
		if (!f)
			rc = kdx_fail(err, "%s: line %zu: %s has no field '%s'", path, lineno, table, cells[0]);
		else if (col >= n || !store(target, f, cells[col]))
			rc = kdx_fail(err, "%s: line %zu: '%s' is not a value for %s.%s", path, lineno,
				      col < n ? cells[col] : "", table, f->name);
		else
			l->source[f - layout_fields] = LAYOUT_FROM_FILE;
	}
	if (rc == 0 && !*table)
		rc = kdx_fail(err, "%s: no table header", path);
	if (rc == 0)
		rc = check_bounds(path, target, table, err);
	if (rc == 0)
		l->file = path;
	return rc;
}

int dump_layout_set(struct dump_layout *l, const struct layout_field *f, uint16_t value,
		    enum layout_source source, struct kdx_error *err)
{
	struct profile *p = patchable(l);
	if (!p)
		return kdx_fail(err, "out of memory");
	void *table = *(void **)((char *)p + f->table_member);
	uint16_t old = u16_of(table, f);
	memcpy((char *)table + f->offset, &value, sizeof value);
	if (check_bounds(source == LAYOUT_FROM_KDBG ? "the KDBG" : "calibration", table, f->table,
			 err) < 0) {
		memcpy((char *)table + f->offset, &old, sizeof old);
		return -1;
	}
	l->source[f - layout_fields] = source;
	return 0;
}

int dump_layout_forget(struct dump_layout *l, const struct layout_field *f, struct kdx_error *err)
{
	struct profile *p = patchable(l);
	if (!p)
		return kdx_fail(err, "out of memory");
	uint16_t absent = PROF_ABSENT;
	memcpy(*(char **)((char *)p + f->table_member) + f->offset, &absent, sizeof absent);
	l->source[f - layout_fields] = LAYOUT_UNKNOWN;
	return 0;
}

bool field_u64(const uint8_t *buf, size_t len, uint16_t off, unsigned size, uint64_t *v)
{
	*v = 0;
	if (off == PROF_ABSENT || size > 8 || off > len || size > len - off)
		return false;
	*v = le_bytes(buf + off, size);
	return true;
}

bool field_u32(const uint8_t *buf, size_t len, uint16_t off, unsigned size, uint32_t *v)
{
	uint64_t wide;
	bool ok = field_u64(buf, len, off, size, &wide);
	*v = (uint32_t)wide;
	return ok;
}

uint64_t prof_get_bits(const uint8_t *buf, struct prof_bits b)
{
	unsigned bytes = (b.bit + b.width + 7) / 8;
	uint64_t word = le_bytes(buf + b.offset, bytes);
	uint64_t mask = b.width >= 64 ? UINT64_MAX : (1ull << b.width) - 1;
	return (word >> b.bit) & mask;
}
