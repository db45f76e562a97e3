/* The hex view (db, dd, dq and their physical ! forms): a row holds
 * several values; Left/Right pick the one Enter follows, u changes the
 * unit, [ and ] step a block, a goes to an address, f searches from the
 * cursor and n/N walk the search's hits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/app.h"
#include "tui/prompt.h"
#include "views/doc/xalloc.h"

/* The n-th span of l that carries a link, or NULL. */
static const struct dspan *linked_span(const struct line *l, size_t n)
{
	for (size_t i = 0; i < l->nspans; i++)
		if (l->spans[i].link && n-- == 0)
			return &l->spans[i];
	return NULL;
}

/* In the hex view a row holds several values; Left/Right pick one and
 * Enter follows the picked value rather than the row. */
static char *follow_value(const struct pane *p)
{
	const struct line *l = pane_cursor_line(p);
	if (!l)
		return NULL;
	const struct dspan *s = linked_span(l, p->link_index);
	const char *link = s ? s->link : l->link;
	if (!link)
		return NULL;
	/* Following a pointer keeps the unit the reader chose (dq stays dq),
	 * as long as both are virtual or both physical. */
	size_t word = command_name_len(p->doc.command), lword = command_name_len(link);
	if (pane_ops_for(link) != &pane_hex_ops || (link[0] == '!') != (p->doc.command[0] == '!'))
		return xstrdup(link);
	return xasprintf("%.*s%s", (int)word, p->doc.command, link + lword);
}

/* Left/Right pick the value Enter follows. */
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

/* The view's address space as a command argument: " DTB" when the
 * document names one (db VA DTB), else "" (the kernel's, or physical). */
static void hex_space(const struct pane *p, char *buf, size_t size)
{
	const struct dnode *dtb = dn_get(p->doc.root, "dtb");
	if (dtb && dtb->kind == DN_HEX)
		snprintf(buf, size, " 0x%llx", (unsigned long long)dtb->v.u);
	else
		buf[0] = 0;
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
	char line[80], space[24];
	hex_space(p, space, sizeof space);
	snprintf(line, sizeof line, "%sd%c 0x%llx%s", phys ? "!" : "", next, (unsigned long long)addr,
		 space);
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
	char line[80], space[24];
	hex_space(p, space, sizeof space);
	snprintf(line, sizeof line, "%.*s 0x%llx%s", (int)command_name_len(p->doc.command),
		 p->doc.command, (unsigned long long)next, space);
	app_open(a, line, false);
}

static void act_address(struct app *a, int key) { (void)key; prompt_open(a, PROMPT_PANE, ""); }

/* The address at the start of a line ("fffff800`00001000", or a physical
 * "#   116000"). */
static bool line_address(const struct line *l, uint64_t *addr)
{
	if (!l || !l->nspans)
		return false;
	const char *c = l->spans[0].text;
	if (*c == '#')
		c += 1 + strspn(c + 1, " ");
	char digits[24];
	size_t n = 0;
	for (; *c && *c != ' ' && n + 1 < sizeof digits; c++)
		if (*c != '`')
			digits[n++] = *c;
	digits[n] = 0;
	char *end;
	*addr = strtoull(digits, &end, 16);
	return n && !*end;
}

static bool cursor_address(const struct pane *p, uint64_t *addr)
{
	return line_address(pane_cursor_line(p), addr);
}

/* A link's row (LINK_ROW_MARK) is a row of 16 bytes from the view's
 * address: a page-table entry's link opens its table's page on it. */
static void hex_open_row(struct pane *p, size_t row)
{
	uint64_t addr, len, at;
	if (!hex_range(p, &addr, &len) || row >= (len + 15) / 16)
		return;
	for (size_t i = 0; i < p->lay.count; i++)
		if (line_address(&p->lay.lines[i], &at) && at == addr + row * 16) {
			pane_set_cursor_layout(p, i);
			return;
		}
}

/* f: the command prompt holds a text search from the cursor line on, the
 * cursor between the quotes. */
static void act_search(struct app *a, int key)
{
	(void)key;
	const struct pane *p = app_pane(a);
	uint64_t addr;
	if (!cursor_address(p, &addr)) {
		app_message(a, false, "no address on this line");
		return;
	}
	char line[96];
	if (p->doc.command[0] == '!')
		snprintf(line, sizeof line, "s -a phys \"\"");
	else
		snprintf(line, sizeof line, "s -a 0x%llx L?0x10000000 \"\"", (unsigned long long)addr);
	prompt_open(a, PROMPT_COMMAND, line);
	a->edit.pos = a->edit.len - 1;
}

/* n and N: the next or previous hit of the newest search, or with a
 * filter set, the next or previous matching line. */
static void act_hit(struct app *a, int key)
{
	const struct pane *p = app_pane(a);
	uint64_t addr, len, hit;
	bool phys;
	if (p->re || !hex_range(p, &addr, &len)) {
		app_filter_match(a, key);
		return;
	}
	if (!search_hit_near(a, addr, key == 'n' ? 1 : -1, &hit, &phys)) {
		app_message(a, false, "no search hit %s here (f searches from the cursor)",
			    key == 'n' ? "after" : "before");
		return;
	}
	bool here_phys = p->doc.command[0] == '!';
	char line[64];
	if (phys == here_phys)
		snprintf(line, sizeof line, "%.*s 0x%llx", (int)command_name_len(p->doc.command),
			 p->doc.command, (unsigned long long)hit);
	else
		snprintf(line, sizeof line, "%s 0x%llx", phys ? "!db" : "db", (unsigned long long)hit);
	app_open(a, line, true);
}

/* The address prompt's answer: the hex view's own command, at the new
 * address, in the same address space. */
static void hex_go_to(struct app *a, const char *typed)
{
	const struct pane *p = app_pane(a);
	char space[24];
	hex_space(p, space, sizeof space);
	char *cmd = xasprintf("%.*s %s%s", (int)command_name_len(p->doc.command), p->doc.command,
			      typed, space);
	app_open(a, cmd, true);
	free(cmd);
}

static const struct key_binding hex_keys[] = {
	{ K_LEFT, 0, "Left", "previous value on the line", act_value },
	{ K_RIGHT, 0, "Right", "next value on the line (Enter follows it)", act_value },
	{ 'a', 0, "a", "go to an address", act_address },
	{ 'u', 0, "u", "show as bytes, dwords, qwords (db, dd, dq)", act_unit },
	{ ']', 0, "]", "next block of memory", act_block },
	{ '[', 0, "[", "previous block of memory", act_block },
	{ 'f', 0, "f", "search for text from the cursor line on (s -a)", act_search },
	{ 'n', 0, "n", "next hit of the last search (with a filter: next matching line)", act_hit },
	{ 'N', 0, "N", "previous hit of the last search (with a filter: previous match)", act_hit },
};
const struct key_table keys_hex = { "hex view", hex_keys, sizeof hex_keys / sizeof hex_keys[0] };

const struct pane_ops pane_hex_ops = {
	.kind = "hex", .keys = &keys_hex, .follow = follow_value,
	.prompt_label = "address: ", .prompt_answer = hex_go_to, .open_row = hex_open_row,
};
