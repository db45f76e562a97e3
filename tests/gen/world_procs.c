/* Sessions, processes and threads of a generated world. Offsets from
 * core/profile (doc/structures.md §2, §3, §4, §7, §10); address-space
 * sharing from doc/address-space.md §3 (self-map in every process),
 * §5.3 (session members share the session's tables) and doc/scenarios.md §6
 * (a process directory lacking a system PDE the master has). */
#include "tests/gen/world_procs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/gen/world_build.h"

enum { TYPE_PROCESS = 3, TYPE_THREAD = 6 };            /* doc/structures.md §1 */
enum { STATE_READY = 1, STATE_RUNNING = 2, STATE_WAITING = 5 };   /* doc/structures.md §3 */
enum { WAIT_EXECUTIVE = 0, WAIT_DELAY = 4, WAIT_USER_REQUEST = 6, WAIT_QUEUE = 15,
       WAIT_LPC_RECEIVE = 16 };

struct proto_process {
	const char *name;
	int session;                  /* -1: none; -2: one per session; k: session k */
	unsigned threads;
	bool user;                    /* has a user address space */
};
/* Issue 3's process set; csrss runs in every session, winlogon in every
 * interactive one. */
static const struct proto_process process_set[] = {
	{ "System", -1, 6, false },
	{ "smss.exe", -1, 2, true },
	{ "csrss.exe", -2, 3, true },
	{ "winlogon.exe", -3, 2, true },
	{ "services.exe", 0, 3, true },
	{ "lsass.exe", 0, 3, true },
	{ "explorer.exe", 1, 4, true },
	{ "EATCPU.EXE", 1, 4, true },
};
#define EVERY_SESSION (-2)
#define EVERY_INTERACTIVE_SESSION (-3)

struct procs_builder {
	struct world *w;
	struct world_procs *p;
	const struct profile *prof;
	const struct paging_desc *d;
	unsigned ps;
	uint64_t session_base, session_size;
	uint32_t next_id;
};

static uint64_t kget_ptr(struct procs_builder *b, uint64_t va)
{
	return world_kget(b->w, va, b->ps);
}

static void kput_ptr(struct procs_builder *b, uint64_t va, uint64_t v)
{
	world_kput(b->w, va, v, b->ps);
}

static void list_init(struct procs_builder *b, uint64_t head)
{
	kput_ptr(b, head, head);
	kput_ptr(b, head + b->ps, head);
}

static void list_append(struct procs_builder *b, uint64_t head, uint64_t entry)
{
	uint64_t last = kget_ptr(b, head + b->ps);
	kput_ptr(b, entry, head);
	kput_ptr(b, entry + b->ps, last);
	kput_ptr(b, last, entry);
	kput_ptr(b, head + b->ps, entry);
}

/* Session-private structures (XP's MM_SESSION_SPACE) are written through
 * a member's address space. */
static void sput(struct procs_builder *b, uint64_t top, uint64_t va, uint64_t v, unsigned size)
{
	world_put_phys(b->w, world_pa(b->w, top, va), v, size);
}

static uint32_t next_id(struct procs_builder *b)
{
	b->next_id += 4 * (1 + (uint32_t)world_rnd_below(b->w, 40));
	return b->next_id;
}

/* ---- address spaces ---- */

/* The level at which session members share the session's tables: the
 * PML4 slot on x64 (§5.3), the directory entries on x86. */
static int share_level(const struct paging_desc *d)
{
	return d->mode == PAGING_X64 ? 0 : d->levels - 2;
}

/* Copies from's shared entry covering va into to, if from has one. */
static void share_entry(struct world *w, int lvl, uint64_t from, uint64_t to, uint64_t va)
{
	struct walk wk;
	world_walk(w, from, va, &wk);
	if (wk.nlevels > lvl && wk.level[lvl].present)
		world_map_entry(w, to, va, lvl, wk.level[lvl].entry, false);
}

static void share_session(struct procs_builder *b, uint64_t from, uint64_t to)
{
	int lvl = share_level(b->d);
	uint64_t span = paging_leaf_size(b->d, lvl);
	for (uint64_t va = b->session_base; va < b->session_base + b->session_size; va += span)
		share_entry(b->w, lvl, from, to, va);
}

/* ---- sessions ---- */

/* Session paged pool and the session structure's home (§5.2): XP keeps
 * MM_SESSION_SPACE inside session space, later builds in system PTEs. */
static void session_layout(struct procs_builder *b, uint64_t *pool, uint64_t *pool_size)
{
	if (b->d->mode == PAGING_X64) {
		*pool = b->session_base + 0xc0000000ull;
		*pool_size = 0x2000000000ull;
	} else {
		*pool = b->session_base;
		*pool_size = 16ull << 20;
	}
}

static void build_session(struct procs_builder *b, struct world_session *s, uint64_t first_top)
{
	struct world *w = b->w;
	const struct prof_session *L = b->prof->session;
	uint64_t pool, pool_size;
	session_layout(b, &pool, &pool_size);
	s->paged_pool_start = pool;
	s->paged_pool_end = pool + pool_size - 1;
	s->member_dtb = first_top;
	uint64_t pool_pfn = world_alloc_pages(w, 1);
	world_fill_pattern(w, pool_pfn);
	world_map_kernel_page_in(w, first_top, pool, pool_pfn);
	const char *kind = s->id == 0 ? "session-pool-0" : s->id == 1 ? "session-pool-1" : "session-pool-2";
	world_teach(w, kind, first_top, pool + 0x20, -1, (pool_pfn << KDX_PAGE_SHIFT) + 0x20);

	uint64_t pages = (L->size + KDX_PAGE_SIZE - 1) / KDX_PAGE_SIZE;
	if (b->prof->paging == PAGING_X86) {
		/* XP: at BF7F0000-style addresses, session working-set area */
		s->mm_session_space = b->session_base + b->session_size - (8ull << 20) - 0x10000;
		uint64_t pfn = world_alloc_pages(w, pages);
		for (uint64_t i = 0; i < pages; i++)
			world_map_kernel_page_in(w, first_top, s->mm_session_space +
						 i * KDX_PAGE_SIZE, pfn + i);
	} else {
		s->mm_session_space = world_region_pages(w, "SystemPtes", pages);
	}
	uint64_t m = s->mm_session_space;
	sput(b, first_top, m + L->session_id, s->id, 4);
	s->has_paged_pool = L->paged_pool_start != PROF_ABSENT && L->paged_pool_end != PROF_ABSENT;
	if (s->has_paged_pool) {
		sput(b, first_top, m + L->paged_pool_start, pool, b->ps);
		sput(b, first_top, m + L->paged_pool_end, s->paged_pool_end, b->ps);
	}
	sput(b, first_top, m + L->process_list, m + L->process_list, b->ps);
	sput(b, first_top, m + L->process_list + b->ps, m + L->process_list, b->ps);
	if (b->d->mode == PAGING_X64) {
		/* PageDirectory: the MMPTE of the session's PML4 slot (§5.3) */
		struct walk wk;
		world_walk(w, first_top, pool, &wk);
		sput(b, first_top, m + L->page_tables, wk.level[0].entry, 8);
	}
}

/* Appends process pi to session s: ProcessList ring and ReferenceCount. */
static void join_session(struct procs_builder *b, struct world_session *s, size_t pi)
{
	struct world *w = b->w;
	const struct prof_session *L = b->prof->session;
	struct world_process *p = &b->p->processes[pi];
	uint64_t head = s->mm_session_space + L->process_list;
	uint64_t entry = p->eprocess + b->prof->eprocess->session_process_links;
	uint64_t top = s->member_dtb;
	uint64_t last = world_get_phys(w, world_pa(w, top, head + b->ps), b->ps);
	kput_ptr(b, entry, head);
	kput_ptr(b, entry + b->ps, last);
	if (last == head)
		sput(b, top, head, entry, b->ps);
	else
		kput_ptr(b, last, entry);
	sput(b, top, head + b->ps, entry, b->ps);
	if (s->nmembers == sizeof s->members / sizeof s->members[0]) {
		fprintf(stderr, "kdx-gen: session %u has too many members\n", s->id);
		abort();
	}
	s->members[s->nmembers++] = pi;
	sput(b, top, s->mm_session_space + L->reference_count, s->nmembers, 4);
	kput_ptr(b, p->eprocess + b->prof->eprocess->session, s->mm_session_space);
}

/* ---- processes ---- */

static uint64_t user_image_base(struct procs_builder *b)
{
	struct world *w = b->w;
	if (b->d->mode != PAGING_X64)
		return 0x01000000ull + world_rnd_below(w, 0x100) * 0x10000;
	if (b->prof->va->self_map_randomized)
		return 0x7ff600000000ull + world_rnd_below(w, 0x10000) * 0x10000;
	return 0xff000000ull + world_rnd_below(w, 0x100) * 0x10000;
}

static uint64_t peb_address(struct procs_builder *b)
{
	struct world *w = b->w;
	if (b->prof->paging == PAGING_X86)
		return 0x7ffdf000ull;   /* fixed before Vista */
	if (b->d->mode != PAGING_X64)
		return 0x7ffd0000ull + world_rnd_below(w, 15) * KDX_PAGE_SIZE;
	if (b->prof->va->self_map_randomized)
		return ((0x10 + world_rnd_below(w, 0xe0)) << 32) +
		       world_rnd_below(w, 0x100000) * KDX_PAGE_SIZE;
	return 0x7fffffd0000ull + world_rnd_below(w, 15) * KDX_PAGE_SIZE;
}

static size_t add_process(struct procs_builder *b, const char *name, uint32_t ppid,
			  uint32_t session, bool user, uint64_t create_time)
{
	struct world *w = b->w;
	const struct prof_eprocess *E = b->prof->eprocess;
	struct world_procs *P = b->p;
	if (P->nprocesses == WORLD_MAX_PROCESSES) {
		fprintf(stderr, "kdx-gen: more than %d processes\n", WORLD_MAX_PROCESSES);
		abort();
	}
	size_t pi = P->nprocesses++;
	struct world_process *p = &P->processes[pi];
	snprintf(p->name, sizeof p->name, "%s", name);
	p->pid = strcmp(name, "System") == 0 ? 4 : next_id(b);
	p->ppid = ppid;
	p->session = session;
	p->create_time = create_time;
	p->eprocess = world_region_pages(w, "NonPagedPool", (E->size + KDX_PAGE_SIZE - 1) /
					 KDX_PAGE_SIZE);
	uint64_t e = p->eprocess;
	if (user) {
		p->dtb = world_new_address_space(w);
		p->peb = peb_address(b);
		uint64_t peb = world_alloc_user_pages(w, 1);
		world_fill_pattern(w, peb);
		world_map_user_page(w, p->dtb, p->peb, peb);
		uint64_t image = world_alloc_user_pages(w, 1);
		world_put_phys(w, image << KDX_PAGE_SHIFT, 0x5a4d, 2);   /* "MZ" */
		world_map_user_page(w, p->dtb, user_image_base(b), image);
	} else {
		p->dtb = w->dtb;
	}
	/* 10's DirBase carries low flag bits (doc/structures.md, open question 3): keep them. */
	p->dtb_field = user ? p->dtb | (w->img.dtb & 0xfff) : w->img.dtb;
	world_kput(w, e, TYPE_PROCESS, 1);
	world_kput(w, e + E->directory_table_base, p->dtb_field,
		   b->d->mode == PAGING_X64 ? 8 : 4);
	world_kput(w, e + E->create_time, create_time, 8);
	kput_ptr(b, e + E->unique_process_id, p->pid);
	kput_ptr(b, e + E->inherited_from_unique_process_id, ppid);
	kput_ptr(b, e + E->peb, p->peb);
	world_kput_bytes(w, e + E->image_file_name, p->name,
			 strlen(p->name) < E->image_file_name_size ? strlen(p->name)
								  : E->image_file_name_size);
	list_init(b, e + E->kprocess_thread_list_head);
	list_init(b, e + E->thread_list_head);
	list_init(b, e + E->session_process_links);
	list_append(b, w->img.ps_active_process_head, e + E->active_process_links);
	return pi;
}

/* System has no parent; the session processes were started by smss;
 * explorer's parent (userinit) has exited; the hog runs from explorer. */
static uint32_t parent_of(struct procs_builder *b, const char *name)
{
	const struct world_procs *P = b->p;
	if (P->nprocesses == 0)
		return 0;
	if (strcmp(name, "explorer.exe") == 0)
		return next_id(b);
	const char *parent = strcmp(name, "smss.exe") == 0 ? "System" :
			     strcmp(name, "EATCPU.EXE") == 0 ? "explorer.exe" : "smss.exe";
	for (size_t i = 0; i < P->nprocesses; i++)
		if (strcmp(P->processes[i].name, parent) == 0)
			return P->processes[i].pid;
	return 0;
}

/* ---- threads ---- */

static uint64_t kernel_code(struct procs_builder *b)
{
	return b->w->kernel_base + 0x2000 + 0x10 * world_rnd_below(b->w, 0x800);
}

static void add_thread(struct procs_builder *b, size_t pi, uint8_t state, uint8_t wait_reason,
		       uint32_t kernel_time, uint32_t user_time)
{
	struct world *w = b->w;
	const struct prof_kthread *K = b->prof->kthread;
	const struct prof_ethread *T = b->prof->ethread;
	const struct prof_stack *S = b->prof->stack;
	struct world_procs *P = b->p;
	struct world_process *p = &P->processes[pi];
	if (P->nthreads == WORLD_MAX_THREADS) {
		fprintf(stderr, "kdx-gen: more than %d threads\n", WORLD_MAX_THREADS);
		abort();
	}
	size_t ti = P->nthreads++;
	struct world_thread *t = &P->threads[ti];
	if (!p->nthreads)
		p->first_thread = ti;
	p->nthreads++;
	t->tid = next_id(b);
	t->pid = p->pid;
	t->process = pi;
	t->state = state;
	t->wait_reason = state == STATE_WAITING ? wait_reason : 0;
	t->priority = p->session == WORLD_NO_SESSION && !p->peb ? 13 + (uint8_t)world_rnd_below(w, 4)
								 : 8 + (uint8_t)world_rnd_below(w, 3);
	t->kernel_time = kernel_time;
	t->user_time = user_time;
	t->cpu = WORLD_NO_CPU;
	t->create_time = p->create_time + world_rnd_below(w, 100000000ull);
	t->ethread = world_region_pages(w, "NonPagedPool", (T->size + KDX_PAGE_SIZE - 1) /
					KDX_PAGE_SIZE);

	/* The stack grows down from StackBase; one invalid guard PTE lies
	 * below StackLimit (doc/structures.md §10). */
	uint64_t pages = S->size / KDX_PAGE_SIZE;
	uint64_t guard = world_region_reserve(w, "SystemPtes", pages + 1);
	uint64_t pfn = world_alloc_pages(w, pages);
	for (uint64_t i = 0; i < pages; i++)
		world_map_data_page(w, guard + (i + 1) * KDX_PAGE_SIZE, pfn + i);
	t->stack_limit = guard + KDX_PAGE_SIZE;
	t->stack_base = t->stack_limit + S->size;
	t->initial_stack = t->stack_base - 0x200;    /* save area below the base (‡) */
	/* KernelStack comes with the stack's frames (world_modules.c). */

	t->start_address = kernel_code(b);
	t->win32_start_address = p->peb ? user_image_base(b) + 0x1000 + 0x10 *
					  world_rnd_below(w, 0x100) : t->start_address;
	if (p->peb)
		t->teb = (p->peb & ~0xffffull) - (ti % 8 + 1) * KDX_PAGE_SIZE + 0xe000;

	uint64_t e = t->ethread;
	world_kput(w, e, TYPE_THREAD, 1);
	kput_ptr(b, e + K->initial_stack, t->initial_stack);
	kput_ptr(b, e + K->stack_limit, t->stack_limit);
	kput_ptr(b, e + K->stack_base, t->stack_base);
	world_kput(w, e + K->state, t->state, 1);
	world_kput(w, e + K->wait_reason, t->wait_reason, 1);
	world_kput(w, e + K->priority, t->priority, 1);
	kput_ptr(b, e + K->apc_state_process, p->eprocess);
	if (K->process != PROF_ABSENT)
		kput_ptr(b, e + K->process, p->eprocess);
	if (T->threads_process != PROF_ABSENT)
		kput_ptr(b, e + T->threads_process, p->eprocess);
	kput_ptr(b, e + K->teb, t->teb);
	world_kput(w, e + K->kernel_time, t->kernel_time, 4);
	world_kput(w, e + K->user_time, t->user_time, 4);
	world_kput(w, e + T->create_time, t->create_time, 8);
	kput_ptr(b, e + T->cid_unique_process, t->pid);
	kput_ptr(b, e + T->cid_unique_thread, t->tid);
	kput_ptr(b, e + T->start_address, t->start_address);
	kput_ptr(b, e + T->win32_start_address, t->win32_start_address);
	const struct prof_eprocess *E = b->prof->eprocess;
	list_append(b, p->eprocess + E->kprocess_thread_list_head, e + K->thread_list_entry);
	list_append(b, p->eprocess + E->thread_list_head, e + T->thread_list_entry);
	world_kput(w, p->eprocess + E->active_threads, p->nthreads, 4);
}

static const uint8_t wait_reasons[] = {
	WAIT_EXECUTIVE, WAIT_DELAY, WAIT_USER_REQUEST, WAIT_QUEUE, WAIT_LPC_RECEIVE,
};

/* Ordinary threads, mostly waiting. */
static void add_threads(struct procs_builder *b, size_t pi, unsigned n, bool hog)
{
	struct world *w = b->w;
	for (unsigned i = 0; i < n; i++) {
		uint32_t kt = (uint32_t)world_rnd_below(w, 2000);
		uint32_t ut = b->p->processes[pi].peb ? (uint32_t)world_rnd_below(w, 3000) : 0;
		if (hog) {   /* case 4: the CPU hog's threads burn user time */
			kt = 2000 + (uint32_t)world_rnd_below(w, 4000);
			ut = 400000 + (uint32_t)world_rnd_below(w, 200000);
		}
		uint8_t state = hog && i < 2 ? STATE_READY : STATE_WAITING;
		add_thread(b, pi, state, wait_reasons[world_rnd_below(w, sizeof wait_reasons)],
			   kt, ut);
	}
}

/* Running threads: the deep-stack System thread on CPU 0 (the crash),
 * the hog's threads on the next CPUs, then System threads. */
static void assign_cpus(struct procs_builder *b, size_t hog)
{
	struct world *w = b->w;
	struct world_procs *P = b->p;
	const struct prof_kpcr *k = b->prof->kpcr;
	size_t order[WORLD_MAX_CPUS] = { P->deep_thread,
		P->processes[hog].first_thread, P->processes[hog].first_thread + 1,
		P->processes[0].first_thread + 1 };
	for (unsigned c = 0; c < w->img.processors; c++) {
		struct world_thread *t = &P->threads[order[c]];
		t->cpu = (int)c;
		t->state = STATE_RUNNING;
		t->wait_reason = 0;
		world_kput(w, t->ethread + b->prof->kthread->state, t->state, 1);
		world_kput(w, t->ethread + b->prof->kthread->wait_reason, 0, 1);
		kput_ptr(b, w->kpcr[c] + k->prcb + k->prcb_current_thread, t->ethread);
		/* each processor's DPC stack, KERNEL_STACK_SIZE under a guard PTE (§4, §10) */
		uint64_t pages = b->prof->stack->size / KDX_PAGE_SIZE;
		uint64_t guard = world_region_reserve(w, "SystemPtes", pages + 1);
		uint64_t pfn = world_alloc_pages(w, pages);
		for (uint64_t i = 0; i < pages; i++)
			world_map_data_page(w, guard + (i + 1) * KDX_PAGE_SIZE, pfn + i);
		P->dpc_stack[c] = guard + (pages + 1) * KDX_PAGE_SIZE;
		kput_ptr(b, w->kpcr[c] + k->prcb + k->prcb_dpc_stack, P->dpc_stack[c]);
	}
}

int world_build_procs(struct world *w, struct kdx_error *err)
{
	struct world_procs *P = calloc(1, sizeof *P);
	if (!P)
		return kdx_fail(err, "%s: out of memory", w->profile->name);
	w->procs = P;
	struct procs_builder b = { .w = w, .p = P, .prof = w->profile,
		.d = paging_desc(w->profile->paging), .ps = w->profile->ptr_size };
	b.session_base = world_region_start(w, "Session");
	b.session_size = world_region_end(w, "Session") - b.session_base;
	P->nsessions = 2 + world_rnd_below(w, 2);
	uint64_t boot = w->img.system_time - w->img.system_uptime;

	size_t hog = 0;
	for (size_t i = 0; i < sizeof process_set / sizeof process_set[0]; i++) {
		const struct proto_process *pp = &process_set[i];
		size_t first = 0, last = 0;
		if (pp->session == EVERY_SESSION || pp->session == EVERY_INTERACTIVE_SESSION) {
			first = pp->session == EVERY_SESSION ? 0 : 1;
			last = P->nsessions - 1;
		} else if (pp->session >= 0) {
			first = last = (size_t)pp->session;
		}
		for (size_t s = first; s <= last; s++) {
			uint32_t sid = pp->session == -1 ? WORLD_NO_SESSION : (uint32_t)s;
			uint32_t ppid = parent_of(&b, pp->name);
			uint64_t created = boot + (P->nprocesses ? 50000000ull * P->nprocesses +
						   world_rnd_below(w, 30000000ull) : 0);
			size_t pi = add_process(&b, pp->name, ppid, sid, pp->user, created);
			if (sid != WORLD_NO_SESSION) {
				struct world_session *ss = &P->sessions[sid];
				if (!ss->nmembers && !ss->mm_session_space) {
					ss->id = sid;
					build_session(&b, ss, P->processes[pi].dtb);
				} else {
					share_session(&b, ss->member_dtb, P->processes[pi].dtb);
				}
				join_session(&b, ss, pi);
			}
			bool is_hog = strcmp(pp->name, "EATCPU.EXE") == 0;
			if (is_hog)
				hog = pi;
			if (pi == 0) {
				/* System: one worker thread deep in its stack (case 2) */
				P->deep_thread = P->nthreads;
				add_thread(&b, pi, STATE_WAITING, WAIT_EXECUTIVE,
					   (uint32_t)world_rnd_below(w, 500), 0);
				add_threads(&b, pi, pp->threads - 1, false);
			} else {
				add_threads(&b, pi, pp->threads + (unsigned)world_rnd_below(w, 2),
					    is_hog);
			}
		}
	}
	assign_cpus(&b, hog);

	/* The lazy system PDE: explorer's directory lacks one system entry the
	 * kernel's has; the kernel maps a page under it. */
	P->lazy_process = 0;
	for (size_t i = 0; i < P->nprocesses; i++)
		if (strcmp(P->processes[i].name, "explorer.exe") == 0)
			P->lazy_process = i;
	struct world_process *lazy = &P->processes[P->lazy_process];
	P->lazy_level = share_level(b.d);
	uint64_t span = paging_leaf_size(b.d, P->lazy_level);
	uint64_t sys = world_region_start(w, "SystemPtes");
	P->lazy_va = sys + span + 0x5000;
	if (b.d->mode == PAGING_X64) {
		/* x64: the 1 GiB page's slot, at the page it teaches */
		for (size_t i = 0; i < w->nxlat; i++)
			if (strcmp(w->xlat[i].kind, "large-1g") == 0)
				P->lazy_va = w->xlat[i].walk.va;
	} else {
		uint64_t pfn = world_alloc_pages(w, 1);
		world_fill_pattern(w, pfn);
		world_map_data_page(w, P->lazy_va, pfn);
	}
	world_map_entry(w, lazy->dtb, P->lazy_va, P->lazy_level, 0, false);
	struct walk kw;
	world_walk(w, w->dtb, P->lazy_va, &kw);
	world_teach(w, "lazy-system-pde-kernel", w->dtb, P->lazy_va, -1, kw.pa);
	world_teach(w, "lazy-system-pde", lazy->dtb, P->lazy_va, P->lazy_level, 0);

	/* Session space: the same VA in two sessions, and from the kernel. */
	uint64_t pool, pool_size;
	session_layout(&b, &pool, &pool_size);
	world_walk(w, w->dtb, pool, &kw);
	world_teach(w, "session-space-kernel", w->dtb, pool + 0x20, kw.stopped_at, 0);

	/* A user page of the CPU hog, through its own directory. */
	struct world_process *h = &P->processes[hog];
	world_teach(w, "user-4k", h->dtb, h->peb + 0x10, -1,
		    world_pa(w, h->dtb, h->peb) + 0x10);
	world_kvar_refresh(w, "PsActiveProcessHead");
	return 0;
}

void world_session_map_page(struct world *w, size_t session, uint64_t va, uint64_t pfn)
{
	const struct world_session *s = &w->procs->sessions[session];
	int lvl = share_level(paging_desc(w->profile->paging));
	world_map_kernel_page_in(w, s->member_dtb, va, pfn);
	for (size_t k = 0; k < s->nmembers; k++)
		share_entry(w, lvl, s->member_dtb, w->procs->processes[s->members[k]].dtb, va);
}

void world_procs_free(struct world *w)
{
	free(w->procs);
	w->procs = NULL;
}
