#include "core/nt/process.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/nt/kdbg.h"
#include "core/nt/profile.h"
#include "core/util/percent.h"

/* DISPATCHER_HEADER.Type of the records (doc/structures.md §1). */
enum { TYPE_PROCESS = 3, TYPE_THREAD = 6 };
/* The largest EPROCESS / ETHREAD any profile describes is below this. */
#define RECORD_MAX 0x1000u

/* ---- the cycle check: an open-addressing set of record addresses ---- */

struct addr_set {
	uint64_t *slots;            /* 0 = empty; records are never at 0 */
	size_t cap, count;
};

static size_t addr_hash(uint64_t a, size_t cap)
{
	return (size_t)((a * 0x9e3779b97f4a7c15ull) >> 20) & (cap - 1);
}

/* Starts small and doubles at half full: a list of ten threads costs a
 * few hundred bytes, not room for the longest list any system holds. */
static int set_init(struct addr_set *s)
{
	s->cap = 64;
	s->count = 0;
	s->slots = calloc(s->cap, sizeof *s->slots);
	return s->slots ? 0 : -1;
}

static void set_put(uint64_t *slots, size_t cap, uint64_t a)
{
	size_t i = addr_hash(a, cap);
	while (slots[i] && slots[i] != a)
		i = (i + 1) & (cap - 1);
	slots[i] = a;
}

/* 1: added; 0: there already; -1: out of memory. */
static int set_add(struct addr_set *s, uint64_t a)
{
	for (size_t i = addr_hash(a, s->cap); s->slots[i]; i = (i + 1) & (s->cap - 1))
		if (s->slots[i] == a)
			return 0;
	if (2 * (s->count + 1) > s->cap) {
		uint64_t *bigger = calloc(2 * s->cap, sizeof *bigger);
		if (!bigger)
			return -1;
		for (size_t i = 0; i < s->cap; i++)
			if (s->slots[i])
				set_put(bigger, 2 * s->cap, s->slots[i]);
		free(s->slots);
		s->slots = bigger;
		s->cap *= 2;
	}
	set_put(s->slots, s->cap, a);
	s->count++;
	return 1;
}

static const char *unreadable(struct xlat *x, uint64_t va)
{
	uint64_t pa;
	return xlat_to_phys(x, va, &pa) == XLAT_NOT_PRESENT ? "the link points at an unmapped address"
							    : "the entry is not in the dump";
}

int ring_walk(const struct ring *r, ring_visit_fn visit, void *ctx, struct ring_result *out)
{
	memset(out, 0, sizeof *out);
	struct addr_set seen;
	if (set_init(&seen) < 0)
		return -1;
	uint64_t prev = r->head, link;
	const char *why = NULL;
	if (!xlat_read_uint(r->space, r->head, r->ptr_size, &link)) {
		snprintf(out->note, sizeof out->note, "the %s list head at 0x%llx is not in the dump",
			 r->what, (unsigned long long)r->head);
		free(seen.slots);
		return 0;
	}
	while (link != r->head) {
		uint64_t next, back;
		int added = 0;
		if (out->count == r->max)
			why = "more entries than any real system holds";
		else if (!link)
			why = "a NULL link";
		else if ((added = set_add(&seen, link)) <= 0)
			why = added < 0 ? "out of memory for the cycle check"
					: "the list loops back to an entry already read";
		else if (!xlat_read_uint(r->space, link, r->ptr_size, &next) ||
			 !xlat_read_uint(r->space, link + r->ptr_size, r->ptr_size, &back))
			why = unreadable(r->space, link);
		else if (back != prev)
			why = "its Blink does not point back at the entry before";
		else
			why = visit(ctx, link - r->link_offset);
		if (why)
			break;
		out->count++;
		prev = link;
		link = next;
	}
	out->complete = !why;
	if (why)
		snprintf(out->note, sizeof out->note, "the %s list stops at 0x%llx after %zu: %s",
			 r->what, (unsigned long long)link, out->count, why);
	free(seen.slots);
	return 0;
}

/* ---- processes and threads ---- */

struct walker {
	struct dump *d;
	const struct profile *prof;
	struct process_list *l;
	size_t proc_cap, thread_cap;
	struct process *cur;        /* whose threads are being walked */
	uint64_t current[64];       /* KPRCB.CurrentThread per processor */
	unsigned ncpus;
	bool out_of_memory;
	unsigned process_span, thread_span;   /* bytes of each record read */
	uint8_t rec[RECORD_MAX];
	char why[PROCESS_NOTE_MAX];
};

static bool grow(void **items, size_t *cap, size_t count, size_t size)
{
	if (count < *cap)
		return true;
	size_t n = *cap ? 2 * *cap : 32;
	void *p = realloc(*items, n * size);
	if (!p)
		return false;
	*items = p;
	*cap = n;
	return true;
}

static const char *read_record(struct walker *w, uint64_t va, unsigned size, unsigned type,
			       const char *name)
{
	if (xlat_read(w->d->kernel, va, w->rec, size, NULL) != size) {
		snprintf(w->why, sizeof w->why, "the %s (0x%x bytes) is not all in the dump", name,
			 size);
		return w->why;
	}
	if (w->rec[0] != type) {
		snprintf(w->why, sizeof w->why, "DISPATCHER_HEADER.Type is %u, expected %u (%s)",
			 w->rec[0], type, name);
		return w->why;
	}
	return NULL;
}

/* The page below StackLimit must be invalid (doc/structures.md §10). A table that
 * is not in the dump leaves it unknown. */
static enum guard_state guard_of(struct dump *d, uint64_t stack_limit)
{
	uint64_t guard = (stack_limit & ~(uint64_t)(KDX_PAGE_SIZE - 1)) - KDX_PAGE_SIZE;
	struct walk wk;
	xlat_walk(d->kernel, guard, &wk);
	if (wk.reason == XLAT_NOT_PRESENT)
		return GUARD_PRESENT;
	if (wk.stopped_at < 0 && wk.reason != XLAT_INVALID)
		return GUARD_MISSING;
	return GUARD_UNKNOWN;
}

/* doc/structures.md §10: used = StackBase - SP, percent of StackBase - StackLimit. */
static void measure_stack(struct dump *d, struct thread *t)
{
	if (t->stack_base <= t->stack_limit) {
		snprintf(t->note, sizeof t->note, "StackBase 0x%llx is not above StackLimit 0x%llx",
			 (unsigned long long)t->stack_base, (unsigned long long)t->stack_limit);
		t->risk = STACK_RISK_DANGER;
		return;
	}
	t->stack_size = t->stack_base - t->stack_limit;
	t->sp_in_stack = t->kernel_stack >= t->stack_limit && t->kernel_stack <= t->stack_base;
	if (t->sp_in_stack) {
		t->stack_used = t->stack_base - t->kernel_stack;
		t->stack_percent = percent_of(t->stack_used, t->stack_size);
	} else {
		snprintf(t->note, sizeof t->note, "the saved stack pointer 0x%llx is %s the stack",
			 (unsigned long long)t->kernel_stack,
			 t->kernel_stack < t->stack_limit ? "below (overflowed past)" : "above");
	}
	t->guard = guard_of(d, t->stack_limit);
	if (!t->sp_in_stack || t->guard == GUARD_MISSING || t->stack_percent >= STACK_DANGER_PERCENT)
		t->risk = STACK_RISK_DANGER;
	else if (t->stack_percent >= STACK_WARN_PERCENT)
		t->risk = STACK_RISK_WARN;
}

static const char *visit_thread(void *ctx, uint64_t ethread)
{
	struct walker *w = ctx;
	const struct prof_kthread *K = w->prof->kthread;
	const struct prof_ethread *T = w->prof->ethread;
	unsigned ps = w->prof->ptr_size;
	struct process_list *l = w->l;
	const char *bad = read_record(w, ethread, w->thread_span, TYPE_THREAD, "ETHREAD");
	if (bad)
		return bad;
	const uint8_t *r = w->rec;
	size_t len = w->thread_span;
	/* XP has no KTHREAD.Process: ETHREAD.ThreadsProcess (doc/structures.md §3). */
	uint64_t owner;
	uint16_t owner_at = K->process != PROF_ABSENT ? K->process : T->threads_process;
	if (field_u64(r, len, owner_at, ps, &owner) && owner != w->cur->eprocess) {
		snprintf(w->why, sizeof w->why, "the thread's owning process is 0x%llx, not this one",
			 (unsigned long long)owner);
		return w->why;
	}
	if (l->nthreads == THREADS_MAX)
		return "more threads than any real system runs";
	if (!grow((void **)&l->threads, &w->thread_cap, l->nthreads, sizeof *l->threads)) {
		w->out_of_memory = true;
		return "out of memory";
	}
	struct thread *t = &l->threads[l->nthreads++];
	memset(t, 0, sizeof *t);
	t->ethread = ethread;
	t->process = (size_t)(w->cur - l->processes);
	field_u32(r, len, T->cid_unique_thread, ps, &t->tid);
	field_u32(r, len, T->cid_unique_process, ps, &t->pid);
	uint32_t byte;
	field_u32(r, len, K->state, 1, &byte);
	t->state = (uint8_t)byte;
	field_u32(r, len, K->wait_reason, 1, &byte);
	t->wait_reason = (uint8_t)byte;
	field_u32(r, len, K->priority, 1, &byte);
	t->priority = (uint8_t)byte;
	t->unknown = l->unknown;
	field_u32(r, len, K->kernel_time, 4, &t->kernel_time);
	field_u32(r, len, K->user_time, 4, &t->user_time);
	field_u64(r, len, K->teb, ps, &t->teb);
	field_u64(r, len, T->start_address, ps, &t->start_address);
	field_u64(r, len, T->win32_start_address, ps, &t->win32_start_address);
	field_u64(r, len, T->create_time, 8, &t->create_time);
	field_u64(r, len, K->initial_stack, ps, &t->initial_stack);
	field_u64(r, len, K->stack_base, ps, &t->stack_base);
	field_u64(r, len, K->stack_limit, ps, &t->stack_limit);
	field_u64(r, len, K->kernel_stack, ps, &t->kernel_stack);
	t->cpu = -1;
	for (unsigned c = 0; c < w->ncpus; c++)
		if (w->current[c] == ethread)
			t->cpu = (int)c;
	if (l->unknown & UNKNOWN_STACK)
		snprintf(t->note, sizeof t->note, "the stack fields are unknown for this build");
	else
		measure_stack(w->d, t);
	if (!(l->unknown & UNKNOWN_CID) && t->pid != w->cur->pid && !t->note[0])
		snprintf(t->note, sizeof t->note, "Cid.UniqueProcess is %u, the process is %u",
			 t->pid, w->cur->pid);
	w->cur->nthreads++;
	return NULL;
}

static void read_session_id(struct dump *d, const struct profile *prof, struct process *p)
{
	struct kdx_error ignored;
	bool owned;
	struct xlat *x = process_space(d, p, &owned, &ignored);
	uint64_t id;
	if (x && xlat_read_uint(x, p->session_space + prof->session->session_id, 4, &id)) {
		p->has_session_id = true;
		p->session_id = (uint32_t)id;
	}
	if (owned)
		xlat_free(x);
}

static void copy_name(char *out, const uint8_t *rec, size_t len, uint16_t off, unsigned size)
{
	unsigned n = 0;
	if (off == PROF_ABSENT || off >= len)
		size = 0;
	else if (size > len - off)
		size = (unsigned)(len - off);
	const uint8_t *in = rec + (off == PROF_ABSENT ? 0 : off);
	for (; n < size && in[n]; n++)
		out[n] = in[n] >= 0x20 && in[n] < 0x7f ? (char)in[n] : '?';
	out[n] = 0;
}

static const char *visit_process(void *ctx, uint64_t eprocess)
{
	struct walker *w = ctx;
	const struct prof_eprocess *E = w->prof->eprocess;
	unsigned ps = w->prof->ptr_size;
	struct process_list *l = w->l;
	const char *bad = read_record(w, eprocess, w->process_span, TYPE_PROCESS, "EPROCESS");
	if (bad)
		return bad;
	if (!grow((void **)&l->processes, &w->proc_cap, l->count, sizeof *l->processes)) {
		w->out_of_memory = true;
		return "out of memory";
	}
	const uint8_t *r = w->rec;
	size_t len = w->process_span;
	struct process *p = &l->processes[l->count++];
	memset(p, 0, sizeof *p);
	p->eprocess = eprocess;
	field_u32(r, len, E->unique_process_id, ps, &p->pid);
	field_u32(r, len, E->inherited_from_unique_process_id, ps, &p->ppid);
	copy_name(p->name, r, len, E->image_file_name, E->image_file_name_size);
	p->unknown = l->unknown;
	/* doc/structures.md §2: index 0 of XP's pair; one value on 7 and 10. */
	field_u64(r, len, E->directory_table_base, ps, &p->dtb_raw);
	p->dtb = p->dtb_raw & paging_desc(w->d->paging)->dtb_mask;
	field_u64(r, len, E->session, ps, &p->session_space);
	field_u64(r, len, E->peb, ps, &p->peb);
	field_u64(r, len, E->create_time, 8, &p->create_time);
	field_u64(r, len, E->exit_time, 8, &p->exit_time);
	field_u32(r, len, E->active_threads, 4, &p->active_threads);
	if (p->session_space)
		read_session_id(w->d, w->prof, p);

	p->first_thread = l->nthreads;
	w->cur = p;
	struct ring tr = { w->d->kernel, ps, eprocess + E->thread_list_head,
			   w->prof->ethread->thread_list_entry, THREADS_MAX, "thread" };
	if (ring_walk(&tr, visit_thread, w, &p->thread_walk) < 0)
		w->out_of_memory = true;
	if (p->thread_walk.complete && !(l->unknown & UNKNOWN_ACTIVE_THREADS) &&
	    p->active_threads != p->nthreads)
		snprintf(p->thread_walk.note, sizeof p->thread_walk.note,
			 "ActiveThreads says %u, the thread list holds %zu", p->active_threads,
			 p->nthreads);
	return w->out_of_memory ? "out of memory" : NULL;
}

/* The fields the panes show that this layout lacks. */
static unsigned unknown_fields(const struct profile *p)
{
	const struct prof_eprocess *E = p->eprocess;
	const struct prof_kthread *K = p->kthread;
	const struct prof_ethread *T = p->ethread;
	const struct { uint16_t off; unsigned bit; } f[] = {
		{ E->inherited_from_unique_process_id, UNKNOWN_PPID }, { E->peb, UNKNOWN_PEB },
		{ E->create_time, UNKNOWN_CREATE_TIME }, { E->active_threads, UNKNOWN_ACTIVE_THREADS },
		{ E->image_file_name, UNKNOWN_NAME }, { K->state, UNKNOWN_STATE },
		{ K->wait_reason, UNKNOWN_WAIT_REASON }, { K->priority, UNKNOWN_PRIORITY },
		{ K->kernel_time, UNKNOWN_TIMES }, { K->user_time, UNKNOWN_TIMES },
		{ K->teb, UNKNOWN_TEB }, { T->start_address, UNKNOWN_START },
		{ T->win32_start_address, UNKNOWN_START }, { T->create_time, UNKNOWN_THREAD_CREATE_TIME },
		{ K->stack_base, UNKNOWN_STACK }, { K->stack_limit, UNKNOWN_STACK },
		{ K->kernel_stack, UNKNOWN_STACK }, { K->initial_stack, UNKNOWN_STACK },
		{ T->cid_unique_process, UNKNOWN_CID }, { T->cid_unique_thread, UNKNOWN_CID },
		{ E->session, UNKNOWN_SESSION },
	};
	unsigned u = 0;
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
		if (f[i].off == PROF_ABSENT)
			u |= f[i].bit;
	return u;
}

/* KiProcessorBlock: KPRCB pointers; each KPRCB's CurrentThread. */
static void read_current_threads(struct walker *w)
{
	uint64_t block, prcb;
	unsigned ps = w->prof->ptr_size;
	if (w->prof->kpcr->prcb_current_thread == PROF_ABSENT ||
	    !dump_kdbg_field(w->d, KDBG_KI_PROCESSOR_BLOCK, 8, &block) || !block)
		return;
	unsigned cap = ps == 8 ? 64 : 32;
	while (w->ncpus < cap &&
	       dump_read_ptr(w->d, block + (uint64_t)w->ncpus * ps, &prcb) && prcb) {
		if (!dump_read_ptr(w->d, prcb + w->prof->kpcr->prcb_current_thread,
				   &w->current[w->ncpus]))
			w->current[w->ncpus] = 0;
		w->ncpus++;
	}
}

int process_list_read(struct dump *d, struct process_list *l, struct kdx_error *err)
{
	memset(l, 0, sizeof *l);
	if (dump_need_structures(d, "processes", err) < 0)
		return -1;
	const struct profile *p = d->layout.profile;
	const struct prof_eprocess *E = p->eprocess;
	const struct prof_ethread *T = p->ethread;
	if (E->active_process_links == PROF_ABSENT || E->thread_list_head == PROF_ABSENT ||
	    T->thread_list_entry == PROF_ABSENT || E->unique_process_id == PROF_ABSENT)
		return kdx_fail(err, "processes: the links or the PID the lists are read through are "
				"unknown for build %u (info -v lists the checks calibration ran)", d->build);
	unsigned process_span = layout_record_span(p, "eprocess", E->size);
	unsigned thread_span = layout_record_span(p, "ethread", T->size);
	if (T->size == PROF_ABSENT && layout_record_span(p, "kthread", PROF_ABSENT) > thread_span)
		thread_span = layout_record_span(p, "kthread", PROF_ABSENT);
	if (process_span > RECORD_MAX || thread_span > RECORD_MAX)
		return kdx_fail(err, "processes: EPROCESS/ETHREAD sizes 0x%x/0x%x are larger than "
				"expected", process_span, thread_span);
	if (!d->has_kdbg || !dump_kdbg_field(d, KDBG_PS_ACTIVE_PROCESS_HEAD, 8, &l->head) ||
	    !l->head)
		return kdx_fail(err, "processes: KDBG PsActiveProcessHead (+0x%x) is not in the dump",
				KDBG_PS_ACTIVE_PROCESS_HEAD);
	uint64_t first;
	if (!dump_read_ptr(d, l->head, &first))
		return kdx_fail(err, "processes: PsActiveProcessHead at 0x%llx is not in the dump: "
				"expected a LIST_ENTRY", (unsigned long long)l->head);
	uint64_t inc_va, inc;
	if (dump_kdbg_field(d, KDBG_KE_TIME_INCREMENT, 8, &inc_va) && inc_va &&
	    xlat_read_uint(d->kernel, inc_va, 4, &inc)) {
		l->time_increment = (uint32_t)inc;
		l->has_time_increment = l->time_increment != 0;
	}
	l->stack_committed = p->stack->size;
	l->unknown = unknown_fields(p);
	struct walker *w = calloc(1, sizeof *w);
	if (!w)
		return kdx_fail(err, "processes: out of memory");
	w->d = d;
	w->prof = p;
	w->process_span = process_span;
	w->thread_span = thread_span;
	w->l = l;
	read_current_threads(w);
	struct ring pr = { d->kernel, p->ptr_size, l->head, p->eprocess->active_process_links,
			   PROCESSES_MAX, "process" };
	int rc = ring_walk(&pr, visit_process, w, &l->walk);
	bool oom = w->out_of_memory;
	free(w);
	if (rc < 0 || oom) {
		process_list_free(l);
		return kdx_fail(err, "processes: out of memory");
	}
	return 0;
}

void process_list_free(struct process_list *l)
{
	free(l->processes);
	free(l->threads);
	memset(l, 0, sizeof *l);
}

const struct process *process_by_pid(const struct process_list *l, uint32_t pid)
{
	for (size_t i = 0; i < l->count; i++)
		if (l->processes[i].pid == pid)
			return &l->processes[i];
	return NULL;
}

const struct process *process_by_address(const struct process_list *l, uint64_t eprocess)
{
	for (size_t i = 0; i < l->count; i++)
		if (l->processes[i].eprocess == eprocess)
			return &l->processes[i];
	return NULL;
}

const struct thread *thread_find(const struct process_list *l, uint64_t key)
{
	for (size_t i = 0; i < l->nthreads; i++)
		if (l->threads[i].ethread == key || l->threads[i].tid == key)
			return &l->threads[i];
	return NULL;
}

uint64_t process_ticks_ms(const struct process_list *l, uint32_t ticks)
{
	return l->has_time_increment ? (uint64_t)ticks * l->time_increment / 10000 : 0;
}

const char *thread_state_name(unsigned state)
{
	static const char *const names[] = {
		"Initialized", "Ready", "Running", "Standby", "Terminated", "Waiting",
		"Transition", "DeferredReady", "GateWait", "WaitingForProcessInSwap",
	};
	return state < sizeof names / sizeof names[0] ? names[state] : NULL;
}

/* 8-12 are 1-5 again with the Wr prefix, the values the "…" of §3 elides. */
const char *wait_reason_name(unsigned reason)
{
	static const char *const names[] = {
		"Executive", "FreePage", "PageIn", "PoolAllocation", "DelayExecution",
		"Suspended", "UserRequest", "WrExecutive", "WrFreePage", "WrPageIn",
		"WrPoolAllocation", "WrDelayExecution", "WrSuspended", "WrUserRequest",
		"WrEventPair", "WrQueue", "WrLpcReceive", "WrLpcReply", "WrVirtualMemory",
		"WrPageOut", "WrRendezvous",
	};
	return reason < sizeof names / sizeof names[0] ? names[reason] : NULL;
}

struct xlat *process_space(struct dump *d, const struct process *p, bool *owned,
			   struct kdx_error *err)
{
	*owned = false;
	if (!d->kernel)
		return NULL;
	if (p->dtb == xlat_dtb(d->kernel))
		return d->kernel;
	struct xlat *x = xlat_new(d->src, d->paging, p->dtb_raw, err);
	*owned = x != NULL;
	return x;
}
