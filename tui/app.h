/* The explorer's state and everything keys do to it: panes, history,
 * marks, the prompt, themes. No ncurses: screen.c feeds keys in and draws
 * what is here, and the unit tests drive it the same way. */
#ifndef KDX_APP_H
#define KDX_APP_H

#include <stdbool.h>
#include <stddef.h>

#include "core/util/error.h"
#include "tui/pane.h"
#include "core/util/progress.h"
#include "tui/theme.h"
#include "views/doc/doc.h"

#define APP_MAX_PANES 9
#define APP_MAX_HISTORY 256
#define APP_MARKS 52                  /* a-z, A-Z */

/* Builds the document for a command line: command_run on the dump, or a
 * test's documents. Long work reports to progress (NULL: none); a
 * cancelled command fails (core/util/progress.h). */
typedef int (*app_runner)(void *ctx, const char *line, const struct progress *progress,
			  struct doc *out, struct kdx_error *err);

struct location {
	int pane_id;
	char *command;
	size_t line;                      /* layout line under the cursor */
};

struct location_stack {
	struct location items[APP_MAX_HISTORY];
	size_t count;
};

enum app_mode { MODE_NORMAL, MODE_PROMPT, MODE_PICKER, MODE_SORT };
/* PROMPT_PANE: the current pane's own question (pane_ops.prompt_answer). */
enum prompt_kind { PROMPT_COMMAND, PROMPT_FILTER, PROMPT_PANE };
enum pending_key { PENDING_NONE, PENDING_MARK_SET, PENDING_MARK_JUMP };

struct line_edit {
	char text[256];
	size_t len, pos;                  /* bytes */
};

struct app {
	app_runner run;
	void *run_ctx;
	const char *dump_name;            /* for the status line */
	char dump_facts[96];              /* "build 7601 · x64" */

	struct pane *panes[APP_MAX_PANES];
	size_t npanes, current;
	int next_pane_id;
	size_t view_rows;                 /* content lines on screen, set by the screen */
	size_t view_cols;                 /* columns on screen, set by the screen */

	struct location_stack back, forward;
	struct location marks[APP_MARKS];
	enum pending_key pending;

	enum app_mode mode;
	enum prompt_kind prompt;
	struct line_edit edit;
	char *command_history[APP_MAX_HISTORY];
	size_t nhistory, history_pos;

	char message[512];
	bool message_is_error;
	bool quit;

	struct theme_list themes;
	struct theme theme;
	bool theme_changed;               /* the screen must reload colours */
	const char *colorless;            /* why the screen draws no colour (NULL: it does) */
	size_t picker_cursor;
	char picker_saved[64];            /* the theme before the picker opened */
	/* The column picker (s): the table's columns by their labels. */
	const struct dnode *sort_table;
	struct table_column *sort_columns;
	size_t nsort_columns, sort_cursor;

	const struct progress *progress;  /* for long work started by keys and commands */

	/* Split view (v): the list on top, below it the document the cursor
	 * line links to, rebuilt when that link changes. */
	bool split;
	struct pane *detail;              /* NULL unless split */
};

/* theme is the one to start with; a->themes (for t and T) starts empty. */
void app_init(struct app *a, app_runner run, void *run_ctx, const struct theme *theme);
void app_free(struct app *a);

/* Runs line and shows its document: in the pane already showing that
 * command (or the hex pane for db/dd/dq), else in a new pane (with nine
 * open, the oldest other one closes for it, the message says which). With
 * remember, the place left is pushed on the back history. Clears the
 * message; returns false (message set) when the command fails. */
bool app_open(struct app *a, const char *line, bool remember);
/* Completes the current pane's document when it was built with figures
 * pending (doc.refine), once, with progress; the cursor stays where it
 * was. Returns whether the pane changed. */
bool app_refine(struct app *a);

/* Feeds one key (keys.h codes). */
void app_key(struct app *a, int key);
/* Split view: makes the detail show the cursor line's link (the screen
 * calls it after a click moved the cursor; keys do it themselves). */
void app_update_detail(struct app *a);

struct pane *app_pane(const struct app *a);
/* n and N: the next (n) or previous (N) line matching the pane's filter. */
void app_filter_match(struct app *a, int key);
void app_message(struct app *a, bool error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Switches to theme index i of a->themes (warnings go to the message line). */
void app_set_theme(struct app *a, const char *name);

/* Shows the first of w's warnings on the message line; false if none. */
bool app_warnings(struct app *a, const struct theme_warnings *w);

/* The help pane's command line: its document is built by app_help_doc
 * (pane_help.c), not by a command. */
#define HELP_COMMAND "?"
/* The help document, generated from the key tables and the commands. */
void app_help_doc(struct doc *out);

/* The status line's text (pane, position, filter, sort, dump, facts) for
 * width columns: the pane's title is cut to keep the rest up to the sort
 * in view; the dump's name and facts that do not fit are left out whole. */
void app_status(const struct app *a, size_t width, char *buf, size_t size);
/* Drawn at the status line's right end whenever the width allows, so that
 * long titles and many panes never hide it. */
#define APP_STATUS_HINTS "? help  q quit"
/* The prompt's label: ":", "/", or the pane's ("address: ", "DTB: "). */
const char *app_prompt_label(const struct app *a);

#endif
