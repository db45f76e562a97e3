/* The small text files read from the user's config directory
 * (core/util/config_dir.h) and beside it (themes), and the settings file. */
#include "tui/config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Theme and config files are a few hundred bytes; anything past this is not
 * one and would only cost memory. */
#define MAX_FILE_BYTES (1u << 20)

/* Reads a whole small text file; NULL (errno set) on failure. */
char *config_read_text(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	char *buf = malloc(MAX_FILE_BYTES + 1);
	size_t n = buf ? fread(buf, 1, MAX_FILE_BYTES, f) : 0;
	int failed = ferror(f);
	fclose(f);
	if (!buf || failed) {
		free(buf);
		errno = EIO;
		return NULL;
	}
	buf[n] = 0;
	return buf;
}

/* Calls each(line, lineno) for every line of text, on a private copy of
 * the line; lineno counts every line, empty ones too. */
void config_walk_lines(const char *text, void (*each)(char *line, unsigned lineno, void *ctx),
		       void *ctx)
{
	unsigned lineno = 1;
	const char *p = text;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *line = strndup(p, len);
		if (!line)
			return;
		each(line, lineno, ctx);
		free(line);
		if (!nl)
			break;
		p = nl + 1;
		lineno++;
	}
}

struct config_ctx {
	struct kdx_config *c;
	const char *where;
	struct theme_warnings *w;
};

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	char *e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = 0;
	return s;
}

static void config_line(char *line, unsigned lineno, void *vctx)
{
	struct config_ctx *c = vctx;
	char *hash = strchr(line, '#');
	if (hash)
		*hash = 0;
	char *p = trim(line);
	if (!*p)
		return;
	char *eq = strchr(p, '=');
	if (strncmp(p, "set", 3) != 0 || (p[3] != ' ' && p[3] != '\t') || !eq) {
		theme_warn(c->w, "%s:%u: expected 'set NAME = VALUE'", c->where, lineno);
		return;
	}
	*eq = 0;
	char *key = trim(p + 3), *value = trim(eq + 1);
	if (strcmp(key, "theme") == 0) {
		if (!*value || strlen(value) >= sizeof c->c->theme)
			theme_warn(c->w, "%s:%u: 'theme' needs a theme name", c->where, lineno);
		else
			snprintf(c->c->theme, sizeof c->c->theme, "%s", value);
	} else if (strcmp(key, "mouse") == 0) {
		if (!strcmp(value, "on") || !strcmp(value, "yes") || !strcmp(value, "true"))
			c->c->mouse = true;
		else if (!strcmp(value, "off") || !strcmp(value, "no") || !strcmp(value, "false"))
			c->c->mouse = false;
		else
			theme_warn(c->w, "%s:%u: 'mouse' is on or off, not '%s'", c->where, lineno, value);
	} else {
		theme_warn(c->w, "%s:%u: unknown setting '%s' (known: theme, mouse)", c->where,
			   lineno, key);
	}
}

void config_parse(struct kdx_config *c, const char *text, const char *where,
		  struct theme_warnings *w)
{
	struct config_ctx ctx = { c, where, w };
	config_walk_lines(text, config_line, &ctx);
}

void config_load(struct kdx_config *c, struct theme_warnings *w)
{
	memset(c, 0, sizeof *c);
	char dir[448], path[480];
	if (!config_dir(dir, sizeof dir))
		return;
	snprintf(path, sizeof path, "%s/config", dir);
	char *text = config_read_text(path);
	if (!text) {
		if (errno != ENOENT)
			theme_warn(w, "%s: cannot read: %s", path, strerror(errno));
		return;
	}
	config_parse(c, text, path, w);
	free(text);
}
