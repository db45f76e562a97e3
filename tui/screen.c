/* The terminal side of the explorer: ncurses set-up, colours from the
 * theme, drawing the app's state, reading keys. Everything keys do is in
 * app.c; this file only shows it. */
#include <langinfo.h>
#include <libgen.h>
#include <locale.h>
#include <ncurses.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "tui/app.h"
#include "tui/batch.h"
#include "tui/config.h"
#include "tui/theme.h"
#include "tui/tui.h"
#include "views/command.h"
#include "views/doc/xalloc.h"

/* Keys typed while a command runs, read by the progress reporter as it
 * looks for Esc and handed out by read_key first, in order. A queue of its
 * own, as long as the typing: ncurses' ungetch keeps a fixed number and
 * drops the rest, which cut a command typed ahead of a slow pane in two. */
struct typed_keys {
	int *keys;
	size_t head, count, size;
};

struct screen {
	bool utf8;
	bool colors;                  /* the terminal has them and colour is wanted */
	int ncolors;
	bool selection_reversed;      /* the theme's cursor line would not show */
	struct app *app;
	struct typed_keys typed;
};

static void typed_push(struct typed_keys *q, int key)
{
	if (q->head + q->count == q->size) {
		if (q->head) {   /* the read part's room first */
			memmove(q->keys, q->keys + q->head, q->count * sizeof *q->keys);
			q->head = 0;
		} else {
			q->size = q->size ? 2 * q->size : 64;
			q->keys = xrealloc(q->keys, q->size * sizeof *q->keys);
		}
	}
	q->keys[q->head + q->count++] = key;
}

static bool typed_pop(struct typed_keys *q, int *key)
{
	if (!q->count)
		return false;
	*key = q->keys[q->head++];
	if (!--q->count)
		q->head = 0;
	return true;
}

static attr_t theme_attrs(unsigned a)
{
	attr_t r = A_NORMAL;
	if (a & ATTR_BOLD) r |= A_BOLD;
	if (a & ATTR_UNDERLINE) r |= A_UNDERLINE;
	if (a & ATTR_REVERSE) r |= A_REVERSE;
	if (a & ATTR_DIM) r |= A_DIM;
	if (a & ATTR_ITALIC) r |= A_ITALIC;
	if (a & ATTR_BLINK) r |= A_BLINK;
	if (a & ATTR_STANDOUT) r |= A_STANDOUT;
	return r;
}

/* Colour pair n + 1 is role n's. */
static void apply_theme(struct screen *s)
{
	const struct theme *t = &s->app->theme;
	if (s->colors)
		for (int r = 0; r < ROLE_COUNT && r + 1 < COLOR_PAIRS; r++)
			init_pair((short)(r + 1), (short)theme_terminal_color(t->roles[r].fg, s->ncolors),
				  (short)theme_terminal_color(t->roles[r].bg, s->ncolors));
	s->selection_reversed = !theme_selection_visible(t, s->colors ? s->ncolors : 0);
	s->app->theme_changed = false;
}

static attr_t role_attr(const struct screen *s, enum role r)
{
	/* A cursor line the theme cannot show at this colour depth is normal
	 * text in reverse video, visible on any terminal. */
	if (r == ROLE_SELECTION && s->selection_reversed)
		return role_attr(s, ROLE_NORMAL) | theme_attrs(s->app->theme.roles[r].attrs) | A_REVERSE;
	attr_t a = theme_attrs(s->app->theme.roles[r].attrs);
	if (s->colors && (int)r + 1 < COLOR_PAIRS)
		a |= COLOR_PAIR((int)r + 1);
	return a;
}

/* Draws text from column x, not past column end; skip columns are cut off
 * first (sideways scrolling). Returns the column after the text. Outside
 * a UTF-8 locale, non-ASCII bytes show as '?'. */
static int put_text(const struct screen *s, int y, int x, int end, const char *text,
		    size_t *skip, attr_t attr)
{
	attrset(attr);
	mbstate_t st;
	memset(&st, 0, sizeof st);
	const char *p = text;
	while (*p && x < end) {
		size_t len = 1;
		int width = 1;
		if ((unsigned char)*p >= 0x80) {
			wchar_t wc;
			len = s->utf8 ? mbrtowc(&wc, p, strlen(p), &st) : (size_t)-1;
			if (len == (size_t)-1 || len == (size_t)-2) {
				memset(&st, 0, sizeof st);
				if (*skip) {
					(*skip)--;
				} else {
					mvaddch(y, x, '?');
					x++;
				}
				p++;
				continue;
			}
			width = wcwidth(wc);
			if (width < 0)
				width = 1;
		} else if ((unsigned char)*p < 32) {
			p++;
			continue;
		}
		if (*skip) {
			*skip -= *skip >= (size_t)width ? (size_t)width : *skip;
		} else {
			if (x + width > end)
				break;
			mvaddnstr(y, x, p, (int)len);
			x += width;
		}
		p += len;
	}
	return x;
}

static void fill(int y, int x, int end, attr_t attr)
{
	attrset(attr);
	for (; x < end; x++)
		mvaddch(y, x, ' ');
}

static const char *vbar(const struct screen *s) { return s->utf8 ? "│" : "|"; }

/* Below this width the status line is the position alone, cut. */
#define STATUS_HINTS_MIN_WIDTH 60

/* Content rows a split needs: three of list, a title, three of detail. */
#define SPLIT_MIN_ROWS 7

/* A tab's text: " 3 Dump overview ", the title cut to 40 bytes. The buffer
 * holds the longest index too, so the text is never cut short. */
#define TAB_TITLE_MAX 40
#define TAB_SIZE (TAB_TITLE_MAX + 24)
/* A title longer than a tab holds is cut where words end: before its
 * parenthesised details ("Pool tags (PoolTrackTable, ...)" is "Pool
 * tags"), else at a blank, with "...". */
static int tab_label(const struct app *a, size_t i, char *buf)
{
	const char *title = pane_title(a->panes[i]), *more = "";
	size_t keep = strlen(title);
	if (keep > TAB_TITLE_MAX) {
		const char *paren = strstr(title, " (");
		if (paren && paren > title && (size_t)(paren - title) <= TAB_TITLE_MAX) {
			keep = (size_t)(paren - title);
		} else {
			more = "...";
			keep = TAB_TITLE_MAX - strlen(more);
			while (keep > 0 && title[keep] != ' ')
				keep--;
			if (keep == 0)
				keep = TAB_TITLE_MAX - strlen(more);
			while (keep > 0 && ((unsigned char)title[keep] & 0xc0) == 0x80)
				keep--;     /* not inside a UTF-8 character */
		}
	}
	return snprintf(buf, TAB_SIZE, " %zu %.*s%s ", i + 1, (int)keep, title, more);
}

/* Tabs scroll to keep the current one whole: the first tab shown, and
 * whether markers say that tabs are hidden to the left or right. */
struct tab_view {
	size_t first;
	bool left, right;
};

static const char *tab_marker(const struct screen *s, bool left)
{
	return s->utf8 ? (left ? "«" : "»") : (left ? "<" : ">");
}

static struct tab_view tab_view(const struct app *a, int w)
{
	struct tab_view v = { 0, false, false };
	char tab[TAB_SIZE];
	int width[APP_MAX_PANES], total = 0;
	for (size_t i = 0; i < a->npanes; i++) {
		width[i] = tab_label(a, i, tab) + 1;      /* the tab and its bar */
		total += width[i];
	}
	if (total <= w)
		return v;
	/* A marker takes a column at each end that hides tabs. */
	for (;;) {
		int used = v.first ? 1 : 0;
		for (size_t i = v.first; i <= a->current; i++)
			used += width[i];
		if (used <= w - 1 || v.first == a->current)
			break;
		v.first++;
	}
	v.left = v.first > 0;
	int used = v.left ? 1 : 0;
	for (size_t i = v.first; i < a->npanes; i++)
		used += width[i];
	v.right = used > w;
	return v;
}

static void draw_tabs(struct screen *s, int y, int w)
{
	const struct app *a = s->app;
	struct tab_view v = tab_view(a, w);
	int x = 0, end = v.right ? w - 1 : w;
	size_t skip = 0;
	if (v.left)
		x = put_text(s, y, x, end, tab_marker(s, true), &skip, role_attr(s, ROLE_BORDER));
	for (size_t i = v.first; i < a->npanes && x < end; i++) {
		char tab[TAB_SIZE];
		tab_label(a, i, tab);
		x = put_text(s, y, x, end, tab, &skip,
			     role_attr(s, i == a->current ? ROLE_TAB_ACTIVE : ROLE_TAB));
		x = put_text(s, y, x, end, vbar(s), &skip, role_attr(s, ROLE_BORDER));
	}
	fill(y, x, end, role_attr(s, ROLE_TAB));
	if (v.right)
		put_text(s, y, w - 1, w, tab_marker(s, false), &skip, role_attr(s, ROLE_BORDER));
}

/* focused: the pane keys act on, whose cursor line is highlighted. */
static void draw_line(struct screen *s, const struct pane *p, size_t vi, int y, int w,
		      bool focused)
{
	const struct line *l = &p->lay.lines[p->vis[vi]];
	bool selected = focused && vi == p->cursor;
	size_t skip = p->hscroll;
	int x = 0;
	size_t linked = 0, offset = 0, ms = 0, me = 0;
	pane_match_range(p, l, &ms, &me);
	for (size_t i = 0; i < l->nspans && x < w; i++) {
		enum role r = l->spans[i].role;
		if (selected) {
			bool picked = p->ops == &pane_hex_ops && l->spans[i].link &&
				      linked == p->link_index;
			r = picked ? ROLE_MATCH : ROLE_SELECTION;
		}
		if (l->spans[i].link)
			linked++;
		/* The filter's match is drawn in its own role, cutting the span
		 * into before, match and after. */
		const char *text = l->spans[i].text;
		size_t len = strlen(text);
		size_t cut[4] = { 0, 0, 0, len };
		cut[1] = ms > offset ? (ms - offset < len ? ms - offset : len) : 0;
		cut[2] = me > offset ? (me - offset < len ? me - offset : len) : 0;
		if (cut[2] < cut[1])
			cut[2] = cut[1];
		for (int k = 0; k < 3; k++) {
			if (cut[k + 1] <= cut[k])
				continue;
			char *piece = strndup(text + cut[k], cut[k + 1] - cut[k]);
			if (!piece)
				break;
			x = put_text(s, y, x, w, piece, &skip, role_attr(s, k == 1 ? ROLE_MATCH : r));
			free(piece);
		}
		offset += len;
	}
	fill(y, x, w, role_attr(s, selected ? ROLE_SELECTION : ROLE_NORMAL));
	/* Markers at the edges say the line goes on past them (Left and
	 * Right scroll): a wide table's columns are never hidden unsaid. */
	size_t cols = line_columns(l);
	size_t none = 0;
	if (w > 2 && cols > p->hscroll + (size_t)w)
		put_text(s, y, w - 1, w, tab_marker(s, false), &none, role_attr(s, ROLE_BORDER));
	if (w > 2 && p->hscroll && cols > 0)
		put_text(s, y, 0, 1, tab_marker(s, true), &none, role_attr(s, ROLE_BORDER));
}

/* A box of bh rows and bw columns at y0, x0 with title on its top edge. */
static void draw_box(struct screen *s, int y0, int x0, int bh, int bw, const char *title)
{
	const char *hl = s->utf8 ? "─" : "-";
	attr_t border = role_attr(s, ROLE_BORDER);
	size_t skip = 0;
	for (int y = y0; y < y0 + bh; y++) {
		bool edge = y == y0 || y == y0 + bh - 1;
		const char *corner = s->utf8 ? (y == y0 ? "┌" : "└") : "+";
		const char *rcorner = s->utf8 ? (y == y0 ? "┐" : "┘") : "+";
		put_text(s, y, x0, x0 + 1, edge ? corner : vbar(s), &skip, border);
		for (int x = x0 + 1; x < x0 + bw - 1; x++)
			put_text(s, y, x, x + 1, edge ? hl : " ", &skip, edge ? border : role_attr(s, ROLE_NORMAL));
		put_text(s, y, x0 + bw - 1, x0 + bw, edge ? rcorner : vbar(s), &skip, border);
	}
	put_text(s, y0, x0 + 2, x0 + bw - 1, title, &skip, role_attr(s, ROLE_TITLE));
}

/* One row of a picker's list, the cursor's in the selection colour. */
static void picker_row(struct screen *s, int y, int x0, int bw, const char *text, bool selected)
{
	size_t skip = 0;
	attr_t at = role_attr(s, selected ? ROLE_SELECTION : ROLE_NORMAL);
	int x = put_text(s, y, x0 + 1, x0 + bw - 1, text, &skip, at);
	fill(y, x, x0 + bw - 1, at);
}

/* The column picker (s): the table's columns by the labels its header
 * shows, the one the cursor is on sorted by Enter. */
static void draw_sort_picker(struct screen *s, int h, int w)
{
	const struct app *a = s->app;
	int bw = w < 44 ? w : 44;
	int bh = (int)a->nsort_columns + 2;
	if (bh > h)
		bh = h;
	if (bw < 8 || bh < 3)
		return;
	int y0 = (h - bh) / 2, x0 = (w - bw) / 2;
	draw_box(s, y0, x0, bh, bw, " sort by (Enter, Esc) ");
	/* The list scrolls to keep the cursor in the box. */
	size_t rows = (size_t)(bh - 2), first = a->sort_cursor >= rows ? a->sort_cursor - rows + 1 : 0;
	for (size_t i = first; i < a->nsort_columns && i - first < rows; i++) {
		char row[96];
		snprintf(row, sizeof row, " %s", a->sort_columns[i].label);
		picker_row(s, y0 + 1 + (int)(i - first), x0, bw, row, i == a->sort_cursor);
	}
}

static void draw_picker(struct screen *s, int h, int w)
{
	const struct app *a = s->app;
	/* A preview line of the roles most text uses. */
	static const struct {
		enum role role;
		const char *text;
	} sample[] = {
		{ ROLE_ADDRESS, " fffff800`01234000" }, { ROLE_VALUE, " 41" }, { ROLE_ZERO, " 00" },
		{ ROLE_LINK, " link" }, { ROLE_OK, " ok" }, { ROLE_WARNING, " warn" },
		{ ROLE_DANGER, " danger" },
	};
	/* Wide enough for the whole preview, inside the borders. */
	int preview = 0;
	for (size_t i = 0; i < sizeof sample / sizeof sample[0]; i++)
		preview += (int)strlen(sample[i].text);
	int bw = w < preview + 3 ? w : preview + 3;
	int bh = (int)a->themes.count + 5;
	if (bh > h)
		bh = h;
	if (bw < 8 || bh < 3)
		return;
	int y0 = (h - bh) / 2, x0 = (w - bw) / 2;
	size_t skip = 0;
	draw_box(s, y0, x0, bh, bw, " theme (Enter keeps, Esc) ");
	int y = y0 + 1;
	for (size_t i = 0; i < a->themes.count && y < y0 + bh - 3; i++, y++) {
		char row[96];
		snprintf(row, sizeof row, " %-16s %s", a->themes.items[i].name,
			 theme_origin_name(a->themes.items[i].origin));
		picker_row(s, y, x0, bw, row, i == a->picker_cursor);
	}
	int x = x0 + 1;
	for (size_t i = 0; i < sizeof sample / sizeof sample[0]; i++)
		x = put_text(s, y0 + bh - 2, x, x0 + bw - 1, sample[i].text, &skip,
			     role_attr(s, sample[i].role));
}

static void draw(struct screen *s)
{
	struct app *a = s->app;
	int h, w;
	getmaxyx(stdscr, h, w);
	bkgdset(role_attr(s, ROLE_NORMAL) | ' ');
	erase();
	if (h < 1 || w < 1)
		return;
	/* Rows: tab bar, content, status, message; small terminals drop the
	 * tab bar, then the status line. */
	int tabs = h >= 4, status = h >= 3 ? 1 : 0;
	int content_top = tabs, content_rows = h - tabs - status - 1;
	if (content_rows < 0)
		content_rows = 0;
	/* Split: the list above, a title line, the detail below; a terminal
	 * too small for both shows the list alone. */
	int list_rows = content_rows, detail_rows = 0;
	if (a->split && a->detail && content_rows >= SPLIT_MIN_ROWS) {
		list_rows = (content_rows - 1) / 2;
		detail_rows = content_rows - list_rows - 1;
	}
	a->view_rows = list_rows > 0 ? (size_t)list_rows : 1;
	a->view_cols = (size_t)w;
	struct pane *p = app_pane(a);
	pane_set_width(p, (size_t)w);
	if (a->detail)
		pane_set_width(a->detail, (size_t)w);
	pane_scroll_into_view(p, a->view_rows);
	if (tabs)
		draw_tabs(s, 0, w);
	for (int i = 0; i < list_rows; i++) {
		size_t vi = p->top + (size_t)i;
		if (vi < p->nvis)
			draw_line(s, p, vi, content_top + i, w, true);
	}
	if (detail_rows) {
		const struct pane *d = a->detail;
		int y = content_top + list_rows;
		char title[160];
		snprintf(title, sizeof title, "%.120s  (Enter opens it, v closes)", pane_title(d));
		/* The title is text to read, drawn as titles are; only the rule
		 * around it is border. */
		size_t skip = 0;
		int x = put_text(s, y, 0, w, s->utf8 ? "── " : "-- ", &skip, role_attr(s, ROLE_BORDER));
		x = put_text(s, y, x, w, title, &skip, role_attr(s, ROLE_TITLE));
		x = put_text(s, y, x, w, " ", &skip, role_attr(s, ROLE_BORDER));
		for (; x < w; x++)
			put_text(s, y, x, x + 1, s->utf8 ? "─" : "-", &skip, role_attr(s, ROLE_BORDER));
		for (int i = 0; i < detail_rows && (size_t)i < d->nvis; i++)
			draw_line(s, d, (size_t)i, y + 1 + i, w, false);
	}
	size_t skip = 0;
	if (status) {
		/* While the prompt holds the last line, messages (completions,
		 * errors) take the status line's place. */
		bool message = a->mode == MODE_PROMPT && a->message[0];
		char line[768];
		enum role r = !message ? ROLE_STATUS : a->message_is_error ? ROLE_ERROR : ROLE_MESSAGE;
		/* The hints keep their place at the right unless the terminal
		 * is too narrow for them and the position. */
		/* Two blanks before the hints at least, as between the status
		 * line's fields: "? help" is not read as the last one's value. */
		static const char hint_text[] = "  " APP_STATUS_HINTS " ";
		int hints = (int)strlen(hint_text);
		int end = !message && w >= STATUS_HINTS_MIN_WIDTH ? w - hints : w;
		if (message)
			snprintf(line, sizeof line, "%s", a->message);
		else
			app_status(a, (size_t)end, line, sizeof line);
		int x = put_text(s, h - 2, 0, end, line, &skip, role_attr(s, r));
		fill(h - 2, x, w, role_attr(s, r));
		if (end < w)
			put_text(s, h - 2, end, w, hint_text, &skip, role_attr(s, r));
	}
	if (a->mode == MODE_PROMPT) {
		const char *label = app_prompt_label(a);
		int x = put_text(s, h - 1, 0, w, label, &skip, role_attr(s, ROLE_PROMPT));
		/* Long input scrolls so the cursor stays visible. */
		int room = w - x - 1;
		size_t from = room > 0 && a->edit.pos > (size_t)room ? a->edit.pos - (size_t)room : 0;
		int cx = x + (int)(a->edit.pos - from);
		put_text(s, h - 1, x, w, a->edit.text + from, &skip, role_attr(s, ROLE_NORMAL));
		move(h - 1, cx < w ? cx : w - 1);
		curs_set(1);
	} else {
		if (a->pending != PENDING_NONE)
			put_text(s, h - 1, 0, w, a->pending == PENDING_MARK_SET ? "mark: press a letter"
						: "go to mark: press a letter", &skip, role_attr(s, ROLE_PROMPT));
		else
			put_text(s, h - 1, 0, w, a->message, &skip,
				 role_attr(s, a->message_is_error ? ROLE_ERROR : ROLE_MESSAGE));
		curs_set(0);
	}
	if (a->mode == MODE_PICKER)
		draw_picker(s, h, w);
	if (a->mode == MODE_SORT)
		draw_sort_picker(s, h, w);
	refresh();
}

/* ncurses key codes to kdx's (keys.h). */
static int translate(int ch)
{
	switch (ch) {
	case KEY_UP: return K_UP;
	case KEY_DOWN: return K_DOWN;
	case KEY_LEFT: return K_LEFT;
	case KEY_RIGHT: return K_RIGHT;
	case KEY_PPAGE: return K_PGUP;
	case KEY_NPAGE: return K_PGDN;
	case KEY_HOME: return K_HOME;
	case KEY_END: return K_END;
	case KEY_BTAB: return K_BTAB;
	case KEY_DC: return K_DELETE;
	case KEY_RESIZE: return K_RESIZE;
	case KEY_BACKSPACE: case 8: case 127: return K_BACKSPACE;
	case KEY_ENTER: case '\r': case '\n': return K_ENTER;
	default: return ch;
	}
}

static void click(struct screen *s, int y, int x)
{
	struct app *a = s->app;
	int h = getmaxy(stdscr);
	bool tabs = h >= 4;
	if (tabs && y == 0) {
		/* Tabs are drawn left to right; find the one under x. */
		struct tab_view v = tab_view(a, getmaxx(stdscr));
		int tx = v.left ? 1 : 0;
		for (size_t i = v.first; i < a->npanes; i++) {
			char tab[TAB_SIZE];
			tx += tab_label(a, i, tab) + 1;
			if (x < tx) {
				a->current = i;
				return;
			}
		}
		return;
	}
	struct pane *p = app_pane(a);
	int row = y - (tabs ? 1 : 0);
	size_t vi = p->top + (size_t)row;
	if (row >= 0 && (size_t)row < a->view_rows && vi < p->nvis) {
		p->cursor = vi;
		p->link_index = 0;
		app_update_detail(a);
	}
}

static int read_key(struct screen *s)
{
	int ch;
	if (!typed_pop(&s->typed, &ch))
		ch = getch();
	if (ch != KEY_MOUSE)
		return translate(ch);
	MEVENT ev;
	if (getmouse(&ev) != OK)
		return ERR;
	if (ev.bstate & BUTTON4_PRESSED)
		return K_WHEEL_UP;
	if (ev.bstate & BUTTON5_PRESSED)
		return K_WHEEL_DOWN;
	if (ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED))
		click(s, ev.y, ev.x);
	return ERR;
}

/* The progress reporter for long work: a bar on the message line, drawn at
 * most once a frame, and the results found so far (search hits) above it,
 * newest last; Esc cancels. */
#define PROGRESS_ITEMS 128
struct progress_state {
	struct screen *screen;
	struct timespec last;
	bool cancelled;
	char items[PROGRESS_ITEMS][160];
	size_t nitems;                    /* received; the last PROGRESS_ITEMS are kept */
};

static void report_item(void *ctx, const char *line)
{
	struct progress_state *ps = ctx;
	snprintf(ps->items[ps->nitems++ % PROGRESS_ITEMS], sizeof ps->items[0], "%s", line);
}

/* The content rows (between the tab bar and the status line) show the
 * newest results. */
static void draw_items(struct progress_state *ps, int h, int w)
{
	int rows = h - 3;
	if (!ps->nitems || rows < 2)
		return;
	struct screen *s = ps->screen;
	char head[96];
	snprintf(head, sizeof head, "found so far: %zu (Esc stops and keeps them)", ps->nitems);
	size_t skip = 0;
	int x = put_text(s, 1, 0, w, head, &skip, role_attr(s, ROLE_HEADER));
	fill(1, x, w, role_attr(s, ROLE_NORMAL));
	size_t shown = (size_t)rows - 1 < ps->nitems ? (size_t)rows - 1 : ps->nitems;
	if (shown > PROGRESS_ITEMS)
		shown = PROGRESS_ITEMS;
	for (int i = 0; i < rows - 1; i++) {
		int y = 2 + i;
		x = 0;
		if ((size_t)i < shown) {
			size_t k = ps->nitems - shown + (size_t)i;
			skip = 0;
			x = put_text(s, y, 0, w, ps->items[k % PROGRESS_ITEMS], &skip,
				     role_attr(s, ROLE_NORMAL));
		}
		fill(y, x, w, role_attr(s, ROLE_NORMAL));
	}
}

#define FRAME_NS 33000000L

static bool report_progress(void *ctx, uint64_t done, uint64_t total, const char *what)
{
	struct progress_state *ps = ctx;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	long elapsed = (now.tv_sec - ps->last.tv_sec) * 1000000000L + (now.tv_nsec - ps->last.tv_nsec);
	if (elapsed < FRAME_NS)
		return !ps->cancelled;
	ps->last = now;
	/* Esc cancels; other keys typed ahead wait for read_key, in order. */
	nodelay(stdscr, TRUE);
	int ch;
	while ((ch = getch()) != ERR)
		if (ch == K_ESC)
			ps->cancelled = true;
		else
			typed_push(&ps->screen->typed, ch);
	nodelay(stdscr, FALSE);
	int h, w;
	getmaxyx(stdscr, h, w);
	char bar[256];
	int cells = w - 40 > 50 ? 50 : w - 40;
	if (cells < 0)
		cells = 0;
	int full = total ? (int)((double)done / (double)total * cells) : 0;
	/* Work done is cut, not rounded (percent_of): a bar says 100% only when
	 * the work is. */
	int n = snprintf(bar, sizeof bar, "%s %3d%% [", what, total ? (int)(done * 100 / total) : 0);
	for (int i = 0; i < cells && n < (int)sizeof bar - 20; i++)
		bar[n++] = i < full ? '#' : '.';
	snprintf(bar + n, sizeof bar - (size_t)n, "] Esc cancels");
	draw_items(ps, h, w);
	size_t skip = 0;
	int x = put_text(ps->screen, h - 1, 0, w, bar, &skip, role_attr(ps->screen, ROLE_PROGRESS));
	fill(h - 1, x, w, role_attr(ps->screen, ROLE_NORMAL));
	refresh();
	return !ps->cancelled;
}

/* The dump carries the reporter only while a command of the TUI runs. */
static int run_command(void *ctx, const char *line, const struct progress *progress,
		       struct doc *out, struct kdx_error *err)
{
	struct dump *d = ctx;
	d->progress = progress;
	int r = command_run(d, line, out, err);
	d->progress = NULL;
	return r;
}

static bool no_color_wanted(void)
{
	const char *nc = getenv("NO_COLOR");
	const char *term = getenv("TERM");
	return (nc && *nc) || !term || strcmp(term, "dumb") == 0;
}

/* The overview, and only it: other panes open when the reader asks
 * (a command, Enter on a link). When it cannot be built, the help pane
 * instead, with the reason on the message line. */
static void open_first_pane(struct app *a, bool verbose)
{
	if (app_open(a, verbose ? "info -v" : "info", false))
		return;
	char saved[sizeof a->message];
	snprintf(saved, sizeof saved, "%s", a->message);
	app_open(a, "?", false);
	app_message(a, true, "%s", saved);
}

static void dump_facts(const struct dump *d, char *buf, size_t size)
{
	const struct paging_desc *pd = paging_desc(d->paging);
	int n = snprintf(buf, size, "%s", machine_name(d->machine));
	if (pd && strcmp(pd->name, machine_name(d->machine)) != 0 && n > 0 && (size_t)n < size)
		n += snprintf(buf + n, size - (size_t)n, " %s", pd->name);
	if (d->has_build && n > 0 && (size_t)n < size)
		snprintf(buf + n, size - (size_t)n, "  build %u", d->build);
}

int tui_run(struct dump *d, const struct kdx_options *opt)
{
	/* Without a terminal on both ends ncurses reads EOF forever: say so. */
	const char *missing = !isatty(STDIN_FILENO) ? "input" : !isatty(STDOUT_FILENO) ? "output" : NULL;
	if (missing) {
		fprintf(stderr, "kdx: standard %s is not a terminal: the explorer needs one "
			"(kdx -c 'CMD' DUMP runs commands without it)\n", missing);
		return 2;
	}
	setlocale(LC_ALL, "");
	struct screen s = { .utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0 };
	struct theme_warnings w = { .count = 0 };
	struct kdx_config cfg;
	config_load(&cfg, &w);
	bool mono = no_color_wanted();
	const char *name = opt->theme ? opt->theme : mono ? "mono" : cfg.theme[0] ? cfg.theme : "default";

	SCREEN *term = newterm(NULL, stdout, stdin);
	if (!term) {
		fprintf(stderr, "kdx: cannot drive terminal '%s' (set TERM, or use kdx -c 'CMD' DUMP)\n",
			getenv("TERM") ? getenv("TERM") : "");
		return 2;
	}
	/* A terminal that cannot move the cursor (TERM=dumb) cannot show
	 * panes; the overview as text is what it can show. */
	const char *cup = tigetstr("cup");
	if (!cup || cup == (const char *)-1) {
		endwin();
		delscreen(term);
		fprintf(stderr, "kdx: terminal '%s' cannot move the cursor: printing 'info' "
			"(kdx -c 'CMD' DUMP runs any command)\n", getenv("TERM") ? getenv("TERM") : "");
		return batch_run(d, "info", 0, opt->verbose, stdout, stderr);
	}
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	s.colors = !mono && has_colors();
	if (s.colors) {
		start_color();
		use_default_colors();
		s.ncolors = COLORS;
	}
	if (cfg.mouse)
		mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);

	struct theme start;
	theme_load(&start, name, &w);
	struct app a;
	app_init(&a, run_command, d, &start);
	if (!s.colors)
		a.colorless = mono ? "NO_COLOR is set (or TERM is dumb)" : "the terminal has no colours";
	theme_list_find(&a.themes);
	s.app = &a;
	char *path = xstrdup(opt->dump_path);
	a.dump_name = basename(path);
	dump_facts(d, a.dump_facts, sizeof a.dump_facts);
	struct progress_state ps = { .screen = &s };
	struct progress progress = { report_progress, &ps, report_item };
	a.progress = &progress;

	open_first_pane(&a, opt->verbose);
	if (opt->first_command)
		app_open(&a, opt->first_command, true);
	if (!app_warnings(&a, &w) && d->warnings.count)
		app_message(&a, true, "warning: %s", d->warnings.items[0]);
	else if (!a.message[0])
		app_message(&a, false, "? explains every key   Tab: next pane   Enter: follow a link   "
			    "h: back   q: quit");
	apply_theme(&s);
	while (!a.quit) {
		draw(&s);
		if (app_refine(&a))
			continue;
		int key = read_key(&s);
		if (key == ERR)
			continue;
		ps.cancelled = false;
		ps.nitems = 0;
		app_key(&a, key);
		if (a.theme_changed)
			apply_theme(&s);
	}
	endwin();
	delscreen(term);
	app_free(&a);
	free(s.typed.keys);
	free(path);
	return 0;
}

int tui_list_themes(void)
{
	struct theme_warnings w = { .count = 0 };
	struct kdx_config cfg;
	config_load(&cfg, &w);
	for (size_t i = 0; i < w.count; i++)
		fprintf(stderr, "kdx: warning: %s\n", w.items[i]);
	struct theme_list l;
	theme_list_find(&l);
	theme_list_print(stdout, &l, cfg.theme[0] ? cfg.theme : "default");
	/* Loading each theme checks it: every problem, with file and line. */
	for (size_t i = 0; i < l.count; i++) {
		struct theme t;
		w.count = w.dropped = 0;
		theme_load(&t, l.items[i].name, &w);
		for (size_t j = 0; j < w.count; j++)
			fprintf(stderr, "kdx: warning: %s\n", w.items[j]);
		if (w.dropped)
			fprintf(stderr, "kdx: warning: %s: %zu more problems\n", l.items[i].path, w.dropped);
	}
	int status = l.count ? 0 : 1;
	theme_list_free(&l);
	return status;
}
