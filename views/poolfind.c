/* `poolfind TAG`: the blocks with a tag, from the big-page table and a
 * scan of the pool ranges. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/nt/mmst.h"
#include "core/nt/pool.h"
#include "views/commands.h"
#include "views/poolblock.h"

#define TAG_MMST 0x74536d4du   /* "MmSt": prototype PTEs of mapped files (§6.6) */

/* MmSt blocks: the file each belongs to, then the files ranked by
 * resident pages with the MmSt bytes each holds (doc/structures.md §9 step 7). */
static void mapped_files(const struct pool_ctx *c, const struct pool_scan *s,
			 struct dnode *table, struct dnode *root)
{
	struct mmst_file *f = calloc(s->count ? s->count : 1, sizeof *f);
	if (!f) {
		dn_role(dn_label(dn_str(root, "files_note", "out of memory for the mapped files"),
				 "mapped files"), ROLE_DANGER);
		return;
	}
	mmst_resolve(c, s->blocks, s->count, f);
	static const char *const kinds[] = { NULL, "segment", "prototype ptes" };
	for (size_t i = 0; i < s->count; i++) {
		struct dnode *o = table->kids[i];
		dn_str(o, "holds", kinds[f[i].kind]);
		dn_str(o, "file", f[i].kind != MMST_UNKNOWN ? f[i].name : NULL);
		dn_flags(dn_str(o, "why_unknown", f[i].kind == MMST_UNKNOWN ? f[i].why : NULL),
			 DN_JSON_ONLY);
	}
	struct dnode *files = dn_label(dn_array(root, "files"), "Mapped files by resident pages");
	for (size_t i = 0; i < s->count; i++) {
		if (f[i].kind == MMST_UNKNOWN)
			continue;
		struct dnode *row = NULL;
		for (size_t k = 0; k < files->nkids && !row; k++)
			if (dn_get(files->kids[k], "control_area")->v.u == f[i].control_area)
				row = files->kids[k];
		if (row) {
			dn_get(row, "mmst_bytes")->v.u += s->blocks[i].size;
			continue;
		}
		row = dn_object(files, NULL);
		dn_role(dn_str(row, "name", f[i].name), ROLE_NAME);
		dn_uint(row, "resident", f[i].resident_valid + f[i].resident_transition);
		dn_label(dn_uint(row, "valid", f[i].resident_valid), "active");
		dn_label(dn_uint(row, "transition", f[i].resident_transition), "standby");
		dn_label(dn_uint(row, "ptes", f[i].total_ptes), "pages");
		dn_label(dn_uint(row, "mmst_bytes", s->blocks[i].size), "MmSt bytes");
		dn_role(dn_label(dn_hex(row, "control_area", f[i].control_area, 0), "control area"),
			ROLE_ADDRESS);
		dn_flags(dn_hex(row, "segment", f[i].segment, 0), DN_JSON_ONLY);
		dn_flags(dn_hex(row, "file_object", f[i].file_object, 0), DN_JSON_ONLY);
		dn_link(row, "db 0x%llx", (unsigned long long)f[i].control_area);
	}
	dn_sort_table(files, "resident", true);
	free(f);
}

struct dnode *pool_block_row(struct dump *d, struct dnode *table, const struct pool_block *b)
{
	(void)d;
	static const enum role kind_roles[] = { ROLE_POOL_NONPAGED, ROLE_POOL_PAGED,
						ROLE_POOL_SESSION };
	char tag[5];
	pool_tag_text(b->tag, tag);
	struct dnode *o = dn_object(table, NULL);
	dn_role(dn_hex(o, "address", b->address, 0), ROLE_ADDRESS);
	dn_uint(o, "size", b->size);
	if (!b->big)
		dn_label(dn_uint(o, "previous_size", b->previous_size), "previous");
	dn_role(dn_str(o, "type", pool_kind_name(b->kind)), kind_roles[b->kind]);
	dn_role(dn_str(o, "tag", tag), ROLE_NAME);
	dn_role(dn_str(o, "state", pool_state_name(b->state)),
		b->state == POOL_FREE ? ROLE_POOL_FREE : ROLE_VALUE);
	/* what decided the state: a column of `pool`, JSON only in wider tables */
	dn_flags(dn_label(dn_str(o, "state_from", pool_state_from_name(b->from)), "from"),
		 DN_JSON_ONLY);
	dn_bool(o, "big", b->big);
	/* The whole block, so that the hex view scrolls on through it. */
	dn_link(o, "db 0x%llx L0x%llx", (unsigned long long)b->address,
		(unsigned long long)(b->size ? b->size : 0x80));
	return o;
}

/* A hit the moment it is found, for the TUI's progress display. */
static void show_hit(void *ctx, const struct pool_block *b, bool unverified)
{
	struct dump *d = ctx;
	char a[24], line[96];
	format_address(d, b->address, a, sizeof a);
	snprintf(line, sizeof line, "%s  0x%llx bytes  %s  %s%s", a, (unsigned long long)b->size,
		 pool_kind_name(b->kind), pool_state_name(b->state),
		 unverified ? "  (unverified)" : b->big ? "  (big page)" : "");
	progress_item(d->progress, line);
}

static int run_poolfind(struct dump *d, int argc, char **argv, struct doc *out,
			struct kdx_error *err)
{
	uint32_t tag;
	uint64_t limit;
	argc = take_row_limit(d, &cmd_poolfind, argc, argv, &limit, err);
	if (argc < 0)
		return -1;
	if (argc != 2 || !pool_tag_parse(argv[1], &tag))
		return kdx_fail(err, "usage: %s (TAG: 1 to 4 characters)", cmd_poolfind.usage);
	struct pool_ctx c;
	struct pool_scan s;
	int rc = pool_ctx_init(d, d->progress, &c, err);
	if (rc == 0) {
		rc = pool_scan_tag(&c, tag, (size_t)limit, d->progress ? show_hit : NULL, d, &s, err);
	} else if (err->code == KDX_ERR_CANCELLED) {   /* before the scan began */
		memset(&s, 0, sizeof s);
		s.cancelled = true;
		rc = 0;
	}
	if (rc < 0)
		return -1;
	char text[5];
	pool_tag_text(tag, text);
	doc_set_title(out, "Pool blocks tagged '%s'", text);
	struct dnode *r = out->root;
	dn_str(r, "tag", text);
	dn_label(dn_uint(r, "scanned_bytes", s.scanned_bytes), "scanned bytes");
	dn_label(dn_str(r, "scan", segheap_layout(c.p) ?
			"big-page table, then every mapped pool page as its page segment's "
			"descriptors say: LFH slots and VS chunks from the heap's metadata, "
			"headers at block-unit steps where there is none" :
			c.p->pool->segment_heap ?
			"big-page table, then headers at block-unit steps on every mapped pool "
			"page: this build's heap metadata has no layout" :
			"big-page table, then the PreviousSize chain of every mapped pool page"),
		 "how");
	dn_label(dn_uint(r, "paged_out_pages", s.paged_out_pages),
		 "pages paged out (page-file PTEs: not in the dump)");
	dn_label(dn_uint(r, "transition_pages", s.transition_pages),
		 "pages in transition (not mapped: not scanned)");
	dn_label(dn_uint(r, "missing_pages", s.missing_pages), "mapped pages not in the dump");
	dn_label(dn_uint(r, "broken_pages", s.broken_pages), "pages whose chain breaks");
	if (s.broken_pages)
		dn_link(dn_role(dn_label(dn_hex(r, "first_broken", s.first_broken, 0),
					 "first break"), ROLE_DANGER),
			"pool 0x%llx", (unsigned long long)s.first_broken);
	if (s.note[0])
		dn_role(dn_str(r, "note", s.note), ROLE_WARNING);
	dn_role(dn_bool(r, "cancelled", s.cancelled), s.cancelled ? ROLE_WARNING : ROLE_VALUE);
	if (s.cancelled)
		dn_role(dn_str(r, "status", "cancelled: the blocks found so far"), ROLE_WARNING);
	dn_label(dn_uint(r, "found", s.found), "blocks found");
	add_listed(r, s.count, s.found - s.count);
	struct dnode *t = dn_label(dn_array(r, "blocks"), "Blocks");
	for (size_t i = 0; i < s.count; i++)
		pool_block_row(d, t, &s.blocks[i]);
	dn_label(dn_uint(r, "bytes", s.bytes), "bytes in use");
	if (c.p->pool->segment_heap) {
		struct dnode *u = dn_label(dn_array(r, "unverified"), "Unverified hits: headers the "
					   "heap's metadata puts inside other blocks");
		for (size_t i = 0; i < s.nlookalikes; i++) {
			struct dnode *o = pool_block_row(d, u, &s.lookalikes[i]);
			dn_link(o, "pool 0x%llx", (unsigned long long)s.lookalikes[i].address);
		}
		if (s.found_lookalikes > s.nlookalikes)
			dn_role(dn_label(dn_strf(r, "unverified_listed", "the first %zu of %llu",
						 s.nlookalikes,
						 (unsigned long long)s.found_lookalikes),
					 "unverified hits listed"), ROLE_WARNING);
	}
	if (tag == TAG_MMST)
		mapped_files(&c, &s, t, r);
	pool_scan_free(&s);
	return 0;
}

const struct command cmd_poolfind = {
	.name = "poolfind", .usage = "poolfind TAG [-limit N]",
	.summary = "pool blocks with a tag: big-page table and a scan of the pool ranges",
	.windbg = "!poolfind",
	.run = run_poolfind,
};
