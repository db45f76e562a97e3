/* `session` (`!session`): the sessions the processes belong to; `sprocess
 * [ID]` (`!sprocess`): a session's processes, from its ProcessList ring.
 * WinDbg's forms are read as WinDbg reads them: `session -s ID`, `sprocess
 * ID|-4 [FLAGS [IMAGENAME]]` with the ID decimal.
 * Facts: doc/structures.md §7, doc/address-space.md §5. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/nt/session.h"
#include "views/commands.h"
#include "views/process.h"

static int read_both(struct dump *d, struct process_list *pl, struct session_list *sl,
		     struct kdx_error *err)
{
	if (process_list_read(d, pl, err) < 0)
		return -1;
	if (session_list_read(d, pl, sl, err) < 0) {
		process_list_free(pl);
		return -1;
	}
	return 0;
}

static void add_session_fields(struct dnode *o, const struct session *s,
			       const struct process_list *pl)
{
	if (s->readable)
		dn_uint(o, "id", s->id);
	else
		dn_null(o, "id");
	dn_role(dn_label(dn_hex(o, "mm_session_space", s->address, 0), "MM_SESSION_SPACE"),
		ROLE_ADDRESS);
	dn_label(dn_uint(o, "members", s->nmembers), "processes");
	dn_label(dn_uint(o, "reference_count", s->reference_count), "references");
	/* Session space is mapped in its members' page tables only: the
	 * pool's bounds open its bytes through the reader's. */
	const struct process *reader = &pl->processes[s->reader];
	if (!s->has_paged_pool) {
		/* The build's MM_SESSION_SPACE has no paged pool range. */
		dn_label(dn_null(o, "paged_pool_start"), "pool start");
		dn_label(dn_null(o, "paged_pool_end"), "pool end");
	} else {
		dn_link(dn_role(dn_label(dn_hex(o, "paged_pool_start", s->paged_pool_start, 0),
					 "pool start"), ROLE_REGION_SESSION),
			"db 0x%llx 0x%llx", (unsigned long long)s->paged_pool_start,
			(unsigned long long)reader->dtb);
		dn_link(dn_role(dn_label(dn_hex(o, "paged_pool_end", s->paged_pool_end, 0),
					 "pool end"), ROLE_REGION_SESSION),
			"db 0x%llx 0x%llx", (unsigned long long)(s->paged_pool_end & ~0xfull),
			(unsigned long long)reader->dtb);
	}
	dn_label(dn_strf(o, "read_through", "%s (PID 0x%x)", reader->name, reader->pid),
		 "read through");
	dn_flags(dn_hex(o, "reader_dtb", reader->dtb, 0), DN_JSON_ONLY);
	dn_flags(dn_uint(o, "unlinked", s->unlinked), DN_JSON_ONLY);
	dn_flags(dn_str(o, "note", s->walk.note[0] ? s->walk.note : NULL), DN_JSON_ONLY);
	if (!s->walk.complete || s->unlinked)
		dn_role(o, ROLE_DANGER);
}

static void add_problems(struct dnode *r, const struct session_list *sl,
			 const struct process_list *pl)
{
	struct dnode *p = dn_label(dn_array(r, "problems"), "Problems");
	add_ring_note(r, "note", &pl->walk);
	for (size_t i = 0; i < sl->count; i++) {
		const struct session *s = &sl->items[i];
		if (s->walk.note[0])
			dn_role(dn_strf(p, NULL, "session at 0x%llx: %s", (unsigned long long)s->address,
					s->walk.note), ROLE_DANGER);
		if (s->unlinked)
			dn_role(dn_strf(p, NULL, "session at 0x%llx: %zu processes name it but are not "
					"on its ProcessList", (unsigned long long)s->address,
					s->unlinked), ROLE_DANGER);
	}
}

static int run_sprocess(struct dump *d, int argc, char **argv, struct doc *out,
			struct kdx_error *err);

static int run_session(struct dump *d, int argc, char **argv, struct doc *out,
		       struct kdx_error *err)
{
	/* WinDbg's `!session -s N` sets the session context; a dump file has
	 * none to set, so it shows that session and its processes. */
	if (argc == 3 && strcmp(argv[1], "-s") == 0) {
		char *sprocess[] = { "session -s", argv[2], NULL };
		return run_sprocess(d, 2, sprocess, out, err);
	}
	if (argc != 1)
		return arg_fail(err, &cmd_session, argv[1], strcmp(argv[1], "-s") == 0 ?
				"-s ID" : "-s ID or nothing");
	struct process_list pl;
	struct session_list sl;
	if (read_both(d, &pl, &sl, err) < 0)
		return -1;
	doc_set_title(out, "Sessions (%zu)", sl.count);
	doc_set_windbg(out, "!session");
	struct dnode *r = out->root;
	add_problems(r, &sl, &pl);
	if (sl.count && !sl.items[0].has_paged_pool)
		dn_role(dn_label(dn_str(r, "paged_pool", "none: this build's MM_SESSION_SPACE has "
					"no paged pool range"), "Session pool"), ROLE_MUTED);
	struct dnode *t = dn_label(dn_array(r, "sessions"), "Sessions");
	for (size_t i = 0; i < sl.count; i++) {
		struct dnode *o = dn_object(t, NULL);
		add_session_fields(o, &sl.items[i], &pl);
		if (sl.items[i].readable)
			dn_link(o, "sprocess 0n%u", sl.items[i].id);
	}
	session_list_free(&sl);
	process_list_free(&pl);
	return 0;
}

/* image: only the processes of that name (WinDbg's ImageName), or NULL. */
static void add_members(struct dnode *t, const struct session *s, const struct process_list *pl,
			const char *image)
{
	for (size_t k = 0; k < s->nmembers; k++) {
		const struct session_member *m = &s->members[k];
		if (image && (m->process == SIZE_MAX ||
			      strcasecmp(pl->processes[m->process].name, image) != 0))
			continue;
		struct dnode *o = dn_object(t, NULL);
		if (s->readable)
			dn_uint(o, "session", s->id);
		else
			dn_null(o, "session");
		if (m->process == SIZE_MAX) {
			dn_null(o, "pid");
			dn_role(dn_str(o, "name", "(not on PsActiveProcessHead)"), ROLE_DANGER);
			dn_role(dn_hex(o, "eprocess", m->eprocess, 0), ROLE_ADDRESS);
			continue;
		}
		const struct process *p = &pl->processes[m->process];
		dn_cid(o, "pid", p->pid);
		dn_role(dn_str(o, "name", p->name), ROLE_NAME);
		dn_role(dn_hex(o, "eprocess", p->eprocess, 0), ROLE_ADDRESS);
		add_dtb(o, p);
		dn_uint(o, "threads", p->nthreads);
		dn_link(o, "threads 0x%x", p->pid);
	}
}

/* WinDbg's !sprocess flags: a process's threads are one command away. */
#define THREADS_NOTE "threads PID lists a process's threads with them"
static const struct windbg_flag sprocess_flags[] = {
	{ 0x1, "time and priority statistics", FLAG_NOTE, THREADS_NOTE, NULL },
	{ 0x2, "the threads with their wait states", FLAG_NOTE, THREADS_NOTE, NULL },
	{ 0x4, "the threads (with 0x2, each with its stack)", FLAG_NOTE, THREADS_NOTE, NULL },
	{ 0x8, "return address and stack pointer per frame", FLAG_NOTE,
	  "kf shows them for one thread", NULL },
	{ 0x10, "only the return address of each frame", FLAG_NOTE,
	  "kf shows them for one thread", NULL },
};

/* A session ID as WinDbg's !sprocess reads it: decimal (0x for hex), or
 * -4 for every session; -1 and -2 name a session context a dump lacks.
 * *every is set for -4. */
static int session_arg(const char *cmd, const char *s, uint64_t *id, bool *every,
		       struct kdx_error *err)
{
	*every = strcmp(s, "-4") == 0;
	if (*every)
		return 0;
	if (strcmp(s, "-1") == 0 || strcmp(s, "-2") == 0)
		return kdx_fail(err, "%s %s: the current session: a dump file has no session "
				"context; 'sprocess -4' lists every session's processes", cmd, s);
	char *end;
	if (s[0] == '0' && s[1] && strchr("xXnN", s[1]))
		return parse_number(s, id) ? 0 : kdx_fail(err, "%s %s: expected a session ID", cmd, s);
	*id = strtoull(s, &end, 10);
	if (!isdigit((unsigned char)s[0]) || *end)
		return kdx_fail(err, "%s %s: expected a session ID (decimal, as WinDbg reads it; "
				"0x for hex) or -4", cmd, s);
	return 0;
}

static int run_sprocess(struct dump *d, int argc, char **argv, struct doc *out,
			struct kdx_error *err)
{
	uint64_t id = 0, flags = 0;
	bool every = argc < 2;
	if (argc > 4)
		return arg_extra(err, &cmd_sprocess, argv[4]);
	if (argc > 1 && session_arg(argv[0], argv[1], &id, &every, err) < 0)
		return -1;
	if (argc > 2 && parse_windbg_flags(argv[0], argv[2], WINDBG_FLAGS(sprocess_flags), &flags,
					   err) < 0)
		return -1;
	const char *image = argc == 4 ? argv[3] : NULL;
	struct process_list pl;
	struct session_list sl;
	if (read_both(d, &pl, &sl, err) < 0)
		return -1;
	const struct session *only = every ? NULL : session_by_id(&sl, (uint32_t)id);
	if (!every && !only) {
		session_list_free(&sl);
		process_list_free(&pl);
		return kdx_fail(err, "%s: no session %llu: no process names it", argv[0],
				(unsigned long long)id);
	}
	struct dnode *r = out->root;
	if (only) {
		doc_set_title(out, "Processes of session %u", only->id);
		doc_set_windbg(out, "!sprocess 0x%x", only->id);
		add_session_fields(dn_label(dn_object(r, "session"), "Session"), only, &pl);
	} else {
		doc_set_title(out, "Processes of every session");
		doc_set_windbg(out, "!sprocess -4");
	}
	if (argc > 2)
		add_windbg_flags(r, flags, WINDBG_FLAGS(sprocess_flags));
	add_problems(r, &sl, &pl);
	struct dnode *t = dn_label(dn_array(r, "processes"), "Processes (ProcessList order)");
	for (size_t i = 0; i < sl.count; i++)
		if (!only || &sl.items[i] == only)
			add_members(t, &sl.items[i], &pl, image);
	session_list_free(&sl);
	process_list_free(&pl);
	return 0;
}

const struct command cmd_session = {
	.name = "session", .usage = "session [-s ID]",
	.summary = "sessions: id, MM_SESSION_SPACE, process count, session paged pool",
	.windbg = "!session",
	.run = run_session,
};

const struct command cmd_sprocess = {
	.name = "sprocess", .usage = "sprocess [ID|-4 [FLAGS [IMAGENAME]]]",
	.summary = "the processes of one session, or of every session (ProcessList)",
	.windbg = "!sprocess",
	.run = run_sprocess,
};
