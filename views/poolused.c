/* `poolused [FLAGS] [REGEX]`: the pool tracker table, one row per tag, with
 * the owner and description from pooltag.txt; sorted by nonpaged bytes, or
 * as WinDbg's !poolused flags ask. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/analysis/memsummary.h"
#include "core/nt/pool.h"
#include "core/analysis/pooltag.h"
#include "core/analysis/tagowner.h"
#include "core/util/percent.h"
#include "views/commands.h"

/* How many of the biggest nonpaged consumers are highlighted. */
#define TOP_DANGER 1
#define TOP_WARNING 3
/* The tracker's bytes count allocations, the pool usage whole pages (with
 * headers and unused tails): beyond this gap one of them misses something. */
#define TRACKER_GAP_PERCENT 5

static void counts(struct dnode *row, const char *key, const char *label, uint64_t allocs,
		   uint64_t frees, uint64_t bytes)
{
	struct dnode *o = dn_label(dn_object(row, key), label);
	dn_uint(o, "allocs", allocs);
	dn_uint(o, "frees", frees);
	dn_int(o, "diff", (int64_t)(allocs - frees));
	dn_uint(o, "bytes", bytes);
}

/* The TOP_WARNING biggest nonpaged consumers take the warning role, the
 * TOP_DANGER biggest the danger one. */
static void highlight_top(struct dnode *rows)
{
	for (size_t rank = 0; rank < TOP_WARNING; rank++) {
		struct dnode *best = NULL;
		uint64_t most = 0;
		for (size_t i = 0; i < rows->nkids; i++) {
			uint64_t b = dn_get(dn_get(rows->kids[i], "nonpaged"), "bytes")->v.u;
			if (rows->kids[i]->role == ROLE_NORMAL && b > most) {
				best = rows->kids[i];
				most = b;
			}
		}
		if (best)
			dn_role(best, rank < TOP_DANGER ? ROLE_DANGER : ROLE_WARNING);
	}
}

/* Tags whose owner pooltag.txt gives are not searched for. */
static bool owner_known(void *ctx, uint32_t tag)
{
	const struct pooltag_entry *en = pooltag_lookup(ctx, tag);
	return en && en->owner;
}

static uint64_t column_sum(const struct dnode *rows, const char *kind, const char *field)
{
	uint64_t sum = 0;
	for (size_t i = 0; i < rows->nkids; i++) {
		const struct dnode *n = dn_get(dn_get(rows->kids[i], kind), field);
		sum += n->kind == DN_INT ? (uint64_t)n->v.i : n->v.u;
	}
	return sum;
}

/* Warns when the tracker's bytes of a pool type and the usage the memory
 * summary reports for it differ by more than TRACKER_GAP_PERCENT. */
static void compare_usage(struct dnode *warnings, const struct mem_summary *s, const char *figure,
			  const char *pool, uint64_t tracked)
{
	const struct mem_figure *f = memsummary_figure(s, figure);
	if (!f || !f->has || !f->pages)
		return;
	uint64_t usage = f->pages * KDX_PAGE_SIZE;
	uint64_t gap = tracked > usage ? tracked - usage : usage - tracked;
	if (gap * 100 <= usage * TRACKER_GAP_PERCENT)
		return;
	dn_role(dn_strf(warnings, NULL, "the tags' %s bytes (%llu KB) are %u%% of the %s "
			"(%llu KB): the tracker misses allocations, or the dump's figures disagree",
			pool, (unsigned long long)(tracked / 1024),
			percent_of(tracked, usage), f->label,
			(unsigned long long)(usage / 1024)), ROLE_WARNING);
}

/* The total row of the rows shown; for the whole table, its bytes against
 * the pool usage of the memory summary. */
static void totals(struct dump *d, struct dnode *root, const struct dnode *rows, bool whole)
{
	struct dnode *t = dn_object(dn_label(dn_array(root, "totals"), "Total"), NULL);
	dn_role(dn_str(t, "tag", "total"), ROLE_NAME);
	dn_str(t, "owner", NULL);
	static const char *const kinds[] = { "nonpaged", "paged" };
	static const char *const labels[] = { "NP", "P" };
	for (int k = 0; k < 2; k++)
		counts(t, kinds[k], labels[k], column_sum(rows, kinds[k], "allocs"),
		       column_sum(rows, kinds[k], "frees"), column_sum(rows, kinds[k], "bytes"));
	dn_strf(t, "description", "%zu tags", rows->nkids);
	struct dnode *w = dn_array(root, "warnings");
	if (!whole || !d->has_kdbg)
		return;
	struct mem_summary s;
	memsummary_build(d, false, &s);
	compare_usage(w, &s, "nonpaged_pool_usage", "nonpaged", column_sum(rows, "nonpaged", "bytes"));
	compare_usage(w, &s, "paged_pool_usage", "paged", column_sum(rows, "paged", "bytes"));
}

/* WinDbg's !poolused flags. Without flags kdx sorts by nonpaged bytes;
 * with flags and no sort bit, by tag, as WinDbg does. */
#define SORT_NONPAGED 0x2
#define SORT_PAGED 0x4
static const struct windbg_flag poolused_flags[] = {
	{ 0x1, "detailed: allocs, frees and their difference per pool", FLAG_DONE, NULL, NULL },
	{ SORT_NONPAGED, "sort by nonpaged bytes", FLAG_DONE, NULL, NULL },
	{ SORT_PAGED, "sort by paged bytes", FLAG_DONE, NULL, NULL },
	{ 0x8, "session pool tags", FLAG_REFUSED,
	  "kdx reads the system PoolTrackTable, not the sessions' tables", NULL },
};

static int run_poolused(struct dump *d, int argc, char **argv, struct doc *out,
			struct kdx_error *err)
{
	/* The first of two words, or a lone number, is FLAGS; a tag pattern
	 * made of digits only can be written 0x1234 or [1]234. */
	bool has_flags = argc == 3 || (argc == 2 && is_number_word(argv[1]));
	uint64_t flags = 0;
	if (argc > 3)
		return arg_extra(err, &cmd_poolused, argv[3]);
	if (has_flags && parse_windbg_flags(argv[0], argv[1], WINDBG_FLAGS(poolused_flags), &flags,
					    err) < 0)
		return -1;
	if ((flags & SORT_NONPAGED) && (flags & SORT_PAGED))
		return kdx_fail(err, "%s: %s: flags 0x2 and 0x4 ask to sort by nonpaged and by "
				"paged bytes: give one", argv[0], argv[1]);
	const char *pattern = argc > 1 + has_flags ? argv[1 + has_flags] : NULL;
	/* After WinDbg's flags, a tag with * and ? is WinDbg's TagString. */
	const char *wildcard = has_flags && pattern && strpbrk(pattern, "*?") ? pattern : NULL;
	pcre2_code *re = NULL;
	pcre2_match_data *md = NULL;
	if (pattern && !wildcard) {
		int code;
		PCRE2_SIZE at;
		re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, PCRE2_CASELESS, &code,
				   &at, NULL);
		if (!re) {
			PCRE2_UCHAR msg[120];
			pcre2_get_error_message(code, msg, sizeof msg);
			return kdx_fail(err, "poolused: %s at offset %zu of '%s'", (char *)msg,
					(size_t)at, pattern);
		}
		md = pcre2_match_data_create_from_pattern(re, NULL);
	}
	struct pool_tracker t;
	if (pool_tracker_read(d, &t, err) < 0) {
		pcre2_match_data_free(md);
		pcre2_code_free(re);
		return -1;
	}
	const struct pooltag_db *db = pooltag_default();
	doc_set_title(out, "Pool tags (%s)", t.note);
	dn_label(dn_str(out->root, "tables", t.note), "tables");
	if (t.unsummed)
		dn_role(dn_label(dn_str(out->root, "per_processor_tables", t.unsummed),
				 "per-processor tables"), ROLE_WARNING);
	dn_label(dn_str(out->root, "pooltag", db->path), "descriptions from");
	const char *sort = !has_flags || (flags & SORT_NONPAGED) ? "nonpaged.bytes" :
			   flags & SORT_PAGED ? "paged.bytes" : "tag";
	dn_label(dn_str(out->root, "sorted_by", !strcmp(sort, "tag") ? "tag" :
			flags & SORT_PAGED ? "paged bytes" : "nonpaged bytes"), "sorted by");
	if (has_flags)
		add_windbg_flags(out->root, flags, WINDBG_FLAGS(poolused_flags));
	struct searched_owners so;
	tagowner_search_biggest(d, &t, owner_known, (void *)db, &so);
	if (!so.have_modules)
		dn_role(dn_str(out->root, "owners", "the module list is not readable: owners only from "
			       "pooltag.txt"), ROLE_WARNING);
	struct dnode *rows = dn_label(dn_array(out->root, "rows"), "Tags");
	size_t unknown = 0;
	for (size_t i = 0; i < t.count; i++) {
		const struct pool_tracker_row *r = &t.rows[i];
		char tag[5], hay[512];
		pool_tag_text(r->tag, tag);
		const struct pooltag_entry *e = pooltag_lookup(db, r->tag);
		const char *from;
		const char *owner = tag_owner_name(e, tagowner_searched(&so, r->tag), &from);
		snprintf(hay, sizeof hay, "%s %s %s", tag, owner ? owner : "",
			 e && e->description ? e->description : "");
		char trimmed[5];
		snprintf(trimmed, sizeof trimmed, "%s", tag);
		for (int k = 3; k > 0 && trimmed[k] == ' '; k--)
			trimmed[k] = 0;
		if ((re && pcre2_match(re, (PCRE2_SPTR)hay, PCRE2_ZERO_TERMINATED, 0, 0, md, NULL) < 0) ||
		    (wildcard && fnmatch(wildcard, trimmed, FNM_CASEFOLD) != 0))
			continue;
		struct dnode *o = dn_object(rows, NULL);
		dn_role(dn_str(o, "tag", tag), ROLE_NAME);
		bool searched = from && strcmp(from, "image search") == 0;
		dn_role(dn_str(o, "owner", owner), searched ? ROLE_LINK : ROLE_NORMAL);
		dn_flags(dn_str(o, "owner_from", from), DN_JSON_ONLY);
		counts(o, "nonpaged", "NP", r->nonpaged_allocs, r->nonpaged_frees, r->nonpaged_bytes);
		counts(o, "paged", "P", r->paged_allocs, r->paged_frees, r->paged_bytes);
		dn_flags(dn_null(o, "session"), DN_JSON_ONLY);
		dn_str(o, "description", e ? e->description : NULL);
		unknown += !e;
		dn_link(o, "poolfind %s", trimmed);
	}
	/* Ties go by the other pool's bytes, then by tag, not by the tracker's
	 * hash order: stable sorts, the last key first. */
	dn_sort_table(rows, "tag", false);
	if (strcmp(sort, "tag") != 0) {
		dn_sort_table(rows, strcmp(sort, "paged.bytes") ? "paged.bytes" : "nonpaged.bytes", true);
		dn_sort_table(rows, sort, true);
	}
	/* The biggest nonpaged consumers, wherever the sort put them. */
	highlight_top(rows);
	totals(d, out->root, rows, !pattern);
	dn_label(dn_uint(out->root, "unknown_tags", unknown), "tags not in pooltag.txt");
	if (so.have_modules)
		modules_free(&so.ml);
	pool_tracker_free(&t);
	pcre2_match_data_free(md);
	pcre2_code_free(re);
	return 0;
}

const struct command cmd_poolused = {
	.name = "poolused", .usage = "poolused [FLAGS] [REGEX]",
	.summary = "pool tags by bytes and allocations (tracker table), with owners",
	.windbg = "!poolused",
	.run = run_poolused,
};
