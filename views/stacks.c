/* `stacks`: every thread's kernel stack (base, limit, saved pointer, bytes
 * used and percent, guard page), coloured by risk, deepest first; and
 * `stack THREAD`: one stack page by page with the used part, the raw
 * frames area and the return-address candidates in it (x64 stacks link
 * to their unwound frames, `kf`). Facts: doc/structures.md §3 and §10, doc/address-space.md
 * §6. */
#include <stdio.h>
#include <string.h>

#include "core/analysis/bugcheck.h"
#include "core/analysis/symbol.h"
#include "core/nt/modules.h"
#include "views/commands.h"
#include "views/process.h"

/* A hostile StackBase - StackLimit could be huge; real stacks are at most
 * KERNEL_LARGE_STACK_SIZE (72 KiB), so this many pages is plenty. */
#define STACK_PAGES_SHOWN 64u
#define CANDIDATES_MAX 256u

static void add_stack_figures(struct dnode *o, const struct thread *t)
{
	if (t->unknown & UNKNOWN_STACK) {
		static const char *const keys[] = { "stack_base", "stack_limit", "initial_stack",
			"kernel_stack", "stack_size", "used_bytes", "percent" };
		for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
			add_unknown(o, keys[i]);
		dn_str(o, "guard", guard_text(GUARD_UNKNOWN));
		return;
	}
	dn_role(dn_label(dn_hex(o, "stack_base", t->stack_base, 0), "base"), ROLE_ADDRESS);
	dn_role(dn_label(dn_hex(o, "stack_limit", t->stack_limit, 0), "limit"), ROLE_ADDRESS);
	dn_flags(dn_hex(o, "initial_stack", t->initial_stack, 0), DN_JSON_ONLY);
	dn_role(dn_label(dn_hex(o, "kernel_stack", t->kernel_stack, 0), "current"),
		t->sp_in_stack ? ROLE_ADDRESS : ROLE_DANGER);
	dn_label(dn_hex(o, "stack_size", t->stack_size, 0), "size");
	dn_label(dn_hex(o, "used_bytes", t->stack_used, 0), "used");
	dn_role(dn_label(dn_uint(o, "percent", t->stack_percent), "used %"),
		stack_risk_role(t->risk));
	dn_role(dn_str(o, "guard", guard_text(t->guard)),
		t->guard == GUARD_MISSING ? ROLE_DANGER : t->guard == GUARD_PRESENT ? ROLE_OK
										 : ROLE_WARNING);
}

/* The crash signatures of doc/scenarios.md §2, when the dump has one. */
static void add_signature(struct dump *d, struct dnode *r)
{
	const struct crash_facts *f = &d->src->facts;
	const char *sig = f->has_bugcheck ? bugcheck_signature(f->bugcheck_code, f->bugcheck_params)
					  : NULL;
	if (sig)
		dn_link(dn_role(dn_label(dn_strf(r, "crash", "bug check 0x%x: %s", f->bugcheck_code,
						 sig), "crash"), ROLE_DANGER), "info");
	else
		dn_label(dn_null(r, "crash"), "crash");
}

static int run_stacks(struct dump *d, int argc, char **argv, struct doc *out,
		      struct kdx_error *err)
{
	if (argc != 1)
		return arg_extra(err, &cmd_stacks, argv[1]);
	struct process_list pl;
	if (process_list_read(d, &pl, err) < 0)
		return -1;
	doc_set_title(out, "Kernel stacks (%zu threads)", pl.nthreads);
	doc_set_windbg(out, "!thread (Base, Limit, Current)");
	struct dnode *r = out->root;
	add_signature(d, r);
	if (pl.stack_committed == 0)   /* unknown (-): no public source gives 2003 x64's */
		dn_label(dn_null(r, "kernel_stack_size"), "KERNEL_STACK_SIZE (unknown for this build)");
	else
		dn_label(dn_hex(r, "kernel_stack_size", pl.stack_committed, 0), "KERNEL_STACK_SIZE");
	dn_label(dn_strf(r, "thresholds", "warning from %u%%, danger from %u%% or no guard page",
			 STACK_WARN_PERCENT, STACK_DANGER_PERCENT), "colours");
	add_ring_note(r, "note", &pl.walk);
	size_t warn = 0, danger = 0;
	add_thread_keys(r);
	struct dnode *t = dn_label(dn_array(r, "threads"), "Threads");
	for (size_t i = 0; i < pl.nthreads; i++) {
		const struct thread *th = &pl.threads[i];
		struct dnode *o = dn_object(t, NULL);
		dn_cid(o, "tid", th->tid);
		dn_cid(o, "pid", th->pid);
		dn_role(dn_str(o, "process", pl.processes[th->process].name), ROLE_NAME);
		add_stack_figures(o, th);
		dn_flags(dn_str(o, "note", th->note[0] ? th->note : NULL), DN_JSON_ONLY);
		dn_role(o, stack_risk_role(th->risk));
		/* Every row the same way: who used the stack. */
		link_thread_frames(o, th);
		warn += th->risk == STACK_RISK_WARN;
		danger += th->risk == STACK_RISK_DANGER;
	}
	dn_sort_table(t, "percent", true);
	dn_role(dn_label(dn_uint(r, "danger", danger), "near the limit"),
		danger ? ROLE_STACK_DANGER : ROLE_STACK_OK);
	dn_role(dn_label(dn_uint(r, "warning", warn), "deep"), warn ? ROLE_STACK_WARN : ROLE_STACK_OK);
	process_list_free(&pl);
	return 0;
}

static const char *page_state(struct dump *d, uint64_t va)
{
	struct walk wk;
	xlat_walk(d->kernel, va, &wk);
	if (wk.reason == XLAT_OK)
		return "present";
	if (wk.reason == XLAT_NOT_PRESENT)
		return "not present";
	return wk.stopped_at < 0 ? "not in dump" : "table not in dump";
}

static void add_pages(struct dump *d, struct dnode *r, const struct thread *t)
{
	struct dnode *pages = dn_label(dn_array(r, "pages"), "Pages (top = base)");
	uint64_t top = (t->stack_base + KDX_PAGE_SIZE - 1) & ~(uint64_t)(KDX_PAGE_SIZE - 1);
	uint64_t low = (t->stack_limit & ~(uint64_t)(KDX_PAGE_SIZE - 1)) - KDX_PAGE_SIZE;
	if ((top - low) / KDX_PAGE_SIZE > STACK_PAGES_SHOWN) {
		dn_role(dn_label(dn_strf(r, "pages_note", "the stack claims %llu pages; the %u below the base "
				"are shown", (unsigned long long)((top - low) / KDX_PAGE_SIZE),
				STACK_PAGES_SHOWN), "pages shown"), ROLE_WARNING);
		low = top - STACK_PAGES_SHOWN * KDX_PAGE_SIZE;
	}
	for (uint64_t va = top; va > low;) {
		va -= KDX_PAGE_SIZE;
		struct dnode *o = dn_object(pages, NULL);
		dn_role(dn_hex(o, "va", va, 0), ROLE_ADDRESS);
		bool guard = va + KDX_PAGE_SIZE <= t->stack_limit;
		const char *state = page_state(d, va);
		dn_str(o, "part", guard ? "guard" : "stack");
		dn_str(o, "state", state);
		uint64_t from = t->sp_in_stack && t->kernel_stack > va ? t->kernel_stack : va;
		uint64_t to = va + KDX_PAGE_SIZE < t->stack_base ? va + KDX_PAGE_SIZE : t->stack_base;
		uint64_t used = t->sp_in_stack && to > from ? to - from : 0;
		dn_hex(o, "used", used, 0);
		bool holds_sp = t->kernel_stack >= va && t->kernel_stack < va + KDX_PAGE_SIZE;
		dn_str(o, "sp", holds_sp ? "<- current" : "");
		enum role role = guard ? (strcmp(state, "present") == 0 ? ROLE_DANGER : ROLE_MUTED) :
				 used ? stack_risk_role(t->risk) : ROLE_NORMAL;
		dn_role(o, role);
		if (!guard && strcmp(state, "present") == 0)
			dn_link(o, "dq 0x%llx", (unsigned long long)va);
	}
}

/* Pointer-sized values in the used part that fall in a module's code: what
 * a stack walk would start from, without unwinding. */
static void add_candidates(struct dump *d, struct dnode *r, const struct thread *t)
{
	struct module_list ml;
	struct kdx_error e;
	struct dnode *c = dn_label(dn_array(r, "return_candidates"),
				   "Return-address candidates (a scan, not an unwind)");
	if (!t->sp_in_stack || modules_read(d, &ml, &e) < 0)
		return;
	unsigned ps = dump_ptr_size(d);
	/* a hostile StackBase: scan no more than the pages add_pages shows */
	uint64_t end = t->stack_base;
	if (end - t->kernel_stack > STACK_PAGES_SHOWN * KDX_PAGE_SIZE)
		end = t->kernel_stack + STACK_PAGES_SHOWN * KDX_PAGE_SIZE;
	for (uint64_t slot = t->kernel_stack; slot + ps <= end &&
	     c->nkids < CANDIDATES_MAX; slot += ps) {
		uint64_t v;
		if (!dump_read_ptr(d, slot, &v))
			continue;
		const struct module *m = modules_find(&ml, v);
		const struct module_section *s = m ? module_section_at(m, v - m->base) : NULL;
		if (!s || !s->code)
			continue;
		struct dnode *o = dn_object(c, NULL);
		dn_role(dn_hex(o, "slot", slot, 0), ROLE_ADDRESS);
		dn_hex(o, "value", v, 0);
		char name[ADDRESS_NAME_MAX];
		address_name(d, m, v, name, sizeof name);
		dn_role(dn_str(o, "symbol", name), ROLE_NAME);
		dn_link(o, "db 0x%llx", (unsigned long long)v);
	}
	modules_free(&ml);
}

static int run_stack(struct dump *d, int argc, char **argv, struct doc *out,
		     struct kdx_error *err)
{
	uint64_t key;
	if (number_arg(err, &cmd_stack, argc, argv, "a thread's TID or ETHREAD", &key) < 0)
		return -1;
	struct process_list pl;
	if (process_list_read(d, &pl, err) < 0)
		return -1;
	const struct thread *t = thread_find(&pl, key);
	if (!t) {
		process_list_free(&pl);
		return kdx_fail(err, "stack: no thread with TID or ETHREAD 0x%llx in the process "
				"lists", (unsigned long long)key);
	}
	const struct process *p = &pl.processes[t->process];
	doc_set_title(out, "Kernel stack of thread 0x%x (%s, PID 0x%x)", t->tid, p->name, p->pid);
	doc_set_windbg(out, "!thread 0x%llx; kf", (unsigned long long)t->ethread);
	struct dnode *r = out->root;
	add_signature(d, r);
	dn_cid(r, "tid", t->tid);
	dn_link(dn_role(dn_str(r, "process", p->name), ROLE_NAME), "threads 0x%x", p->pid);
	dn_cid(r, "pid", t->pid);
	dn_role(dn_hex(r, "ethread", t->ethread, 0), ROLE_ADDRESS);
	const char *state = thread_state_name(t->state);
	if (t->unknown & UNKNOWN_STATE)
		add_unknown(r, "state");
	else
		dn_str(r, "state", state ? state : "?");
	add_stack_figures(r, t);
	if (t->note[0])
		dn_role(dn_str(r, "note", t->note), ROLE_DANGER);
	if (t->state == 2)
		dn_role(dn_str(r, "running", "the thread was running: the saved stack pointer is "
			       "from its last switch, not the moment of the crash"), ROLE_WARNING);
	if (t->sp_in_stack && t->stack_used) {
		unsigned ps = dump_ptr_size(d);
		dn_link(dn_label(dn_strf(r, "frames", "%s 0x%llx L0x%llx", ps == 8 ? "dq" : "dd",
					 (unsigned long long)t->kernel_stack,
					 (unsigned long long)(t->stack_used / ps)), "raw frames"),
			"%s 0x%llx L0x%llx", ps == 8 ? "dq" : "dd", (unsigned long long)t->kernel_stack,
			(unsigned long long)(t->stack_used / ps));
	}
	/* kf unwinds x64 stacks by their unwind data and x86 ones along the
	 * EBP chain, which misses frames built without a frame pointer: the
	 * candidates below are every value that points into module code. */
	dn_link(dn_label(dn_strf(r, "frame_sizes", "kf 0x%llx%s", (unsigned long long)t->ethread,
				 d->machine == MACHINE_X64 ? "" : " (EBP chain)"), "frame sizes"),
		"kf 0x%llx", (unsigned long long)t->ethread);
	add_pages(d, r, t);
	add_candidates(d, r, t);
	process_list_free(&pl);
	return 0;
}

const struct command cmd_stacks = {
	.name = "stacks", .usage = "stacks",
	.summary = "every thread's kernel stack: base, limit, current, used, percent, guard",
	.windbg = "!thread",
	.run = run_stacks,
};

const struct command cmd_stack = {
	.name = "stack", .usage = "stack THREAD (TID or ETHREAD)",
	.summary = "one kernel stack page by page, its frames area and return candidates",
	.windbg = "!thread; kf",
	.run = run_stack,
};
