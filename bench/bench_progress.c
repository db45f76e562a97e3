/* How soon a long command answers Esc, for bench/poolfind.sh:
 * kdx-bench-progress DUMP COMMAND [CANCEL_MS...] runs COMMAND with a
 * progress reporter as the TUI's (core/util/progress.h) and lays its
 * document out as the TUI would. It prints the longest wait between two
 * progress calls in each phase (the TUI sees Esc only at a call), the time
 * to the first streamed result and to the laid-out document; then, for
 * each CANCEL_MS, it runs COMMAND again, says stop at the first call after
 * that many milliseconds, and prints how long the document then took. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "views/command.h"
#include "views/doc/lines.h"

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

#define MAX_PHASES 32

struct phase {
	char what[64];
	unsigned long calls;
	double longest;          /* ms between a call and the one before it */
};

struct watch {
	double start, last, first_item, cancel_at, cancelled_at;
	struct phase phases[MAX_PHASES];
	size_t nphases;
	unsigned long items;
};

static bool update(void *ctx, uint64_t done, uint64_t total, const char *what)
{
	(void)done;
	(void)total;
	struct watch *w = ctx;
	double t = now_ms();
	size_t i = 0;
	while (i < w->nphases && strcmp(w->phases[i].what, what) != 0)
		i++;
	if (i == w->nphases && i < MAX_PHASES)
		snprintf(w->phases[w->nphases++].what, sizeof w->phases[0].what, "%s", what);
	if (i < w->nphases) {
		w->phases[i].calls++;
		if (t - w->last > w->phases[i].longest)
			w->phases[i].longest = t - w->last;
	}
	w->last = t;
	if (w->cancel_at >= 0 && t - w->start >= w->cancel_at) {
		if (w->cancelled_at < 0)
			w->cancelled_at = t;
		return false;
	}
	return true;
}

static void item(void *ctx, const char *line)
{
	(void)line;
	struct watch *w = ctx;
	if (!w->items++)
		w->first_item = now_ms() - w->start;
}

/* Runs line and lays its document out; returns the ms it all took. */
static double run(struct dump *d, const char *line, struct watch *w, size_t *lines)
{
	struct progress p = { update, w, item };
	d->progress = &p;
	w->start = w->last = now_ms();
	struct doc doc;
	struct kdx_error err = { .msg = "" };
	int r = command_run(d, line, &doc, &err);
	struct layout lay = { 0 };
	if (r == 0)
		doc_layout(&doc, 0, &lay);
	double t = now_ms();
	d->progress = NULL;
	*lines = lay.count;
	if (r < 0)
		printf("  (%s)\n", err.msg);
	layout_free(&lay);
	doc_free(&doc);
	return t - w->start;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: kdx-bench-progress DUMP COMMAND [CANCEL_MS...]\n");
		return 2;
	}
	struct dump *d;
	struct kdx_error err;
	if (dump_open(argv[1], &d, &err) < 0) {
		fprintf(stderr, "kdx-bench-progress: %s\n", err.msg);
		return 2;
	}
	struct watch w = { .cancel_at = -1, .cancelled_at = -1 };
	size_t lines;
	double total = run(d, argv[2], &w, &lines);
	printf("%s: %.0f ms to the laid-out document (%zu lines), first result after %.0f ms\n",
	       argv[2], total, lines, w.items ? w.first_item : total);
	for (size_t i = 0; i < w.nphases; i++)
		printf("  %-32s %8lu calls, longest wait %7.1f ms\n", w.phases[i].what,
		       w.phases[i].calls, w.phases[i].longest);
	printf("  %-32s %31.1f ms\n", "after the last call", total - (w.last - w.start));
	for (int i = 3; i < argc; i++) {
		struct watch c = { .cancel_at = atof(argv[i]), .cancelled_at = -1 };
		double t = run(d, argv[2], &c, &lines);
		if (c.cancelled_at < 0)
			printf("cancel at %s ms: the command ended first\n", argv[i]);
		else
			printf("cancel at %s ms: stopped and laid out %.1f ms after Esc was seen "
			       "(%zu lines)\n", argv[i], c.start + t - c.cancelled_at, lines);
	}
	dump_close(d);
	return 0;
}
