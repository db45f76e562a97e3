#include "app.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "views/command.h"
#include "views/xalloc.h"

/* The help pane's command line: it is built here, not by a command. */
#define HELP_COMMAND "?"

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

static size_t first_word_len(const char *s)
{
	return strcspn(s, " \t");
}

static bool same_family(const struct pane *p, const struct pane_ops *ops, const char *line)
{
	if (p->ops != ops)
		return false;
	if (ops == &pane_hex_ops || ops == &pane_help_ops)
		return true;
	size_t n = first_word_len(line);
	return first_word_len(p->doc.command) == n && strncmp(p->doc.command, line, n) == 0;
}

/* The pane that shows line: the one of its family, else a new one, else
 * (all slots taken) the current one. */
static struct pane *target_pane(struct app *a, const struct pane_ops *ops, const char *line,
				size_t *index)
{
	for (size_t i = 0; i < a->npanes; i++)
		if (same_family(a->panes[i], ops, line)) {
			*index = i;
			return a->panes[i];
		}
	if (a->npanes < APP_MAX_PANES) {
		*index = a->npanes;
		a->panes[a->npanes] = pane_new(a->next_pane_id++, ops);
		return a->panes[a->npanes++];
	}
	*index = a->current;
	return a->panes[a->current];
}

/* Builds line's document; the help pane's is built here, others by run. */
static bool build(struct app *a, const char *line, struct doc *doc)
{
	if (strcmp(line, HELP_COMMAND) == 0) {
		app_help_doc(doc);
		return true;
	}
	struct kdx_error err = { { 0 } };
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

bool app_open(struct app *a, const char *line, bool remember)
{
	struct doc doc;
	if (!build(a, line, &doc))
		return false;
	if (remember)
		remember_here(a);
	size_t index;
	struct pane *p = target_pane(a, ops_for(line), line, &index);
	pane_set_doc(p, &doc);
	a->current = index;
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
		if (!p)
			p = target_pane(a, ops_for(l->command), l->command, &index);
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
	if (app_open(a, target, true))
		a->message[0] = 0;
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

static void act_scroll_right(struct app *a, int key)
{
	(void)key;
	app_pane(a)->hscroll += HSCROLL_STEP;
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
	pane_free(a->panes[a->current]);
	memmove(&a->panes[a->current], &a->panes[a->current + 1],
		(a->npanes - a->current - 1) * sizeof a->panes[0]);
	a->npanes--;
	if (a->current == a->npanes)
		a->current--;
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

static void open_prompt(struct app *a, enum prompt_kind kind, const char *initial)
{
	a->mode = MODE_PROMPT;
	a->prompt = kind;
	snprintf(a->edit.text, sizeof a->edit.text, "%s", initial);
	a->edit.len = a->edit.pos = strlen(a->edit.text);
	a->history_pos = a->nhistory;
}

static void act_filter(struct app *a, int key)
{
	(void)key;
	const struct pane *p = app_pane(a);
	open_prompt(a, PROMPT_FILTER, p->filter ? p->filter : "");
}

static void act_command(struct app *a, int key) { (void)key; open_prompt(a, PROMPT_COMMAND, ""); }
static void act_address(struct app *a, int key) { (void)key; open_prompt(a, PROMPT_ADDRESS, ""); }

static void act_match(struct app *a, int key)
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

static void act_sort(struct app *a, int key)
{
	char msg[256];
	bool ok = pane_sort(app_pane(a), key == 'S', msg, sizeof msg);
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
	if (!app_warnings(a, &w))
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

/* Hex pane: Left/Right pick the value Enter follows. */
static void act_value(struct app *a, int key)
{
	struct pane *p = app_pane(a);
	const struct line *l = pane_cursor_line(p);
	size_t n = 0;
	for (size_t i = 0; l && i < l->nspans; i++)
		n += l->spans[i].link != NULL;
	if (key == K_LEFT && p->link_index > 0)
		p->link_index--;
	else if (key == K_RIGHT && p->link_index + 1 < n)
		p->link_index++;
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
	{ '/', 0, "/", "filter lines with a PCRE2 pattern", act_filter },
	{ 'n', 0, "n", "next line matching the filter", act_match },
	{ 'N', 0, "N", "previous line matching the filter", act_match },
	{ K_ESC, 0, "Esc", "clear the filter and the message", act_clear },
	{ 's', 0, "s", "sort the table by its next column", act_sort },
	{ 'S', 0, "S", "reverse the sort order", act_sort },
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

/* The hex view's address and length, from its document. */
static bool hex_range(const struct pane *p, uint64_t *addr, uint64_t *len)
{
	const struct dnode *at = dn_get(p->doc.root, "address");
	const struct dnode *bytes = dn_get(p->doc.root, "bytes");
	if (!at || at->kind != DN_HEX || !bytes || bytes->kind != DN_STR)
		return false;
	*addr = at->v.u;
	*len = strlen(bytes->v.s) / 2;
	return true;
}

/* u: db -> dd -> dq -> db at the same address; pointers are followable in
 * the pointer-sized unit. */
static void act_unit(struct app *a, int key)
{
	(void)key;
	const struct pane *p = app_pane(a);
	uint64_t addr, len;
	if (!hex_range(p, &addr, &len))
		return;
	const char *cmd = p->doc.command;
	bool phys = cmd[0] == '!';
	char unit = cmd[phys + 1];
	char next = unit == 'b' ? 'd' : unit == 'd' ? 'q' : 'b';
	char line[64];
	snprintf(line, sizeof line, "%sd%c 0x%llx", phys ? "!" : "", next, (unsigned long long)addr);
	app_open(a, line, true);
}

/* ] and [: the next or previous block of the same size. */
static void act_block(struct app *a, int key)
{
	const struct pane *p = app_pane(a);
	uint64_t addr, len;
	if (!hex_range(p, &addr, &len) || len == 0)
		return;
	if (key == '[' && addr < len) {
		app_message(a, false, "already at the lowest address");
		return;
	}
	uint64_t next = key == ']' ? addr + len : addr - len;
	char line[64];
	snprintf(line, sizeof line, "%.*s 0x%llx", (int)first_word_len(p->doc.command), p->doc.command,
		 (unsigned long long)next);
	app_open(a, line, false);
}

static const struct key_binding hex_keys[] = {
	{ K_LEFT, 0, "Left", "previous value on the line", act_value },
	{ K_RIGHT, 0, "Right", "next value on the line (Enter follows it)", act_value },
	{ 'a', 0, "a", "go to an address", act_address },
	{ 'u', 0, "u", "show as bytes, dwords, qwords (db, dd, dq)", act_unit },
	{ ']', 0, "]", "next block of memory", act_block },
	{ '[', 0, "[", "previous block of memory", act_block },
};
const struct key_table keys_hex = { "hex view", hex_keys, sizeof hex_keys / sizeof hex_keys[0] };

/* ---- the PTE pane: `pte [-e] VA [DTB]` re-run with one part changed ---- */

/* The parts of a pte pane's command; false for `pte -compare`. */
struct pte_args {
	bool explain;
	uint64_t va;
	char dtb[32];                     /* as typed; empty: the kernel's */
};

static bool pte_args(const struct pane *p, struct pte_args *out)
{
	const struct dnode *va = dn_get(p->doc.root, "va");
	if (!va || va->kind != DN_HEX)
		return false;
	*out = (struct pte_args){ .va = va->v.u };
	const char *s = p->doc.command + first_word_len(p->doc.command);
	int positional = 0;
	while (*(s += strspn(s, " \t"))) {
		size_t n = first_word_len(s);
		if (n == 2 && strncmp(s, "-e", 2) == 0)
			out->explain = true;
		else if (positional++ == 1)
			snprintf(out->dtb, sizeof out->dtb, "%.*s", (int)n, s);
		s += n;
	}
	return true;
}

static bool pte_open(struct app *a, const struct pte_args *args, bool remember)
{
	char line[96];
	snprintf(line, sizeof line, "pte%s 0x%llx%s%s", args->explain ? " -e" : "",
		 (unsigned long long)args->va, args->dtb[0] ? " " : "", args->dtb);
	return app_open(a, line, remember);
}

static bool current_pte_args(struct app *a, struct pte_args *args)
{
	if (pte_args(app_pane(a), args))
		return true;
	app_message(a, false, "this pane compares modes; pte VA shows one address");
	return false;
}

static void act_pte_explain(struct app *a, int key)
{
	(void)key;
	struct pte_args args;
	if (!current_pte_args(a, &args))
		return;
	args.explain = !args.explain;
	if (pte_open(a, &args, false))
		app_message(a, false, "explanations %s", args.explain ? "on" : "off");
}

/* ] and [: the same place in the next or previous 4 KiB page. */
static void act_pte_step(struct app *a, int key)
{
	struct pte_args args;
	if (!current_pte_args(a, &args))
		return;
	if (key == '[' && args.va < KDX_PAGE_SIZE) {
		app_message(a, false, "already in the lowest page");
		return;
	}
	if (key == ']' && args.va > UINT64_MAX - KDX_PAGE_SIZE) {
		app_message(a, false, "already in the highest page");
		return;
	}
	args.va = key == ']' ? args.va + KDX_PAGE_SIZE : args.va - KDX_PAGE_SIZE;
	pte_open(a, &args, false);
}

/* The rows of the `process` command's list (name, pid, dtb) into doc,
 * or NULL (doc freed) when the dump has none to give. */
static const struct dnode *process_rows(struct app *a, struct doc *doc)
{
	struct kdx_error err = { { 0 } };
	if (a->run(a->run_ctx, "process", a->progress, doc, &err) < 0) {
		doc_free(doc);
		return NULL;
	}
	const struct dnode *rows = dn_get(doc->root, "processes");
	if (rows && rows->kind == DN_ARRAY)
		return rows;
	doc_free(doc);
	return NULL;
}

static bool process_fields(const struct dnode *row, const char **name, uint64_t *pid,
			   uint64_t *dtb)
{
	const struct dnode *n = dn_get(row, "name"), *p = dn_get(row, "pid"),
			   *d = dn_get(row, "dtb");
	if (!n || n->kind != DN_STR || !p || p->kind != DN_UINT || !d || d->kind != DN_HEX)
		return false;
	*name = n->v.s;
	*pid = p->v.u;
	*dtb = d->v.u;
	return true;
}

/* What the DTB prompt typed: a process's name or decimal PID from the
 * process list, else a DTB as the pte command takes it. who names the
 * process, or is empty. */
static void resolve_dtb(struct app *a, const char *typed, struct pte_args *args, char *who,
			size_t size)
{
	snprintf(args->dtb, sizeof args->dtb, "%.*s", (int)first_word_len(typed), typed);
	who[0] = 0;
	struct doc doc;
	const struct dnode *rows = process_rows(a, &doc);
	for (size_t i = 0; rows && i < rows->nkids; i++) {
		const char *name;
		uint64_t pid, dtb;
		char pid_text[24];
		if (!process_fields(rows->kids[i], &name, &pid, &dtb))
			continue;
		snprintf(pid_text, sizeof pid_text, "%llu", (unsigned long long)pid);
		if (strcasecmp(name, args->dtb) == 0 || strcmp(pid_text, args->dtb) == 0) {
			snprintf(args->dtb, sizeof args->dtb, "0x%llx", (unsigned long long)dtb);
			snprintf(who, size, " of %s %s", name, pid_text);
			break;
		}
	}
	if (rows)
		doc_free(&doc);
}

/* d: a process (from the process list) or a DTB the reader types, or back
 * to the kernel's. */
static void act_pte_dtb(struct app *a, int key)
{
	(void)key;
	struct pte_args args;
	if (!current_pte_args(a, &args))
		return;
	if (!args.dtb[0]) {
		open_prompt(a, PROMPT_DTB, "");
		struct doc doc;
		const struct dnode *rows = process_rows(a, &doc);
		char list[400] = "";
		for (size_t i = 0; rows && i < rows->nkids; i++) {
			const char *name;
			uint64_t pid, dtb;
			size_t used = strlen(list);
			if (process_fields(rows->kids[i], &name, &pid, &dtb))
				snprintf(list + used, sizeof list - used, "%s%s %llu", used ? ", " : "",
					 name, (unsigned long long)pid);
		}
		if (rows)
			doc_free(&doc);
		if (list[0])
			app_message(a, false, "name or PID: %s", list);
		else
			app_message(a, false, "no process list: type a DTB");
		return;
	}
	args.dtb[0] = 0;
	if (pte_open(a, &args, true))
		app_message(a, false, "the kernel's DTB");
}

static const struct key_binding pte_keys[] = {
	{ 'e', 0, "e", "explain each set bit (pte -e), or stop", act_pte_explain },
	{ ']', 0, "]", "the same offset in the next page of VA (+0x1000)", act_pte_step },
	{ '[', 0, "[", "the same offset in the previous page of VA (-0x1000)", act_pte_step },
	{ 'd', 0, "d", "walk in a process's space (name, PID or DTB), or back to the kernel's",
	  act_pte_dtb },
};
const struct key_table keys_pte = {
	"PTE pane (pte VA); Enter on a table or PFN opens it", pte_keys,
	sizeof pte_keys / sizeof pte_keys[0],
};

/* ---- the layout pane ---- */

/* b: the hex view of the line's first address that opens one (a mapped
 * range's start); Enter follows the row's own link instead. */
static void act_layout_bytes(struct app *a, int key)
{
	(void)key;
	const struct line *l = pane_cursor_line(app_pane(a));
	for (size_t i = 0; l && i < l->nspans; i++)
		if (l->spans[i].link && pane_ops_for(l->spans[i].link) == &pane_hex_ops) {
			char *line = xstrdup(l->spans[i].link);
			if (app_open(a, line, true))
				a->message[0] = 0;
			free(line);
			return;
		}
	app_message(a, false, "no memory to show on this line (Enter on a region walks it)");
}

static const struct key_binding layout_keys[] = {
	{ 'b', 0, "b", "bytes of the mapped range in the hex view", act_layout_bytes },
};
const struct key_table keys_layout = {
	"layout pane; Enter walks a region (Esc cancels), then opens a range's PTE", layout_keys,
	sizeof layout_keys / sizeof layout_keys[0],
};

/* ---- the pool panes ---- */

/* o: the pointers out of the block on this line (its row links to the
 * block's bytes or to its pointers: the address is the link's argument). */
static void act_pool_refs(struct app *a, int key)
{
	(void)key;
	const struct line *l = pane_cursor_line(app_pane(a));
	const char *arg = l && l->link ? strchr(l->link, ' ') : NULL;
	if (!arg) {
		app_message(a, false, "no pool block on this line");
		return;
	}
	char *line = xasprintf("poolrefs%s", arg);
	if (app_open(a, line, true))
		a->message[0] = 0;
	free(line);
}

static const struct key_binding pool_keys[] = {
	{ 'o', 0, "o", "pointers out of this block: into module images and other pool blocks",
	  act_pool_refs },
};
const struct key_table keys_pool = {
	"pool panes (poolfind, pool, poolrefs); Enter opens a block's bytes", pool_keys,
	sizeof pool_keys / sizeof pool_keys[0],
};

/* ---- the prompt ---- */

static void edit_insert(struct line_edit *e, int key)
{
	if (key < 32 || key >= 127 || e->len + 1 >= sizeof e->text)
		return;
	memmove(e->text + e->pos + 1, e->text + e->pos, e->len - e->pos + 1);
	e->text[e->pos++] = (char)key;
	e->len++;
}

static void prompt_close(struct app *a)
{
	a->mode = MODE_NORMAL;
	a->edit.len = a->edit.pos = 0;
	a->edit.text[0] = 0;
}

static void add_history(struct app *a, const char *line)
{
	if (a->nhistory && strcmp(a->command_history[a->nhistory - 1], line) == 0)
		return;
	if (a->nhistory == APP_MAX_HISTORY) {
		free(a->command_history[0]);
		memmove(a->command_history, a->command_history + 1,
			(APP_MAX_HISTORY - 1) * sizeof a->command_history[0]);
		a->nhistory--;
	}
	a->command_history[a->nhistory++] = xstrdup(line);
}

static void prompt_accept(struct app *a, int key)
{
	(void)key;
	char line[sizeof a->edit.text];
	snprintf(line, sizeof line, "%s", a->edit.text);
	enum prompt_kind kind = a->prompt;
	prompt_close(a);
	struct pane *p = app_pane(a);
	if (kind == PROMPT_FILTER) {
		char msg[512];
		bool ok = pane_set_filter(p, line, a->progress, msg, sizeof msg);
		app_message(a, !ok, "%s", msg);
		pane_scroll_into_view(p, a->view_rows);
		return;
	}
	const char *s = line + strspn(line, " \t");
	if (!*s)
		return;
	if (kind == PROMPT_COMMAND) {
		add_history(a, s);
		if (app_open(a, s, true))
			a->message[0] = 0;
		return;
	}
	if (kind == PROMPT_DTB) {
		struct pte_args args;
		if (!pte_args(p, &args))
			return;
		char who[96];
		resolve_dtb(a, s, &args, who, sizeof who);
		if (pte_open(a, &args, true))
			app_message(a, false, "DTB %s%s (d: back to the kernel's)", args.dtb, who);
		return;
	}
	/* Go to address: the hex view's own command, at the new address. */
	char cmd[sizeof line + 8];
	snprintf(cmd, sizeof cmd, "%.*s %s", (int)first_word_len(p->doc.command), p->doc.command, s);
	if (app_open(a, cmd, true))
		a->message[0] = 0;
}

static void prompt_cancel(struct app *a, int key) { (void)key; prompt_close(a); }

static void prompt_backspace(struct app *a, int key)
{
	(void)key;
	struct line_edit *e = &a->edit;
	if (e->pos == 0) {
		if (e->len == 0)
			prompt_close(a);
		return;
	}
	memmove(e->text + e->pos - 1, e->text + e->pos, e->len - e->pos + 1);
	e->pos--;
	e->len--;
}

static void prompt_delete(struct app *a, int key)
{
	(void)key;
	struct line_edit *e = &a->edit;
	if (e->pos < e->len) {
		memmove(e->text + e->pos, e->text + e->pos + 1, e->len - e->pos);
		e->len--;
	}
}

static void prompt_left(struct app *a, int key) { (void)key; if (a->edit.pos) a->edit.pos--; }
static void prompt_right(struct app *a, int key) { (void)key; if (a->edit.pos < a->edit.len) a->edit.pos++; }
static void prompt_home(struct app *a, int key) { (void)key; a->edit.pos = 0; }
static void prompt_end(struct app *a, int key) { (void)key; a->edit.pos = a->edit.len; }

static void prompt_kill(struct app *a, int key)
{
	(void)key;
	a->edit.text[0] = 0;
	a->edit.len = a->edit.pos = 0;
}

static void prompt_set(struct app *a, const char *s)
{
	snprintf(a->edit.text, sizeof a->edit.text, "%s", s);
	a->edit.len = a->edit.pos = strlen(a->edit.text);
}

static void prompt_history(struct app *a, int key)
{
	if (a->prompt != PROMPT_COMMAND)
		return;
	if (key == K_UP && a->history_pos > 0)
		prompt_set(a, a->command_history[--a->history_pos]);
	else if (key == K_DOWN && a->history_pos < a->nhistory) {
		a->history_pos++;
		prompt_set(a, a->history_pos < a->nhistory ? a->command_history[a->history_pos] : "");
	}
}

/* Tab: completes the command name; with several candidates, extends to
 * their common prefix and lists them on the message line. */
static void prompt_complete(struct app *a, int key)
{
	(void)key;
	struct line_edit *e = &a->edit;
	if (a->prompt != PROMPT_COMMAND || first_word_len(e->text) < e->len)
		return;
	size_t n;
	const struct command *const *all = command_all(&n);
	const char *first = NULL;
	size_t common = 0, matches = 0;
	char list[400] = "";
	for (size_t i = 0; i < n; i++) {
		const char *name = all[i]->name;
		if (strncmp(name, e->text, e->len) != 0)
			continue;
		if (!first) {
			first = name;
			common = strlen(name);
		} else {
			size_t k = 0;
			while (k < common && name[k] == first[k])
				k++;
			common = k;
		}
		size_t used = strlen(list);
		snprintf(list + used, sizeof list - used, "%s%s", used ? " " : "", name);
		matches++;
	}
	if (!first) {
		app_message(a, true, "no command starts with '%s' (? lists them)", e->text);
		return;
	}
	char done[sizeof e->text];
	snprintf(done, sizeof done, "%.*s%s", (int)common, first, matches == 1 ? " " : "");
	prompt_set(a, done);
	if (matches > 1)
		app_message(a, false, "%s", list);
	else
		a->message[0] = 0;
}

static const struct key_binding prompt_keys[] = {
	{ K_ENTER, 0, "Enter", "run the command / apply the filter", prompt_accept },
	{ K_ESC, 0, "Esc", "cancel", prompt_cancel },
	{ K_BACKSPACE, 0, "Backspace", "delete before the cursor", prompt_backspace },
	{ K_DELETE, 0, "Delete", "delete under the cursor", prompt_delete },
	{ K_LEFT, 0, "Left", "cursor left", prompt_left },
	{ K_RIGHT, 0, "Right", "cursor right", prompt_right },
	{ K_HOME, 0, "Home", "start of the line", prompt_home },
	{ KEY_CTRL('a'), 0, "Ctrl-A", "start of the line", prompt_home },
	{ K_END, 0, "End", "end of the line", prompt_end },
	{ KEY_CTRL('e'), 0, "Ctrl-E", "end of the line", prompt_end },
	{ KEY_CTRL('u'), 0, "Ctrl-U", "clear the line", prompt_kill },
	{ K_UP, 0, "Up", "previous command", prompt_history },
	{ K_DOWN, 0, "Down", "next command", prompt_history },
	{ K_TAB, 0, "Tab", "complete the command name", prompt_complete },
};
const struct key_table keys_prompt = {
	"prompt (: / a); other keys type", prompt_keys, sizeof prompt_keys / sizeof prompt_keys[0],
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

static void dispatch_key(struct app *a, int key)
{
	if (a->pending != PENDING_NONE) {
		pending_key(a, key);
		return;
	}
	const struct key_binding *b;
	switch (a->mode) {
	case MODE_PROMPT:
		b = key_lookup(&keys_prompt, key);
		if (b)
			b->run(a, key);
		else
			edit_insert(&a->edit, key);
		return;
	case MODE_PICKER:
		b = key_lookup(&keys_picker, key);
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

/* Bindings with the same handler and help share one help row: "j, Down". */
static void help_table(struct dnode *root, const struct key_table *t)
{
	struct dnode *arr = dn_label(dn_array(root, t->title), t->title);
	for (size_t i = 0; i < t->count; i++) {
		const struct key_binding *b = &t->keys[i];
		bool seen = false;
		for (size_t j = 0; j < i; j++)
			seen |= t->keys[j].run == b->run && strcmp(t->keys[j].help, b->help) == 0;
		if (seen)
			continue;
		char names[64];
		snprintf(names, sizeof names, "%s", b->name);
		for (size_t j = i + 1; j < t->count; j++)
			if (t->keys[j].run == b->run && strcmp(t->keys[j].help, b->help) == 0) {
				size_t used = strlen(names);
				snprintf(names + used, sizeof names - used, ", %s", t->keys[j].name);
			}
		struct dnode *row = dn_object(arr, NULL);
		dn_role(dn_str(row, "key", names), ROLE_HELP_KEY);
		dn_str(row, "does", b->help);
	}
}

/* Whether a usage line ("info [-v]") has only optional arguments. */
static bool runs_bare(const char *usage)
{
	for (const char *p = strchr(usage, ' '); p; p = strchr(p + 1, ' '))
		if (p[1] != '[' && p[1] != ' ' && p[1])
			return false;
	return true;
}

void app_help_doc(struct doc *out)
{
	doc_init(out, HELP_COMMAND);
	doc_set_title(out, "help");
	struct dnode *intro = dn_text(out->root);
	dn_span(intro, ROLE_NORMAL, "Keys, then commands. Enter on a command runs it; ");
	dn_span(intro, ROLE_HELP_KEY, ":");
	dn_span(intro, ROLE_NORMAL, " runs one with arguments; ");
	dn_span(intro, ROLE_HELP_KEY, "h");
	dn_span(intro, ROLE_NORMAL, " comes back here.");
	size_t nt;
	const struct key_table *const *tables = key_tables(&nt);
	for (size_t i = 0; i < nt; i++)
		help_table(out->root, tables[i]);
	size_t nc;
	const struct command *const *cmds = command_all(&nc);
	struct dnode *arr = dn_label(dn_array(out->root, "commands"), "commands (also kdx -c 'CMD' DUMP)");
	for (size_t i = 0; i < nc; i++) {
		struct dnode *row = dn_object(arr, NULL);
		dn_role(dn_str(row, "command", cmds[i]->usage), ROLE_HELP_KEY);
		dn_str(row, "does", cmds[i]->summary);
		dn_str(row, "windbg", cmds[i]->windbg ? cmds[i]->windbg : "");
		if (runs_bare(cmds[i]->usage))
			dn_link(row, "%s", cmds[i]->name);
	}
}

void app_status(const struct app *a, char *buf, size_t size)
{
	/* Where the reader is comes first: on a narrow terminal it is what
	 * stays visible. */
	const struct pane *p = app_pane(a);
	size_t used = 0;
	int n = snprintf(buf, size, " [%zu/%zu] %s  line %zu/%zu", a->current + 1, a->npanes,
			 p ? pane_title(p) : "", p && p->nvis ? p->cursor + 1 : 0, p ? p->nvis : 0);
	if (n < 0 || (size_t)n >= size || !p)
		return;
	used = (size_t)n;
	if (p->filter)
		used += (size_t)snprintf(buf + used, size - used, "  filter /%s/", p->filter);
	if (used < size && a->split)
		used += (size_t)snprintf(buf + used, size - used, "  split");
	if (used < size && p->sort_table) {
		char **cols;
		size_t nc = table_columns(p->sort_table, &cols);
		if (p->sort_column < nc)
			used += (size_t)snprintf(buf + used, size - used, "  sort %s %s",
						 cols[p->sort_column], p->sort_descending ? "desc" : "asc");
		for (size_t i = 0; i < nc; i++)
			free(cols[i]);
		free(cols);
	}
	if (used < size)
		snprintf(buf + used, size - used, "  %s  %s  ? help  q quit",
			 a->dump_name ? a->dump_name : "", a->dump_facts);
}

const char *app_prompt_label(const struct app *a)
{
	switch (a->prompt) {
	case PROMPT_COMMAND: return ":";
	case PROMPT_FILTER: return "/";
	case PROMPT_ADDRESS: return "address: ";
	case PROMPT_DTB: return "DTB: ";
	}
	return "";
}
