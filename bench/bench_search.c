/* The memory search's parts timed apart, for bench/search.sh:
 * kdx-bench-search DUMP START END TEXT searches [START, END] of the kernel's
 * space for TEXT through the literal path kdx takes (PCRE2's JIT where
 * there is one) and through memmem, then builds the owner index and looks
 * up the owners of the first 10,000 hits. Best of three runs each. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/analysis/owner.h"
#include "core/analysis/search.h"
#include "views/command.h"

#define OWNER_HITS 10000u

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Best of three; the result of the last run is kept in out. */
static double timed_search(struct dump *d, bool memmem, char *text, const struct search_range *r,
			   struct search_result *out)
{
	struct search_pattern *p;
	struct kdx_error err;
	if (search_pattern_new(SEARCH_ASCII, 1, &text, &p, &err) < 0) {
		fprintf(stderr, "kdx-bench-search: %s\n", err.msg);
		exit(2);
	}
	if (memmem)
		search_pattern_memmem(p);
	double best = 1e9;
	for (int i = 0; i < 3; i++) {
		if (i)
			search_result_free(out);
		double t0 = now();
		if (search_run(d, p, r, 0, NULL, NULL, out, &err) < 0) {
			fprintf(stderr, "kdx-bench-search: %s\n", err.msg);
			exit(2);
		}
		double t = now() - t0;
		best = t < best ? t : best;
	}
	printf("%-22s %6.0f MiB/s  (%.3f s for %llu MiB, %llu hits)\n", search_pattern_engine(p),
	       (double)out->scanned_bytes / 1048576.0 / best, best,
	       (unsigned long long)(out->scanned_bytes >> 20), (unsigned long long)out->total_hits);
	search_pattern_free(p);
	return best;
}

int main(int argc, char **argv)
{
	struct search_range r = { .space = SEARCH_VIRTUAL };
	if (argc != 5 || !parse_number(argv[2], &r.start) || !parse_number(argv[3], &r.end)) {
		fprintf(stderr, "usage: kdx-bench-search DUMP START END TEXT\n");
		return 2;
	}
	struct dump *d;
	struct kdx_error err;
	if (dump_open(argv[1], &d, &err) < 0) {
		fprintf(stderr, "kdx-bench-search: %s\n", err.msg);
		return 2;
	}
	if (!d->kernel) {
		fprintf(stderr, "kdx-bench-search: no kernel address space\n");
		return 2;
	}
	r.dtb = d->dtb;
	struct search_result lit, mm;
	timed_search(d, false, argv[4], &r, &lit);
	timed_search(d, true, argv[4], &r, &mm);

	double t0 = now();
	struct owner_index *ix;
	if (owner_index_new(d, &ix, &err) < 0) {
		fprintf(stderr, "kdx-bench-search: %s\n", err.msg);
		return 2;
	}
	double t_index = now() - t0;
	size_t hits = lit.count < OWNER_HITS ? lit.count : OWNER_HITS, pool = 0;
	t0 = now();
	for (size_t i = 0; i < hits; i++) {
		struct owner o;
		owner_of_va(ix, lit.hits[i].va, NULL, &o);
		pool += o.kind == OWNER_POOL;
	}
	double t_owner = now() - t0;
	printf("owner index            %.3f s to build (modules, processes, big pages, PFN database, layout)\n",
	       t_index);
	printf("owners of %zu hits   %.3f s (%zu in pool blocks)\n", hits, t_owner, pool);
	owner_index_free(ix);
	search_result_free(&lit);
	search_result_free(&mm);
	dump_close(d);
	return 0;
}
