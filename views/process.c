/* `process` (`!process 0 0`): every process on PsActiveProcessHead. Enter
 * opens its threads; the DTB cell opens the PTE pane in its address space. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "views/commands.h"
#include "views/process.h"

void add_ring_note(struct dnode *parent, const char *key, const struct ring_result *r)
{
	if (r->note[0])
		dn_role(dn_str(parent, key, r->note), r->complete ? ROLE_WARNING : ROLE_DANGER);
	else
		dn_flags(dn_null(parent, key), DN_JSON_ONLY);
}

void filetime_text(uint64_t filetime, char *buf, size_t size)
{
	/* Seconds from 1601-01-01 to 1970-01-01. */
	const uint64_t epoch_gap = 11644473600ull;
	uint64_t secs = filetime / 10000000u;
	struct tm tm;
	time_t t = (time_t)(secs - epoch_gap);
	if (!filetime || secs < epoch_gap || !gmtime_r(&t, &tm) ||
	    !strftime(buf, size, "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(buf, size, "-");
}

void runaway_text(uint64_t ms, char *buf, size_t size)
{
	snprintf(buf, size, "%llu days %llu:%02llu:%02llu.%03llu",
		 (unsigned long long)(ms / 86400000), (unsigned long long)(ms / 3600000 % 24),
		 (unsigned long long)(ms / 60000 % 60), (unsigned long long)(ms / 1000 % 60),
		 (unsigned long long)(ms % 1000));
}

struct dnode *add_dtb(struct dnode *parent, const struct process *p)
{
	struct dnode *n = dn_label(dn_hex(parent, "dtb", p->dtb, 0), "DTB");
	return dn_link(n, "pte 0x%llx 0x%llx", (unsigned long long)(p->peb ? p->peb : p->eprocess),
		       (unsigned long long)p->dtb);
}

void add_process_fields(struct dnode *parent, const struct process *p)
{
	dn_role(dn_str(parent, "name", p->name), ROLE_NAME);
	dn_cid(parent, "pid", p->pid, true);
	dn_label(dn_cid(parent, "ppid", p->ppid, true), "parent");
	dn_role(dn_hex(parent, "eprocess", p->eprocess, 0), ROLE_ADDRESS);
	add_dtb(parent, p);
	dn_flags(dn_hex(parent, "directory_table_base", p->dtb_raw, 0), DN_JSON_ONLY);
	if (p->has_session_id)
		dn_link(dn_uint(parent, "session", p->session_id), "sprocess 0n%u", p->session_id);
	else
		dn_null(parent, "session");
	dn_flags(dn_hex(parent, "peb", p->peb, 0), DN_JSON_ONLY);
	dn_uint(parent, "threads", p->nthreads);
}

enum role stack_risk_role(enum stack_risk r)
{
	return r == STACK_RISK_DANGER ? ROLE_STACK_DANGER :
	       r == STACK_RISK_WARN ? ROLE_STACK_WARN : ROLE_STACK_OK;
}

const char *guard_text(enum guard_state g)
{
	return g == GUARD_PRESENT ? "yes" : g == GUARD_MISSING ? "MISSING" : "unknown";
}

static int run_process(struct dump *d, int argc, char **argv, struct doc *out,
		       struct kdx_error *err)
{
	/* `!process 0 0` is WinDbg's "all processes, brief". */
	if (!(argc == 1 || (argc == 3 && strcmp(argv[1], "0") == 0 && strcmp(argv[2], "0") == 0)))
		return kdx_fail(err, "usage: %s", cmd_process.usage);
	struct process_list pl;
	if (process_list_read(d, &pl, err) < 0)
		return -1;
	doc_set_title(out, "Processes (%zu)", pl.count);
	doc_set_windbg(out, "!process 0 0");
	struct dnode *r = out->root;
	dn_role(dn_label(dn_hex(r, "list_head", pl.head, 0), "PsActiveProcessHead"), ROLE_ADDRESS);
	dn_bool(r, "complete", pl.walk.complete);
	add_ring_note(r, "note", &pl.walk);
	struct dnode *problems = dn_label(dn_array(r, "problems"), "Problems");
	struct dnode *t = dn_label(dn_array(r, "processes"), "Processes");
	for (size_t i = 0; i < pl.count; i++) {
		const struct process *p = &pl.processes[i];
		struct dnode *o = dn_object(t, NULL);
		add_process_fields(o, p);
		char when[40];
		filetime_text(p->create_time, when, sizeof when);
		dn_str(o, "created", when);
		dn_flags(dn_hex(o, "create_time", p->create_time, 0), DN_JSON_ONLY);
		dn_flags(dn_hex(o, "session_space", p->session_space, 0), DN_JSON_ONLY);
		dn_flags(dn_uint(o, "active_threads", p->active_threads), DN_JSON_ONLY);
		const char *note = p->thread_walk.note[0] ? p->thread_walk.note : NULL;
		dn_flags(dn_str(o, "threads_note", note), DN_JSON_ONLY);
		if (note) {
			dn_role(o, p->thread_walk.complete ? ROLE_WARNING : ROLE_DANGER);
			dn_role(dn_strf(problems, NULL, "%s (PID 0x%x): %s", p->name, p->pid, note),
				p->thread_walk.complete ? ROLE_WARNING : ROLE_DANGER);
		}
		dn_link(o, "threads 0x%x", p->pid);
	}
	process_list_free(&pl);
	return 0;
}

const struct command cmd_process = {
	.name = "process", .usage = "process [0 0]",
	.summary = "processes: PID, parent, name, DTB, session, threads (PsActiveProcessHead)",
	.windbg = "!process 0 0",
	.run = run_process,
};
