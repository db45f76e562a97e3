#include "core/analysis/pooltag.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util/config_dir.h"

#define POOLTAG_MAX_ENTRIES 100000   /* WinDbg's own list has a few thousand */

static char *dup_trimmed(const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	return n ? strndup(s, n) : NULL;
}

static int by_tag(const void *a, const void *b)
{
	uint32_t x = ((const struct pooltag_entry *)a)->tag, y = ((const struct pooltag_entry *)b)->tag;
	return x < y ? -1 : x > y;
}

/* "MmSt - nt!mm - Mm section object prototype ptes"; the tag keeps its
 * trailing spaces ("Irp "). */
static int parse_line(const char *line, struct pooltag_entry *e)
{
	while (*line == ' ' || *line == '\t')
		line++;
	if (!*line || *line == '\n' || *line == '\r' || !strncmp(line, "//", 2) ||
	    !strncasecmp(line, "rem", 3))
		return 0;
	const char *sep = strstr(line, " - ");
	if (!sep || sep == line || sep - line > 4)
		return -1;
	e->tag = 0;
	for (int i = 0; i < 4; i++)
		e->tag |= (uint32_t)(uint8_t)(line + i < sep ? line[i] : ' ') << (8 * i);
	const char *rest = sep + 3, *second = strstr(rest, " - ");
	e->owner = second ? dup_trimmed(rest, (size_t)(second - rest)) : NULL;
	const char *desc = second ? second + 3 : rest;
	e->description = dup_trimmed(desc, strlen(desc));
	return 1;
}

int pooltag_load(const char *path, struct pooltag_db *db, struct kdx_error *err)
{
	memset(db, 0, sizeof *db);
	FILE *f = fopen(path, "r");
	if (!f)
		return kdx_fail(err, "%s: cannot open: %s", path, strerror(errno));
	char line[1024];
	size_t cap = 0;
	unsigned lineno = 0;
	int r = 0;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		struct pooltag_entry e;
		int got = parse_line(line, &e);
		if (got < 0) {
			r = kdx_fail(err, "%s:%u: expected 'TAG - binary - description'", path, lineno);
			break;
		}
		if (!got)
			continue;
		if (db->count == POOLTAG_MAX_ENTRIES) {
			free(e.owner);
			free(e.description);
			r = kdx_fail(err, "%s:%u: more than %d tags", path, lineno, POOLTAG_MAX_ENTRIES);
			break;
		}
		if (db->count == cap) {
			cap = cap ? cap * 2 : 256;
			struct pooltag_entry *n = realloc(db->items, cap * sizeof *n);
			if (!n) {
				r = kdx_fail(err, "%s: out of memory", path);
				break;
			}
			db->items = n;
		}
		db->items[db->count++] = e;
	}
	fclose(f);
	if (r < 0) {
		pooltag_free(db);
		return -1;
	}
	if (db->count)   /* items is NULL for a file without tags */
		qsort(db->items, db->count, sizeof *db->items, by_tag);
	db->path = strdup(path);
	return 0;
}

void pooltag_free(struct pooltag_db *db)
{
	for (size_t i = 0; i < db->count; i++) {
		free(db->items[i].owner);
		free(db->items[i].description);
	}
	free(db->items);
	free(db->path);
	memset(db, 0, sizeof *db);
}

const struct pooltag_entry *pooltag_lookup(const struct pooltag_db *db, uint32_t tag)
{
	struct pooltag_entry key = { .tag = tag };
	return db->count ? bsearch(&key, db->items, db->count, sizeof key, by_tag) : NULL;
}

static struct pooltag_db default_db;
static int default_loaded;

int pooltag_use(const char *path, struct kdx_error *err)
{
	pooltag_free(&default_db);
	default_loaded = pooltag_load(path, &default_db, err) == 0;
	return default_loaded ? 0 : -1;
}

const struct pooltag_db *pooltag_default(void)
{
	if (default_loaded)
		return &default_db;
	default_loaded = 1;
	char dir[4000], user[4096];
	bool has_user = config_dir(dir, sizeof dir);
	if (has_user)
		snprintf(user, sizeof user, "%s/pooltag.txt", dir);
	const char *candidates[] = { has_user ? user : NULL, KDX_DATADIR "/pooltag.txt",
				     KDX_SRCDIR "/data/pooltag.txt" };
	struct kdx_error err;
	for (size_t i = 0; i < sizeof candidates / sizeof candidates[0]; i++)
		if (candidates[i] && pooltag_load(candidates[i], &default_db, &err) == 0)
			return &default_db;
	return &default_db;
}
