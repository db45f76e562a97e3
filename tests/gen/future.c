/* The future-x64 profile: a kernel no layout table knows (doc/layouts.md,
 * "Calibration"). Its tables are those of the column kdx would start from
 * (the nearest build's), with the process and thread ones replaced by
 * tests/gen/future-x64.tsv: the truth then lists offsets kdx must find in
 * the dump itself. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/gen/world.h"

/* tests/gen/future-x64.tsv, built into the generator (Makefile.am). */
extern const char future_layout_tsv[];

#define FUTURE_NAME "future-x64"
#define FUTURE_BUILD 30000u

static const struct profile *future(void)
{
	static struct dump_layout l;
	if (l.profile)
		return l.profile;
	dump_layout_init(&l, profile_nearest(MACHINE_X64, PAGING_X64, FUTURE_BUILD));
	struct kdx_error err = { .msg = "" };
	FILE *fp = fmemopen((void *)future_layout_tsv, strlen(future_layout_tsv), "r");
	if (!fp || dump_layout_read(&l, fp, "tests/gen/future-x64.tsv", &err) < 0 || !l.patched) {
		fprintf(stderr, "kdx-gen: %s\n", fp ? err.msg : "cannot read the future-x64 layout");
		abort();
	}
	fclose(fp);
	struct profile *p = l.patched;
	p->name = FUTURE_NAME;
	p->description = "a Windows 10 x64 kernel newer than every table (made up)";
	p->taken_from = "10.0.30000.1";
	p->source = "kdx-gen: tests/gen/future-x64.tsv";
	p->build = p->min_build = p->max_build = FUTURE_BUILD;
	return p;
}

const struct profile *gen_profile(const char *name)
{
	return strcmp(name, FUTURE_NAME) == 0 ? future() : profile_by_name(name);
}
