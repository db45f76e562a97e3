/* The key tables and what each key does to the explorer's state, driven
 * without a terminal over documents built here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tui/app.h"
#include "tui/keys.h"
#include "views/command.h"

static const char *const names[] = { "alpha", "beta", "gamma", "delta", "epsilon" };
static const unsigned sizes[] = { 30, 10, 50, 20, 40 };

/* Documents by command line:
 *   list       text line, then a table name/size with row links "item N"
 *   item N     one field linking to "db 0x1000"
 *   db|dd|dq|!db A   a hex-view-like row: address, two linked values
 *   big        5000 text lines
 *   slow       reports progress 10 times, fails when cancelled
 *   pte [-e] VA [DTB]   "va" and its text; -e adds an explanation line
 *   pte -compare        no "va"
 *   layout [R]  a row linking to "pte 0x5000" with a db-linked cell
 *   menu        rows linking to "slow" and "nope"
 *   process     System 4 (DTB 0x102000) and explorer.exe 3208 (0x2c1000)
 *   anything else fails */
static int fake_run(void *ctx, const char *line, const struct progress *progress,
		    struct doc *out, struct kdx_error *err)
{
	(void)ctx;
	doc_init(out, line);
	unsigned n;
	char word[8];
	unsigned long long addr;
	if (strcmp(line, "list") == 0) {
		doc_set_title(out, "List");
		dn_span(dn_text(out->root), ROLE_NORMAL, "five things");
		struct dnode *t = dn_array(out->root, "things");
		for (unsigned i = 0; i < 5; i++) {
			struct dnode *r = dn_object(t, NULL);
			dn_str(r, "name", names[i]);
			dn_uint(r, "size", sizes[i]);
			dn_link(r, "item %u", i + 1);
		}
		return 0;
	}
	if (sscanf(line, "item %u", &n) == 1) {
		dn_link(dn_uint(out->root, "number", n), "db 0x1000");
		return 0;
	}
	if (sscanf(line, "%7s %llx", word, &addr) == 2 && pane_ops_for(word) == &pane_hex_ops) {
		doc_set_title(out, "%s at %llx", word, addr);
		dn_flags(dn_hex(out->root, "address", addr, 0), DN_JSON_ONLY);
		char bytes[257];
		memset(bytes, '0', 256);
		bytes[256] = 0;
		dn_flags(dn_str(out->root, "bytes", bytes), DN_JSON_ONLY);
		struct dnode *t = dn_text(out->root);
		dn_span(t, ROLE_ADDRESS, "%llx", addr);
		dspan_link(dn_span(t, ROLE_LINK, " 2000"), "db 0x2000");
		dspan_link(dn_span(t, ROLE_LINK, " 3000"), "db 0x3000");
		return 0;
	}
	if (strncmp(line, "pte ", 4) == 0) {
		if (strstr(line, "-compare"))
			return 0;
		char a1[32] = "", a2[32] = "", a3[32] = "";
		int n = sscanf(line + 4, "%31s %31s %31s", a1, a2, a3);
		bool explain = strcmp(a1, "-e") == 0;
		const char *va = explain ? a2 : a1, *dtb = explain ? a3 : a2;
		if (n < 1 + explain)
			return kdx_fail(err, "usage: pte [-e] VA [DTB]");
		doc_set_title(out, "PTE of %s", va);
		dn_hex(out->root, "va", strtoull(va, NULL, 16), 0);
		dn_str(out->root, "dtb", *dtb ? dtb : "kernel");
		if (explain)
			dn_span(dn_text(out->root), ROLE_MUTED, "Valid: present");
		dspan_link(dn_span(dn_text(out->root), ROLE_ADDRESS, "table"), "!dq 0x1000");
		return 0;
	}
	if (strncmp(line, "layout", 6) == 0) {
		struct dnode *t = dn_array(out->root, "ranges");
		struct dnode *r = dn_object(t, NULL);
		dn_link(dn_hex(r, "start", 0x5000, 0), "db 0x5000");
		dn_str(r, "region", line);
		dn_link(r, "pte 0x5000");
		return 0;
	}
	if (strcmp(line, "process") == 0) {
		struct dnode *t = dn_array(out->root, "processes");
		static const struct { const char *name; unsigned pid, dtb; } procs[] = {
			{ "System", 4, 0x102000 }, { "explorer.exe", 3208, 0x2c1000 },
		};
		for (size_t i = 0; i < 2; i++) {
			struct dnode *r = dn_object(t, NULL);
			dn_str(r, "name", procs[i].name);
			dn_uint(r, "pid", procs[i].pid);
			dn_hex(r, "dtb", procs[i].dtb, 0);
		}
		return 0;
	}
	if (strcmp(line, "menu") == 0) {
		struct dnode *t = dn_array(out->root, "links");
		dn_link(dn_object(t, NULL), "slow");
		dn_link(dn_object(t, NULL), "nope");
		dn_str(t->kids[0], "name", "slow");
		dn_str(t->kids[1], "name", "nope");
		return 0;
	}
	if (strcmp(line, "slow") == 0) {
		for (unsigned i = 0; i < 10; i++)
			if (!progress_update(progress, i, 10, "slowly"))
				return kdx_fail(err, "slow: cancelled");
		dn_str(out->root, "done", "yes");
		return 0;
	}
	if (strcmp(line, "big") == 0) {
		for (unsigned i = 0; i < 5000; i++)
			dn_span(dn_text(out->root), ROLE_NORMAL, "line %u", i);
		return 0;
	}
	return kdx_fail(err, "%s: it failed at 0x10", line);
}

struct fixture {
	struct app app;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	struct theme t;
	theme_init_plain(&t, "default");
	app_init(&f->app, fake_run, NULL, &t);
	f->app.view_rows = 4;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	app_free(&f->app);
	free(f);
	return 0;
}

static void keys(struct app *a, const char *s)
{
	for (; *s; s++)
		app_key(a, *s == '\n' ? K_ENTER : *s);
}

static const char *cursor_text(const struct app *a)
{
	static char buf[256];
	const struct line *l = pane_cursor_line(app_pane(a));
	char *t = l ? line_text(l) : strdup("");
	snprintf(buf, sizeof buf, "%s", t);
	free(t);
	return buf;
}

/* Every binding documents itself, and no table binds a key twice. */
static void test_tables(void **state)
{
	(void)state;
	size_t n;
	const struct key_table *const *t = key_tables(&n);
	assert_int_equal(n, 9);
	for (size_t i = 0; i < n; i++) {
		assert_non_null(t[i]->title);
		assert_true(t[i]->count > 0);
		for (size_t k = 0; k < t[i]->count; k++) {
			const struct key_binding *b = &t[i]->keys[k];
			assert_non_null(b->name);
			assert_true(strlen(b->help) > 3);
			assert_non_null(b->run);
			assert_ptr_equal(key_lookup(t[i], b->key), b);
			if (b->last)
				assert_ptr_equal(key_lookup(t[i], b->last), b);
		}
	}
	assert_ptr_equal(key_lookup(&keys_global, '5'), key_lookup(&keys_global, '1'));
	assert_null(key_lookup(&keys_global, '0'));
	assert_null(key_lookup(&keys_global, 'Z'));
	char buf[16];
	assert_string_equal(kdx_key_name(K_BTAB, buf, sizeof buf), "Shift-Tab");
	assert_string_equal(kdx_key_name(KEY_CTRL('u'), buf, sizeof buf), "Ctrl-U");
	assert_string_equal(kdx_key_name('/', buf, sizeof buf), "/");
	assert_string_equal(kdx_key_name(K_ENTER, buf, sizeof buf), "Enter");
}

/* The help pane lists every binding's help text. */
static void test_help_from_tables(void **state)
{
	struct app *a = &((struct fixture *)*state)->app;
	assert_true(app_open(a, "list", false));
	keys(a, "?");
	const struct pane *p = app_pane(a);
	assert_string_equal(pane_title(p), "help");
	assert_int_equal(a->npanes, 2);
	size_t n;
	const struct key_table *const *t = key_tables(&n);
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < t[i]->count; k++) {
			bool found = false;
			for (size_t l = 0; l < p->lay.count && !found; l++) {
				char *text = line_text(&p->lay.lines[l]);
				found = strstr(text, t[i]->keys[k].help) && strstr(text, t[i]->keys[k].name);
				free(text);
			}
			if (!found)
				fail_msg("help lacks %s: %s", t[i]->keys[k].name, t[i]->keys[k].help);
		}
	/* And the commands, each row running its command. */
	size_t nc;
	const struct command *const *cmds = command_all(&nc);
	for (size_t i = 0; i < nc; i++) {
		bool found = false;
		for (size_t l = 0; l < p->lay.count && !found; l++) {
			char *text = line_text(&p->lay.lines[l]);
			found = strncmp(text, cmds[i]->usage, strlen(cmds[i]->usage)) == 0 &&
				strstr(text, cmds[i]->summary);
			free(text);
		}
		if (!found)
			fail_msg("help lacks the command %s", cmds[i]->usage);
	}
	size_t rows = 0;
	for (size_t l = 0; l < p->lay.count; l++)
		rows += line_filterable(&p->lay.lines[l]);
	char expect[64];
	snprintf(expect, sizeof expect, "filter /^info /: 1 of %zu lines match", rows);
	keys(a, "/^info \n");
	assert_string_equal(a->message, expect);
	keys(a, "gn");
	assert_string_equal(pane_cursor_line(app_pane(a))->link, "info");
	keys(a, "h");
	assert_string_equal(pane_title(app_pane(a)), "List");
}

static void test_navigation(void **state)
{
	struct app *a = &((struct fixture *)*state)->app;
	assert_true(app_open(a, "list", false));
	struct pane *p = app_pane(a);
	/* Lines: text, blank, section, header, 5 rows. */
	assert_int_equal(p->nvis, 9);
	assert_string_equal(cursor_text(a), "five things");
	keys(a, "jjjj");
	assert_string_equal(cursor_text(a), "alpha      30");
	app_key(a, K_DOWN);
	assert_string_equal(cursor_text(a), "beta       10");
	keys(a, "k");
	app_key(a, K_UP);
	assert_int_equal(p->cursor, 3);
	keys(a, "G");
	assert_int_equal(p->cursor, 8);
	assert_int_equal(p->top, 5);              /* 4 rows on screen */
	keys(a, "g");
	assert_int_equal(p->cursor, 0);
	assert_int_equal(p->top, 0);
	app_key(a, K_PGDN);
	assert_int_equal(p->cursor, 3);
	app_key(a, K_END);
	app_key(a, K_PGUP);
	assert_int_equal(p->cursor, 5);
	app_key(a, K_HOME);
	assert_int_equal(p->cursor, 0);
	keys(a, "k");                              /* clamped at the top */
	assert_int_equal(p->cursor, 0);
	keys(a, "Z");
	assert_string_equal(a->message, "Z: no such key (? lists the keys)");
}

static void test_follow_back_forward(void **state)
{
	struct app *a = &((struct fixture *)*state)->app;
	assert_true(app_open(a, "list", false));
	keys(a, "jjjjj");
	assert_string_equal(cursor_text(a), "beta       10");
	keys(a, "\n");
	assert_int_equal(a->npanes, 2);
	assert_int_equal(a->current, 1);
	assert_string_equal(app_pane(a)->doc.command, "item 2");
	/* item 2 links to the hex view, which opens a third pane. */
	keys(a, "\n");
	assert_int_equal(a->npanes, 3);
	assert_ptr_equal(app_pane(a)->ops, &pane_hex_ops);
	/* History survives pane switches. */
	app_key(a, K_TAB);
	assert_int_equal(a->current, 0);
	app_key(a, K_BACKSPACE);
	assert_int_equal(a->current, 1);
	keys(a, "h");
	assert_int_equal(a->current, 0);
	assert_string_equal(cursor_text(a), "beta       10");
	keys(a, "h");
	assert_string_equal(a->message, "no earlier place (Enter on a link goes somewhere)");
	/* Forward retraces the way back: to item 2, then to where Backspace
	 * was pressed (pane 1, after Tab). */
	keys(a, "l");
	assert_int_equal(a->current, 1);
	keys(a, "l");
	assert_int_equal(a->current, 0);
	keys(a, "l");
	assert_string_equal(a->message, "no later place");
	/* A line without a link says so. */
	keys(a, "1g\n");
	assert_string_equal(a->message, "nothing to follow on this line");
}

static void test_panes(void **state)
{
	struct app *a = &((struct fixture *)*state)->app;
	assert_true(app_open(a, "list", false));
	assert_true(app_open(a, "item 1", false));
	assert_true(app_open(a, "item 3", false));   /* same command: same pane */
	assert_int_equal(a->npanes, 2);
	assert_string_equal(app_pane(a)->doc.command, "item 3");
	keys(a, "1");
	assert_int_equal(a->current, 0);
	keys(a, "2");
	assert_int_equal(a->current, 1);
	keys(a, "9");
	assert_string_equal(a->message, "there is no pane 9 (2 open)");
	app_key(a, K_BTAB);
	assert_int_equal(a->current, 0);
	app_key(a, K_BTAB);
	assert_int_equal(a->current, 1);
	keys(a, "x");
	assert_int_equal(a->npanes, 1);
	assert_int_equal(a->current, 0);
	keys(a, "x");
	assert_string_equal(a->message, "the last pane stays open (q quits)");
	/* Back to a place in a closed pane reopens it. */
	keys(a, "jjjjj\n");
	assert_int_equal(a->npanes, 2);
	keys(a, "1x");
	assert_int_equal(a->npanes, 1);
	assert_string_equal(app_pane(a)->doc.command, "item 2");
	keys(a, "h");
	assert_int_equal(a->npanes, 2);
	assert_string_equal(app_pane(a)->doc.command, "list");
	assert_string_equal(cursor_text(a), "beta       10");
	assert_false(a->quit);
	keys(a, "q");
	assert_true(a->quit);
}

static void test_marks(void **state)
{
	struct app *a = &((struct fixture *)*state)->app;
	assert_true(app_open(a, "list", false));
	keys(a, "jjjjjjma");
	assert_string_equal(a->message, "mark a set");
	keys(a, "G");
	keys(a, "'a");
	assert_string_equal(cursor_text(a), "gamma      50");
	assert_string_equal(a->message, "mark a");
	keys(a, "'b");
	assert_string_equal(a->message, "mark b is not set (mb sets it)");
	assert_true(a->message_is_error);
	keys(a, "m1");
	assert_string_equal(a->message, "marks are letters a-z and A-Z, not 1");
	/* A mark in another pane switches to it; back returns. */
	keys(a, "jj\n");
	assert_int_equal(a->current, 1);
	keys(a, "'a");
	assert_int_equal(a->current, 0);
	assert_string_equal(cursor_text(a), "gamma      50");
	keys(a, "h");
	assert_int_equal(a->current, 1);
}

static void test_filter(void **state)
{
	struct app *a = &((struct fixture *)*state)->app;
	assert_true(app_open(a, "list", false));
	struct pane *p = app_pane(a);
	keys(a, "/ph|ta|mm\n");
	assert_false(a->message_is_error);
	assert_string_equal(a->message, "filter /ph|ta|mm/: 4 of 6 lines match");
	assert_string_equal(p->filter, "ph|ta|mm");
	/* blank, section, header kept; alpha beta gamma delta */
	assert_int_equal(p->nvis, 7);
	keys(a, "gn");
	assert_string_equal(cursor_text(a), "alpha      30");
	keys(a, "n");
	assert_string_equal(cursor_text(a), "beta       10");
	keys(a, "N");
	assert_string_equal(cursor_text(a), "alpha      30");
	keys(a, "N");
	assert_string_equal(cursor_text(a), "delta      20");
	/* An invalid pattern names PCRE2's complaint and offset, and the
	 * filter before it stays. */
	keys(a, "/");
	assert_int_equal(a->mode, MODE_PROMPT);
	assert_string_equal(a->edit.text, "ph|ta|mm");
	app_key(a, KEY_CTRL('u'));
	keys(a, "ab(c\n");
	assert_true(a->message_is_error);
	assert_string_equal(a->message, "filter /ab(c/: missing closing parenthesis at offset 4");
	assert_string_equal(p->filter, "ph|ta|mm");
	app_key(a, K_ESC);
	assert_null(p->filter);
	assert_int_equal(p->nvis, 9);
	keys(a, "n");
	assert_string_equal(a->message, "no filter: / sets one");
	/* Catastrophic backtracking hits the match limit instead of hanging. */
	keys(a, "/(a|a)*(b|b)*(c|c)*(d|d)*(e|e)*(f|f)*x$|ta\n");
	assert_false(a->message_is_error);
	assert_non_null(strstr(a->message, "lines match"));
}

static bool cancel_at_once(void *ctx, uint64_t done, uint64_t total, const char *what)
{
	(void)done;
	(void)what;
	*(uint64_t *)ctx = total;
	return false;
}

static void test_filter_cancelled(void **state)
{
	struct app *a = &((struct fixture *)*state)->app;
	uint64_t seen = 0;
	struct progress pr = { .update = cancel_at_once, .ctx = &seen };
	a->progress = &pr;
	assert_true(app_open(a, "big", false));
	keys(a, "/9$\n");
	assert_int_equal(seen, 5000);
	assert_true(a->message_is_error);
	assert_string_equal(a->message, "filter /9$/ cancelled");
	assert_null(app_pane(a)->filter);
	assert_int_equal(app_pane(a)->nvis, 5000);
	/* Commands get the same reporter; cancelled, they fail and the pane
	 * keeps what it showed. */
	keys(a, ":slow\n");
	assert_true(a->message_is_error);
	assert_string_equal(a->message, "slow: cancelled");
	assert_int_equal(seen, 10);
	assert_string_equal(app_pane(a)->doc.command, "big");
	a->progress = NULL;
	keys(a, ":slow\n");
	assert_string_equal(app_pane(a)->doc.command, "slow");
}

/* s: a picker of the table's columns by label, from anywhere in the pane;
 * numbers largest first, text A to Z; S reverses; the header marks it. */
static void test_sort(void **state)
{
	struct app *a = &((struct fixture *)*state)->app;
	assert_true(app_open(a, "list", false));
	assert_string_equal(cursor_text(a), "five things");
	keys(a, "s");
	assert_int_equal(a->mode, MODE_SORT);
	assert_int_equal(a->nsort_columns, 2);
	assert_string_equal(a->sort_columns[0].label, "name");
	assert_string_equal(a->sort_columns[1].label, "size");
	keys(a, "\n");
	assert_int_equal(a->mode, MODE_NORMAL);
	assert_string_equal(a->message, "sorted by name, A to Z (S reverses)");
	keys(a, "G");
	assert_string_equal(cursor_text(a), "gamma      50");
	keys(a, "sj\n");
	assert_string_equal(a->message, "sorted by size, largest first (S reverses)");
	assert_string_equal(cursor_text(a), "beta         10");
	const struct line *h = &app_pane(a)->lay.lines[pane_cursor_layout_index(app_pane(a)) - 5];
	char *header = line_text(h);
	assert_string_equal(header, "name     size v");
	free(header);
	char status[256];
	app_status(a, 1000, status, sizeof status);
	assert_non_null(strstr(status, "sort size desc"));
	keys(a, "S");
	assert_string_equal(a->message, "sorted by size, smallest first (S reverses)");
	app_status(a, 1000, status, sizeof status);
	assert_non_null(strstr(status, "sort size asc"));
	/* The picker opens on the sorted column; Esc leaves the order. */
	keys(a, "s");
	assert_int_equal(a->sort_cursor, 1);
	app_key(a, K_ESC);
	assert_int_equal(a->mode, MODE_NORMAL);
	assert_string_equal(cursor_text(a), "gamma        50");
	/* Sorting keeps a filter. */
	keys(a, "/^[bg]\n");
	keys(a, "gS");
	assert_string_equal(app_pane(a)->filter, "^[bg]");
	assert_int_equal(app_pane(a)->nvis, 5);
}

static void test_prompt(void **state)
{
	struct app *a = &((struct fixture *)*state)->app;
	assert_true(app_open(a, "list", false));
	keys(a, ":item 4\n");
	assert_int_equal(a->mode, MODE_NORMAL);
	assert_string_equal(app_pane(a)->doc.command, "item 4");
	keys(a, ":nope\n");
	assert_true(a->message_is_error);
	assert_string_equal(a->message, "nope: it failed at 0x10");
	assert_string_equal(app_pane(a)->doc.command, "item 4");
	/* History, newest first. */
	keys(a, ":");
	app_key(a, K_UP);
	assert_string_equal(a->edit.text, "nope");
	app_key(a, K_UP);
	assert_string_equal(a->edit.text, "item 4");
	app_key(a, K_UP);
	assert_string_equal(a->edit.text, "item 4");
	app_key(a, K_DOWN);
	app_key(a, K_DOWN);
	assert_string_equal(a->edit.text, "");
	/* Editing. */
	keys(a, "itm 5");
	app_key(a, K_HOME);
	app_key(a, K_RIGHT);
	app_key(a, K_RIGHT);
	keys(a, "e");
	assert_string_equal(a->edit.text, "item 5");
	app_key(a, KEY_CTRL('e'));
	app_key(a, K_BACKSPACE);
	keys(a, "6");
	app_key(a, KEY_CTRL('a'));
	app_key(a, K_DELETE);
	assert_string_equal(a->edit.text, "tem 6");
	app_key(a, K_ESC);
	assert_int_equal(a->mode, MODE_NORMAL);
	/* Tab completes command names. */
	keys(a, ":he");
	app_key(a, K_TAB);
	assert_string_equal(a->edit.text, "help ");
	app_key(a, KEY_CTRL('u'));
	keys(a, "d");
	app_key(a, K_TAB);
	assert_string_equal(a->edit.text, "d");
	assert_string_equal(a->message, "db dd dq dt");
	app_key(a, KEY_CTRL('u'));
	keys(a, "zz");
	app_key(a, K_TAB);
	assert_string_equal(a->message, "no command starts with 'zz' (? lists them)");
	/* Backspace on an empty line closes the prompt. */
	app_key(a, KEY_CTRL('u'));
	app_key(a, K_BACKSPACE);
	assert_int_equal(a->mode, MODE_NORMAL);
}

static void test_hex_view(void **state)
{
	struct app *a = &((struct fixture *)*state)->app;
	assert_true(app_open(a, "db 0x1000", false));
	struct pane *p = app_pane(a);
	assert_ptr_equal(p->ops, &pane_hex_ops);
	keys(a, "G\n");
	assert_string_equal(p->doc.command, "db 0x2000");
	app_key(a, K_RIGHT);
	app_key(a, K_RIGHT);                       /* only two values */
	assert_int_equal(p->link_index, 1);
	keys(a, "\n");
	assert_string_equal(p->doc.command, "db 0x3000");
	assert_int_equal(a->npanes, 1);
	/* The unit the reader picked stays when following. */
	keys(a, "u");
	assert_string_equal(p->doc.command, "dd 0x3000");
	keys(a, "u");
	assert_string_equal(p->doc.command, "dq 0x3000");
	keys(a, "\n");
	assert_string_equal(p->doc.command, "dq 0x2000");
	keys(a, "u");
	assert_string_equal(p->doc.command, "db 0x2000");
	/* Blocks of the same size (128 bytes here). */
	keys(a, "]");
	assert_string_equal(p->doc.command, "db 0x2080");
	keys(a, "[[");
	assert_string_equal(p->doc.command, "db 0x1f80");
	/* Go to address. */
	keys(a, "a4000\n");
	assert_string_equal(p->doc.command, "db 4000");
	keys(a, "h");
	assert_string_equal(p->doc.command, "db 0x1f80");
	assert_true(app_open(a, "!db 0x5000", false));
	keys(a, "u");
	assert_string_equal(p->doc.command, "!dd 0x5000");
	/* Physical views do not turn virtual links into physical reads. */
	keys(a, "G\n");
	assert_string_equal(p->doc.command, "db 0x2000");
}

static bool pane_has_text(const struct pane *p, const char *text)
{
	for (size_t l = 0; l < p->lay.count; l++) {
		char *t = line_text(&p->lay.lines[l]);
		bool found = strstr(t, text) != NULL;
		free(t);
		if (found)
			return true;
	}
	return false;
}

static void test_pte_pane(void **state)
{
	struct app *a = &((struct fixture *)*state)->app;
	assert_true(app_open(a, "pte 0x7000", false));
	struct pane *p = app_pane(a);
	assert_ptr_equal(p->ops, &pane_pte_ops);
	keys(a, "e");
	assert_string_equal(p->doc.command, "pte -e 0x7000");
	assert_string_equal(a->message, "explanations on");
	assert_true(pane_has_text(p, "Valid: present"));
	keys(a, "]");
	assert_string_equal(p->doc.command, "pte -e 0x8000");
	keys(a, "e[[");
	assert_string_equal(p->doc.command, "pte 0x6000");
	assert_false(pane_has_text(p, "Valid: present"));
	assert_int_equal(a->npanes, 1);
	/* d: a typed DTB, then back to the kernel's; both are places. */
	keys(a, "d");
	assert_int_equal(a->mode, MODE_PROMPT);
	assert_string_equal(app_prompt_label(a), "DTB: ");
	keys(a, "0x3000\n");
	assert_string_equal(p->doc.command, "pte 0x6000 0x3000");
	assert_string_equal(a->message, "DTB 0x3000 (d: back to the kernel's)");
	keys(a, "e]");
	assert_string_equal(p->doc.command, "pte -e 0x7000 0x3000");
	keys(a, "d");
	assert_string_equal(p->doc.command, "pte -e 0x7000");
	assert_string_equal(a->message, "the kernel's DTB");
	keys(a, "h");
	assert_string_equal(p->doc.command, "pte -e 0x7000 0x3000");
	/* A process by name or PID from the process list. */
	keys(a, "dd");
	assert_string_equal(a->message, "name or PID: System 0x4, explorer.exe 0xc88");
	keys(a, "EXPLORER.EXE\n");
	assert_string_equal(p->doc.command, "pte -e 0x7000 0x2c1000");
	assert_string_equal(a->message, "DTB 0x2c1000 of explorer.exe PID 0xc88 (d: back to the kernel's)");
	/* On a narrow screen the list stops where the line would, and counts
	 * the rest. */
	a->view_cols = 40;
	keys(a, "dd");
	assert_string_equal(a->message, "name or PID: System 0x4, and 1 more");
	keys(a, "4\n");
	a->view_cols = 0;
	assert_string_equal(p->doc.command, "pte -e 0x7000 0x102000");
	/* A PID as the process list shows it: hex by default, 0n for decimal. */
	keys(a, "ddc88\n");
	assert_string_equal(p->doc.command, "pte -e 0x7000 0x2c1000");
	keys(a, "dd0n3208\n");
	assert_string_equal(p->doc.command, "pte -e 0x7000 0x2c1000");
	/* The lowest page has no page before it. */
	assert_true(app_open(a, "pte 0x10", false));
	keys(a, "[");
	assert_string_equal(a->message, "already in the lowest page");
	assert_string_equal(p->doc.command, "pte 0x10");
	assert_true(app_open(a, "pte 0xfffffffffffff010", false));
	keys(a, "]");
	assert_string_equal(a->message, "already in the highest page");
	/* Enter on a table address opens it in the hex view. */
	keys(a, "G\n");
	assert_ptr_equal(app_pane(a)->ops, &pane_hex_ops);
	assert_string_equal(app_pane(a)->doc.command, "!dq 0x1000");
	/* The mode comparison has no address to step. */
	assert_true(app_open(a, "pte -compare", false));
	keys(a, "]");
	assert_string_equal(a->message, "this pane compares modes; pte VA shows one address");
	/* Elsewhere the keys are not the PTE pane's. */
	assert_true(app_open(a, "list", false));
	keys(a, "e");
	assert_string_equal(a->message, "e: no such key (? lists the keys)");
}

static void test_layout_pane(void **state)
{
	struct app *a = &((struct fixture *)*state)->app;
	assert_true(app_open(a, "layout pool", false));
	assert_ptr_equal(app_pane(a)->ops, &pane_layout_ops);
	keys(a, "Gb");
	assert_string_equal(app_pane(a)->doc.command, "db 0x5000");
	keys(a, "h\n");
	assert_string_equal(app_pane(a)->doc.command, "pte 0x5000");
	keys(a, "hgb");
	assert_string_equal(a->message, "no memory to show on this line (Enter on a region walks it)");
}

static void test_split(void **state)
{
	struct app *a = &((struct fixture *)*state)->app;
	assert_true(app_open(a, "list", false));
	keys(a, "v");
	assert_true(a->split);
	assert_non_null(a->detail);
	assert_string_equal(pane_title(a->detail), "no link on this line");
	char status[256];
	app_status(a, 1000, status, sizeof status);
	assert_non_null(strstr(status, "  split"));
	keys(a, "jjjj");
	assert_string_equal(a->detail->doc.command, "item 1");
	keys(a, "j");
	assert_string_equal(a->detail->doc.command, "item 2");
	assert_int_equal(a->npanes, 1);
	/* A link that fails shows its error below, and the list stays. */
	assert_true(app_open(a, "db 0x1000", false));
	keys(a, "g");
	assert_string_equal(a->detail->doc.command, "db 0x2000");
	assert_ptr_equal(a->detail->ops, &pane_hex_ops);
	/* The detail follows what the pane's Enter would: the picked value. */
	app_key(a, K_RIGHT);
	assert_string_equal(a->detail->doc.command, "db 0x3000");
	keys(a, "1");
	assert_string_equal(a->detail->doc.command, "item 2");
	keys(a, "v");
	assert_false(a->split);
	assert_null(a->detail);
}

/* A link whose command fails or is cancelled shows why below the list;
 * the list stays. */
static void test_split_failed_link(void **state)
{
	struct app *a = &((struct fixture *)*state)->app;
	assert_true(app_open(a, "menu", false));
	uint64_t seen = 0;
	struct progress pr = { .update = cancel_at_once, .ctx = &seen };
	a->progress = &pr;
	keys(a, "vG");
	assert_string_equal(a->detail->doc.command, "nope");
	assert_true(pane_has_text(a->detail, "nope: it failed at 0x10"));
	keys(a, "k");
	assert_string_equal(a->detail->doc.command, "slow");
	assert_true(pane_has_text(a->detail, "slow: cancelled"));
	assert_string_equal(app_pane(a)->doc.command, "menu");
	a->progress = NULL;
	keys(a, "jk");
	assert_non_null(dn_get(a->detail->doc.root, "done"));
}

static void test_themes(void **state)
{
	struct app *a = &((struct fixture *)*state)->app;
	setenv("XDG_CONFIG_HOME", "/nonexistent-kdx-test", 1);
	theme_list_find(&a->themes);
	assert_true(a->themes.count >= 6);
	assert_true(app_open(a, "list", false));
	keys(a, "t");
	assert_true(a->theme_changed);
	assert_string_equal(a->theme.name, "high-contrast");
	assert_string_equal(a->message, "theme high-contrast");
	keys(a, "T");
	assert_int_equal(a->mode, MODE_PICKER);
	keys(a, "j");
	assert_string_equal(a->theme.name, "light");
	keys(a, "q");
	assert_int_equal(a->mode, MODE_NORMAL);
	assert_string_equal(a->theme.name, "high-contrast");
	keys(a, "Tjj\n");
	assert_string_equal(a->theme.name, "mono");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables),
		cmocka_unit_test_setup_teardown(test_help_from_tables, setup, teardown),
		cmocka_unit_test_setup_teardown(test_navigation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_follow_back_forward, setup, teardown),
		cmocka_unit_test_setup_teardown(test_panes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_marks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filter_cancelled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sort, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prompt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hex_view, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pte_pane, setup, teardown),
		cmocka_unit_test_setup_teardown(test_layout_pane, setup, teardown),
		cmocka_unit_test_setup_teardown(test_split, setup, teardown),
		cmocka_unit_test_setup_teardown(test_split_failed_link, setup, teardown),
		cmocka_unit_test_setup_teardown(test_themes, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
