/* `poolrefs ADDR`: the pointers inside the pool block holding ADDR that
 * lead into a module image or another pool block. */
#include <string.h>

#include "core/analysis/poolrefs.h"
#include "core/analysis/symbol.h"
#include "views/commands.h"
#include "views/poolblock.h"

static int run_poolrefs(struct dump *d, int argc, char **argv, struct doc *out,
			struct kdx_error *err)
{
	uint64_t va;
	if (pool_address_arg(d, &cmd_poolrefs, argc, argv, &va, err) < 0)
		return -1;
	struct pool_ctx c;
	if (pool_ctx_init(d, d->progress, &c, err) < 0)
		return -1;
	struct module_list ml;
	struct kdx_error merr;
	bool have_modules = modules_read(d, &ml, &merr) == 0;
	if (!have_modules)
		memset(&ml, 0, sizeof ml);
	struct poolrefs r;
	if (poolrefs_find(&c, &ml, va, &r, err) < 0) {
		modules_free(&ml);
		return -1;
	}
	char a[24], tag[5];
	format_address(d, r.block.address, a, sizeof a);
	pool_tag_text(r.block.tag, tag);
	doc_set_title(out, "Pointers out of the '%s' block at %s", tag, a);
	struct dnode *root = out->root;
	dn_span(dn_flags(dn_text(root), DN_TUI_ONLY), ROLE_MUTED, "Enter on the block: its bytes");
	pool_block_row(d, dn_label(dn_array(root, "block"), "Block"), &r.block);
	dn_label(dn_uint(root, "words", r.words), "words read");
	if (r.missing_bytes)
		dn_role(dn_label(dn_uint(root, "missing_bytes", r.missing_bytes),
				 "bytes not in the dump"), ROLE_WARNING);
	if (!have_modules)
		dn_role(dn_str(root, "modules", merr.msg), ROLE_WARNING);
	if (r.truncated)
		dn_role(dn_strf(root, "note", "only the first %u pointers are listed", POOLREFS_MAX),
			ROLE_WARNING);
	struct dnode *t = dn_label(dn_array(root, "pointers"), "Pointers");
	for (size_t i = 0; i < r.count; i++) {
		const struct poolref *p = &r.items[i];
		struct dnode *o = dn_object(t, NULL);
		dn_hex(o, "offset", p->offset, 0);
		dn_role(dn_hex(o, "value", p->value, 0), ROLE_ADDRESS);
		if (p->kind == POOLREF_MODULE) {
			const struct module *m = &ml.items[p->module];
			char name[ADDRESS_NAME_MAX];
			address_name(d, m, p->value, name, sizeof name);
			dn_str(o, "kind", "module");
			dn_role(dn_label(dn_str(o, "symbol", name), "name"), ROLE_NAME);
			dn_flags(dn_str(o, "module", m->name), DN_JSON_ONLY);
			dn_flags(dn_hex(o, "module_offset", p->value - m->base, 0), DN_JSON_ONLY);
			dn_str(o, "section", p->section >= 0 ? m->sections[p->section].name : NULL);
			dn_flags(dn_null(o, "target_block"), DN_JSON_ONLY);
			dn_flags(dn_null(o, "target_tag"), DN_JSON_ONLY);
			dn_link(o, "db 0x%llx", (unsigned long long)p->value);
		} else {
			pool_tag_text(p->target.tag, tag);
			dn_str(o, "kind", "pool");
			dn_label(dn_null(o, "symbol"), "name");
			dn_flags(dn_null(o, "module"), DN_JSON_ONLY);
			dn_flags(dn_null(o, "module_offset"), DN_JSON_ONLY);
			dn_null(o, "section");
			dn_role(dn_label(dn_hex(o, "target_block", p->target.address, 0), "target block"),
				ROLE_ADDRESS);
			dn_role(dn_label(dn_str(o, "target_tag", tag), "target tag"), ROLE_NAME);
			dn_link(o, "poolrefs 0x%llx", (unsigned long long)p->value);
		}
	}
	poolrefs_free(&r);
	modules_free(&ml);
	return 0;
}

const struct command cmd_poolrefs = {
	.name = "poolrefs", .usage = "poolrefs ADDR",
	.summary = "pointers inside a pool block into module images or other pool blocks",
	.windbg = "dps ADDR (by hand)",
	.run = run_poolrefs,
};
