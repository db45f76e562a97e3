/* The help pane: generated from the key tables and the commands, so a key
 * or a command cannot exist without being listed. */
#include <stdio.h>
#include <string.h>

#include "tui/app.h"
#include "views/command.h"

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

const struct pane_ops pane_help_ops = { .kind = "help", .follow = pane_follow_line };
