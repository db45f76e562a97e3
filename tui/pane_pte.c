/* The PTE pane: `pte [-e] VA [DTB]`, re-run with one part changed by its
 * keys (e explains, [ and ] step a page, d changes the address space). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tui/app.h"
#include "core/xlat/paging.h"
#include "tui/prompt.h"
#include "views/command.h"

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
	const char *s = p->doc.command + command_name_len(p->doc.command);
	int positional = 0;
	while (*(s += strspn(s, " \t"))) {
		size_t n = command_name_len(s);
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
	struct kdx_error err = { .msg = "" };
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

/* What the DTB prompt typed: a process's name or PID (hex by default, as
 * the process list shows it) from the process list, else a DTB as the pte
 * command takes it. who names the process, or is empty. */
static void resolve_dtb(struct app *a, const char *typed, struct pte_args *args, char *who,
			size_t size)
{
	snprintf(args->dtb, sizeof args->dtb, "%.*s", (int)command_name_len(typed), typed);
	who[0] = 0;
	uint64_t typed_value;
	bool typed_pid = parse_number(args->dtb, &typed_value);
	struct doc doc;
	const struct dnode *rows = process_rows(a, &doc);
	for (size_t i = 0; rows && i < rows->nkids; i++) {
		const char *name;
		uint64_t pid, dtb;
		if (!process_fields(rows->kids[i], &name, &pid, &dtb))
			continue;
		if (strcasecmp(name, args->dtb) == 0 || (typed_pid && pid == typed_value)) {
			snprintf(args->dtb, sizeof args->dtb, "0x%llx", (unsigned long long)dtb);
			snprintf(who, size, " of %s PID 0x%llx", name, (unsigned long long)pid);
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
		prompt_open(a, PROMPT_PANE, "");
		struct doc doc;
		const struct dnode *rows = process_rows(a, &doc);
		/* As many as the status line shows, and how many more: the
		 * process pane lists them all. */
		static const char lead[] = "name or PID: ", more[] = ", and 99999 more";
		size_t room = a->view_cols > sizeof lead + sizeof more ? a->view_cols - 1 : 0;
		char list[400] = "";
		size_t used = 0, listed = 0, count = 0;
		for (size_t i = 0; rows && i < rows->nkids; i++) {
			const char *name;
			uint64_t pid, dtb;
			if (!process_fields(rows->kids[i], &name, &pid, &dtb))
				continue;
			count++;
			char item[128];
			int n = snprintf(item, sizeof item, "%s%s 0x%llx", used ? ", " : "", name,
					 (unsigned long long)pid);
			bool last = i + 1 == rows->nkids;
			if (count != listed + 1 || n < 0 || used + (size_t)n >= sizeof list ||
			    (room && strlen(lead) + used + (size_t)n + (last ? 0 : strlen(more)) > room))
				continue;
			memcpy(list + used, item, (size_t)n + 1);
			used += (size_t)n;
			listed++;
		}
		if (rows)
			doc_free(&doc);
		if (list[0] && listed < count)
			app_message(a, false, "%s%s, and %zu more", lead, list, count - listed);
		else if (list[0])
			app_message(a, false, "%s%s", lead, list);
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
	"PTE pane (pte VA); Enter on a table opens its page on the entry, on a PFN its page", pte_keys,
	sizeof pte_keys / sizeof pte_keys[0],
};

/* The DTB prompt's answer: a process's name or PID, or a DTB. */
static void pte_use_dtb(struct app *a, const char *typed)
{
	struct pte_args args;
	if (!pte_args(app_pane(a), &args))
		return;
	char who[96];
	resolve_dtb(a, typed, &args, who, sizeof who);
	if (pte_open(a, &args, true))
		app_message(a, false, "DTB %s%s (d: back to the kernel's)", args.dtb, who);
}

const struct pane_ops pane_pte_ops = {
	.kind = "pte", .keys = &keys_pte, .follow = pane_follow_line,
	.prompt_label = "DTB: ", .prompt_answer = pte_use_dtb,
};
