/* `poolused [REGEX]`: the pool tracker table, one row per tag, with the
 * owner and description from pooltag.txt; sorted by nonpaged bytes. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <string.h>

#include "../core/pool.h"
#include "../core/pooltag.h"
#include "commands.h"

/* How many of the biggest nonpaged consumers are highlighted. */
#define TOP_DANGER 1
#define TOP_WARNING 3

static void counts(struct dnode *row, const char *key, const char *label, uint64_t allocs,
		   uint64_t frees, uint64_t bytes)
{
	struct dnode *o = dn_label(dn_object(row, key), label);
	dn_uint(o, "allocs", allocs);
	dn_uint(o, "frees", frees);
	dn_int(o, "diff", (int64_t)(allocs - frees));
	dn_uint(o, "bytes", bytes);
}

static int run_poolused(struct dump *d, int argc, char **argv, struct doc *out,
			struct kdx_error *err)
{
	if (argc > 2)
		return kdx_fail(err, "usage: %s", cmd_poolused.usage);
	pcre2_code *re = NULL;
	pcre2_match_data *md = NULL;
	if (argc == 2) {
		int code;
		PCRE2_SIZE at;
		re = pcre2_compile((PCRE2_SPTR)argv[1], PCRE2_ZERO_TERMINATED, PCRE2_CASELESS, &code,
				   &at, NULL);
		if (!re) {
			PCRE2_UCHAR msg[120];
			pcre2_get_error_message(code, msg, sizeof msg);
			return kdx_fail(err, "poolused: %s at offset %zu of '%s'", (char *)msg,
					(size_t)at, argv[1]);
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
	dn_label(dn_str(out->root, "pooltag", db->path), "descriptions from");
	struct dnode *rows = dn_label(dn_array(out->root, "rows"), "Tags");
	size_t unknown = 0;
	for (size_t i = 0; i < t.count; i++) {
		const struct pool_tracker_row *r = &t.rows[i];
		char tag[5], hay[512];
		pool_tag_text(r->tag, tag);
		const struct pooltag_entry *e = pooltag_lookup(db, r->tag);
		snprintf(hay, sizeof hay, "%s %s %s", tag, e && e->owner ? e->owner : "",
			 e && e->description ? e->description : "");
		if (re && pcre2_match(re, (PCRE2_SPTR)hay, PCRE2_ZERO_TERMINATED, 0, 0, md, NULL) < 0)
			continue;
		struct dnode *o = dn_object(rows, NULL);
		dn_role(dn_str(o, "tag", tag), ROLE_NAME);
		counts(o, "nonpaged", "NP", r->nonpaged_allocs, r->nonpaged_frees, r->nonpaged_bytes);
		counts(o, "paged", "P", r->paged_allocs, r->paged_frees, r->paged_bytes);
		dn_flags(dn_null(o, "session"), DN_JSON_ONLY);
		dn_str(o, "owner", e ? e->owner : NULL);
		dn_str(o, "description", e ? e->description : NULL);
		unknown += !e;
		char trimmed[5];
		snprintf(trimmed, sizeof trimmed, "%s", tag);
		for (int k = 3; k > 0 && trimmed[k] == ' '; k--)
			trimmed[k] = 0;
		dn_link(o, "poolfind %s", trimmed);
	}
	dn_sort_table(rows, "nonpaged.bytes", true);
	for (size_t i = 0; i < rows->nkids && i < TOP_WARNING; i++)
		if (dn_get(dn_get(rows->kids[i], "nonpaged"), "bytes")->v.u)
			dn_role(rows->kids[i], i < TOP_DANGER ? ROLE_DANGER : ROLE_WARNING);
	dn_label(dn_uint(out->root, "unknown_tags", unknown), "tags not in pooltag.txt");
	pool_tracker_free(&t);
	pcre2_match_data_free(md);
	pcre2_code_free(re);
	return 0;
}

const struct command cmd_poolused = {
	.name = "poolused", .usage = "poolused [REGEX]",
	.summary = "pool tags by bytes and allocations (tracker table), with owners",
	.windbg = "!poolused",
	.run = run_poolused,
};
