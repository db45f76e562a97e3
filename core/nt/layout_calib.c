#include "core/nt/layout_calib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/nt/kdbg.h"
#include "core/nt/pe.h"
#include "core/nt/profile.h"
#include "core/nt/ustr.h"
#include "core/xlat/selfmap.h"
#include "core/util/bytes.h"

/* DISPATCHER_HEADER.Type of the records (doc/structures.md §1). */
enum { TYPE_PROCESS = 3, TYPE_THREAD = 6 };
/* The bytes of each record searched: no EPROCESS or ETHREAD of any build
 * is larger (RECORD_MAX of core/nt/process.c). */
#define SPAN 0x1000u
/* Links of a ring followed before calling it one (bounded whatever the list). */
#define RING_MAX 4096u
/* Candidates kept where a field may show at several offsets. */
#define CANDIDATES_MAX 8u
/* FILETIMEs of 2000-01-01 and 2100-01-01: a create time lies between. */
#define FILETIME_2000 0x01bf53eb256d4000ull
#define FILETIME_2100 0x02a5e2a9e4e2c000ull
/* The bytes of a loaded-module entry searched: the largest
 * LDR_DATA_TABLE_ENTRY of any build is 0x138 bytes (data/layouts/ldr.tsv). */
#define LDR_SPAN 0x200u
/* MMPFN sizes tried: none of any build is smaller or larger
 * (data/layouts/mmpfn.tsv: 0x18 to 0x30). */
#define MMPFN_MIN 0x10u
#define MMPFN_MAX 0x40u
/* PIDs and TIDs are handle values: multiples of 4 below this. */
#define ID_LIMIT 0x10000000ull

enum check {
	CK_RING, CK_PROCESS_TYPE, CK_SYSTEM_PID, CK_PIDS, CK_SYSTEM_NAME, CK_NAMES, CK_SYSTEM_DTB,
	CK_THREAD_RING, CK_OWNER, CK_CID, CK_TIDS, CK_STACK_ORDER, CK_STACK_SIZE,
	CK_ACTIVE_THREADS, CK_PARENT, CK_PROCESS_TIME, CK_THREAD_TIME, CK_SESSION,
	CK_PCR_SELF, CK_PRCB_THREAD, CK_PRCB_NUMBER,
	CK_MODULE_RING, CK_MODULE_IMAGE, CK_MODULE_ENTRY, CK_MODULE_NAMES, CK_PFN_PTE,
	CK_SESSION_ID, CK_COUNT
};

/* What each check tests, and what it counts. */
static const struct {
	const char *name, *unit;
} checks[CK_COUNT] = {
	[CK_RING] = { "PsActiveProcessHead is a ring whose every Flink->Blink points back", "links" },
	[CK_PROCESS_TYPE] = { "every record on it is a process (DISPATCHER_HEADER.Type 3)", "processes" },
	[CK_SYSTEM_PID] = { "the first process is System, PID 4", "processes" },
	[CK_PIDS] = { "the PIDs are distinct multiples of 4", "processes" },
	[CK_SYSTEM_NAME] = { "System's ImageFileName is \"System\"", "processes" },
	[CK_NAMES] = { "every ImageFileName is printable text", "processes" },
	[CK_SYSTEM_DTB] = { "System's DirectoryTableBase is the header's DTB", "processes" },
	[CK_THREAD_RING] = { "each ThreadListHead is a ring of threads (Type 6) pointing back", "processes" },
	[CK_OWNER] = { "each thread's process pointer is its process", "threads" },
	[CK_CID] = { "each thread's Cid.UniqueProcess is its process's PID", "threads" },
	[CK_TIDS] = { "the TIDs are distinct multiples of 4", "threads" },
	[CK_STACK_ORDER] = { "StackBase >= InitialStack > KernelStack > StackLimit in every thread", "threads" },
	[CK_STACK_SIZE] = { "StackBase - StackLimit is whole pages, at most a large kernel stack", "threads" },
	[CK_ACTIVE_THREADS] = { "each ActiveThreads is the length of its thread ring", "processes" },
	[CK_PARENT] = { "System has no parent; parent PIDs are multiples of 4, one a listed PID", "processes" },
	[CK_PROCESS_TIME] = { "process create times are FILETIMEs of 2000-2100, System's the first", "processes" },
	[CK_THREAD_TIME] = { "thread create times are FILETIMEs not before their process's", "threads" },
	[CK_SESSION] = { ("a process's Session (its MM_SESSION_SPACE) has a ProcessList ring that "
			  "holds the process and only processes of that Session"),
			 "processes in the session" },
	[CK_PCR_SELF] = { ("each processor's KPCR (its KiProcessorBlock KPRCB less KPCR.Prcb) has "
			   "Self pointing at itself and CurrentPrcb at the KPRCB"), "processors" },
	[CK_PRCB_THREAD] = { ("each KPRCB's CurrentThread is a thread (Type 6) of a process (Type 3), "
			      "found on that process's thread ring (counted) for one at least"),
			     "processors" },
	[CK_PRCB_NUMBER] = { "each KPRCB's Number is its index in KiProcessorBlock (two processors or more)",
			     "processors" },
	[CK_MODULE_RING] = { "PsLoadedModuleList is a ring whose every Flink->Blink points back", "links" },
	[CK_MODULE_IMAGE] = { ("each module's DllBase maps an MZ/PE image (counted where its header page "
			       "is in the dump) whose SizeOfImage is the entry's"), "modules" },
	[CK_MODULE_ENTRY] = { "each module's EntryPoint is DllBase plus its image's AddressOfEntryPoint",
			      "modules" },
	[CK_MODULE_NAMES] = { ("each module's FullDllName and BaseDllName are readable UNICODE_STRINGs, "
			       "the base name ending the full one"), "modules" },
	[CK_PFN_PTE] = { ("each page table's MMPFN (MmPfnDatabase + PFN x its size) has PteAddress "
			  "the VA of the entry that maps the table, through the self-map"),
			 "page tables" },
	[CK_SESSION_ID] = { ("the sessions of the sampled processes (two or more) have distinct "
			     "SessionIds below 0x10000, one of them 0 (the services' session)"),
			    "sessions" },
};

struct rec {
	uint64_t va;
	uint8_t b[SPAN];
};

struct cal {
	struct dump *d;
	struct dump_layout *l;
	unsigned ps;
	uint64_t head;
	size_t nproc, nlinks;
	uint64_t link[RING_MAX];              /* ActiveProcessLinks entries, ring order */
	struct rec proc[CALIB_PROCESSES];
	size_t nthr[CALIB_PROCESSES];
	size_t ring_len[CALIB_PROCESSES];     /* whole thread ring; SIZE_MAX when broken */
	struct rec thr[CALIB_PROCESSES][CALIB_THREADS];
	bool settled[LAYOUT_FIELDS];
	/* The offsets found so far (PROF_ABSENT: unknown). */
	uint16_t apl, pid, cid, sl, sb, dtb, spl;
	uint16_t arg;                          /* a predicate's second offset */
	uint16_t pair_h, pair_t;               /* a thread-ring candidate */
	size_t counted;                        /* items a check counted at the offset it tried last */
	/* KiProcessorBlock's KPRCBs: the SPAN bytes before each (its KPCR's
	 * head) and its first SPAN bytes. */
	size_t ncpu;
	struct rec pcr[CALIB_CPUS], prcb[CALIB_CPUS];
	/* The first entries of PsLoadedModuleList, and what each one's DllBase
	 * candidate maps (IMAGE_*), with its PE headers' figures. */
	size_t nmod;
	uint64_t mod_link[CALIB_MODULES];
	struct rec mod[CALIB_MODULES];
	uint8_t image[CALIB_MODULES];
	uint32_t image_size[CALIB_MODULES], image_entry[CALIB_MODULES];
	struct pe_headers pe;
	/* The MM_SESSION_SPACEs of the sampled processes, each read in a
	 * member's address space, told apart by their physical address (XP's
	 * are all at one VA), and the ProcessList offset found last. */
	size_t nsess;
	struct rec sess[CALIB_PROCESSES];
	uint64_t sess_pa[CALIB_PROCESSES];
	uint16_t process_list;
	/* Page tables that map the records read: each one's PFN and the VA,
	 * through the self-map, of the entry that maps it. */
	size_t ntables;
	uint64_t table_pfn[CALIB_TABLES], table_pte[CALIB_TABLES];
	uint64_t pfn_base;
};

static uint64_t get(const struct rec *r, unsigned off, unsigned size)
{
	return off + size <= SPAN ? le_bytes(r->b + off, size) : 0;
}

static bool read_u8(struct cal *c, uint64_t va, uint8_t *v)
{
	return xlat_read(c->d->kernel, va, v, 1, NULL) == 1;
}

static bool kernel_address(const struct cal *c, uint64_t v)
{
	return c->ps == 8 ? v >= 0xffff800000000000ull : v >= 0x80000000ull;
}

static const struct layout_field *field(const char *table, const char *name)
{
	return layout_field_named(table, name);
}

static uint16_t current(const struct cal *c, const char *table, const char *name)
{
	const struct layout_field *f = field(table, name);
	return f ? layout_field_value(c->l->profile, f) : PROF_ABSENT;
}

/* Check k ran on tested items, passing of them held at the offsets taken. */
static void ran(struct cal *c, enum check k, bool passed, size_t passing, size_t tested)
{
	struct layout_check *ck = &c->l->check[k];
	ck->run = true;
	ck->passed = passed;
	ck->passing = (unsigned)passing;
	ck->tested = (unsigned)tested;
}

typedef bool (*pred_fn)(struct cal *c, unsigned off);

/* The offsets from first to below end (step align) that pass ok, at most
 * max of them; the preferred one (the table's) is tried first and, when it
 * passes, is the only one returned. */
static size_t candidates(struct cal *c, uint16_t preferred, unsigned first, unsigned end,
			 unsigned align, pred_fn ok, uint16_t *out, size_t max)
{
	if (preferred != PROF_ABSENT && preferred >= first && preferred < end && ok(c, preferred)) {
		out[0] = preferred;
		return 1;
	}
	size_t n = 0;
	for (unsigned off = first; off < end && n < max; off += align)
		if (off != preferred && ok(c, off))
			out[n++] = (uint16_t)off;
	return n;
}

/* One offset: the preferred, else the only one that passes; PROF_ABSENT
 * when none or several do (an ambiguous field stays unknown). */
static uint16_t search(struct cal *c, uint16_t preferred, unsigned align, unsigned width,
		       pred_fn ok)
{
	uint16_t found[2];
	size_t n = candidates(c, preferred, 0, SPAN - width + 1, align, ok, found, 2);
	return n == 1 ? found[0] : PROF_ABSENT;
}

/* Records where a field is (PROF_ABSENT: not found) and how many checks
 * it passed there. */
static void settle(struct cal *c, const char *table, const char *name, uint16_t v,
		   unsigned checks)
{
	const struct layout_field *f = field(table, name);
	if (!f)
		return;
	struct dump_layout *l = c->l;
	size_t i = (size_t)(f - layout_fields);
	uint16_t cur = layout_field_value(l->profile, f);
	struct kdx_error err;
	c->settled[i] = true;
	if (v == PROF_ABSENT) {
		if (l->source[i] == LAYOUT_FROM_KDBG || (!l->nearest && cur != PROF_ABSENT))
			kdx_warn(&c->d->warnings, "layout %s: %s.%s at 0x%x fails the dump's checks "
				 "and no other offset passes them: figures that use it may be wrong",
				 l->profile->name, table, name, cur);
		else if (l->nearest)
			dump_layout_forget(l, f, &err);
		return;
	}
	if (v == cur) {
		l->passed[i] = (uint8_t)checks;
		if (l->nearest && l->source[i] == LAYOUT_FROM_TABLE)
			l->source[i] = LAYOUT_CALIBRATED;
		return;
	}
	if (l->source[i] == LAYOUT_FROM_KDBG) {
		kdx_warn(&c->d->warnings, "layout %s: %s.%s is 0x%x in the KDBG, but the dump's "
			 "structures put it at 0x%x: kdx keeps the KDBG's", l->profile->name, table,
			 name, cur, v);
		return;
	}
	if (dump_layout_set(l, f, v, LAYOUT_CALIBRATED, &err) < 0) {
		if (l->nearest)
			dump_layout_forget(l, f, &err);
		return;
	}
	l->passed[i] = (uint8_t)checks;
	if (!l->nearest)
		kdx_warn(&c->d->warnings, "layout %s: %s.%s is 0x%x in the table, but the dump's "
			 "structures put it at 0x%x (%u checks): kdx uses 0x%x", l->profile->name,
			 table, name, cur, v, checks, v);
}

/* ---- processes ---- */

/* The ring of LIST_ENTRYs through head (PsActiveProcessHead,
 * PsLoadedModuleList): its first max links into out, *n of them; whether
 * it closes with every Blink pointing back. *held counts the links whose
 * Blink did, *followed those tried. */
static bool walk_ring(struct cal *c, uint64_t head, uint64_t *out, size_t max, size_t *n,
		      size_t *held, size_t *followed)
{
	uint64_t prev = head, link, next, back;
	*n = *held = *followed = 0;
	if (!dump_read_ptr(c->d, head, &link))
		return false;
	for (; link != head; (*held)++) {
		++*followed;
		if (*held == RING_MAX || !link || !dump_read_ptr(c->d, link, &next) ||
		    !dump_read_ptr(c->d, link + c->ps, &back) || back != prev)
			return false;
		if (*n < max)
			out[(*n)++] = link;
		prev = link;
		link = next;
	}
	return true;
}

/* A check over every sampled process or thread: all pass, or it fails. */
static void ran_processes(struct cal *c, enum check k, bool passed)
{
	ran(c, k, passed, passed ? c->nproc : 0, c->nproc);
}

static void read_rec(struct cal *c, struct rec *r, uint64_t va)
{
	r->va = va;
	memset(r->b, 0, SPAN);
	xlat_read(c->d->kernel, va, r->b, SPAN, NULL);
}

/* ActiveProcessLinks at off: every record is a process, and System's holds
 * the header's DTB. */
static bool ok_apl(struct cal *c, unsigned off)
{
	uint8_t type;
	if (off < (unsigned)c->ps)
		return false;
	for (size_t i = 0; i < c->nproc; i++)
		if (!read_u8(c, c->link[i] - off, &type) || type != TYPE_PROCESS)
			return false;
	read_rec(c, &c->proc[0], c->link[0] - off);
	uint64_t mask = paging_desc(c->d->paging)->dtb_mask;
	for (unsigned q = c->ps; q + c->ps <= off; q += c->ps)
		if ((get(&c->proc[0], q, c->ps) & mask) == c->d->dtb)
			return true;
	return false;
}

static bool is_id(uint64_t v)
{
	return v && v % 4 == 0 && v < ID_LIMIT;
}

static bool ok_pid(struct cal *c, unsigned off)
{
	if (off == c->apl || get(&c->proc[0], off, c->ps) != 4)
		return false;
	for (size_t i = 1; i < c->nproc; i++) {
		uint64_t v = get(&c->proc[i], off, c->ps);
		if (!is_id(v) || v == 4)
			return false;
		for (size_t k = 1; k < i; k++)
			if (get(&c->proc[k], off, c->ps) == v)
				return false;
	}
	return true;
}

static bool printable(uint8_t ch)
{
	return ch >= 0x20 && ch < 0x7f;
}

static bool ok_name(struct cal *c, unsigned off)
{
	unsigned size = c->l->profile->eprocess->image_file_name_size;
	if (off + size > SPAN || memcmp(c->proc[0].b + off, "System", 7) != 0)
		return false;
	for (size_t i = 1; i < c->nproc; i++) {
		const uint8_t *s = c->proc[i].b + off;
		if (!printable(s[0]))
			return false;
		for (unsigned k = 1; k < size && s[k]; k++)
			if (!printable(s[k]))
				return false;
	}
	return true;
}

static bool ok_dtb(struct cal *c, unsigned off)
{
	uint64_t mask = paging_desc(c->d->paging)->dtb_mask;
	if ((get(&c->proc[0], off, c->ps) & mask) != c->d->dtb)
		return false;
	for (size_t i = 1; i < c->nproc; i++)
		if (!(get(&c->proc[i], off, c->ps) & mask))
			return false;
	return true;
}

static bool ok_parent(struct cal *c, unsigned off)
{
	if (off == c->pid || off == c->apl || c->pid == PROF_ABSENT ||
	    get(&c->proc[0], off, c->ps) != 0)
		return false;
	bool listed = false;
	for (size_t i = 1; i < c->nproc; i++) {
		uint64_t v = get(&c->proc[i], off, c->ps);
		if (!is_id(v) || v == get(&c->proc[i], c->pid, c->ps))
			return false;
		for (size_t k = 0; k < c->nproc; k++)
			listed |= v == get(&c->proc[k], c->pid, c->ps);
	}
	return listed;
}

static bool ok_process_time(struct cal *c, unsigned off)
{
	uint64_t first = get(&c->proc[0], off, 8);
	for (size_t i = 0; i < c->nproc; i++) {
		uint64_t v = get(&c->proc[i], off, 8);
		if (v < FILETIME_2000 || v > FILETIME_2100 || v < first)
			return false;
	}
	return true;
}

/* ---- sessions ---- */

/* Links of a session's process ring followed. */
#define SESSION_RING_MAX 256u

/* The ProcessList ring at pl of the MM_SESSION_SPACE at v, read in
 * process i's address space x: one entry inside process i's record (which
 * gives SessionProcessLinks), and every entry a process whose Session at
 * off is v, each Blink pointing back. */
static bool session_ring(struct cal *c, struct xlat *x, unsigned off, uint64_t v, size_t i,
			 unsigned pl)
{
	uint64_t head = v + pl, prev = head, link, next, back, at, type;
	uint64_t entries[SESSION_RING_MAX];
	size_t n = 0;
	if (!xlat_read_uint(x, head, c->ps, &link))
		return false;
	c->spl = PROF_ABSENT;
	for (; link != head; n++) {
		if (n == SESSION_RING_MAX || !xlat_read_uint(x, link, c->ps, &next) ||
		    !xlat_read_uint(x, link + c->ps, c->ps, &back) || back != prev)
			return false;
		if (link > c->proc[i].va && link - c->proc[i].va + 2 * c->ps <= SPAN &&
		    (link - c->proc[i].va) % c->ps == 0)
			c->spl = (uint16_t)(link - c->proc[i].va);
		entries[n] = link;
		prev = link;
		link = next;
	}
	if (c->spl == PROF_ABSENT || c->spl == c->apl)
		return false;
	c->counted = n;
	for (size_t k = 0; k < n; k++)
		if (!xlat_read_uint(x, entries[k] - c->spl, 1, &type) || type != TYPE_PROCESS ||
		    !xlat_read_uint(x, entries[k] - c->spl + off, c->ps, &at) || at != v)
			return false;
	return true;
}

/* MM_SESSION_SPACE.ProcessList of the session at v: the table's offset
 * when its ring passes session_ring, else the one offset in the first SPAN
 * bytes whose ring does. */
static uint16_t find_process_list(struct cal *c, struct xlat *x, unsigned off, uint64_t v, size_t i)
{
	uint16_t pl = current(c, "session", "process_list"), found = PROF_ABSENT, spl = PROF_ABSENT;
	size_t n = 0, counted = 0;
	if (pl != PROF_ABSENT && session_ring(c, x, off, v, i, pl))
		return pl;
	struct rec *r = &c->sess[0];
	r->va = v;
	memset(r->b, 0, SPAN);
	xlat_read(x, v, r->b, SPAN, NULL);
	for (unsigned p = 0; p + 2 * c->ps <= SPAN && n < 2; p += c->ps)
		if (p != pl && kernel_address(c, get(r, p, c->ps)) && session_ring(c, x, off, v, i, p)) {
			found = (uint16_t)p;
			spl = c->spl;
			counted = c->counted;
			n++;
		}
	if (n != 1)
		return PROF_ABSENT;
	c->spl = spl;
	c->counted = counted;
	return found;
}

/* The address space of process i (its DirectoryTableBase), or NULL. */
static struct xlat *process_space(struct cal *c, size_t i)
{
	struct kdx_error err;
	return xlat_new(c->d->src, c->d->paging, get(&c->proc[i], c->dtb, c->ps), &err);
}

/* EPROCESS.Session at off: System's is NULL, the others' NULL or kernel
 * addresses, and the first process with one has a ProcessList ring. */
static bool ok_session(struct cal *c, unsigned off)
{
	if (off == c->apl || off == c->pid || get(&c->proc[0], off, c->ps) != 0)
		return false;
	size_t first = 0;
	for (size_t i = 1; i < c->nproc; i++) {
		uint64_t v = get(&c->proc[i], off, c->ps);
		if (v && !kernel_address(c, v))
			return false;
		if (v && !first)
			first = i;
	}
	if (!first)
		return false;
	struct xlat *x = process_space(c, first);
	if (!x)
		return false;
	c->process_list = find_process_list(c, x, off, get(&c->proc[first], off, c->ps), first);
	xlat_free(x);
	return c->process_list != PROF_ABSENT;
}

/* SessionId at off: distinct in every session read, below 0x10000, one 0. */
static bool ok_session_id(struct cal *c, unsigned off)
{
	bool zero = false;
	for (size_t k = 0; k < c->nsess; k++) {
		uint64_t id = get(&c->sess[k], off, 4);
		if (id >= 0x10000)
			return false;
		zero |= id == 0;
		for (size_t j = 0; j < k; j++)
			if (get(&c->sess[j], off, 4) == id)
				return false;
	}
	return zero;
}

/* The sessions of the sampled processes, each read in its first member's
 * address space, and their SessionId. */
static void find_session_id(struct cal *c, uint16_t sess)
{
	c->nsess = 0;
	for (size_t i = 1; i < c->nproc && sess != PROF_ABSENT; i++) {
		uint64_t v = get(&c->proc[i], sess, c->ps), pa;
		struct xlat *x = v ? process_space(c, i) : NULL;
		bool seen = !x || xlat_to_phys(x, v, &pa) != XLAT_OK;
		for (size_t k = 0; k < c->nsess && !seen; k++)
			seen = c->sess_pa[k] == pa;
		if (!seen) {
			struct rec *r = &c->sess[c->nsess];
			c->sess_pa[c->nsess++] = pa;
			r->va = v;
			memset(r->b, 0, SPAN);
			xlat_read(x, v, r->b, SPAN, NULL);
		}
		xlat_free(x);
	}
	if (c->nsess < 2)
		return;
	uint16_t found[2];
	size_t n = candidates(c, current(c, "session", "session_id"), 0, SPAN - 3, 4, ok_session_id,
			      found, 2);
	uint16_t id = n == 1 ? found[0] : PROF_ABSENT;
	ran(c, CK_SESSION_ID, id != PROF_ABSENT, id != PROF_ABSENT ? c->nsess : 0, c->nsess);
	settle(c, "session", "session_id", id, 1);
}

static void calibrate_sessions(struct cal *c)
{
	uint16_t sess = PROF_ABSENT;
	if (c->dtb != PROF_ABSENT)
		sess = search(c, current(c, "eprocess", "session"), c->ps, c->ps, ok_session);
	/* ok_session leaves the ProcessList and SessionProcessLinks it found
	 * for the offset it passed last: run it again on the one chosen. */
	if (sess != PROF_ABSENT && !ok_session(c, sess))
		sess = PROF_ABSENT;
	ran(c, CK_SESSION, sess != PROF_ABSENT, sess != PROF_ABSENT ? c->counted : 0,
	    sess != PROF_ABSENT ? c->counted : 1);
	settle(c, "eprocess", "session", sess, 1);
	settle(c, "eprocess", "session_process_links", sess != PROF_ABSENT ? c->spl : PROF_ABSENT, 1);
	settle(c, "session", "process_list", sess != PROF_ABSENT ? c->process_list : PROF_ABSENT, 1);
	find_session_id(c, sess);
}

/* ---- threads ---- */

/* The ring at h in process i, its entries at t in each thread: every
 * Blink points back, every record is a thread. *len is its length (SIZE_MAX
 * when it does not close within RING_MAX), *kept the records read into
 * c->thr[i] when keep. System's must hold a thread. */
static bool thread_ring(struct cal *c, size_t i, unsigned h, unsigned t, bool keep, size_t *len,
			size_t *kept)
{
	uint64_t head = c->proc[i].va + h, prev = head, link = get(&c->proc[i], h, c->ps), next, back;
	size_t n = 0;
	*len = SIZE_MAX;
	*kept = 0;
	for (; link != head; n++) {
		uint8_t type;
		if (n == RING_MAX || (!keep && n == CALIB_THREADS))
			return true;
		if (!link || !dump_read_ptr(c->d, link, &next) ||
		    !dump_read_ptr(c->d, link + c->ps, &back) || back != prev ||
		    !read_u8(c, link - t, &type) || type != TYPE_THREAD)
			return false;
		if (keep && n < CALIB_THREADS)
			read_rec(c, &c->thr[i][(*kept)++], link - t);
		prev = link;
		link = next;
	}
	*len = n;
	return i != 0 || n > 0;
}

/* A check of every sampled process passes when it holds for System and for
 * all but a quarter of the others: one corrupt process does not make a
 * right offset look wrong, and a wrong one fails nearly everywhere. */
static bool most(const struct cal *c, size_t failed)
{
	return failed * 4 <= c->nproc - 1;
}

static bool ok_entry(struct cal *c, unsigned t)
{
	size_t len, kept, failed = 0;
	if (t < (unsigned)c->ps || !thread_ring(c, 0, c->pair_h, t, false, &len, &kept))
		return false;
	for (size_t i = 1; i < c->nproc; i++)
		failed += !thread_ring(c, i, c->pair_h, t, false, &len, &kept);
	return most(c, failed);
}

/* A LIST_ENTRY in System's EPROCESS at h that heads a ring of something. */
static bool list_head_at(struct cal *c, unsigned h)
{
	uint64_t self = c->proc[0].va + h, fl = get(&c->proc[0], h, c->ps), back;
	return fl && fl != self && kernel_address(c, fl) &&
	       dump_read_ptr(c->d, fl + c->ps, &back) && back == self;
}

struct pair {
	uint16_t h, t;
	uint64_t first;    /* System's first thread through this pair */
};

/* The two thread rings, KPROCESS.ThreadListHead with KTHREAD.ThreadListEntry
 * and EPROCESS.ThreadListHead with ETHREAD.ThreadListEntry: the table's
 * pairs when they pass; else, when exactly two pairs over the same threads
 * pass, the lower is the KPROCESS's (the KPROCESS and KTHREAD begin their
 * EPROCESS and ETHREAD). */
static void find_thread_rings(struct cal *c, uint16_t *kh, uint16_t *kt, uint16_t *eh, uint16_t *et)
{
	uint16_t ch[2] = { current(c, "eprocess", "kprocess_thread_list_head"),
			   current(c, "eprocess", "thread_list_head") };
	uint16_t ct[2] = { current(c, "kthread", "thread_list_entry"),
			   current(c, "ethread", "thread_list_entry") };
	uint16_t *oh[2] = { kh, eh }, *ot[2] = { kt, et };
	for (int k = 0; k < 2; k++) {
		*oh[k] = *ot[k] = PROF_ABSENT;
		c->pair_h = ch[k];
		if (ch[k] != PROF_ABSENT && ct[k] != PROF_ABSENT && ch[k] + 2 * c->ps <= SPAN &&
		    list_head_at(c, ch[k]) && ok_entry(c, ct[k])) {
			*oh[k] = ch[k];
			*ot[k] = ct[k];
		}
	}
	if (*kh != PROF_ABSENT && *eh != PROF_ABSENT)
		return;
	struct pair p[CANDIDATES_MAX];
	size_t n = 0;
	for (unsigned h = c->ps; h + 2 * c->ps <= SPAN && n < CANDIDATES_MAX; h += c->ps) {
		if (h == c->apl || !list_head_at(c, h))
			continue;
		c->pair_h = (uint16_t)h;
		uint16_t t[2];
		size_t m = candidates(c, PROF_ABSENT, c->ps, SPAN - 2 * c->ps, c->ps, ok_entry, t, 2);
		if (m == 1) {
			p[n] = (struct pair){ (uint16_t)h, t[0], get(&c->proc[0], h, c->ps) - t[0] };
			n++;
		}
	}
	if (n == 2 && p[0].first == p[1].first) {
		*kh = p[0].h;
		*kt = p[0].t;
		*eh = p[1].h;
		*et = p[1].t;
	}
}

/* The thread records through the ring at h, t, and each ring's length;
 * returns how many processes' rings held. */
static size_t read_threads(struct cal *c, unsigned h, unsigned t)
{
	size_t held = 0;
	for (size_t i = 0; i < c->nproc; i++)
		held += thread_ring(c, i, h, t, true, &c->ring_len[i], &c->nthr[i]);
	return held;
}

/* Every sampled thread passes ok for the value at off: the pointer-sized
 * or sized helpers below. */
static bool ok_owner(struct cal *c, unsigned off)
{
	for (size_t i = 0; i < c->nproc; i++)
		for (size_t k = 0; k < c->nthr[i]; k++)
			if (get(&c->thr[i][k], off, c->ps) != c->proc[i].va)
				return false;
	return true;
}

static bool ok_cid(struct cal *c, unsigned off)
{
	for (size_t i = 0; i < c->nproc; i++)
		for (size_t k = 0; k < c->nthr[i]; k++)
			if (get(&c->thr[i][k], off, c->ps) != get(&c->proc[i], c->pid, c->ps))
				return false;
	return true;
}

static bool ok_tid(struct cal *c, unsigned off)
{
	if (off == c->cid)
		return false;
	for (size_t i = 0; i < c->nproc; i++)
		for (size_t k = 0; k < c->nthr[i]; k++) {
			uint64_t v = get(&c->thr[i][k], off, c->ps);
			if (!is_id(v) || v == get(&c->proc[i], c->pid, c->ps))
				return false;
			for (size_t j = 0; j < k; j++)
				if (get(&c->thr[i][j], off, c->ps) == v)
					return false;
		}
	return true;
}

static bool ok_thread_time(struct cal *c, unsigned off)
{
	uint16_t pt = current(c, "eprocess", "create_time");
	for (size_t i = 0; i < c->nproc; i++)
		for (size_t k = 0; k < c->nthr[i]; k++) {
			uint64_t v = get(&c->thr[i][k], off, 8);
			if (v < FILETIME_2000 || v > FILETIME_2100 ||
			    (pt != PROF_ABSENT && v < get(&c->proc[i], pt, 8)))
				return false;
		}
	return true;
}

static size_t threads_sampled(const struct cal *c)
{
	size_t n = 0;
	for (size_t i = 0; i < c->nproc; i++)
		n += c->nthr[i];
	return n;
}

static void ran_threads(struct cal *c, enum check k, bool passed)
{
	size_t n = threads_sampled(c);
	ran(c, k, passed, passed ? n : 0, n);
}

/* StackLimit at off, StackBase at c->arg: page-aligned kernel addresses,
 * the base above the limit by at most a large stack (where the build's
 * large stack size is known: not on 2003 x64). */
static bool ok_stack_pair(struct cal *c, unsigned off)
{
	unsigned large = c->l->profile->stack->large_size;
	if (off == c->arg)
		return false;
	for (size_t i = 0; i < c->nproc; i++)
		for (size_t k = 0; k < c->nthr[i]; k++) {
			uint64_t lim = get(&c->thr[i][k], off, c->ps), base = get(&c->thr[i][k], c->arg, c->ps);
			if (!kernel_address(c, lim) || (lim | base) % KDX_PAGE_SIZE || base <= lim ||
			    (large && base - lim > large))
				return false;
		}
	return true;
}

/* A pointer inside every thread's stack: above StackLimit, not above
 * StackBase (InitialStack and KernelStack). */
static bool ok_in_stack(struct cal *c, unsigned off)
{
	if (off == c->sl || off == c->sb)
		return false;
	for (size_t i = 0; i < c->nproc; i++)
		for (size_t k = 0; k < c->nthr[i]; k++) {
			const struct rec *r = &c->thr[i][k];
			uint64_t v = get(r, off, c->ps);
			if (v <= get(r, c->sl, c->ps) || v > get(r, c->sb, c->ps))
				return false;
		}
	return true;
}

/* ActiveThreads at off is each ring's length (rings that close); when
 * searching, the lengths must differ too, or any counter would do. */
static bool active_threads_at(struct cal *c, unsigned off, bool searching)
{
	size_t failed = 0;
	bool differ = false;
	for (size_t i = 0; i < c->nproc; i++) {
		if (c->ring_len[i] == SIZE_MAX)
			continue;
		bool ok = get(&c->proc[i], off, 4) == c->ring_len[i];
		if (!ok && i == 0)
			return false;
		failed += !ok;
		differ |= c->ring_len[i] != c->ring_len[0];
	}
	return most(c, failed) && (differ || !searching);
}

static bool ok_active_threads(struct cal *c, unsigned off)
{
	return active_threads_at(c, off, true);
}

/* The value at a is above the value at b in every sampled thread. */
static bool above(const struct cal *c, uint16_t a, uint16_t b)
{
	if (a == PROF_ABSENT || b == PROF_ABSENT)
		return false;
	for (size_t i = 0; i < c->nproc; i++)
		for (size_t k = 0; k < c->nthr[i]; k++)
			if (get(&c->thr[i][k], a, c->ps) <= get(&c->thr[i][k], b, c->ps))
				return false;
	return true;
}

static bool among(const uint16_t *v, size_t n, uint16_t x)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == x)
			return true;
	return false;
}

/* The stack fields: StackLimit and StackBase as a pair, then InitialStack
 * and KernelStack inside the stack. */
static void find_stacks(struct cal *c)
{
	uint16_t sl = current(c, "kthread", "stack_limit"), sb = current(c, "kthread", "stack_base");
	c->sl = c->sb = PROF_ABSENT;
	c->arg = sb;
	uint16_t found[2];
	if (sb != PROF_ABSENT && sl != PROF_ABSENT && ok_stack_pair(c, sl)) {
		c->sl = sl;
		c->sb = sb;
	} else {
		size_t pairs = 0;
		for (unsigned b = c->ps; b + c->ps <= SPAN && pairs < 2; b += c->ps) {
			c->arg = (uint16_t)b;
			size_t m = candidates(c, PROF_ABSENT, c->ps, SPAN - c->ps + 1, c->ps,
					      ok_stack_pair, found, 2);
			if (m) {
				pairs += m;
				c->sl = found[0];
				c->sb = (uint16_t)b;
			}
		}
		if (pairs != 1)
			c->sl = c->sb = PROF_ABSENT;
	}
	ran_threads(c, CK_STACK_SIZE, c->sl != PROF_ABSENT);
	settle(c, "kthread", "stack_limit", c->sl, c->sl != PROF_ABSENT ? 2 : 0);
	settle(c, "kthread", "stack_base", c->sb, 1);
	if (c->sl == PROF_ABSENT) {
		ran_threads(c, CK_STACK_ORDER, false);
		settle(c, "kthread", "initial_stack", PROF_ABSENT, 0);
		settle(c, "kthread", "kernel_stack", PROF_ABSENT, 0);
		return;
	}
	/* Two pointers lie inside every stack: InitialStack, the higher, and
	 * KernelStack; the table's pair when it passes, else the only two. */
	uint16_t in[CANDIDATES_MAX], is = PROF_ABSENT, ks = PROF_ABSENT;
	uint16_t cur_is = current(c, "kthread", "initial_stack"), cur_ks = current(c, "kthread", "kernel_stack");
	size_t n = candidates(c, PROF_ABSENT, c->ps, SPAN - c->ps + 1, c->ps, ok_in_stack, in,
			      CANDIDATES_MAX);
	if (among(in, n, cur_is) && among(in, n, cur_ks) && above(c, cur_is, cur_ks)) {
		is = cur_is;
		ks = cur_ks;
	} else if (n == 2 && (above(c, in[0], in[1]) || above(c, in[1], in[0]))) {
		bool first = above(c, in[0], in[1]);
		is = in[first ? 0 : 1];
		ks = in[first ? 1 : 0];
	}
	ran_threads(c, CK_STACK_ORDER, is != PROF_ABSENT);
	settle(c, "kthread", "initial_stack", is, 1);
	settle(c, "kthread", "kernel_stack", ks, 1);
}

/* The owner pointers: KTHREAD.ApcState.Process and KTHREAD.Process (XP:
 * ETHREAD.ThreadsProcess) both hold the thread's process; ApcState comes
 * first in every build. */
static void find_owners(struct cal *c)
{
	bool xp = current(c, "kthread", "process") == PROF_ABSENT && !c->l->nearest;
	const char *table = xp ? "ethread" : "kthread", *name = xp ? "threads_process" : "process";
	uint16_t apc = current(c, "kthread", "apc_state_process"), own = current(c, table, name);
	bool apc_ok = apc != PROF_ABSENT && ok_owner(c, apc);
	bool own_ok = own != PROF_ABSENT && own != apc && ok_owner(c, own);
	if (!apc_ok || !own_ok) {
		uint16_t found[CANDIDATES_MAX], rest[CANDIDATES_MAX];
		size_t n = candidates(c, PROF_ABSENT, c->ps, SPAN - c->ps + 1, c->ps, ok_owner, found,
				      CANDIDATES_MAX), m = 0;
		if (!apc_ok)
			apc = n == 2 ? found[0] : PROF_ABSENT;
		for (size_t i = 0; i < n; i++)
			if (found[i] != apc)
				rest[m++] = found[i];
		if (!own_ok)
			own = m == 1 ? rest[0] : PROF_ABSENT;
	}
	ran_threads(c, CK_OWNER, own != PROF_ABSENT);
	settle(c, "kthread", "apc_state_process", apc, 1);
	settle(c, table, name, own, 1);
}

static void calibrate_threads(struct cal *c)
{
	uint16_t kh, kt, eh, et;
	find_thread_rings(c, &kh, &kt, &eh, &et);
	bool rings = eh != PROF_ABSENT || kh != PROF_ABSENT;
	settle(c, "eprocess", "kprocess_thread_list_head", kh, 1);
	settle(c, "kthread", "thread_list_entry", kt, 1);
	settle(c, "eprocess", "thread_list_head", eh, 1);
	settle(c, "ethread", "thread_list_entry", et, 1);
	if (!rings) {
		ran(c, CK_THREAD_RING, false, 0, c->nproc);
		return;
	}
	ran(c, CK_THREAD_RING, true,
	    read_threads(c, eh != PROF_ABSENT ? eh : kh, eh != PROF_ABSENT ? et : kt), c->nproc);
	if (!threads_sampled(c))
		return;
	find_owners(c);
	uint16_t at = current(c, "eprocess", "active_threads");
	if (at == PROF_ABSENT || !active_threads_at(c, at, false))
		at = search(c, PROF_ABSENT, 4, 4, ok_active_threads);
	size_t closed = 0, equal = 0;
	for (size_t i = 0; i < c->nproc; i++) {
		closed += c->ring_len[i] != SIZE_MAX;
		equal += c->ring_len[i] != SIZE_MAX && at != PROF_ABSENT &&
			 get(&c->proc[i], at, 4) == c->ring_len[i];
	}
	ran(c, CK_ACTIVE_THREADS, at != PROF_ABSENT, equal, closed);
	settle(c, "eprocess", "active_threads", at, 1);
	c->cid = PROF_ABSENT;
	if (c->pid != PROF_ABSENT)
		c->cid = search(c, current(c, "ethread", "cid_unique_process"), c->ps, c->ps, ok_cid);
	ran_threads(c, CK_CID, c->cid != PROF_ABSENT);
	settle(c, "ethread", "cid_unique_process", c->cid, 1);
	if (c->cid != PROF_ABSENT)
		c->l->passed[field("eprocess", "unique_process_id") - layout_fields]++;
	uint16_t tid = c->cid != PROF_ABSENT ?
		search(c, current(c, "ethread", "cid_unique_thread"), c->ps, c->ps, ok_tid) : PROF_ABSENT;
	ran_threads(c, CK_TIDS, tid != PROF_ABSENT);
	settle(c, "ethread", "cid_unique_thread", tid, 1);
	find_stacks(c);
	uint16_t tt = search(c, current(c, "ethread", "create_time"), 8, 8, ok_thread_time);
	ran_threads(c, CK_THREAD_TIME, tt != PROF_ABSENT);
	settle(c, "ethread", "create_time", tt, 1);
}

static void calibrate_processes(struct cal *c)
{
	c->apl = c->pid = PROF_ABSENT;
	size_t held, followed;
	bool ring = walk_ring(c, c->head, c->link, RING_MAX, &c->nlinks, &held, &followed);
	ran(c, CK_RING, ring, held, followed);
	c->nproc = c->nlinks < CALIB_PROCESSES ? c->nlinks : CALIB_PROCESSES;
	if (!c->nproc)
		return;
	c->apl = search(c, current(c, "eprocess", "active_process_links"), c->ps, 2 * c->ps, ok_apl);
	ran_processes(c, CK_PROCESS_TYPE, c->apl != PROF_ABSENT);
	settle(c, "eprocess", "active_process_links", c->apl, 1 + ring);
	if (c->apl == PROF_ABSENT)
		return;
	for (size_t i = 0; i < c->nproc; i++)
		read_rec(c, &c->proc[i], c->link[i] - c->apl);
	uint16_t found[2];
	uint16_t cur = current(c, "eprocess", "unique_process_id");
	size_t n = candidates(c, cur, 0, SPAN - c->ps + 1, c->ps, ok_pid, found, 2);
	/* UniqueProcessId comes just before ActiveProcessLinks in every build. */
	c->pid = n == 1 ? found[0] : n == 2 && ok_pid(c, c->apl - c->ps) ? c->apl - c->ps : PROF_ABSENT;
	ran_processes(c, CK_SYSTEM_PID, c->pid != PROF_ABSENT);
	ran_processes(c, CK_PIDS, c->pid != PROF_ABSENT);
	settle(c, "eprocess", "unique_process_id", c->pid, 2);
	uint16_t name = search(c, current(c, "eprocess", "image_file_name"), 1, 16, ok_name);
	ran_processes(c, CK_SYSTEM_NAME, name != PROF_ABSENT);
	ran_processes(c, CK_NAMES, name != PROF_ABSENT);
	settle(c, "eprocess", "image_file_name", name, 2);
	c->dtb = search(c, current(c, "eprocess", "directory_table_base"), c->ps, c->ps, ok_dtb);
	ran_processes(c, CK_SYSTEM_DTB, c->dtb != PROF_ABSENT);
	settle(c, "eprocess", "directory_table_base", c->dtb, 1);
	uint16_t parent = search(c, current(c, "eprocess", "inherited_from_unique_process_id"), c->ps,
				 c->ps, ok_parent);
	ran_processes(c, CK_PARENT, parent != PROF_ABSENT);
	settle(c, "eprocess", "inherited_from_unique_process_id", parent, 1);
	uint16_t pt = search(c, current(c, "eprocess", "create_time"), 8, 8, ok_process_time);
	ran_processes(c, CK_PROCESS_TIME, pt != PROF_ABSENT);
	settle(c, "eprocess", "create_time", pt, 1);
	calibrate_sessions(c);
	calibrate_threads(c);
}

/* ---- processors ---- */

/* KiProcessorBlock's first CALIB_CPUS KPRCBs. */
static void read_processors(struct cal *c)
{
	uint64_t block, prcb;
	if (!dump_kdbg_field(c->d, KDBG_KI_PROCESSOR_BLOCK, 8, &block) || !block)
		return;
	while (c->ncpu < CALIB_CPUS && dump_read_ptr(c->d, block + c->ncpu * c->ps, &prcb) &&
	       kernel_address(c, prcb) && prcb > SPAN) {
		read_rec(c, &c->pcr[c->ncpu], prcb - SPAN);
		read_rec(c, &c->prcb[c->ncpu], prcb);
		c->ncpu++;
	}
}

/* The KPCR member at s holds the KPCR itself (self) or its KPRCB, in every
 * processor's KPCR, the KPRCB being c->arg bytes into it. */
static bool pcr_holds(struct cal *c, unsigned s, bool self)
{
	if (s + c->ps > c->arg)
		return false;
	for (size_t i = 0; i < c->ncpu; i++) {
		uint64_t prcb = c->prcb[i].va;
		if (get(&c->pcr[i], SPAN - c->arg + s, c->ps) != (self ? prcb - c->arg : prcb))
			return false;
	}
	return true;
}

static bool ok_self(struct cal *c, unsigned s)
{
	return pcr_holds(c, s, true);
}

static bool ok_current_prcb(struct cal *c, unsigned s)
{
	return pcr_holds(c, s, false);
}

/* The one KPCR member below KPCR.Prcb (c->arg) that passes ok, the table's
 * first; PROF_ABSENT when none or several do. */
static uint16_t pcr_member(struct cal *c, const char *name, pred_fn ok)
{
	uint16_t found[2];
	size_t n = candidates(c, current(c, "kpcr", name), 0, c->arg, c->ps, ok, found, 2);
	return n == 1 ? found[0] : PROF_ABSENT;
}

/* KPCR.Prcb at off: Self and CurrentPrcb each found once below it. */
static bool ok_prcb(struct cal *c, unsigned off)
{
	c->arg = (uint16_t)off;
	return pcr_member(c, "self", ok_self) != PROF_ABSENT &&
	       pcr_member(c, "current_prcb", ok_current_prcb) != PROF_ABSENT;
}

/* Whether the thread at t is on the thread ring of the process at p. */
static bool on_thread_ring(struct cal *c, uint64_t p, uint64_t t)
{
	uint16_t h = current(c, "eprocess", "thread_list_head");
	uint16_t e = current(c, "ethread", "thread_list_entry");
	uint64_t head = p + h, link;
	if (h == PROF_ABSENT || e == PROF_ABSENT || !dump_read_ptr(c->d, head, &link))
		return false;
	for (unsigned n = 0; link != head && link && n < RING_MAX; n++) {
		if (link == t + e)
			return true;
		if (!dump_read_ptr(c->d, link, &link))
			return false;
	}
	return false;
}

/* Whether p is a process on PsActiveProcessHead (within RING_MAX links). */
static bool listed_process(const struct cal *c, uint64_t p)
{
	for (size_t i = 0; i < c->nlinks; i++)
		if (c->link[i] - c->apl == p)
			return true;
	return false;
}

/* KPRCB.CurrentThread at off: in every processor a thread whose
 * ApcState.Process is a process; counted, and one at least, those on the
 * thread ring of a listed process (an idle processor's idle thread is not:
 * its process is on no list). */
static bool ok_current_thread(struct cal *c, unsigned off)
{
	uint16_t apc = current(c, "kthread", "apc_state_process");
	uint64_t t, p;
	uint8_t type;
	c->counted = 0;
	if (apc == PROF_ABSENT || c->apl == PROF_ABSENT)
		return false;
	for (size_t i = 0; i < c->ncpu; i++) {
		t = get(&c->prcb[i], off, c->ps);
		if (!kernel_address(c, t) || !read_u8(c, t, &type) || type != TYPE_THREAD ||
		    !dump_read_ptr(c->d, t + apc, &p) || !read_u8(c, p, &type) || type != TYPE_PROCESS)
			return false;
		c->counted += listed_process(c, p) && on_thread_ring(c, p, t);
	}
	return c->counted > 0;
}

/* KPRCB.Number at off, c->arg bytes wide: each processor's index. */
static bool ok_prcb_number(struct cal *c, unsigned off)
{
	for (size_t i = 0; i < c->ncpu; i++)
		if (get(&c->prcb[i], off, c->arg) != i)
			return false;
	return true;
}

/* The x86 KPCR.Number at off (a byte), the KPRCB c->arg bytes into the KPCR. */
static bool ok_pcr_number(struct cal *c, unsigned off)
{
	for (size_t i = 0; i < c->ncpu; i++)
		if (off >= c->arg || get(&c->pcr[i], SPAN - c->arg + off, 1) != i)
			return false;
	return true;
}

static void calibrate_processors(struct cal *c)
{
	read_processors(c);
	if (!c->ncpu)
		return;
	uint16_t found[2], self = PROF_ABSENT, cur = PROF_ABSENT;
	size_t n = candidates(c, current(c, "kpcr", "prcb"), 2 * c->ps, SPAN + 1, c->ps, ok_prcb,
			      found, 2);
	uint16_t prcb = n == 1 ? found[0] : PROF_ABSENT;
	if (prcb != PROF_ABSENT) {
		c->arg = prcb;
		self = pcr_member(c, "self", ok_self);
		cur = pcr_member(c, "current_prcb", ok_current_prcb);
	}
	ran(c, CK_PCR_SELF, prcb != PROF_ABSENT, prcb != PROF_ABSENT ? c->ncpu : 0, c->ncpu);
	settle(c, "kpcr", "prcb", prcb, 1);
	settle(c, "kpcr", "self", self, 1);
	settle(c, "kpcr", "current_prcb", cur, 1);
	uint16_t ct = search(c, current(c, "kpcr", "prcb_current_thread"), c->ps, c->ps,
			     ok_current_thread);
	ran(c, CK_PRCB_THREAD, ct != PROF_ABSENT,
	    ct != PROF_ABSENT && ok_current_thread(c, ct) ? c->counted : 0, c->ncpu);
	settle(c, "kpcr", "prcb_current_thread", ct, 1);
	/* One processor's Number is 0, as is most of its KPRCB. */
	unsigned width = c->l->profile->kpcr->prcb_number_size;
	if (c->ncpu < 2 || (width != 1 && width != 2 && width != 4))
		return;
	c->arg = (uint16_t)width;
	uint16_t num = search(c, current(c, "kpcr", "prcb_number"), width, width, ok_prcb_number);
	uint16_t pcr_num = current(c, "kpcr", "number");
	bool pcr_ok = true;
	if (pcr_num != PROF_ABSENT) {
		c->arg = prcb;
		n = prcb != PROF_ABSENT ? candidates(c, pcr_num, 0, prcb, 1, ok_pcr_number, found, 2) : 0;
		pcr_num = n == 1 ? found[0] : PROF_ABSENT;
		pcr_ok = pcr_num != PROF_ABSENT;
		settle(c, "kpcr", "number", pcr_num, 1);
	}
	bool ok = num != PROF_ABSENT && pcr_ok;
	ran(c, CK_PRCB_NUMBER, ok, ok ? c->ncpu : 0, c->ncpu);
	settle(c, "kpcr", "prcb_number", num, 1);
}

/* ---- modules ---- */

/* What a module's DllBase candidate maps. */
enum { IMAGE_UNREAD, IMAGE_PE, IMAGE_BAD };

/* LDR_DATA_TABLE_ENTRY.DllBase at off: page-aligned kernel addresses, each
 * mapping a PE image where its header page is in the dump, as the first
 * module's (the kernel's) does and three quarters of them at least. */
static bool ok_dll_base(struct cal *c, unsigned off)
{
	uint8_t page[KDX_PAGE_SIZE];
	c->counted = 0;
	for (size_t i = 0; i < c->nmod; i++) {
		uint64_t v = get(&c->mod[i], off, c->ps);
		c->image[i] = IMAGE_BAD;
		if (!kernel_address(c, v) || v % KDX_PAGE_SIZE)
			return false;
		if (xlat_read(c->d->kernel, v, page, sizeof page, NULL) != sizeof page) {
			c->image[i] = IMAGE_UNREAD;
			continue;
		}
		if (pe_read_headers(page, sizeof page, 0, &c->pe) || !c->pe.size_of_image)
			return false;
		c->image[i] = IMAGE_PE;
		c->image_size[i] = c->pe.size_of_image;
		c->image_entry[i] = c->pe.entry_point;
		c->counted++;
	}
	return c->image[0] == IMAGE_PE && c->counted * 4 >= c->nmod * 3;
}

/* A field of every entry whose image was read, clear of DllBase (at
 * c->arg): its SizeOfImage (4 bytes), or DllBase plus its
 * AddressOfEntryPoint (entry). */
static bool image_field(struct cal *c, unsigned off, bool entry)
{
	unsigned width = entry ? c->ps : 4;
	if (off < c->arg + c->ps && off + width > c->arg)
		return false;
	for (size_t i = 0; i < c->nmod; i++) {
		uint64_t want = entry ? get(&c->mod[i], c->arg, c->ps) + c->image_entry[i] :
					c->image_size[i];
		if (c->image[i] == IMAGE_PE && get(&c->mod[i], off, width) != want)
			return false;
	}
	return true;
}

static bool ok_size_of_image(struct cal *c, unsigned off)
{
	return image_field(c, off, false);
}

static bool ok_entry_point(struct cal *c, unsigned off)
{
	return image_field(c, off, true);
}

/* A UNICODE_STRING at off in every entry: Length even, not 0, at most
 * MaximumLength, its Buffer a kernel address holding that many printable
 * characters, with no NUL among them. */
static bool ok_module_name(struct cal *c, unsigned off)
{
	char text[USTR_MAX];
	for (size_t i = 0; i < c->nmod; i++) {
		const struct rec *r = &c->mod[i];
		uint64_t len = get(r, off, 2), max = get(r, off + 2, 2), buf = get(r, off + c->ps, c->ps);
		if (!len || len % 2 || len > max || !kernel_address(c, buf) ||
		    !ustr_read(c->d, r->va + off, text, sizeof text) ||
		    strlen(text) < (len / 2 < USTR_MAX - 1 ? len / 2 : USTR_MAX - 1))
			return false;
		for (const char *t = text; *t; t++)
			if ((uint8_t)*t < 0x20 || *t == 0x7f)
				return false;
	}
	return true;
}

/* The names at full and base: every base name ends its full name, one at
 * least shorter (a full name says where the image was loaded from). */
static bool name_pair(struct cal *c, uint16_t full, uint16_t base)
{
	char f[USTR_MAX], b[USTR_MAX];
	bool shorter = false;
	for (size_t i = 0; i < c->nmod; i++) {
		ustr_read(c->d, c->mod[i].va + full, f, sizeof f);
		ustr_read(c->d, c->mod[i].va + base, b, sizeof b);
		size_t nf = strlen(f), nb = strlen(b);
		if (nb > nf || strcmp(f + nf - nb, b) != 0)
			return false;
		shorter |= nb < nf;
	}
	return shorter;
}

static void find_module_names(struct cal *c)
{
	uint16_t in[CANDIDATES_MAX], full = current(c, "ldr", "full_dll_name");
	uint16_t base = current(c, "ldr", "base_dll_name");
	size_t n = candidates(c, PROF_ABSENT, 0, LDR_SPAN - 2 * c->ps + 1, c->ps, ok_module_name, in,
			      CANDIDATES_MAX);
	if (!among(in, n, full) || !among(in, n, base) || !name_pair(c, full, base)) {
		full = base = PROF_ABSENT;
		if (n == 2 && (name_pair(c, in[0], in[1]) || name_pair(c, in[1], in[0]))) {
			bool first_full = name_pair(c, in[0], in[1]);
			full = in[first_full ? 0 : 1];
			base = in[first_full ? 1 : 0];
		}
	}
	ran(c, CK_MODULE_NAMES, full != PROF_ABSENT, full != PROF_ABSENT ? c->nmod : 0, c->nmod);
	settle(c, "ldr", "full_dll_name", full, 1);
	settle(c, "ldr", "base_dll_name", base, 1);
}

static void calibrate_modules(struct cal *c)
{
	uint64_t head;
	size_t held, followed;
	uint16_t found[2], links = current(c, "ldr", "in_load_order_links");
	if (!dump_kdbg_field(c->d, KDBG_PS_LOADED_MODULE_LIST, 8, &head) || !head ||
	    links == PROF_ABSENT)
		return;
	bool ring = walk_ring(c, head, c->mod_link, CALIB_MODULES, &c->nmod, &held, &followed);
	ran(c, CK_MODULE_RING, ring, held, followed);
	if (!ring || !c->nmod)
		return;
	/* InLoadOrderLinks begins the entry in every build. */
	settle(c, "ldr", "in_load_order_links", links, 1);
	for (size_t i = 0; i < c->nmod; i++)
		read_rec(c, &c->mod[i], c->mod_link[i] - links);
	size_t n = candidates(c, current(c, "ldr", "dll_base"), 0, LDR_SPAN - c->ps + 1, c->ps,
			      ok_dll_base, found, 2);
	uint16_t dll = n == 1 && ok_dll_base(c, found[0]) ? found[0] : PROF_ABSENT;
	uint16_t size = PROF_ABSENT, entry = PROF_ABSENT;
	if (dll != PROF_ABSENT) {
		c->arg = dll;
		n = candidates(c, current(c, "ldr", "size_of_image"), 0, LDR_SPAN - 3, 4,
			       ok_size_of_image, found, 2);
		size = n == 1 ? found[0] : PROF_ABSENT;
		n = candidates(c, current(c, "ldr", "entry_point"), 0, LDR_SPAN - c->ps + 1, c->ps,
			       ok_entry_point, found, 2);
		entry = n == 1 ? found[0] : PROF_ABSENT;
	}
	size_t images = dll != PROF_ABSENT ? c->counted : 0;
	ran(c, CK_MODULE_IMAGE, size != PROF_ABSENT, size != PROF_ABSENT ? images : 0, c->nmod);
	settle(c, "ldr", "dll_base", size != PROF_ABSENT ? dll : PROF_ABSENT, 1);
	settle(c, "ldr", "size_of_image", size, 1);
	ran(c, CK_MODULE_ENTRY, entry != PROF_ABSENT, entry != PROF_ABSENT ? images : 0, c->nmod);
	settle(c, "ldr", "entry_point", entry, 1);
	find_module_names(c);
}

/* ---- the PFN database ---- */

/* The page table that maps va through 4 KiB pages: its PFN and the VA,
 * through the self-map, of the entry one level up that maps it (its
 * MMPFN's PteAddress), kept when no other kept table has that PFN. */
static void add_table(struct cal *c, const struct self_map *sm, uint64_t va)
{
	struct walk w;
	const struct paging_desc *pd = paging_desc(c->d->paging);
	int last = pd->levels - 1;
	uint64_t pte;
	if (c->ntables == CALIB_TABLES || !va)
		return;
	xlat_walk(c->d->kernel, va, &w);
	if (w.nlevels <= last || w.level[last - 1].large || !w.level[last - 1].present ||
	    !self_map_entry_va(sm, c->d->paging, last - 1, va, &pte))
		return;
	uint64_t pfn = w.level[last].table >> KDX_PAGE_SHIFT;
	for (size_t i = 0; i < c->ntables; i++)
		if (c->table_pfn[i] == pfn)
			return;
	c->table_pfn[c->ntables] = pfn;
	c->table_pte[c->ntables++] = pte;
}

/* MMPFN.PteAddress at off in MMPFNs of c->arg bytes: every table's (the
 * low bits masked, which some builds use as flags). */
static bool ok_pte_address(struct cal *c, unsigned off)
{
	uint64_t v, mask = ~(uint64_t)(paging_desc(c->d->paging)->entry_size - 1);
	if (off + c->ps > c->arg)
		return false;
	for (size_t i = 0; i < c->ntables; i++)
		if (!dump_read_ptr(c->d, c->pfn_base + c->table_pfn[i] * c->arg + off, &v) ||
		    (v & mask) != c->table_pte[i])
			return false;
	return true;
}

/* The MMPFN's size and PteAddress from the page tables of the records the
 * other checks read: the one pair of both that passes, the table's first. */
static void calibrate_pfn(struct cal *c)
{
	uint64_t var;
	struct self_map sm;
	if (!dump_kdbg_field(c->d, KDBG_MM_PFN_DATABASE, 8, &var) || !var ||
	    !dump_read_ptr(c->d, var, &c->pfn_base) || !c->pfn_base)
		return;
	layout_find_self_map(c->d->src, c->d->paging, xlat_dtb(c->d->kernel), &sm);
	if (!sm.found)
		return;
	add_table(c, &sm, c->head);
	for (size_t i = 0; i < c->nproc; i++)
		add_table(c, &sm, c->proc[i].va);
	for (size_t i = 0; i < c->ncpu; i++)
		add_table(c, &sm, c->prcb[i].va);
	for (size_t i = 0; i < c->nproc; i++)
		for (size_t k = 0; k < c->nthr[i]; k++)
			add_table(c, &sm, c->thr[i][k].va);
	for (size_t i = 0; i < c->nmod; i++) {
		add_table(c, &sm, c->mod[i].va);
		add_table(c, &sm, get(&c->mod[i], current(c, "ldr", "dll_base"), c->ps));
	}
	/* One table's MMPFN could sit at many size and offset pairs. */
	if (c->ntables < 2)
		return;
	/* An array whose pages the dump lacks says nothing of its layout. */
	uint16_t cur_size = current(c, "mmpfn", "size"), size = PROF_ABSENT, off = PROF_ABSENT;
	uint8_t byte;
	if (!read_u8(c, c->pfn_base + c->table_pfn[0] *
		     (cur_size != PROF_ABSENT ? cur_size : MMPFN_MIN), &byte))
		return;
	uint16_t sizes[2 + (MMPFN_MAX - MMPFN_MIN) / 4], found[2];
	size_t nsizes = 0, pairs = 0;
	/* The table's size first: when it passes, it is kept. */
	if (cur_size != PROF_ABSENT)
		sizes[nsizes++] = cur_size;
	for (unsigned sz = MMPFN_MIN; sz <= MMPFN_MAX; sz += c->ps)
		if (sz != cur_size)
			sizes[nsizes++] = (uint16_t)sz;
	for (size_t k = 0; k < nsizes && pairs < 2; k++) {
		c->arg = sizes[k];
		size_t n = candidates(c, current(c, "mmpfn", "pte_address"), 0, c->arg, c->ps,
				      ok_pte_address, found, 2);
		pairs += n;
		if (n == 1) {
			size = sizes[k];
			off = found[0];
		}
		if (n == 1 && sizes[k] == cur_size)
			break;
	}
	if (pairs != 1)
		size = off = PROF_ABSENT;
	ran(c, CK_PFN_PTE, size != PROF_ABSENT, size != PROF_ABSENT ? c->ntables : 0, c->ntables);
	settle(c, "mmpfn", "size", size, 1);
	settle(c, "mmpfn", "pte_address", off, 1);
}

/* On a build no column serves, what no check found is unknown, unless the
 * KDBG gave it: the tables the checks cover hold no assumed value. */
static const char *const checked_tables[] = { "eprocess", "kthread", "ethread", "kpcr", "ldr" };

static bool checked_table(const char *table)
{
	for (size_t i = 0; i < sizeof checked_tables / sizeof checked_tables[0]; i++)
		if (strcmp(table, checked_tables[i]) == 0)
			return true;
	return false;
}

static void forget_unsettled(struct cal *c)
{
	struct kdx_error err;
	for (const struct layout_field *f = layout_fields; f->table; f++) {
		size_t i = (size_t)(f - layout_fields);
		if (c->settled[i] || c->l->source[i] == LAYOUT_FROM_KDBG ||
		    (f->kind != LAYOUT_OFF && f->kind != LAYOUT_SIZE && f->kind != LAYOUT_BITS) ||
		    !checked_table(f->table))
			continue;
		if (layout_field_value(c->l->profile, f) != PROF_ABSENT)
			dump_layout_forget(c->l, f, &err);
		else
			c->l->source[i] = LAYOUT_UNKNOWN;
	}
}

void dump_layout_calibrate(struct dump *d)
{
	struct dump_layout *l = &d->layout;
	if (!l->profile)
		return;
	l->nchecks = CK_COUNT;
	for (unsigned k = 0; k < CK_COUNT; k++)
		l->check[k] = (struct layout_check){ checks[k].name, checks[k].unit, false, false, 0, 0 };
	struct cal *c = calloc(1, sizeof *c);
	if (!c) {
		kdx_warn(&d->warnings, "layout: out of memory for the checks");
		return;
	}
	c->d = d;
	c->l = l;
	c->ps = l->profile->ptr_size;
	c->apl = c->pid = PROF_ABSENT;
	if (d->kernel && d->has_kdbg && dump_kdbg_field(d, KDBG_PS_ACTIVE_PROCESS_HEAD, 8, &c->head) &&
	    c->head)
		calibrate_processes(c);
	if (d->kernel && d->has_kdbg) {
		calibrate_processors(c);
		calibrate_modules(c);
		calibrate_pfn(c);
	}
	if (l->nearest)
		forget_unsettled(c);
	free(c);
}
