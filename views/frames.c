/* `kf [THREAD]` (and `k`): a thread's kernel stack frames unwound through
 * the modules' x64 exception data or along the x86 EBP chain
 * (core/nt/unwind.h), each with its child-SP,
 * return address, module!export+offset and size, then the bytes each
 * module's frames take, most first: the driver that ate the stack
 * (doc/scenarios.md §2). Without THREAD: the thread with the deepest
 * stack. */
#include <stdio.h>
#include <string.h>

#include "core/analysis/symbol.h"
#include "core/nt/unwind.h"
#include "core/util/percent.h"
#include "views/commands.h"
#include "views/process.h"

/* Names looked up per distinct address: deep stacks repeat a few return
 * addresses many times. */
#define NAME_CACHE 64u

struct name_cache {
	struct {
		uint64_t rip;
		char name[ADDRESS_NAME_MAX];
	} e[NAME_CACHE];
	size_t n, next;
};

/* The frame's address named as every pane names it (core/analysis/symbol.h). */
static const char *frame_symbol(struct dump *d, const struct module_list *ml,
				struct name_cache *nc, const struct unwind_frame *f)
{
	size_t i = 0;
	while (i < nc->n && nc->e[i].rip != f->rip)
		i++;
	if (i == nc->n) {
		i = nc->n < NAME_CACHE ? nc->n++ : nc->next++ % NAME_CACHE;
		nc->e[i].rip = f->rip;
		address_name(d, &ml->items[f->module], f->rip, nc->e[i].name, sizeof nc->e[i].name);
	}
	return nc->e[i].name;
}

/* The address WinDbg's Child column shows: Child-SP, on x86 ChildEBP. */
static uint64_t child_of(const struct unwind_frame *f, bool x86)
{
	return x86 ? f->ebp : f->sp;
}

static void add_frames(struct dump *d, struct dnode *r, const struct module_list *ml,
		       const struct unwind_result *u)
{
	struct name_cache nc = { .n = 0 };
	bool x86 = d->machine == MACHINE_X86;
	struct dnode *t = dn_label(dn_array(r, "frames"), "Frames (innermost first)");
	for (size_t i = 0; i < u->count; i++) {
		const struct unwind_frame *f = &u->frames[i];
		const struct module *m = &ml->items[f->module];
		const char *sym = frame_symbol(d, ml, &nc, f);
		struct dnode *o = dn_object(t, NULL);
		dn_label(dn_uint(o, "index", i), "#");
		/* WinDbg's kf Memory: the distance from the previous frame's
		 * Child-SP, on x86 its ChildEBP (the frame pointer the EBP chain
		 * walks), blank on the first (learn.microsoft.com, "k, kb, kc,
		 * kd, kp, kP, kv (Display Stack Backtrace)", parameter f). */
		if (i)
			dn_label(dn_hex(o, "memory", child_of(f, x86) - child_of(f - 1, x86), 0),
				 "Memory");
		else
			dn_flags(dn_label(dn_null(o, "memory"), "Memory"), DN_BLANK);
		dn_flags(dn_hex(o, "frame_size", f->size, 0), DN_JSON_ONLY);
		if (x86)
			dn_role(dn_label(dn_hex(o, "ebp", f->ebp, 0), "ChildEBP"), ROLE_ADDRESS);
		struct dnode *sp = dn_role(dn_label(dn_hex(o, "sp", f->sp, 0), "Child-SP"), ROLE_ADDRESS);
		if (x86)
			dn_flags(sp, DN_JSON_ONLY);
		dn_role(dn_label(dn_hex(o, "return_address", f->return_address, 0), "RetAddr"),
			ROLE_ADDRESS);
		dn_role(dn_label(dn_str(o, "symbol", sym), "Call Site"), ROLE_NAME);
		dn_flags(dn_hex(o, "rip", f->rip, 0), DN_JSON_ONLY);
		dn_flags(dn_str(o, "module", m->name), DN_JSON_ONLY);
		if (f->function_known)
			dn_flags(dn_hex(o, "function", m->base + f->function, 0), DN_JSON_ONLY);
		else
			dn_flags(dn_null(o, "function"), DN_JSON_ONLY);
		dn_link(o, "%s 0x%llx L0x%llx", x86 ? "dd" : "dq", (unsigned long long)f->sp,
			(unsigned long long)(f->size / (x86 ? 4 : 8)));
	}
}

/* Frames and bytes per module, most bytes first; the top one is the
 * suspect and takes the danger role. Returns the bytes of all frames. */
static uint64_t add_module_totals(struct dnode *r, const struct module_list *ml,
				  const struct unwind_result *u, const struct thread *th)
{
	struct dnode *t = dn_label(dn_array(r, "modules"), "Stack bytes per module");
	uint64_t total = 0;
	for (size_t mi = 0; mi < ml->count; mi++) {
		uint64_t bytes = 0, frames = 0;
		for (size_t i = 0; i < u->count; i++)
			if (u->frames[i].module == mi) {
				bytes += u->frames[i].size;
				frames++;
			}
		if (!frames)
			continue;
		total += bytes;
		struct dnode *o = dn_object(t, NULL);
		dn_role(dn_str(o, "module", ml->items[mi].name), ROLE_NAME);
		dn_uint(o, "frames", frames);
		dn_hex(o, "bytes", bytes, 0);
		dn_label(dn_uint(o, "percent", percent_of(bytes, th->stack_size)),
			 "% of stack");
		dn_link(o, "lm");
	}
	dn_sort_table(t, "bytes", true);
	if (t->nkids) {
		dn_role(t->kids[0], ROLE_DANGER);
		dn_role(dn_label(dn_str(r, "suspect", dn_get(t->kids[0], "module")->v.s), "most stack"),
			ROLE_DANGER);
	}
	return total;
}

static const struct thread *deepest_thread(const struct process_list *pl)
{
	const struct thread *best = NULL;
	for (size_t i = 0; i < pl->nthreads; i++)
		if (pl->threads[i].sp_in_stack &&
		    (!best || pl->threads[i].stack_used > best->stack_used))
			best = &pl->threads[i];
	return best;
}

static int run_kf(struct dump *d, int argc, char **argv, struct doc *out, struct kdx_error *err)
{
	uint64_t key = 0;
	if (argc > 2)
		return arg_extra(err, &cmd_kf, argv[2]);
	if (argc == 2 && !parse_number(argv[1], &key))
		return arg_fail(err, &cmd_kf, argv[1], "a thread's TID or ETHREAD (a number)");
	struct process_list pl;
	if (process_list_read(d, &pl, err) < 0)
		return -1;
	const struct thread *t = argc == 2 ? thread_find(&pl, key) : deepest_thread(&pl);
	struct module_list ml;
	struct unwind_result u;
	if (!t) {
		process_list_free(&pl);
		/* WinDbg's `k 20` is a frame count; kdx shows every frame. */
		return argc == 2 ? kdx_fail(err, "%s: no thread with TID or ETHREAD 0x%llx in the "
					    "process lists%s", argv[0], (unsigned long long)key,
					    key <= 0xffff ? " (a WinDbg frame count is not taken: "
					    "every frame is shown)" : "")
				 : kdx_fail(err, "kf: no thread has a saved stack pointer in its stack");
	}
	if (modules_read(d, &ml, err) < 0) {
		process_list_free(&pl);
		return -1;
	}
	if (unwind_thread(d, &ml, t, &u, err) < 0) {
		modules_free(&ml);
		process_list_free(&pl);
		return -1;
	}
	const struct process *p = &pl.processes[t->process];
	doc_set_title(out, "Kernel stack frames of thread 0x%x (%s, PID 0x%x)", t->tid, p->name, p->pid);
	doc_set_windbg(out, ".thread 0x%llx; kf", (unsigned long long)t->ethread);
	struct dnode *r = out->root;
	dn_cid(r, "tid", t->tid);
	dn_label(dn_str(r, "chosen", argc == 2 ? "as asked" : "the deepest stack"), "thread");
	dn_link(dn_role(dn_hex(r, "ethread", t->ethread, 0), ROLE_ADDRESS), "stack 0x%llx",
		(unsigned long long)t->ethread);
	dn_link(dn_role(dn_str(r, "process", p->name), ROLE_NAME), "threads 0x%x", p->pid);
	dn_cid(r, "pid", p->pid);
	dn_role(dn_label(dn_hex(r, "stack_base", t->stack_base, 0), "base"), ROLE_ADDRESS);
	dn_role(dn_label(dn_hex(r, "stack_limit", t->stack_limit, 0), "limit"), ROLE_ADDRESS);
	dn_role(dn_label(dn_hex(r, "kernel_stack", t->kernel_stack, 0), "current"), ROLE_ADDRESS);
	dn_label(dn_hex(r, "stack_size", t->stack_size, 0), "size");
	dn_role(dn_label(dn_uint(r, "percent", t->stack_percent), "used %"), stack_risk_role(t->risk));
	if (t->state == 2)
		dn_role(dn_str(r, "running", "the thread was running: the walk starts from its last "
			       "switch, not the moment of the crash"), ROLE_WARNING);
	if (strcmp(argv[0], "kb") == 0)
		dn_role(dn_label(dn_str(r, "arguments", d->machine == MACHINE_X86 ?
					"not shown: the frame's bytes hold them above its return "
					"address (dd at its ChildEBP+8)" :
					"not shown: x64 passes them in registers; the home slots "
					"above a frame's return address (dq at its Child-SP) may hold "
					"copies"), "kb arguments"), ROLE_WARNING);
	dn_label(dn_str(r, "method", u.method), "frames from");
	dn_label(dn_str(r, "start", u.start), "walk starts from");
	dn_bool(r, "complete", u.complete);
	if (u.note[0])
		dn_role(dn_str(r, "note", u.note), ROLE_WARNING);
	else
		dn_flags(dn_null(r, "note"), DN_JSON_ONLY);
	add_frames(d, r, &ml, &u);
	uint64_t total = add_module_totals(r, &ml, &u, t);
	dn_label(dn_hex(r, "frames_bytes", total, 0), "frames total");
	unwind_result_free(&u);
	modules_free(&ml);
	process_list_free(&pl);
	return 0;
}

const struct command cmd_kf = {
	.name = "kf", .usage = "kf [THREAD (TID or ETHREAD)]",
	.summary = "a thread's kernel stack frames with their sizes, summed per module (x64 unwind, "
		   "x86 EBP chain)",
	.windbg = "kf",
	.run = run_kf,
};

const struct command cmd_k = {
	.name = "k", .usage = "k [THREAD (TID or ETHREAD)]",
	.summary = "the same as kf",
	.windbg = "k",
	.run = run_kf,
};

const struct command cmd_kb = {
	.name = "kb", .usage = "kb [THREAD (TID or ETHREAD)]",
	.summary = "the same as kf, and where the arguments would be",
	.windbg = "kb",
	.run = run_kf,
};

const struct command cmd_kn = {
	.name = "kn", .usage = "kn [THREAD (TID or ETHREAD)]",
	.summary = "the same as kf (frames are numbered)",
	.windbg = "kn",
	.run = run_kf,
};

const struct command cmd_thread = {
	.name = "thread", .usage = "thread [THREAD (TID or ETHREAD)]",
	.summary = "a thread: its process, stack bounds and kernel frames (the same as kf)",
	.windbg = "!thread",
	.run = run_kf,
};
