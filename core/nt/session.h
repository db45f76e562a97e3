/* Sessions: the MM_SESSION_SPACE records processes point at
 * (EPROCESS.Session) and each one's ring of member processes
 * (MM_SESSION_SPACE.ProcessList <-> EPROCESS.SessionProcessLinks), read
 * through a member's address space because session space maps only there
 * (doc/structures.md §7, doc/address-space.md §5.3). */
#ifndef KDX_SESSION_H
#define KDX_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dump.h"
#include "core/util/error.h"
#include "core/nt/process.h"

/* No system has more sessions than processes; this bounds the member ring. */
#define SESSION_MEMBERS_MAX PROCESSES_MAX

struct session_member {
	uint64_t eprocess;
	size_t process;             /* into the process list; SIZE_MAX when not in it */
};

struct session {
	uint64_t address;           /* MM_SESSION_SPACE */
	size_t reader;              /* the member process whose DTB reads it */
	bool readable;              /* the structure was in the dump */
	uint32_t id, reference_count;
	/* Windows 11 22H2 on has no session paged pool range: has_paged_pool
	 * is false and the bounds are 0. */
	bool has_paged_pool;
	uint64_t paged_pool_start, paged_pool_end;
	struct session_member *members;   /* ProcessList order */
	size_t nmembers;
	struct ring_result walk;
	/* Processes whose EPROCESS.Session names this session but which the
	 * ring does not hold. */
	size_t unlinked;
};

struct session_list {
	struct session *items;      /* by session id */
	size_t count;
};

/* The sessions the processes of pl name. Fails only when out of memory or
 * without a layout. */
int session_list_read(struct dump *d, const struct process_list *pl, struct session_list *out,
		      struct kdx_error *err);
void session_list_free(struct session_list *l);
const struct session *session_by_id(const struct session_list *l, uint32_t id);

#endif
