/* The prompt's line editor (htop's LineEditor): one line with a cursor,
 * the command history, and completion of command names. What Enter does
 * depends on the prompt: run a command, set the filter, or the pane's own
 * question (pane_ops.prompt_answer). */
#include "tui/prompt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "views/command.h"
#include "views/doc/xalloc.h"

void prompt_open(struct app *a, enum prompt_kind kind, const char *initial)
{
	a->mode = MODE_PROMPT;
	a->prompt = kind;
	snprintf(a->edit.text, sizeof a->edit.text, "%s", initial);
	a->edit.len = a->edit.pos = strlen(a->edit.text);
	a->history_pos = a->nhistory;
}

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
	if (kind == PROMPT_FILTER) {
		struct pane *p = app_pane(a);
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
		app_open(a, s, true);
		return;
	}
	const struct pane *p = app_pane(a);
	p->ops->prompt_answer(a, s);
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
	if (a->prompt != PROMPT_COMMAND || command_name_len(e->text) < e->len)
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

void prompt_key(struct app *a, int key)
{
	const struct key_binding *b = key_lookup(&keys_prompt, key);
	if (b)
		b->run(a, key);
	else
		edit_insert(&a->edit, key);
}

const char *app_prompt_label(const struct app *a)
{
	switch (a->prompt) {
	case PROMPT_COMMAND: return ":";
	case PROMPT_FILTER: return "/";
	case PROMPT_PANE: return app_pane(a)->ops->prompt_label;
	}
	return "";
}
