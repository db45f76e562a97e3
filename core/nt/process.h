/* Processes and threads without symbols: the PsActiveProcessHead ring of
 * EPROCESS records (KDBG+0x50, doc/structures.md §2) and each process's ring of
 * ETHREAD records (EPROCESS.ThreadListHead, doc/structures.md §3), with every record
 * validated, and each thread's kernel stack measured (doc/structures.md §10,
 * doc/address-space.md §6). */
#ifndef KDX_PROCESS_H
#define KDX_PROCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dump.h"
#include "core/util/error.h"

/* Bounds against a hostile ring: far above what a real system runs, low
 * enough that a corrupt list costs little memory. */
#define PROCESSES_MAX 16384u
#define THREADS_MAX 65536u
#define PROCESS_NOTE_MAX 192u

/* A ring of LIST_ENTRY links inside records (doc/structures.md §1): the walk stops
 * at the head, at the bound, at a record seen before, at a link that
 * cannot be read, or at a Blink that does not point back. */
struct ring {
	struct xlat *space;         /* the address space the records live in */
	unsigned ptr_size;
	uint64_t head;              /* the head LIST_ENTRY */
	unsigned link_offset;       /* the LIST_ENTRY inside each record */
	size_t max;
	const char *what;           /* "process", "thread": for the note */
};

/* Called with each record's address; returns NULL to go on, or why the
 * record is not what the ring should hold (the walk stops there). */
typedef const char *(*ring_visit_fn)(void *ctx, uint64_t record);

struct ring_result {
	size_t count;
	bool complete;              /* closed at the head */
	char note[PROCESS_NOTE_MAX]; /* where and why it stopped early */
};

/* Walks r, calling visit once per record in ring order. Returns -1 only
 * when out of memory for the cycle check. */
int ring_walk(const struct ring *r, ring_visit_fn visit, void *ctx, struct ring_result *out);

/* Fields a pane shows that the dump's layout lacks (unknown on a build
 * calibration could not fully place: core/nt/layout_calib.h): the panes
 * show no value for them rather than a wrong one. */
enum process_unknown {
	UNKNOWN_PPID = 1u << 0, UNKNOWN_PEB = 1u << 1, UNKNOWN_CREATE_TIME = 1u << 2,
	UNKNOWN_ACTIVE_THREADS = 1u << 3, UNKNOWN_NAME = 1u << 4,
	UNKNOWN_STATE = 1u << 8, UNKNOWN_WAIT_REASON = 1u << 9, UNKNOWN_PRIORITY = 1u << 10,
	UNKNOWN_TIMES = 1u << 11, UNKNOWN_TEB = 1u << 12, UNKNOWN_START = 1u << 13,
	UNKNOWN_THREAD_CREATE_TIME = 1u << 14, UNKNOWN_STACK = 1u << 15, UNKNOWN_CID = 1u << 16, UNKNOWN_SESSION = 1u << 17,
};

enum guard_state { GUARD_UNKNOWN, GUARD_PRESENT, GUARD_MISSING };
enum stack_risk { STACK_RISK_OK, STACK_RISK_WARN, STACK_RISK_DANGER };

/* Above these percentages of the stack in use a thread is coloured. */
#define STACK_WARN_PERCENT 70u
#define STACK_DANGER_PERCENT 90u

struct thread {
	uint64_t ethread;
	uint32_t tid, pid;          /* Cid */
	size_t process;             /* into process_list.processes */
	uint8_t state, wait_reason, priority;
	int cpu;                    /* processor whose CurrentThread it is, else -1 */
	uint32_t kernel_time, user_time;   /* clock ticks */
	uint64_t teb, start_address, win32_start_address, create_time;
	uint64_t initial_stack, stack_base, stack_limit, kernel_stack;
	/* Derived: size = base - limit; used = base - kernel_stack when the
	 * saved pointer lies in [limit, base]. */
	uint64_t stack_size, stack_used;
	unsigned stack_percent;     /* used * 100 / size, rounded (percent_of) */
	bool sp_in_stack;
	enum guard_state guard;     /* the page below StackLimit is invalid */
	enum stack_risk risk;
	unsigned unknown;           /* enum process_unknown: as the list's */
	char note[PROCESS_NOTE_MAX]; /* a validation finding, else empty */
};

struct process {
	uint64_t eprocess;
	uint32_t pid, ppid;
	char name[17];              /* ImageFileName, NUL-terminated */
	uint64_t dtb_raw;           /* DirectoryTableBase as stored */
	uint64_t dtb;               /* masked for the paging mode */
	uint64_t session_space;     /* EPROCESS.Session, 0 when none */
	bool has_session_id;
	uint32_t session_id;        /* MM_SESSION_SPACE.SessionId */
	uint64_t peb, create_time, exit_time;
	uint32_t active_threads;    /* the count the process claims */
	size_t first_thread, nthreads;   /* into process_list.threads, list order */
	unsigned unknown;           /* enum process_unknown: as the list's */
	struct ring_result thread_walk;
};

struct process_list {
	struct process *processes;
	size_t count;
	struct thread *threads;
	size_t nthreads;
	uint64_t head;              /* &PsActiveProcessHead */
	struct ring_result walk;
	bool has_time_increment;
	uint32_t time_increment;    /* KeTimeIncrement: 100 ns units per tick */
	unsigned stack_committed;   /* KERNEL_STACK_SIZE of the build */
	unsigned unknown;           /* enum process_unknown */
};

/* Fails only when there is no layout, no kernel address space or no
 * readable list head; a ring that breaks gives what was read and says
 * where in walk.note (or the process's thread_walk.note). */
int process_list_read(struct dump *d, struct process_list *out, struct kdx_error *err);
void process_list_free(struct process_list *l);

/* NULL when absent. */
const struct process *process_by_pid(const struct process_list *l, uint32_t pid);
const struct process *process_by_address(const struct process_list *l, uint64_t eprocess);
/* By TID or by ETHREAD address. */
const struct thread *thread_find(const struct process_list *l, uint64_t tid_or_address);

/* Ticks as milliseconds (0 when KeTimeIncrement is unknown). */
uint64_t process_ticks_ms(const struct process_list *l, uint32_t ticks);

/* _KTHREAD_STATE and the build-independent _KWAIT_REASON values (structs
 * §3); NULL past the known ones. */
const char *thread_state_name(unsigned state);
const char *wait_reason_name(unsigned reason);

/* An address space for a process (its DTB), or the kernel's when the DTB
 * equals it; *owned says whether the caller frees it. */
struct xlat *process_space(struct dump *d, const struct process *p, bool *owned,
			   struct kdx_error *err);

#endif
