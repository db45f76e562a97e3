/* Processes, threads and sessions of a generated world, as built: what the
 * process, thread, stack and session panes must report. truth.c writes them
 * as JSON; the unit tests compare against them in process. */
#ifndef KDX_GEN_WORLD_PROCS_H
#define KDX_GEN_WORLD_PROCS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tests/gen/world.h"

#define WORLD_NO_SESSION UINT32_MAX
#define WORLD_NO_CPU (-1)

struct world_process {
	char name[16];                /* ImageFileName */
	uint32_t pid, ppid;
	uint64_t eprocess;
	uint64_t dtb_field;           /* DirectoryTableBase as stored (flag bits allowed) */
	uint64_t dtb;                 /* top table, masked */
	uint32_t session;             /* session id, WORLD_NO_SESSION */
	uint64_t peb, create_time;
	size_t first_thread, nthreads;   /* into threads[] */
};

struct world_thread {
	uint32_t tid, pid;
	size_t process;               /* into processes[] */
	uint64_t ethread;
	uint64_t stack_base, stack_limit, initial_stack, kernel_stack;
	uint64_t teb, start_address, win32_start_address, create_time;
	uint32_t kernel_time, user_time;
	uint8_t state, wait_reason, priority;
	int cpu;                      /* processor it runs on, WORLD_NO_CPU */
	size_t first_frame, nframes;  /* its kernel stack frames (world_modules.h) */
};

struct world_session {
	uint32_t id;
	uint64_t mm_session_space;
	/* The session's paged pool: mapped in every build, named by the
	 * MM_SESSION_SPACE only where its layout has the fields. */
	uint64_t paged_pool_start, paged_pool_end;
	bool has_paged_pool;
	uint64_t member_dtb;          /* any member's top table: reads session space */
	size_t nmembers;
	size_t members[16];           /* into processes[], in ProcessList order */
};

#define WORLD_MAX_PROCESSES 16
#define WORLD_MAX_THREADS 64
#define WORLD_MAX_SESSIONS 3

struct world_procs {
	struct world_process processes[WORLD_MAX_PROCESSES];
	size_t nprocesses;
	struct world_thread threads[WORLD_MAX_THREADS];
	size_t nthreads;
	struct world_session sessions[WORLD_MAX_SESSIONS];
	size_t nsessions;
	/* The process whose directory lacks one system entry the kernel's has
	 * (lazy system PDE), and a VA under that entry. */
	size_t lazy_process;
	uint64_t lazy_va;
	int lazy_level;               /* level of the missing entry */
	size_t deep_thread;           /* within 1 KiB of its stack limit */
	uint64_t dpc_stack[WORLD_MAX_CPUS];   /* KPRCB.DpcStack: top of each DPC stack */
};

#endif
