/* `threads [PID] [-sort user|kernel|total]`: threads with their user and
 * kernel time, WinDbg's `!runaway`; Enter opens a thread's frames (kf), as
 * in `stacks`. Times are clock ticks scaled by KeTimeIncrement
 * (doc/structures.md §3, open question 5). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "views/commands.h"
#include "views/process.h"

static const char *const sort_keys[][2] = {
	{ "user", "user_time" }, { "kernel", "kernel_time" }, { "total", "total_time" },
};

/* A thread time in ticks, ms and as !runaway prints it; without
 * KeTimeIncrement only the ticks are known. */
static void add_time(struct dnode *o, const struct process_list *pl, const char *kind,
		     uint32_t ticks)
{
	char key[24], label[24];
	bool known = !(pl->unknown & UNKNOWN_TIMES);
	snprintf(key, sizeof key, "%s_time", kind);
	snprintf(label, sizeof label, "%s ticks", kind);
	/* Ticks and milliseconds are the time column's figure again: a screen
	 * short of room leaves them out first. */
	dn_flags(dn_label(known ? dn_uint(o, key, ticks) : add_unknown(o, key), label), DN_SPARE);
	snprintf(key, sizeof key, "%s_ms", kind);
	snprintf(label, sizeof label, "%s ms", kind);
	uint64_t ms = process_ticks_ms(pl, ticks);
	dn_flags(dn_label(known && pl->has_time_increment ? dn_uint(o, key, ms) : dn_null(o, key), label),
		 DN_SPARE);
	snprintf(key, sizeof key, "%s_runaway", kind);
	snprintf(label, sizeof label, "%s time", kind);
	char text[48];
	runaway_text(ms, text, sizeof text);
	dn_label(known && pl->has_time_increment ? dn_str(o, key, text) : dn_null(o, key), label);
}

/* !runaway's FLAGS choose which times WinDbg lists, each sorted; kdx's one
 * table holds both, sorted by the one asked for, or by their sum. */
static const struct windbg_flag runaway_flags[] = {
	{ 0x1, "user time per thread, sorted", FLAG_DONE, NULL, NULL },
	{ 0x2, "kernel time per thread, sorted", FLAG_DONE, NULL, NULL },
	{ 0x4, "time since each thread was created", FLAG_NOTE,
	  "not shown: kdx lists each thread's creation time (JSON create_time)", NULL },
};

static int run_threads(struct dump *d, int argc, char **argv, struct doc *out,
		       struct kdx_error *err)
{
	const char *sort = NULL;
	bool has_pid = false;
	uint64_t pid = 0;
	/* After !runaway a number is WinDbg's flags, not a PID. */
	bool has_flags = strcmp(argv[0], "!runaway") == 0 && argc > 1 && is_number_word(argv[1]);
	uint64_t flags = 0;
	if (has_flags && parse_windbg_flags(argv[0], argv[1], WINDBG_FLAGS(runaway_flags), &flags,
					    err) < 0)
		return -1;
	switch (flags & 3) {
	case 1: sort = "user_time"; break;
	case 2: sort = "kernel_time"; break;
	case 3: sort = "total_time"; break;
	}
	for (int i = 1 + has_flags; i < argc; i++) {
		if (strcmp(argv[i], "-sort") == 0 && i + 1 < argc) {
			i++;
			for (size_t k = 0; k < sizeof sort_keys / sizeof sort_keys[0]; k++)
				if (strcmp(argv[i], sort_keys[k][0]) == 0)
					sort = sort_keys[k][1];
			if (!sort)
				return kdx_fail(err, "threads: -sort %s: expected user, kernel or total",
						argv[i]);
		} else if (!has_pid && parse_number(argv[i], &pid)) {
			has_pid = true;
		} else {
			return arg_fail(err, &cmd_threads, argv[i], has_pid ? "-sort and a column" :
					"a PID (a number) or -sort and a column");
		}
	}
	struct process_list pl;
	if (process_list_read(d, &pl, err) < 0)
		return -1;
	const struct process *only = has_pid ? process_by_pid(&pl, (uint32_t)pid) : NULL;
	if (has_pid && !only) {
		process_list_free(&pl);
		return kdx_fail(err, "threads: no process with PID 0x%llx (0n%llu) on "
				"PsActiveProcessHead", (unsigned long long)pid, (unsigned long long)pid);
	}
	struct dnode *r = out->root;
	if (only) {
		doc_set_title(out, "Threads of %s (PID 0x%x)", only->name, only->pid);
		doc_set_windbg(out, "!process 0x%llx 7; !runaway 7",
			       (unsigned long long)only->eprocess);
		add_process_fields(dn_label(dn_object(r, "process"), "Process"), only);
		add_ring_note(r, "note", &only->thread_walk);
	} else {
		doc_set_title(out, "Threads (%zu)", pl.nthreads);
		doc_set_windbg(out, "!runaway 7");
		add_ring_note(r, "note", &pl.walk);
	}
	add_unknown_note(r, d, pl.unknown);
	if (has_flags)
		add_windbg_flags(r, flags, WINDBG_FLAGS(runaway_flags));
	if (pl.has_time_increment)
		dn_label(dn_uint(r, "time_increment", pl.time_increment), "tick (100 ns)");
	else
		dn_role(dn_label(dn_str(r, "time_increment", "KeTimeIncrement is not in the dump: "
					"times in ticks only"), "tick"), ROLE_WARNING);
	add_thread_keys(r);
	struct dnode *t = dn_label(dn_array(r, "threads"), "Threads");
	for (size_t i = 0; i < pl.nthreads; i++) {
		const struct thread *th = &pl.threads[i];
		const struct process *p = &pl.processes[th->process];
		if (only && p != only)
			continue;
		struct dnode *o = dn_object(t, NULL);
		dn_cid(o, "tid", th->tid);
		dn_cid(o, "pid", th->pid);
		dn_role(dn_str(o, "process", p->name), ROLE_NAME);
		dn_role(dn_hex(o, "ethread", th->ethread, 0), ROLE_ADDRESS);
		const char *state = thread_state_name(th->state);
		bool no_state = th->unknown & UNKNOWN_STATE, no_wait = th->unknown & UNKNOWN_WAIT_REASON;
		dn_role(no_state ? add_unknown(o, "state") : state ? dn_str(o, "state", state) :
			dn_strf(o, "state", "%u", th->state), th->state == 2 ? ROLE_OK : ROLE_NORMAL);
		const char *why = wait_reason_name(th->wait_reason);
		dn_flags(no_wait ? add_unknown(o, "wait_reason") : dn_uint(o, "wait_reason", th->wait_reason),
			 DN_JSON_ONLY);
		dn_label(no_state || no_wait || th->state != 5 ? dn_null(o, "wait") :
			 why ? dn_str(o, "wait", why) : dn_strf(o, "wait", "%u", th->wait_reason), "waits for");
		dn_label(th->unknown & UNKNOWN_PRIORITY ? add_unknown(o, "priority") :
			 dn_uint(o, "priority", th->priority), "pri");
		if (th->cpu >= 0)
			dn_uint(o, "cpu", (unsigned)th->cpu);
		else
			dn_null(o, "cpu");
		add_time(o, &pl, "user", th->user_time);
		add_time(o, &pl, "kernel", th->kernel_time);
		dn_flags(th->unknown & UNKNOWN_TIMES ? add_unknown(o, "total_time") :
			 dn_uint(o, "total_time", (uint64_t)th->user_time + th->kernel_time), DN_JSON_ONLY);
		dn_role(dn_label(th->unknown & UNKNOWN_STACK ? add_unknown(o, "stack_percent") :
				 dn_uint(o, "stack_percent", th->stack_percent), "stack %"),
			stack_risk_role(th->risk));
		bool no_start = th->unknown & UNKNOWN_START;
		dn_flags(no_start ? add_unknown(o, "start_address") :
			 dn_hex(o, "start_address", th->start_address, 0), DN_JSON_ONLY);
		dn_flags(no_start ? add_unknown(o, "win32_start_address") :
			 dn_hex(o, "win32_start_address", th->win32_start_address, 0), DN_JSON_ONLY);
		dn_flags(th->unknown & UNKNOWN_TEB ? add_unknown(o, "teb") : dn_hex(o, "teb", th->teb, 0),
			 DN_JSON_ONLY);
		dn_flags(th->unknown & UNKNOWN_THREAD_CREATE_TIME ? add_unknown(o, "create_time") :
			 dn_hex(o, "create_time", th->create_time, 0), DN_JSON_ONLY);
		dn_flags(dn_str(o, "note", th->note[0] ? th->note : NULL), DN_JSON_ONLY);
		if (th->note[0])
			dn_role(o, ROLE_WARNING);
		link_thread_frames(o, th);
	}
	if (sort)
		dn_sort_table(t, sort, true);
	process_list_free(&pl);
	return 0;
}

const struct command cmd_threads = {
	.name = "threads", .usage = "threads [PID] [-sort user|kernel|total]",
	.summary = "threads with user and kernel time (!runaway), state, CPU; each links to its frames (kf)",
	.windbg = "!runaway", .aliases = { "!runaway" },
	.run = run_threads,
};
