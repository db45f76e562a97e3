/* `process` (`!process 0 0`): every process on PsActiveProcessHead. Enter
 * opens its threads; the DTB cell opens the PTE pane in its address space.
 * WinDbg's `!process PROCESS FLAGS [IMAGENAME]` picks one process (a PID or
 * an EPROCESS) or every one (0), and its thread flags open the threads. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
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

struct dnode *add_unknown(struct dnode *parent, const char *key)
{
	return dn_role(dn_null(parent, key), ROLE_MUTED);
}

void add_unknown_note(struct dnode *parent, const struct dump *d, unsigned unknown)
{
	static const struct { unsigned bit; const char *name; } names[] = {
		{ UNKNOWN_NAME, "image name" }, { UNKNOWN_PPID, "parent" }, { UNKNOWN_PEB, "PEB" },
		{ UNKNOWN_CREATE_TIME, "process create time" },
		{ UNKNOWN_ACTIVE_THREADS, "ActiveThreads" }, { UNKNOWN_STATE, "state" },
		{ UNKNOWN_WAIT_REASON, "wait reason" }, { UNKNOWN_PRIORITY, "priority" },
		{ UNKNOWN_TIMES, "times" }, { UNKNOWN_TEB, "TEB" }, { UNKNOWN_START, "start addresses" },
		{ UNKNOWN_THREAD_CREATE_TIME, "thread create time" }, { UNKNOWN_STACK, "stack" },
		{ UNKNOWN_CID, "Cid" }, { UNKNOWN_SESSION, "session" },
	};
	char text[320];
	size_t n = 0;
	text[0] = 0;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if ((unknown & names[i].bit) && n < sizeof text)
			n += (size_t)snprintf(text + n, sizeof text - n, "%s%s", n ? ", " : "", names[i].name);
	if (!unknown) {
		dn_flags(dn_null(parent, "unknown_fields"), DN_JSON_ONLY);
		return;
	}
	dn_link(dn_role(dn_label(dn_strf(parent, "unknown_fields", "%s: not found in build %u's "
					 "structures, so not shown", text, d->build),
				 "unknown"), ROLE_WARNING), "info -v");
}

void add_process_fields(struct dnode *parent, const struct process *p)
{
	if (p->unknown & UNKNOWN_NAME)
		add_unknown(parent, "name");
	else
		dn_role(dn_str(parent, "name", p->name), ROLE_NAME);
	dn_cid(parent, "pid", p->pid);
	if (p->unknown & UNKNOWN_PPID)
		dn_label(add_unknown(parent, "ppid"), "parent");
	else
		dn_label(dn_cid(parent, "ppid", p->ppid), "parent");
	dn_role(dn_hex(parent, "eprocess", p->eprocess, 0), ROLE_ADDRESS);
	add_dtb(parent, p);
	dn_flags(dn_hex(parent, "directory_table_base", p->dtb_raw, 0), DN_JSON_ONLY);
	if (p->has_session_id)
		dn_link(dn_uint(parent, "session", p->session_id), "sprocess 0n%u", p->session_id);
	else if (p->unknown & UNKNOWN_SESSION)
		add_unknown(parent, "session");
	else
		dn_null(parent, "session");
	dn_flags(p->unknown & UNKNOWN_PEB ? add_unknown(parent, "peb") : dn_hex(parent, "peb", p->peb, 0),
		 DN_JSON_ONLY);
	dn_uint(parent, "threads", p->nthreads);
}

enum role stack_risk_role(enum stack_risk r)
{
	return r == STACK_RISK_DANGER ? ROLE_STACK_DANGER :
	       r == STACK_RISK_WARN ? ROLE_STACK_WARN : ROLE_STACK_OK;
}

struct dnode *link_thread_frames(struct dnode *row, const struct thread *t)
{
	return dn_link(row, "kf 0x%llx", (unsigned long long)t->ethread);
}

void add_thread_keys(struct dnode *parent)
{
	dn_span(dn_flags(dn_text(parent), DN_TUI_ONLY), ROLE_MUTED,
		"Enter on a thread: its frames (kf); Enter on its ethread there: the stack page by page");
}

const char *guard_text(enum guard_state g)
{
	return g == GUARD_PRESENT ? "yes" : g == GUARD_MISSING ? "MISSING" : "unknown";
}

/* WinDbg's !process flags: 0x1, 0x2 and 0x4 ask for the threads, which
 * the threads pane answers. */
#define PROCESS_THREAD_FLAGS 0x7
static const struct windbg_flag process_flags[] = {
	{ 0x1, "time and priority statistics", FLAG_DONE, NULL, NULL },
	{ 0x2, "the threads with their wait states", FLAG_DONE, NULL, NULL },
	{ 0x4, "the threads (with 0x2, each with its stack)", FLAG_NOTE,
	  "the threads are listed; kf TID unwinds one's stack", NULL },
	{ 0x8, "return address and stack pointer per frame", FLAG_NOTE,
	  "kf shows them (Child-SP, RetAddr) for one thread", NULL },
	{ 0x10, "the process's context for its stacks", FLAG_NOTE,
	  "not needed: kdx unwinds kernel stacks in the kernel's address space", NULL },
};

/* PROCESS of !process: a PID, else an EPROCESS address. */
static const struct process *process_find(const struct process_list *pl, uint64_t which)
{
	const struct process *p = which <= UINT32_MAX ? process_by_pid(pl, (uint32_t)which) : NULL;
	for (size_t i = 0; !p && i < pl->count; i++)
		if (pl->processes[i].eprocess == which)
			p = &pl->processes[i];
	return p;
}

/* The thread flags: the threads pane of the process, or of every one. */
static int run_process_threads(struct dump *d, const struct process *only, uint64_t flags,
			       struct doc *out, struct kdx_error *err)
{
	char pid[16];
	char *argv[] = { "threads", pid, NULL };
	snprintf(pid, sizeof pid, "0x%x", only ? only->pid : 0);
	add_windbg_flags(out->root, flags, WINDBG_FLAGS(process_flags));
	return cmd_threads.run(d, only ? 2 : 1, argv, out, err);
}

static int run_process(struct dump *d, int argc, char **argv, struct doc *out,
		       struct kdx_error *err)
{
	uint64_t which = 0, flags = 0;
	if (argc > 1 && strcmp(argv[1], "-1") == 0)
		return kdx_fail(err, "%s -1: the current process: a dump file has no process "
				"context; 'process 0 0' lists every process", argv[0]);
	if (argc > 4)
		return arg_extra(err, &cmd_process, argv[4]);
	if (argc > 1 && !parse_number(argv[1], &which))
		return arg_fail(err, &cmd_process, argv[1], "a PID or EPROCESS (a number), 0 for all");
	if (argc > 2 && parse_windbg_flags(argv[0], argv[2], WINDBG_FLAGS(process_flags), &flags,
					   err) < 0)
		return -1;
	const char *image = argc == 4 ? argv[3] : NULL;
	struct process_list pl;
	if (process_list_read(d, &pl, err) < 0)
		return -1;
	const struct process *only = which ? process_find(&pl, which) : NULL;
	size_t named = 0;
	for (size_t i = 0; image && !which && i < pl.count; i++)
		if (strcasecmp(pl.processes[i].name, image) == 0 && !named++)
			only = &pl.processes[i];
	int bad = 0;
	if (which && !only)
		bad = kdx_fail(err, "%s: no process with PID or EPROCESS %s on PsActiveProcessHead",
			     argv[0], argv[1]);
	else if (image && (!only || strcasecmp(only->name, image) != 0))
		bad = kdx_fail(err, "%s: no process%s named %s on PsActiveProcessHead", argv[0],
			     which ? " of that PID or EPROCESS" : "", image);
	else if (named > 1 && (flags & PROCESS_THREAD_FLAGS))
		bad = kdx_fail(err, "%s: %zu processes are named %s: give the PID of one for its "
			     "threads", argv[0], named, image);
	if (bad < 0) {
		process_list_free(&pl);
		return -1;
	}
	if (flags & PROCESS_THREAD_FLAGS) {
		int r = run_process_threads(d, only, flags, out, err);
		process_list_free(&pl);
		return r;
	}
	doc_set_title(out, "Processes (%zu)", pl.count);
	if (which)
		doc_set_windbg(out, "!process 0x%llx 0", (unsigned long long)only->eprocess);
	else
		doc_set_windbg(out, "!process 0 0%s%s", image ? " " : "", image ? image : "");
	if (argc > 2)
		add_windbg_flags(out->root, flags, WINDBG_FLAGS(process_flags));
	struct dnode *r = out->root;
	dn_role(dn_label(dn_hex(r, "list_head", pl.head, 0), "PsActiveProcessHead"), ROLE_ADDRESS);
	dn_bool(r, "complete", pl.walk.complete);
	add_ring_note(r, "note", &pl.walk);
	add_unknown_note(r, d, pl.unknown);
	struct dnode *problems = dn_label(dn_array(r, "problems"), "Problems");
	struct dnode *t = dn_label(dn_array(r, "processes"), "Processes");
	for (size_t i = 0; i < pl.count; i++) {
		const struct process *p = &pl.processes[i];
		if ((which && p != only) || (image && strcasecmp(p->name, image) != 0))
			continue;
		struct dnode *o = dn_object(t, NULL);
		add_process_fields(o, p);
		char when[40];
		filetime_text(p->create_time, when, sizeof when);
		bool no_time = p->unknown & UNKNOWN_CREATE_TIME;
		no_time ? add_unknown(o, "created") : dn_str(o, "created", when);
		dn_flags(no_time ? add_unknown(o, "create_time") : dn_hex(o, "create_time", p->create_time, 0),
			 DN_JSON_ONLY);
		dn_flags(p->unknown & UNKNOWN_SESSION ? add_unknown(o, "session_space") :
			 dn_hex(o, "session_space", p->session_space, 0), DN_JSON_ONLY);
		dn_flags(p->unknown & UNKNOWN_ACTIVE_THREADS ? add_unknown(o, "active_threads") :
			 dn_uint(o, "active_threads", p->active_threads), DN_JSON_ONLY);
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
	.name = "process", .usage = "process [PROCESS [FLAGS [IMAGENAME]]]",
	.summary = "processes: PID, parent, name, DTB, session, threads (PsActiveProcessHead)",
	.windbg = "!process 0 0",
	.run = run_process,
};
