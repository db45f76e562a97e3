/* Progress of long work (scans, walks, big filters), as a plain C callback:
 * the worker reports how far it got and learns whether to go on, without
 * knowing what draws the bar. The TUI's reporter (tui/screen.c) draws a bar
 * on the message line at most once a frame and returns false once the user
 * pressed Esc; batch mode passes none (struct dump's progress stays NULL).
 *
 * Cancelling: when update returns false the worker stops at once, frees what
 * it built and fails with an error whose message ends in "cancelled" ("layout:
 * walk cancelled"). No worker returns a partial result as if it were whole:
 * those that keep what they found (the memory search, the pool tag scan)
 * say it was cancelled in their result.
 *
 * A worker calls update at least every few milliseconds of work, in every
 * phase: the reporter sees Esc only there, and Esc must stop the work
 * within 100 ms (bench/poolfind.sh measures it). */
#ifndef KDX_PROGRESS_H
#define KDX_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

struct progress {
	/* done of total units of what ("filtering", "walking paged-pool");
	 * returns false when the work is to stop. */
	bool (*update)(void *ctx, uint64_t done, uint64_t total, const char *what);
	void *ctx;
	/* Optional: one result as a line of text, the moment it is found (a
	 * search hit), for the reporter to show while the work runs. */
	void (*item)(void *ctx, const char *line);
};

/* Workers call this; a NULL progress, or one without update, goes on. */
static inline bool progress_update(const struct progress *p, uint64_t done, uint64_t total,
				   const char *what)
{
	return !p || !p->update || p->update(p->ctx, done, total, what);
}

static inline void progress_item(const struct progress *p, const char *line)
{
	if (p && p->item)
		p->item(p->ctx, line);
}

#endif
