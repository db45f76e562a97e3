#include "core/nt/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/nt/profile.h"

struct member_walk {
	const struct profile *prof;
	const struct process_list *pl;
	struct session *s;
	struct xlat *space;
	size_t cap;
	char why[PROCESS_NOTE_MAX];
};

/* A member must be a process (DISPATCHER_HEADER.Type 3, doc/structures.md §1) whose
 * Session points back at this session. */
static const char *visit_member(void *ctx, uint64_t eprocess)
{
	struct member_walk *m = ctx;
	const struct prof_eprocess *E = m->prof->eprocess;
	uint64_t type, session;
	if (!xlat_read_uint(m->space, eprocess, 1, &type) ||
	    !xlat_read_uint(m->space, eprocess + E->session, m->prof->ptr_size, &session))
		return "the EPROCESS is not in the dump";
	if (type != 3) {
		snprintf(m->why, sizeof m->why, "DISPATCHER_HEADER.Type is %u, expected 3 (EPROCESS)",
			 (unsigned)type);
		return m->why;
	}
	if (session != m->s->address) {
		snprintf(m->why, sizeof m->why, "its EPROCESS.Session is 0x%llx, not this session",
			 (unsigned long long)session);
		return m->why;
	}
	struct session *s = m->s;
	if (s->nmembers == m->cap) {
		size_t n = m->cap ? 2 * m->cap : 16;
		struct session_member *p = realloc(s->members, n * sizeof *p);
		if (!p)
			return "out of memory";
		s->members = p;
		m->cap = n;
	}
	const struct process *p = process_by_address(m->pl, eprocess);
	s->members[s->nmembers++] = (struct session_member){
		eprocess, p ? (size_t)(p - m->pl->processes) : SIZE_MAX };
	return NULL;
}

/* XP maps every session's MM_SESSION_SPACE at the same session-private
 * address (doc/address-space.md §5.2), so the address alone does not name one. */
static bool same_session(const struct session *s, const struct process_list *pl,
			 const struct process *p)
{
	const struct process *r = &pl->processes[s->reader];
	return s->address == p->session_space && r->has_session_id == p->has_session_id &&
	       r->session_id == p->session_id;
}

static bool is_member(const struct session *s, uint64_t eprocess)
{
	for (size_t i = 0; i < s->nmembers; i++)
		if (s->members[i].eprocess == eprocess)
			return true;
	return false;
}

static void read_session(struct dump *d, const struct profile *prof,
			 const struct process_list *pl, struct session *s)
{
	const struct prof_session *S = prof->session;
	unsigned ps = prof->ptr_size;
	struct kdx_error ignored;
	bool owned;
	struct xlat *x = process_space(d, &pl->processes[s->reader], &owned, &ignored);
	uint64_t id, refs;
	if (!x) {
		snprintf(s->walk.note, sizeof s->walk.note, "the address space of %s (PID 0x%x) "
			 "cannot be set up", pl->processes[s->reader].name,
			 pl->processes[s->reader].pid);
		return;
	}
	s->has_paged_pool = S->paged_pool_start != PROF_ABSENT && S->paged_pool_end != PROF_ABSENT;
	s->readable = xlat_read_uint(x, s->address + S->session_id, 4, &id) &&
		      xlat_read_uint(x, s->address + S->reference_count, 4, &refs) &&
		      (!s->has_paged_pool ||
		       (xlat_read_uint(x, s->address + S->paged_pool_start, ps, &s->paged_pool_start) &&
			xlat_read_uint(x, s->address + S->paged_pool_end, ps, &s->paged_pool_end)));
	if (!s->readable) {
		snprintf(s->walk.note, sizeof s->walk.note, "MM_SESSION_SPACE at 0x%llx is not in "
			 "the dump", (unsigned long long)s->address);
	} else {
		s->id = (uint32_t)id;
		s->reference_count = (uint32_t)refs;
		struct member_walk m = { .prof = prof, .pl = pl, .s = s, .space = x };
		struct ring r = { x, ps, s->address + S->process_list,
				  prof->eprocess->session_process_links, SESSION_MEMBERS_MAX,
				  "session process" };
		if (ring_walk(&r, visit_member, &m, &s->walk) < 0)
			snprintf(s->walk.note, sizeof s->walk.note, "out of memory");
	}
	for (size_t i = 0; i < pl->count; i++)
		if (same_session(s, pl, &pl->processes[i]) &&
		    !is_member(s, pl->processes[i].eprocess))
			s->unlinked++;
	if (owned)
		xlat_free(x);
}

static int by_id(const void *a, const void *b)
{
	const struct session *x = a, *y = b;
	return x->id < y->id ? -1 : x->id > y->id;
}

int session_list_read(struct dump *d, const struct process_list *pl, struct session_list *l,
		      struct kdx_error *err)
{
	memset(l, 0, sizeof *l);
	const struct profile *prof = d->layout.profile;
	if (!prof)
		return kdx_fail_as(err, KDX_ERR_NO_LAYOUT, "sessions: no structure layout for this dump");
	if (prof->eprocess->session == PROF_ABSENT || prof->eprocess->session_process_links == PROF_ABSENT)
		return kdx_fail_as(err, KDX_ERR_NO_LAYOUT, "sessions: EPROCESS.Session and "
				   "SessionProcessLinks are unknown for build %u (info -v lists the "
				   "checks calibration ran)", d->build);
	l->items = calloc(pl->count ? pl->count : 1, sizeof *l->items);
	if (!l->items)
		return kdx_fail(err, "sessions: out of memory");
	for (size_t i = 0; i < pl->count; i++) {
		const struct process *p = &pl->processes[i];
		bool known = !p->session_space;
		for (size_t k = 0; k < l->count && !known; k++)
			known = same_session(&l->items[k], pl, p);
		if (known)
			continue;
		struct session *s = &l->items[l->count++];
		s->address = p->session_space;
		s->reader = i;
		read_session(d, prof, pl, s);
	}
	qsort(l->items, l->count, sizeof *l->items, by_id);
	return 0;
}

void session_list_free(struct session_list *l)
{
	for (size_t i = 0; i < l->count; i++)
		free(l->items[i].members);
	free(l->items);
	memset(l, 0, sizeof *l);
}

const struct session *session_by_id(const struct session_list *l, uint32_t id)
{
	for (size_t i = 0; i < l->count; i++)
		if (l->items[i].readable && l->items[i].id == id)
			return &l->items[i];
	return NULL;
}
