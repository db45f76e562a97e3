/* `pooldiff LATER`: this dump's pool tracker rows beside a later dump's
 * (kdx --diff A B opens it), with the change in each column, sorted by the
 * growth of nonpaged bytes. */
#include "core/analysis/pooldiff.h"
#include "core/analysis/pooltag.h"
#include "views/commands.h"

static void side(struct dnode *row, const char *key, const char *label, bool present,
		 const struct pool_tracker_row *r)
{
	if (!present) {
		dn_flags(dn_null(row, key), DN_JSON_ONLY);
		return;
	}
	struct dnode *o = dn_flags(dn_label(dn_object(row, key), label), DN_JSON_ONLY);
	struct dnode *np = dn_object(o, "nonpaged"), *p = dn_object(o, "paged");
	dn_uint(np, "allocs", r->nonpaged_allocs);
	dn_uint(np, "frees", r->nonpaged_frees);
	dn_uint(np, "bytes", r->nonpaged_bytes);
	dn_uint(p, "allocs", r->paged_allocs);
	dn_uint(p, "frees", r->paged_frees);
	dn_uint(p, "bytes", r->paged_bytes);
}

/* The shown columns: bytes before and after, then each change. */
static void change(struct dnode *row, const struct pool_diff_row *r)
{
	const struct pool_tracker_row *a = &r->before, *b = &r->after;
	dn_label(dn_uint(row, "nonpaged_bytes_before", a->nonpaged_bytes), "NP bytes A");
	dn_label(dn_uint(row, "nonpaged_bytes_after", b->nonpaged_bytes), "NP bytes B");
	struct dnode *c = dn_label(dn_object(row, "change"), "+");
	struct dnode *np = dn_label(dn_object(c, "nonpaged"), "NP");
	int64_t grow = pool_diff_change(a->nonpaged_bytes, b->nonpaged_bytes);
	dn_role(dn_int(np, "bytes", grow), grow > 0 ? ROLE_DANGER : grow < 0 ? ROLE_OK : ROLE_MUTED);
	dn_int(np, "allocs", pool_diff_change(a->nonpaged_allocs, b->nonpaged_allocs));
	dn_int(np, "frees", pool_diff_change(a->nonpaged_frees, b->nonpaged_frees));
	dn_int(np, "outstanding", pool_diff_change(a->nonpaged_allocs - a->nonpaged_frees,
						   b->nonpaged_allocs - b->nonpaged_frees));
	struct dnode *p = dn_label(dn_object(c, "paged"), "P");
	dn_int(p, "bytes", pool_diff_change(a->paged_bytes, b->paged_bytes));
	dn_int(p, "allocs", pool_diff_change(a->paged_allocs, b->paged_allocs));
	dn_int(p, "frees", pool_diff_change(a->paged_frees, b->paged_frees));
	dn_int(p, "outstanding", pool_diff_change(a->paged_allocs - a->paged_frees,
						  b->paged_allocs - b->paged_frees));
}

/* Whether B can be a later state of A's machine and boot: the same machine
 * and build, and cumulative counters that never go down. */
static void comparability(const struct dump *a, const struct dump *b, const struct pool_diff *pd,
			  struct dnode *warnings)
{
	if (a->machine != b->machine || a->has_build != b->has_build || a->build != b->build)
		dn_role(dn_strf(warnings, NULL, "B is another machine or Windows build (A: %s build "
				"%u, B: %s build %u): the changes are not one machine's growth",
				machine_name(a->machine), a->build, machine_name(b->machine), b->build),
			ROLE_WARNING);
	size_t fewer = 0;
	for (size_t i = 0; i < pd->count; i++) {
		const struct pool_tracker_row *x = &pd->rows[i].before, *y = &pd->rows[i].after;
		if (pd->rows[i].in_before && pd->rows[i].in_after &&
		    (y->nonpaged_allocs < x->nonpaged_allocs || y->nonpaged_frees < x->nonpaged_frees ||
		     y->paged_allocs < x->paged_allocs || y->paged_frees < x->paged_frees))
			fewer++;
	}
	if (fewer)
		dn_role(dn_strf(warnings, NULL, "B counts fewer allocations or frees than A for %zu "
				"tags, and these counters only grow: B is not a later state of this boot "
				"(a restart between the dumps?)", fewer), ROLE_WARNING);
}

static int run_pooldiff(struct dump *d, int argc, char **argv, struct doc *out,
			struct kdx_error *err)
{
	if (argc > 2)
		return arg_extra(err, &cmd_pooldiff, argv[2]);
	if (argc < 2)
		return arg_fail(err, &cmd_pooldiff, NULL, "the later dump's file");
	struct dump *later;
	struct kdx_error oerr;
	if (dump_open(argv[1], &later, &oerr) < 0)
		return kdx_fail(err, "pooldiff: %s", oerr.msg);
	struct pool_tracker a, b;
	if (pool_tracker_read(d, &a, err) < 0) {
		dump_close(later);
		return -1;
	}
	if (pool_tracker_read(later, &b, &oerr) < 0) {
		pool_tracker_free(&a);
		dump_close(later);
		return kdx_fail(err, "pooldiff: %s: %s", argv[1], oerr.msg);
	}
	struct pool_diff pd;
	int r = pool_diff_build(&a, &b, &pd, err);
	if (r == 0) {
		doc_set_title(out, "Pool tags: this dump (A) against %s (B)", argv[1]);
		struct dnode *root = out->root;
		dn_label(dn_str(root, "a", a.note), "A");
		dn_label(dn_str(root, "b", b.note), "B");
		dn_label(dn_str(root, "b_path", argv[1]), "B file");
		comparability(d, later, &pd, dn_array(root, "warnings"));
		const struct pooltag_db *db = pooltag_default();
		struct dnode *rows = dn_label(dn_array(root, "rows"), "Tags by growth of nonpaged bytes");
		for (size_t i = 0; i < pd.count; i++) {
			const struct pool_diff_row *row = &pd.rows[i];
			char tag[5];
			pool_tag_text(row->tag, tag);
			const struct pooltag_entry *e = pooltag_lookup(db, row->tag);
			struct dnode *o = dn_object(rows, NULL);
			dn_role(dn_str(o, "tag", tag), ROLE_NAME);
			change(o, row);
			side(o, "before", "A", row->in_before, &row->before);
			side(o, "after", "B", row->in_after, &row->after);
			dn_str(o, "description", e ? e->description : NULL);
			dn_link(o, "poolfind %s", tag);
		}
		pool_diff_free(&pd);
	}
	pool_tracker_free(&a);
	pool_tracker_free(&b);
	dump_close(later);
	return r;
}

const struct command cmd_pooldiff = {
	.name = "pooldiff", .usage = "pooldiff LATER_DUMP",
	.summary = "pool tags of this dump against a later one: the change in every column",
	.windbg = NULL,
	.run = run_pooldiff,
};
