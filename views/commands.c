/* The command table and the `help` command. */
#include "views/commands.h"

static const struct command *const all_commands[] = {
	&cmd_help,
	&cmd_info,
	&cmd_vtop,
	&cmd_pte,
	&cmd_layout,
	&cmd_db, &cmd_dd, &cmd_dq,
	&cmd_phys_db, &cmd_phys_dd, &cmd_phys_dq,
	&cmd_vm, &cmd_poolused, &cmd_pool, &cmd_poolfind,
	&cmd_lm, &cmd_tagowner, &cmd_poolrefs, &cmd_pooldiff,
	&cmd_process, &cmd_threads, &cmd_stacks, &cmd_stack,
	&cmd_kf, &cmd_k, &cmd_kb, &cmd_kn, &cmd_thread,
	&cmd_session, &cmd_sprocess,
	&cmd_memusage, &cmd_pfn,
	&cmd_s,
	&cmd_verifier,
	&cmd_dt,
};

const struct command *const *command_all(size_t *count)
{
	*count = sizeof all_commands / sizeof all_commands[0];
	return all_commands;
}

static int run_help(struct dump *d, int argc, char **argv, struct doc *out, struct kdx_error *err)
{
	(void)d;
	(void)err;
	size_t n;
	const struct command *const *all = command_all(&n);
	doc_set_title(out, "Commands");
	struct dnode *rows = dn_label(dn_array(out->root, "commands"), "Commands");
	for (size_t i = 0; i < n; i++) {
		if (argc > 1 && command_find(argv[1]) != all[i])
			continue;
		struct dnode *r = dn_object(rows, NULL);
		dn_label(dn_str(r, "usage", all[i]->usage), "usage");
		dn_label(dn_str(r, "windbg", all[i]->windbg), "WinDbg");
		dn_label(dn_str(r, "summary", all[i]->summary), "what it shows");
		dn_link(r, "%s", all[i]->name);
	}
	if (argc > 1 && rows->nkids == 0)
		return kdx_fail(err, "help: %s: unknown command", argv[1]);
	return 0;
}

const struct command cmd_help = {
	.name = "help", .usage = "help [COMMAND]",
	.summary = "this list of commands", .windbg = ".help", .aliases = { ".help" }, .without_dump = true,
	.without_memory = true,
	.run = run_help,
};
