#include "tui/theme.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tui/config.h"

void theme_warn(struct theme_warnings *w, const char *fmt, ...)
{
	if (!w)
		return;
	if (w->count == THEME_MAX_WARNINGS) {
		w->dropped++;
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(w->items[w->count++], sizeof w->items[0], fmt, ap);
	va_end(ap);
}

void theme_init_plain(struct theme *t, const char *name)
{
	memset(t, 0, sizeof *t);
	snprintf(t->name, sizeof t->name, "%s", name);
}

static const char *const color_names[16] = {
	"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
	"bright-black", "bright-red", "bright-green", "bright-yellow",
	"bright-blue", "bright-magenta", "bright-cyan", "bright-white",
};

bool theme_parse_color(const char *s, struct color *out)
{
	if (strcmp(s, "default") == 0) {
		*out = (struct color){ .kind = COLOR_DEFAULT };
		return true;
	}
	for (int i = 0; i < 16; i++)
		if (strcmp(s, color_names[i]) == 0) {
			*out = (struct color){ .kind = COLOR_INDEX, .index = (uint8_t)i };
			return true;
		}
	if (strcmp(s, "gray") == 0 || strcmp(s, "grey") == 0) {
		*out = (struct color){ .kind = COLOR_INDEX, .index = 8 };
		return true;
	}
	char *end;
	if (strncmp(s, "color", 5) == 0 && isdigit((unsigned char)s[5])) {
		errno = 0;
		unsigned long n = strtoul(s + 5, &end, 10);
		if (*end || errno || n > 255)
			return false;
		*out = (struct color){ .kind = COLOR_INDEX, .index = (uint8_t)n };
		return true;
	}
	if (s[0] == '#' && strlen(s) == 7) {
		for (int i = 1; i < 7; i++)
			if (!isxdigit((unsigned char)s[i]))
				return false;
		*out = (struct color){ .kind = COLOR_RGB, .rgb = (uint32_t)strtoul(s + 1, NULL, 16) };
		return true;
	}
	return false;
}

static const struct {
	const char *name;
	unsigned bit;
} attr_names[] = {
	{ "normal", 0 }, { "bold", ATTR_BOLD }, { "underline", ATTR_UNDERLINE },
	{ "reverse", ATTR_REVERSE }, { "dim", ATTR_DIM }, { "italic", ATTR_ITALIC },
	{ "blink", ATTR_BLINK }, { "standout", ATTR_STANDOUT },
};

static bool parse_attr(const char *s, unsigned *bits)
{
	for (size_t i = 0; i < sizeof attr_names / sizeof attr_names[0]; i++)
		if (strcmp(s, attr_names[i].name) == 0) {
			*bits |= attr_names[i].bit;
			return true;
		}
	return false;
}

#define MAX_WORDS 16

/* A comment is a line starting with '#', or a lone '#' after the words;
 * "#rrggbb" (or a mistyped one) in the middle of a line is a word. */
static bool starts_comment(const char *p, int words_before)
{
	return *p == '#' && (words_before == 0 || p[1] == 0 || p[1] == ' ' || p[1] == '\t');
}

/* Splits line in place at blanks, stopping at a '#' comment. */
static int split_words(char *line, char **words)
{
	int n = 0;
	char *p = line;
	while (n < MAX_WORDS) {
		while (*p == ' ' || *p == '\t' || *p == '\r')
			p++;
		if (!*p || starts_comment(p, n))
			break;
		words[n++] = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\r')
			p++;
		if (*p)
			*p++ = 0;
	}
	return n;
}

struct parse_ctx {
	struct theme *t;
	const char *where;
	struct theme_warnings *w;
};

static void theme_line(char *line, unsigned lineno, void *vctx)
{
	struct parse_ctx *c = vctx;
	char *w[MAX_WORDS];
	int n = split_words(line, w);
	if (n == 0)
		return;
	if (strcmp(w[0], "color") != 0) {
		theme_warn(c->w, "%s:%u: unknown keyword '%s' (expected 'color ROLE FG BG [ATTR...]')",
			   c->where, lineno, w[0]);
		return;
	}
	if (n < 4) {
		theme_warn(c->w, "%s:%u: 'color' needs a role, a foreground and a background",
			   c->where, lineno);
		return;
	}
	int role = role_from_name(w[1]);
	if (role < 0) {
		theme_warn(c->w, "%s:%u: unknown role '%s'", c->where, lineno, w[1]);
		return;
	}
	struct style s = { .set = true };
	if (!theme_parse_color(w[2], &s.fg)) {
		theme_warn(c->w, "%s:%u: unknown colour '%s'", c->where, lineno, w[2]);
		return;
	}
	if (!theme_parse_color(w[3], &s.bg)) {
		theme_warn(c->w, "%s:%u: unknown colour '%s'", c->where, lineno, w[3]);
		return;
	}
	for (int i = 4; i < n; i++)
		if (!parse_attr(w[i], &s.attrs))
			theme_warn(c->w, "%s:%u: unknown attribute '%s'", c->where, lineno, w[i]);
	c->t->roles[role] = s;
}

void theme_parse(struct theme *t, const char *text, const char *where, struct theme_warnings *w)
{
	struct parse_ctx c = { t, where, w };
	config_walk_lines(text, theme_line, &c);
}

uint32_t theme_xterm_rgb(unsigned i)
{
	static const uint32_t base[16] = {
		0x000000, 0xcd0000, 0x00cd00, 0xcdcd00, 0x0000ee, 0xcd00cd, 0x00cdcd, 0xe5e5e5,
		0x7f7f7f, 0xff0000, 0x00ff00, 0xffff00, 0x5c5cff, 0xff00ff, 0x00ffff, 0xffffff,
	};
	static const uint8_t cube[6] = { 0, 95, 135, 175, 215, 255 };
	if (i < 16)
		return base[i];
	if (i < 232) {
		i -= 16;
		return (uint32_t)cube[i / 36] << 16 | (uint32_t)cube[i / 6 % 6] << 8 | cube[i % 6];
	}
	uint32_t g = 8 + 10 * (i - 232);
	return g << 16 | g << 8 | g;
}

static uint32_t distance(uint32_t a, uint32_t b)
{
	int dr = (int)(a >> 16 & 0xff) - (int)(b >> 16 & 0xff);
	int dg = (int)(a >> 8 & 0xff) - (int)(b >> 8 & 0xff);
	int db = (int)(a & 0xff) - (int)(b & 0xff);
	/* Green weighs most for the eye, blue least. */
	return (uint32_t)(3 * dr * dr + 4 * dg * dg + 2 * db * db);
}

static int nearest(uint32_t rgb, unsigned first, unsigned last)
{
	int best = (int)first;
	uint32_t best_d = UINT32_MAX;
	for (unsigned i = first; i <= last; i++) {
		uint32_t d = distance(rgb, theme_xterm_rgb(i));
		if (d < best_d) {
			best_d = d;
			best = (int)i;
		}
	}
	return best;
}

int theme_terminal_color(struct color c, int ncolors)
{
	if (c.kind == COLOR_DEFAULT || ncolors < 8)
		return -1;
	unsigned usable = ncolors >= 256 ? 256 : ncolors >= 16 ? 16 : 8;
	if (c.kind == COLOR_INDEX && c.index < usable)
		return c.index;
	uint32_t rgb = c.kind == COLOR_RGB ? c.rgb : theme_xterm_rgb(c.index);
	/* On 256 colours, 0-15 are whatever the user's palette says; the cube
	 * and the grey ramp are fixed, so an exact colour is found there. */
	return usable == 256 ? nearest(rgb, 16, 255) : nearest(rgb, 0, usable - 1);
}

/* A background as dark or as light as terminals' own usually are: on a
 * terminal whose background is unknown, such a line may not stand out. */
static bool like_terminal_background(int index)
{
	uint32_t rgb = theme_xterm_rgb((unsigned)index);
	unsigned r = rgb >> 16 & 0xff, g = rgb >> 8 & 0xff, b = rgb & 0xff;
	unsigned hi = r > g ? (r > b ? r : b) : (g > b ? g : b);
	unsigned lo = r < g ? (r < b ? r : b) : (g < b ? g : b);
	return hi < 0x30 || lo > 0xd0;
}

bool theme_selection_visible(const struct theme *t, int ncolors)
{
	const struct style *sel = &t->roles[ROLE_SELECTION], *normal = &t->roles[ROLE_NORMAL];
	if (sel->attrs & (ATTR_REVERSE | ATTR_STANDOUT))
		return true;
	int bg = theme_terminal_color(sel->bg, ncolors);
	int normal_bg = theme_terminal_color(normal->bg, ncolors);
	if (bg < 0 || bg == normal_bg)
		return false;
	return normal_bg >= 0 || !like_terminal_background(bg);
}

const char *theme_origin_name(enum theme_origin o)
{
	switch (o) {
	case THEME_USER: return "user";
	case THEME_INSTALLED: return "installed";
	case THEME_SOURCE_TREE: return "source tree";
	}
	return "?";
}

/* True when this binary is the build tree's, so the source tree's themes are
 * the current ones rather than whatever was installed earlier. */
static bool running_from_build_tree(void)
{
	char exe[1024];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return false;
	exe[n] = 0;
	size_t len = strlen(KDX_BUILDDIR);
	return strncmp(exe, KDX_BUILDDIR, len) == 0 && exe[len] == '/';
}

struct search_dir {
	char path[512];
	enum theme_origin origin;
};

static size_t search_dirs(struct search_dir dirs[3])
{
	size_t n = 0;
	char cfg[448];
	if (config_dir(cfg, sizeof cfg)) {
		snprintf(dirs[n].path, sizeof dirs[n].path, "%s/themes", cfg);
		dirs[n++].origin = THEME_USER;
	}
	bool build_tree = running_from_build_tree();
	if (build_tree) {
		snprintf(dirs[n].path, sizeof dirs[n].path, "%s/themes", KDX_SRCDIR);
		dirs[n++].origin = THEME_SOURCE_TREE;
	}
	snprintf(dirs[n].path, sizeof dirs[n].path, "%s/themes", KDX_DATADIR);
	dirs[n++].origin = THEME_INSTALLED;
	return n;
}

static int entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct theme_entry *)a)->name, ((const struct theme_entry *)b)->name);
}

int theme_list_index(const struct theme_list *l, const char *name)
{
	for (size_t i = 0; i < l->count; i++)
		if (strcmp(l->items[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* Theme directories hold a handful of files; a bound keeps a crowded one
 * from costing memory. */
#define MAX_THEMES 256

void theme_list_find(struct theme_list *out)
{
	memset(out, 0, sizeof *out);
	struct search_dir dirs[3];
	size_t ndirs = search_dirs(dirs);
	for (size_t d = 0; d < ndirs; d++) {
		DIR *dir = opendir(dirs[d].path);
		if (!dir)
			continue;
		struct dirent *e;
		while ((e = readdir(dir)) && out->count < MAX_THEMES) {
			size_t len = strlen(e->d_name);
			const char *ext = ".theme";
			if (len <= 6 || len - 6 >= sizeof out->items[0].name ||
			    strcmp(e->d_name + len - 6, ext) != 0 || e->d_name[0] == '.')
				continue;
			char name[64];
			snprintf(name, sizeof name, "%.*s", (int)(len - 6), e->d_name);
			if (theme_list_index(out, name) >= 0)
				continue;
			struct theme_entry *grown = realloc(out->items, (out->count + 1) * sizeof *grown);
			if (!grown)
				break;
			out->items = grown;
			struct theme_entry *t = &out->items[out->count++];
			snprintf(t->name, sizeof t->name, "%s", name);
			snprintf(t->path, sizeof t->path, "%.400s/%.100s", dirs[d].path, e->d_name);
			t->origin = dirs[d].origin;
		}
		closedir(dir);
	}
	if (out->count)
		qsort(out->items, out->count, sizeof *out->items, entry_cmp);
}

void theme_list_free(struct theme_list *l)
{
	free(l->items);
	memset(l, 0, sizeof *l);
}

/* Parses the theme file at path over t; false when it cannot be read. */
static bool apply_file(struct theme *t, const char *path, struct theme_warnings *w)
{
	char *text = config_read_text(path);
	if (!text) {
		theme_warn(w, "%s: cannot read theme: %s", path, strerror(errno));
		return false;
	}
	theme_parse(t, text, path, w);
	free(text);
	return true;
}

static bool find_path(const char *name, char *path, size_t size)
{
	struct search_dir dirs[3];
	size_t ndirs = search_dirs(dirs);
	for (size_t d = 0; d < ndirs; d++) {
		int n = snprintf(path, size, "%s/%s.theme", dirs[d].path, name);
		if (n > 0 && (size_t)n < size && access(path, R_OK) == 0)
			return true;
	}
	return false;
}

bool theme_load(struct theme *t, const char *name, struct theme_warnings *w)
{
	char path[600];
	theme_init_plain(t, "default");
	if (find_path("default", path, sizeof path))
		apply_file(t, path, w);
	else
		theme_warn(w, "theme 'default' not found (looked in $XDG_CONFIG_HOME/kdx/themes, "
			   "%s/themes)", KDX_DATADIR);
	if (strcmp(name, "default") == 0)
		return true;
	/* A name with a slash is a file of the user's, used as is. */
	bool found = strchr(name, '/') ? snprintf(path, sizeof path, "%s", name) > 0
				       : find_path(name, path, sizeof path);
	if (!found) {
		theme_warn(w, "theme '%s' not found; using 'default' (kdx --list-themes lists them)",
			   name);
		return false;
	}
	if (!apply_file(t, path, w))
		return false;
	const char *base = strrchr(name, '/');
	snprintf(t->name, sizeof t->name, "%s", base ? base + 1 : name);
	return true;
}

void theme_list_print(FILE *out, const struct theme_list *l, const char *current)
{
	if (l->count == 0)
		fprintf(out, "no themes found (looked in $XDG_CONFIG_HOME/kdx/themes and %s/themes)\n",
			KDX_DATADIR);
	for (size_t i = 0; i < l->count; i++)
		fprintf(out, "%c %-16s %-11s %s\n", strcmp(l->items[i].name, current) ? ' ' : '*',
			l->items[i].name, theme_origin_name(l->items[i].origin), l->items[i].path);
}
