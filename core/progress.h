/* Progress of long work (scans, big filters), as a plain C callback: the
 * worker reports how far it got and learns whether to go on, without
 * knowing what draws the bar. The TUI's reporter (screen.c) draws a bar on
 * the message line at most once a frame and returns false once the user
 * pressed Esc; batch mode passes none. */
#ifndef KDX_PROGRESS_H
#define KDX_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

struct progress {
	/* done of total units of what ("filtering", "scanning pool"); returns
	 * false when the work is to stop. */
	bool (*update)(void *ctx, uint64_t done, uint64_t total, const char *what);
	void *ctx;
};

/* Workers call this; a NULL progress, or one without update, goes on. */
static inline bool progress_update(const struct progress *p, uint64_t done, uint64_t total,
				   const char *what)
{
	return !p || !p->update || p->update(p->ctx, done, total, what);
}

#endif
