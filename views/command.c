#include "views/command.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "views/commands.h"
#include "views/doc/xalloc.h"

const struct command *command_find(const char *name)
{
	size_t n;
	const struct command *const *all = command_all(&n);
	for (size_t i = 0; i < n; i++)
		if (strcmp(all[i]->name, name) == 0)
			return all[i];
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < sizeof all[i]->aliases / sizeof all[i]->aliases[0] &&
		     all[i]->aliases[k]; k++)
			if (strcmp(all[i]->aliases[k], name) == 0)
				return all[i];
	if (name[0] == '!')
		for (size_t i = 0; i < n; i++)
			if (strcmp(all[i]->name, name + 1) == 0)
				return all[i];
	return NULL;
}

#define MAX_WORDS 32

/* Splits line in place into words at blanks. A word may be "quoted" to hold
 * blanks (a dump path, a pattern); inside quotes \" and \\ stand for " and \. */
static int split_words(const char *line, char *buf, char **argv, int *argc,
		       struct kdx_error *err)
{
	const char *p = line;
	char *o = buf;
	*argc = 0;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (!*p)
			break;
		if (*argc == MAX_WORDS)
			return kdx_fail(err, "%s: too many words (at most %d)", line, MAX_WORDS);
		argv[(*argc)++] = o;
		while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n') {
			if (*p != '"') {
				*o++ = *p++;
				continue;
			}
			const char *open = p++;
			while (*p && *p != '"') {
				if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
					p++;
				*o++ = *p++;
			}
			if (!*p)
				return kdx_fail(err, "%s: offset %td: unterminated quote", line,
						open - line);
			p++;
		}
		*o++ = 0;
	}
	argv[*argc] = NULL;
	return 0;
}

char *command_quote(const char *word)
{
	if (*word && !strpbrk(word, " \t\r\n\"\\"))
		return xstrdup(word);
	char *q = xrealloc(NULL, 2 * strlen(word) + 3), *o = q;
	*o++ = '"';
	for (const char *p = word; *p; p++) {
		if (*p == '"' || *p == '\\')
			*o++ = '\\';
		*o++ = *p;
	}
	*o++ = '"';
	*o = 0;
	return q;
}

/* An error names the command that failed first ("stacks: processes: ..."),
 * as typed or as kdx names it, however deep the reader that wrote it. */
static void name_command(struct kdx_error *err, const char *name, const char *typed)
{
	if (!err)
		return;
	size_t n = strlen(name), t = strlen(typed);
	if ((strncmp(err->msg, name, n) == 0 && err->msg[n] == ':') ||
	    (strncmp(err->msg, typed, t) == 0 && err->msg[t] == ':'))
		return;
	/* "TYPED: " then as much of the message as still fits */
	size_t k = t + 2, m = strnlen(err->msg, sizeof err->msg - 1);
	if (k >= sizeof err->msg)
		return;
	if (m > sizeof err->msg - 1 - k)
		m = sizeof err->msg - 1 - k;
	memmove(err->msg + k, err->msg, m);
	memcpy(err->msg, typed, t);
	memcpy(err->msg + t, ": ", 2);
	err->msg[k + m] = 0;
}

int command_run(struct dump *d, const char *line, struct doc *out, struct kdx_error *err)
{
	doc_init(out, line);
	char *copy = malloc(strlen(line) + 1);
	if (!copy)
		return kdx_fail(err, "out of memory");
	char *argv[MAX_WORDS + 1];
	int argc = 0;
	if (split_words(line, copy, argv, &argc, err) < 0) {
		free(copy);
		return -1;
	}
	if (argc == 0) {
		free(copy);
		return kdx_fail(err, "empty command");
	}
	const struct command *c = command_find(argv[0]);
	int r;
	if (!c)
		r = kdx_fail(err, "%s: unknown command (try 'help')", argv[0]);
	else if ((!d || !d->src) && !c->without_dump)
		r = kdx_fail(err, "%s: needs a dump (without one, kdx --build runs only dt and help)",
			     argv[0]);
	else if (d && d->src && !d->src->facts.holds_memory && !c->without_memory)
		r = kdx_fail(err, "%s: the dump is a %s (info shows them)", argv[0],
			     d->src->description);
	else {
		if (c->windbg)
			doc_set_windbg(out, "%s", c->windbg);
		r = c->run(d, argc, argv, out, err);
		if (r < 0)
			name_command(err, c->name, argv[0]);
	}
	free(copy);
	return r;
}

bool parse_number(const char *s, uint64_t *v)
{
	int base = 16;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	else if (s[0] == '0' && (s[1] == 'n' || s[1] == 'N')) {
		s += 2;
		base = 10;
	}
	if (!*s)
		return false;
	uint64_t r = 0;
	for (; *s; s++) {
		if (*s == '`')
			continue;
		int dgt;
		if (isdigit((unsigned char)*s))
			dgt = *s - '0';
		else if (base == 16 && isxdigit((unsigned char)*s))
			dgt = tolower((unsigned char)*s) - 'a' + 10;
		else
			return false;
		if (r > (UINT64_MAX - (uint64_t)dgt) / (uint64_t)base)
			return false;
		r = r * (uint64_t)base + (uint64_t)dgt;
	}
	*v = r;
	return true;
}

bool parse_length(int argc, char **argv, int *i, uint64_t *count)
{
	const char *a = argv[*i];
	if (a[0] != 'L' && a[0] != 'l')
		return false;
	if (a[1]) {
		if (!parse_number(a + 1, count))
			return false;
		(*i)++;
		return true;
	}
	if (*i + 1 >= argc || !parse_number(argv[*i + 1], count))
		return false;
	*i += 2;
	return true;
}

bool is_number_word(const char *s)
{
	if (s[0] == '0' && s[1] && strchr("xXnN", s[1]))
		s += 2;
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s) && *s != '`')
			return false;
	return true;
}

int arg_extra(struct kdx_error *err, const struct command *c, const char *word)
{
	return kdx_fail(err, "%s: %s: takes no more arguments (usage: %s)", c->name, word,
			c->usage);
}

int arg_fail(struct kdx_error *err, const struct command *c, const char *word,
	     const char *expected)
{
	if (!word)
		return kdx_fail(err, "%s: expected %s (usage: %s)", c->name, expected, c->usage);
	return kdx_fail(err, "%s: %s: expected %s (usage: %s)", c->name, word, expected, c->usage);
}

int number_arg(struct kdx_error *err, const struct command *c, int argc, char **argv,
	       const char *what, uint64_t *v)
{
	if (argc > 2)
		return arg_extra(err, c, argv[2]);
	if (argc < 2)
		return arg_fail(err, c, NULL, what);
	char expected[96];
	snprintf(expected, sizeof expected, "%s (a number)", what);
	return parse_number(argv[1], v) ? 0 : arg_fail(err, c, argv[1], expected);
}

int take_row_limit(const struct dump *d, const struct command *c, int argc, char **argv,
		   uint64_t *limit, struct kdx_error *err)
{
	*limit = d->progress ? SCREEN_ROWS : 0;
	int n = 1;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-limit") != 0) {
			argv[n++] = argv[i];
			continue;
		}
		if (i + 1 >= argc || !parse_number(argv[i + 1], limit) || *limit > SIZE_MAX)
			return arg_fail(err, c, i + 1 < argc ? argv[i + 1] : NULL,
					"after -limit a number of rows (0: all)");
		i++;
	}
	return n;
}

void add_listed(struct dnode *parent, size_t listed, uint64_t more)
{
	if (more)
		dn_role(dn_strf(parent, "listed", "the first %zu; -limit 0 lists %llu more", listed,
				(unsigned long long)more), ROLE_WARNING);
}

int parse_windbg_flags(const char *cmd, const char *text, const struct windbg_flag *known,
		       size_t n, uint64_t *flags, struct kdx_error *err)
{
	if (!parse_number(text, flags))
		return kdx_fail(err, "%s: %s: expected WinDbg flags (a number)", cmd, text);
	uint64_t unknown = *flags;
	for (size_t i = 0; i < n; i++) {
		if (!(*flags & known[i].bit))
			continue;
		unknown &= ~known[i].bit;
		if (known[i].use == FLAG_REFUSED)
			return kdx_fail(err, "%s: %s: flag 0x%llx (%s) is not implemented: %s", cmd,
					text, (unsigned long long)known[i].bit, known[i].asks,
					known[i].kdx);
	}
	if (unknown)
		return kdx_fail(err, "%s: %s: flag 0x%llx has no meaning kdx knows", cmd, text,
				(unsigned long long)(unknown & -unknown));
	return 0;
}

void add_windbg_flags(struct dnode *parent, uint64_t flags, const struct windbg_flag *known,
		      size_t n)
{
	struct dnode *a = dn_label(dn_array(parent, "flags"), "WinDbg flags");
	if (!flags)
		dn_flags(a, DN_JSON_ONLY);
	for (size_t i = 0; i < n; i++) {
		if (!(flags & known[i].bit))
			continue;
		bool done = known[i].use == FLAG_DONE;
		struct dnode *s = dn_strf(a, NULL, "0x%llx %s: %s", (unsigned long long)known[i].bit,
					  known[i].asks, done ? "done" : known[i].kdx);
		if (!done)
			dn_role(s, ROLE_WARNING);
		if (known[i].link)
			dn_link(s, "%s", known[i].link);
	}
}

void format_address(const struct dump *d, uint64_t va, char *buf, size_t size)
{
	if (d->machine == MACHINE_X86 && va <= 0xffffffffull)
		snprintf(buf, size, "%08llx", (unsigned long long)va);
	else
		snprintf(buf, size, "%08llx`%08llx", (unsigned long long)(va >> 32),
			 (unsigned long long)(va & 0xffffffffull));
}
