#include "tui/app.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/prompt.h"
#include "views/doc/xalloc.h"

void app_message(struct app *a, bool error, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(a->message, sizeof a->message, fmt, ap);
	va_end(ap);
	a->message_is_error = error;
}

struct pane *app_pane(const struct app *a)
{
	return a->npanes ? a->panes[a->current] : NULL;
}

void app_init(struct app *a, app_runner run, void *run_ctx, const struct theme *theme)
{
	memset(a, 0, sizeof *a);
	a->run = run;
	a->run_ctx = run_ctx;
	a->next_pane_id = 1;
	a->view_rows = 20;
	a->view_cols = 80;
	a->theme = *theme;
}

static void location_clear(struct location *l)
{
	free(l->command);
	memset(l, 0, sizeof *l);
}

static void stack_clear(struct location_stack *s)
{
	for (size_t i = 0; i < s->count; i++)
		location_clear(&s->items[i]);
	s->count = 0;
}

/* Full stacks forget their oldest place. */
static void stack_push(struct location_stack *s, struct location l)
{
	if (s->count == APP_MAX_HISTORY) {
		location_clear(&s->items[0]);
		memmove(s->items, s->items + 1, (APP_MAX_HISTORY - 1) * sizeof s->items[0]);
		s->count--;
	}
	s->items[s->count++] = l;
}

void app_free(struct app *a)
{
	for (size_t i = 0; i < a->npanes; i++)
		pane_free(a->panes[i]);
	pane_free(a->detail);
	stack_clear(&a->back);
	stack_clear(&a->forward);
	for (size_t i = 0; i < APP_MARKS; i++)
		location_clear(&a->marks[i]);
	for (size_t i = 0; i < a->nhistory; i++)
		free(a->command_history[i]);
	theme_list_free(&a->themes);
	table_columns_free(a->sort_columns, a->nsort_columns);
	memset(a, 0, sizeof *a);
}

static struct location here(const struct app *a)
{
	const struct pane *p = app_pane(a);
	if (!p)
		return (struct location){ 0 };
	return (struct location){ p->id, xstrdup(p->doc.command), pane_cursor_layout_index(p) };
}

static void remember_here(struct app *a)
{
	if (!app_pane(a))
		return;
	stack_push(&a->back, here(a));
	stack_clear(&a->forward);
}

static bool same_family(const struct pane *p, const struct pane_ops *ops, const char *line)
{
	if (p->ops != ops)
		return false;
	if (ops == &pane_hex_ops || ops == &pane_help_ops)
		return true;
	size_t n = command_name_len(line);
	return command_name_len(p->doc.command) == n && strncmp(p->doc.command, line, n) == 0;
}

/* Closes pane i; the current pane stays current. */
static void close_pane(struct app *a, size_t i)
{
	pane_free(a->panes[i]);
	memmove(&a->panes[i], &a->panes[i + 1], (a->npanes - i - 1) * sizeof a->panes[0]);
	a->npanes--;
	if (a->current > i || a->current == a->npanes)
		a->current--;
}

/* The pane that shows line: the one of its family, else a new one. With
 * every slot taken (1..9 reach them), the oldest pane other than the
 * current one closes for it, as a browser's oldest tab might, and
 * *evicted names it (else it is left empty): the place the reader is in
 * is never replaced. */
static struct pane *target_pane(struct app *a, const struct pane_ops *ops, const char *line,
				size_t *index, char *evicted, size_t size)
{
	evicted[0] = 0;
	for (size_t i = 0; i < a->npanes; i++)
		if (same_family(a->panes[i], ops, line)) {
			*index = i;
			return a->panes[i];
		}
	if (a->npanes == APP_MAX_PANES) {
		size_t oldest = a->current == 0 ? 1 : 0;
		for (size_t i = 0; i < a->npanes; i++)
			if (i != a->current && a->panes[i]->id < a->panes[oldest]->id)
				oldest = i;
		snprintf(evicted, size, "%s", a->panes[oldest]->doc.title ?
			 a->panes[oldest]->doc.title : a->panes[oldest]->doc.command);
		close_pane(a, oldest);
	}
	*index = a->npanes;
	a->panes[a->npanes] = pane_new(a->next_pane_id++, ops);
	return a->panes[a->npanes++];
}

/* Builds line's document; the help pane's is built here, others by run. */
static bool build(struct app *a, const char *line, struct doc *doc)
{
	if (strcmp(line, HELP_COMMAND) == 0) {
		app_help_doc(doc);
		return true;
	}
	struct kdx_error err = { .msg = "" };
	if (a->run(a->run_ctx, line, a->progress, doc, &err) < 0) {
		app_message(a, true, "%s", err.msg[0] ? err.msg : "command failed");
		doc_free(doc);
		return false;
	}
	return true;
}

static const struct pane_ops *ops_for(const char *line)
{
	return strcmp(line, HELP_COMMAND) == 0 ? &pane_help_ops : pane_ops_for(line);
}

/* The row a link names (LINK_ROW_MARK), taken off the command; SIZE_MAX
 * when it names none. */
static size_t link_row(char *line)
{
	char *mark = strstr(line, LINK_ROW_MARK);
	if (!mark)
		return SIZE_MAX;
	char *end;
	unsigned long long row = strtoull(mark + strlen(LINK_ROW_MARK), &end, 10);
	if (end == mark + strlen(LINK_ROW_MARK) || *end)
		return SIZE_MAX;
	*mark = 0;
	return (size_t)row;
}

/* The cursor on row of the pane's first table. */
static void open_table_row(struct pane *p, size_t row)
{
	const struct dnode *table = pane_sort_table(p);
	for (size_t i = 0; table && i < p->lay.count; i++)
		if (p->lay.lines[i].table == table && p->lay.lines[i].kind == LINE_TABLE_ROW &&
		    p->lay.lines[i].row == row) {
			pane_set_cursor_layout(p, i);
			return;
		}
}

bool app_open(struct app *a, const char *link, bool remember)
{
	struct doc doc;
	char *line = xstrdup(link);
	size_t row = link_row(line);
	if (!build(a, line, &doc)) {
		free(line);
		return false;
	}
	if (remember)
		remember_here(a);
	size_t index;
	char evicted[128];
	struct pane *p = target_pane(a, ops_for(line), line, &index, evicted, sizeof evicted);
	free(line);
	pane_set_doc(p, &doc);
	a->current = index;
	a->message[0] = 0;
	if (evicted[0])
		app_message(a, false, "%d panes are the most (1-9 reach them): closed the oldest, %s",
			    APP_MAX_PANES, evicted);
	if (row != SIZE_MAX)
		(p->ops->open_row ? p->ops->open_row : open_table_row)(p, row);
	return true;
}

bool app_refine(struct app *a)
{
	struct pane *p = app_pane(a);
	if (!p || !p->doc.refine)
		return false;
	char *line = p->doc.refine;
	p->doc.refine = NULL;
	struct doc doc;
	bool built = build(a, line, &doc);
	free(line);
	if (!built)
		return false;
	size_t at = pane_cursor_layout_index(p), top = p->top;
	pane_set_doc(p, &doc);
	pane_set_cursor_layout(p, at);
	p->top = top < p->nvis ? top : 0;
	return true;
}

static struct pane *pane_by_id(struct app *a, int id, size_t *index)
{
	for (size_t i = 0; i < a->npanes; i++)
		if (a->panes[i]->id == id) {
			*index = i;
			return a->panes[i];
		}
	return NULL;
}

/* Shows a remembered place: its pane, its document (rebuilt when the pane
 * has moved on) and its line. */
static bool go_to(struct app *a, const struct location *l)
{
	size_t index;
	struct pane *p = pane_by_id(a, l->pane_id, &index);
	if (!p || strcmp(p->doc.command, l->command) != 0) {
		struct doc doc;
		if (!build(a, l->command, &doc))
			return false;
		/* A closed pane's place reopens in its family's pane. */
		char evicted[128] = "";
		if (!p)
			p = target_pane(a, ops_for(l->command), l->command, &index, evicted,
					sizeof evicted);
		if (evicted[0])
			app_message(a, false, "%d panes are the most (1-9 reach them): closed the "
				    "oldest, %s", APP_MAX_PANES, evicted);
		pane_set_doc(p, &doc);
	}
	a->current = index;
	pane_set_cursor_layout(p, l->line);
	pane_scroll_into_view(p, a->view_rows);
	return true;
}

/* Back and forward: move one place from one stack to the other. */
static void travel(struct app *a, struct location_stack *from, struct location_stack *to,
		   const char *none)
{
	if (from->count == 0) {
		app_message(a, false, "%s", none);
		return;
	}
	struct location l = from->items[--from->count];
	struct location now = here(a);
	if (go_to(a, &l)) {
		stack_push(to, now);
		location_clear(&l);
	} else {
		location_clear(&now);
		from->items[from->count++] = l;
	}
}

static void follow(struct app *a)
{
	struct pane *p = app_pane(a);
	char *target = p && p->ops->follow ? p->ops->follow(p) : NULL;
	if (!target) {
		app_message(a, false, "nothing to follow on this line");
		return;
	}
	app_open(a, target, true);
	free(target);
}

/* ---- key handlers ---- */

static void act_down(struct app *a, int key) { (void)key; pane_move(app_pane(a), 1, a->view_rows); }
static void act_up(struct app *a, int key) { (void)key; pane_move(app_pane(a), -1, a->view_rows); }

static void act_page_down(struct app *a, int key)
{
	(void)key;
	pane_move(app_pane(a), (long)(a->view_rows > 1 ? a->view_rows - 1 : 1), a->view_rows);
}

static void act_page_up(struct app *a, int key)
{
	(void)key;
	pane_move(app_pane(a), -(long)(a->view_rows > 1 ? a->view_rows - 1 : 1), a->view_rows);
}

static void act_top(struct app *a, int key)
{
	(void)key;
	struct pane *p = app_pane(a);
	pane_move(p, -(long)p->nvis, a->view_rows);
}

static void act_bottom(struct app *a, int key)
{
	(void)key;
	struct pane *p = app_pane(a);
	pane_move(p, (long)p->nvis, a->view_rows);
}

/* Sideways scrolling moves by this many columns. */
#define HSCROLL_STEP 8

static void act_scroll_left(struct app *a, int key)
{
	(void)key;
	struct pane *p = app_pane(a);
	p->hscroll = p->hscroll > HSCROLL_STEP ? p->hscroll - HSCROLL_STEP : 0;
}

/* Right stops where the widest line's end is on screen. */
static void act_scroll_right(struct app *a, int key)
{
	(void)key;
	struct pane *p = app_pane(a);
	size_t widest = pane_widest(p);
	size_t most = widest > a->view_cols ? widest - a->view_cols : 0;
	if (p->hscroll >= most) {
		app_message(a, false, "the widest line (%zu columns) ends on screen", widest);
		return;
	}
	p->hscroll = p->hscroll + HSCROLL_STEP < most ? p->hscroll + HSCROLL_STEP : most;
}

static void act_wheel_down(struct app *a, int key) { (void)key; pane_move(app_pane(a), 3, a->view_rows); }
static void act_wheel_up(struct app *a, int key) { (void)key; pane_move(app_pane(a), -3, a->view_rows); }

static void act_next_pane(struct app *a, int key)
{
	(void)key;
	a->current = (a->current + 1) % a->npanes;
}

static void act_prev_pane(struct app *a, int key)
{
	(void)key;
	a->current = (a->current + a->npanes - 1) % a->npanes;
}

static void act_pane_n(struct app *a, int key)
{
	size_t n = (size_t)(key - '1');
	if (n < a->npanes)
		a->current = n;
	else
		app_message(a, false, "there is no pane %zu (%zu open)", n + 1, a->npanes);
}

static void act_close_pane(struct app *a, int key)
{
	(void)key;
	if (a->npanes <= 1) {
		app_message(a, false, "the last pane stays open (q quits)");
		return;
	}
	close_pane(a, a->current);
}

static void act_follow(struct app *a, int key) { (void)key; follow(a); }

static void act_back(struct app *a, int key)
{
	(void)key;
	travel(a, &a->back, &a->forward, "no earlier place (Enter on a link goes somewhere)");
}

static void act_forward(struct app *a, int key)
{
	(void)key;
	travel(a, &a->forward, &a->back, "no later place");
}

static void act_mark_set(struct app *a, int key) { (void)key; a->pending = PENDING_MARK_SET; }
static void act_mark_jump(struct app *a, int key) { (void)key; a->pending = PENDING_MARK_JUMP; }

static int mark_slot(int key)
{
	if (key >= 'a' && key <= 'z')
		return key - 'a';
	if (key >= 'A' && key <= 'Z')
		return 26 + key - 'A';
	return -1;
}

static void pending_key(struct app *a, int key)
{
	enum pending_key what = a->pending;
	a->pending = PENDING_NONE;
	if (key == K_ESC)
		return;
	int slot = mark_slot(key);
	char name[16];
	if (slot < 0) {
		app_message(a, true, "marks are letters a-z and A-Z, not %s", kdx_key_name(key, name, sizeof name));
		return;
	}
	struct location *m = &a->marks[slot];
	if (what == PENDING_MARK_SET) {
		location_clear(m);
		*m = here(a);
		app_message(a, false, "mark %c set", key);
		return;
	}
	if (!m->command) {
		app_message(a, true, "mark %c is not set (m%c sets it)", key, key);
		return;
	}
	struct location now = here(a);
	if (go_to(a, m)) {
		stack_push(&a->back, now);
		stack_clear(&a->forward);
		app_message(a, false, "mark %c", key);
	} else {
		location_clear(&now);
	}
}


static void act_filter(struct app *a, int key)
{
	(void)key;
	const struct pane *p = app_pane(a);
	prompt_open(a, PROMPT_FILTER, p->filter ? p->filter : "");
}

static void act_command(struct app *a, int key) { (void)key; prompt_open(a, PROMPT_COMMAND, ""); }

void app_filter_match(struct app *a, int key)
{
	struct pane *p = app_pane(a);
	if (!p->re) {
		app_message(a, false, "no filter: / sets one");
		return;
	}
	if (!pane_find_match(p, key == 'n' ? 1 : -1))
		app_message(a, false, "no other line matches /%s/", p->filter);
	pane_scroll_into_view(p, a->view_rows);
}

static void act_clear(struct app *a, int key)
{
	(void)key;
	struct pane *p = app_pane(a);
	if (p->filter) {
		pane_clear_filter(p);
		pane_scroll_into_view(p, a->view_rows);
	}
	a->message[0] = 0;
}

static void sort_picker_close(struct app *a)
{
	table_columns_free(a->sort_columns, a->nsort_columns);
	a->sort_columns = NULL;
	a->nsort_columns = a->sort_cursor = 0;
	a->sort_table = NULL;
	a->mode = MODE_NORMAL;
}

/* s: the column picker over the table under the cursor (else the pane's
 * first), its cursor on the column sorted now. */
static void act_sort(struct app *a, int key)
{
	(void)key;
	const struct pane *p = app_pane(a);
	const struct dnode *t = pane_sort_table(p);
	if (!t) {
		app_message(a, false, "sort: this pane has no table");
		return;
	}
	a->sort_table = t;
	a->nsort_columns = table_columns(t, &a->sort_columns);
	a->sort_cursor = 0;
	for (size_t c = 0; c < a->nsort_columns; c++)
		if (p->doc.sorted_table == t && strcmp(a->sort_columns[c].path, p->doc.sorted_by) == 0)
			a->sort_cursor = c;
	if (a->nsort_columns == 0) {
		sort_picker_close(a);
		app_message(a, false, "sort: this table has no columns");
		return;
	}
	a->mode = MODE_SORT;
}

static void act_sort_reverse(struct app *a, int key)
{
	(void)key;
	char msg[256];
	bool ok = pane_sort_reverse(app_pane(a), msg, sizeof msg);
	app_message(a, !ok, "%s", msg);
}

static void act_help(struct app *a, int key) { (void)key; app_open(a, HELP_COMMAND, true); }

static void act_quit(struct app *a, int key) { (void)key; a->quit = true; }

static void act_split(struct app *a, int key)
{
	(void)key;
	a->split = !a->split;
	if (!a->split) {
		pane_free(a->detail);
		a->detail = NULL;
	}
}

/* The detail pane's document when there is nothing to show. */
static void detail_note(struct doc *doc, const char *command, enum role role, const char *text)
{
	doc_init(doc, command);
	doc_set_title(doc, "%s", text);
	dn_span(dn_text(doc->root), role, "%s", text);
}

void app_update_detail(struct app *a)
{
	struct pane *p = app_pane(a);
	if (!a->split || !p)
		return;
	char *target = p->ops->follow ? p->ops->follow(p) : NULL;
	const char *want = target ? target : "";
	if (a->detail && strcmp(a->detail->doc.command, want) == 0) {
		free(target);
		return;
	}
	struct doc doc;
	if (!target) {
		detail_note(&doc, "", ROLE_MUTED, "no link on this line");
	} else if (!build(a, target, &doc)) {
		/* Kept under the failed command, so the same line does not
		 * rerun it on every key. */
		detail_note(&doc, target, ROLE_ERROR, a->message);
	}
	if (!a->detail)
		a->detail = pane_new(0, ops_for(want));
	pane_set_doc(a->detail, &doc);
	free(target);
}

void app_set_theme(struct app *a, const char *name)
{
	struct theme_warnings w = { .count = 0 };
	theme_load(&a->theme, name, &w);
	a->theme_changed = true;
	if (app_warnings(a, &w))
		return;
	if (a->colorless)
		app_message(a, false, "theme %s: %s, so only its bold and reverse show", a->theme.name,
			    a->colorless);
	else
		app_message(a, false, "theme %s", a->theme.name);
}

bool app_warnings(struct app *a, const struct theme_warnings *w)
{
	if (w->count == 0)
		return false;
	app_message(a, true, "warning: %s%s", w->items[0],
		    w->count + w->dropped > 1 ? " (and more: kdx --list-themes shows them)" : "");
	return true;
}

static bool have_themes(struct app *a)
{
	if (a->themes.count == 0)
		app_message(a, true, "no theme files found (kdx --list-themes)");
	return a->themes.count > 0;
}

static void act_next_theme(struct app *a, int key)
{
	(void)key;
	if (!have_themes(a))
		return;
	int i = theme_list_index(&a->themes, a->theme.name);
	app_set_theme(a, a->themes.items[(size_t)(i + 1) % a->themes.count].name);
}

static void act_picker(struct app *a, int key)
{
	(void)key;
	if (!have_themes(a))
		return;
	int i = theme_list_index(&a->themes, a->theme.name);
	a->picker_cursor = i < 0 ? 0 : (size_t)i;
	snprintf(a->picker_saved, sizeof a->picker_saved, "%s", a->theme.name);
	a->mode = MODE_PICKER;
}

static const struct key_binding global_keys[] = {
	{ 'j', 0, "j", "down one line", act_down },
	{ K_DOWN, 0, "Down", "down one line", act_down },
	{ 'k', 0, "k", "up one line", act_up },
	{ K_UP, 0, "Up", "up one line", act_up },
	{ K_PGDN, 0, "PgDn", "down one screen", act_page_down },
	{ ' ', 0, "Space", "down one screen", act_page_down },
	{ K_PGUP, 0, "PgUp", "up one screen", act_page_up },
	{ 'g', 0, "g", "first line", act_top },
	{ K_HOME, 0, "Home", "first line", act_top },
	{ 'G', 0, "G", "last line", act_bottom },
	{ K_END, 0, "End", "last line", act_bottom },
	{ K_LEFT, 0, "Left", "scroll left", act_scroll_left },
	{ K_RIGHT, 0, "Right", "scroll right", act_scroll_right },
	{ K_WHEEL_DOWN, 0, "WheelDown", "scroll down (mouse on: set mouse = on)", act_wheel_down },
	{ K_WHEEL_UP, 0, "WheelUp", "scroll up", act_wheel_up },
	{ K_TAB, 0, "Tab", "next pane", act_next_pane },
	{ K_BTAB, 0, "Shift-Tab", "previous pane", act_prev_pane },
	{ '1', '9', "1..9", "pane 1 to 9", act_pane_n },
	{ 'x', 0, "x", "close this pane", act_close_pane },
	{ K_ENTER, 0, "Enter", "follow the link on this line (address, thread, ...)", act_follow },
	{ K_BACKSPACE, 0, "Backspace", "back to the previous place", act_back },
	{ 'h', 0, "h", "back to the previous place", act_back },
	{ 'l', 0, "l", "forward again", act_forward },
	{ 'm', 0, "m<letter>", "set mark <letter> here", act_mark_set },
	{ '\'', 0, "'<letter>", "go to mark <letter>", act_mark_jump },
	{ '/', 0, "/", "filter lines with a PCRE2 pattern (the cursor goes to the first match)",
	  act_filter },
	{ 'n', 0, "n", "next line matching the filter", app_filter_match },
	{ 'N', 0, "N", "previous line matching the filter", app_filter_match },
	{ K_ESC, 0, "Esc", "clear the filter and the message", act_clear },
	{ 's', 0, "s", "sort a table: pick its column (the search command is :s)", act_sort },
	{ 'S', 0, "S", "reverse the sort order", act_sort_reverse },
	{ ':', 0, ":", "run a command (Tab completes, Up/Down history)", act_command },
	{ 'v', 0, "v", "split: the cursor line's link shown below the list", act_split },
	{ '?', 0, "?", "this help", act_help },
	{ 't', 0, "t", "next colour theme", act_next_theme },
	{ 'T', 0, "T", "pick a theme, with a preview", act_picker },
	{ 'q', 0, "q", "quit", act_quit },
};
const struct key_table keys_global = {
	"keys everywhere", global_keys, sizeof global_keys / sizeof global_keys[0],
};

/* ---- the theme picker ---- */

static void picker_move(struct app *a, int key)
{
	size_t n = a->themes.count;
	if (key == 'j' || key == K_DOWN)
		a->picker_cursor = (a->picker_cursor + 1) % n;
	else
		a->picker_cursor = (a->picker_cursor + n - 1) % n;
	app_set_theme(a, a->themes.items[a->picker_cursor].name);
}

static void picker_keep(struct app *a, int key)
{
	(void)key;
	a->mode = MODE_NORMAL;
	app_message(a, false, "theme %s (set theme = %s in $XDG_CONFIG_HOME/kdx/config keeps it)",
		    a->theme.name, a->theme.name);
}

static void picker_cancel(struct app *a, int key)
{
	(void)key;
	a->mode = MODE_NORMAL;
	app_set_theme(a, a->picker_saved);
}

static const struct key_binding picker_keys[] = {
	{ 'j', 0, "j", "next theme (shown at once)", picker_move },
	{ K_DOWN, 0, "Down", "next theme (shown at once)", picker_move },
	{ 'k', 0, "k", "previous theme", picker_move },
	{ K_UP, 0, "Up", "previous theme", picker_move },
	{ K_ENTER, 0, "Enter", "keep this theme", picker_keep },
	{ K_ESC, 0, "Esc", "back to the theme before", picker_cancel },
	{ 'q', 0, "q", "back to the theme before", picker_cancel },
};
const struct key_table keys_picker = {
	"theme picker (T)", picker_keys, sizeof picker_keys / sizeof picker_keys[0],
};

/* ---- the column picker ---- */

static void sort_move(struct app *a, int key)
{
	size_t n = a->nsort_columns;
	if (key == 'j' || key == K_DOWN)
		a->sort_cursor = (a->sort_cursor + 1) % n;
	else
		a->sort_cursor = (a->sort_cursor + n - 1) % n;
}

static void sort_pick(struct app *a, int key)
{
	(void)key;
	char msg[256];
	pane_sort_by(app_pane(a), a->sort_table, a->sort_cursor, msg, sizeof msg);
	sort_picker_close(a);
	app_message(a, false, "%s", msg);
}

static void sort_cancel(struct app *a, int key)
{
	(void)key;
	sort_picker_close(a);
}

static const struct key_binding sort_keys[] = {
	{ 'j', 0, "j", "next column", sort_move },
	{ K_DOWN, 0, "Down", "next column", sort_move },
	{ 'k', 0, "k", "previous column", sort_move },
	{ K_UP, 0, "Up", "previous column", sort_move },
	{ K_ENTER, 0, "Enter", "sort by it: numbers largest first, text A to Z; again: reversed",
	  sort_pick },
	{ K_ESC, 0, "Esc", "leave the order as it is", sort_cancel },
	{ 'q', 0, "q", "leave the order as it is", sort_cancel },
};
const struct key_table keys_sort = {
	"column picker (s)", sort_keys, sizeof sort_keys / sizeof sort_keys[0],
};

static void dispatch_key(struct app *a, int key)
{
	if (a->pending != PENDING_NONE) {
		pending_key(a, key);
		return;
	}
	const struct key_binding *b;
	switch (a->mode) {
	case MODE_PROMPT:
		prompt_key(a, key);
		return;
	case MODE_PICKER:
		b = key_lookup(&keys_picker, key);
		if (b)
			b->run(a, key);
		return;
	case MODE_SORT:
		b = key_lookup(&keys_sort, key);
		if (b)
			b->run(a, key);
		return;
	case MODE_NORMAL:
		break;
	}
	/* A message answers the key before; the next key moves on. */
	a->message[0] = 0;
	b = key_lookup(app_pane(a)->ops->keys, key);
	if (!b)
		b = key_lookup(&keys_global, key);
	if (b) {
		b->run(a, key);
		return;
	}
	char name[16];
	app_message(a, false, "%s: no such key (? lists the keys)", kdx_key_name(key, name, sizeof name));
}

void app_key(struct app *a, int key)
{
	if (key == K_RESIZE || !app_pane(a))
		return;
	dispatch_key(a, key);
	app_update_detail(a);
}

/* ---- help and status ---- */

/* However narrow the screen, the title keeps this much: which pane it
 * is matters more than where in it, on a screen too small for both. */
#define STATUS_TITLE_MIN 16

void app_status(const struct app *a, size_t width, char *buf, size_t size)
{
	/* Where the reader is comes first: on a narrow terminal it is what
	 * stays visible, after the pane's title, cut to leave it room. */
	const struct pane *p = app_pane(a);
	char state[512] = "";
	size_t used = 0;
	if (p) {
		used = (size_t)snprintf(state, sizeof state, "  line %zu/%zu",
					p->nvis ? p->cursor + 1 : 0, p->nvis);
		if (p->filter && used < sizeof state)
			used += (size_t)snprintf(state + used, sizeof state - used, "  filter /%s/",
						 p->filter);
		if (a->split && used < sizeof state)
			used += (size_t)snprintf(state + used, sizeof state - used, "  split");
		if (p->doc.sorted_table && used < sizeof state) {
			struct table_column *cols;
			size_t nc = table_columns(p->doc.sorted_table, &cols);
			for (size_t i = 0; i < nc; i++)
				if (strcmp(cols[i].path, p->doc.sorted_by) == 0 && used < sizeof state)
					used += (size_t)snprintf(state + used, sizeof state - used,
								 "  sort %s %s", cols[i].label,
								 p->doc.sorted_descending ? "desc" : "asc");
			table_columns_free(cols, nc);
		}
	}
	char head[32];
	int n = snprintf(head, sizeof head, " [%zu/%zu] ", a->current + 1, a->npanes);
	const char *title = p ? pane_title(p) : "";
	size_t keep = strlen(title), fixed = (size_t)n + strlen(state);
	if (fixed + keep > width) {
		keep = width > fixed + STATUS_TITLE_MIN ? width - fixed : STATUS_TITLE_MIN;
		if (keep > strlen(title))
			keep = strlen(title);
		while (keep > 0 && ((unsigned char)title[keep] & 0xc0) == 0x80)
			keep--;     /* not inside a UTF-8 character */
	}
	int start = snprintf(buf, size, "%s%.*s%s", head, (int)keep, title, state);
	if (start < 0 || (size_t)start >= size)
		return;
	snprintf(buf + start, size - (size_t)start, "  %s  %s",
		 a->dump_name ? a->dump_name : "", a->dump_facts);
	/* The dump and its facts go whole or not at all: "build 19045" cut
	 * to "build " beside the hints read as a build of "? help". */
	size_t len = strlen(buf);
	while (len > width && len > (size_t)start) {
		char *gap = NULL;
		for (char *c = buf + start; c + 1 < buf + len; c++)
			if (c[0] == ' ' && c[1] == ' ')
				gap = c;
		if (!gap)
			break;
		*gap = 0;
		len = (size_t)(gap - buf);
	}
}
