/* `tagowner TAG`: the tag's owner as poolused names it, and the loaded
 * modules whose images hold the tag's four bytes, code-section hits first. */
#include "core/nt/pool.h"
#include "core/analysis/symbol.h"
#include "core/analysis/pooltag.h"
#include "core/analysis/tagowner.h"
#include "views/commands.h"

static int run_tagowner(struct dump *d, int argc, char **argv, struct doc *out,
			struct kdx_error *err)
{
	uint32_t tag;
	if (argc > 2)
		return arg_extra(err, &cmd_tagowner, argv[2]);
	if (argc < 2)
		return arg_fail(err, &cmd_tagowner, NULL, "a pool tag");
	if (!pool_tag_parse(argv[1], &tag))
		return arg_fail(err, &cmd_tagowner, argv[1], "a pool tag (1 to 4 characters)");
	struct module_list ml;
	if (modules_read(d, &ml, err) < 0)
		return -1;
	struct tag_owner o;
	if (tagowner_search(d, &ml, &tag, 1, &o, err) < 0) {
		modules_free(&ml);
		return -1;
	}
	char text[5];
	pool_tag_text(tag, text);
	doc_set_title(out, "Modules holding the tag '%s'", text);
	struct dnode *r = out->root;
	dn_str(r, "tag", text);
	/* The owner poolused shows: pooltag.txt's, else the image search's. */
	const struct module *best = tagowner_best(&ml, &o, 0);
	const char *from;
	const char *owner = tag_owner_name(pooltag_lookup(pooltag_default(), tag), best, &from);
	dn_role(dn_label(dn_str(r, "owner", owner), "owner"), owner ? ROLE_NAME : ROLE_WARNING);
	dn_label(dn_str(r, "owner_from", from), "owner from");
	dn_label(dn_uint(r, "modules", ml.count), "modules searched");
	dn_label(dn_uint(r, "searched_bytes", o.searched_bytes), "image bytes searched");
	dn_label(dn_uint(r, "missing_bytes", o.missing_bytes), "image bytes not in the dump");
	dn_label(dn_uint(r, "hits", o.hits), "hits");
	if (o.clipped_images)
		dn_role(dn_strf(r, "clipped", "%zu images searched only in part (SizeOfImage past the "
				"bounds)", o.clipped_images), ROLE_WARNING);
	if (o.hits > o.count)
		dn_role(dn_strf(r, "note", "only the first %zu hits are listed", o.count), ROLE_WARNING);
	if (ml.note[0])
		dn_role(dn_label(dn_str(r, "module_list", ml.note), "module list"), ROLE_DANGER);
	if (!best && owner)
		dn_str(r, "next", o.count ? "no code section holds the tag; pooltag.txt names its "
		       "owner" : "no loaded image holds the tag (its owner may build it at run "
		       "time); pooltag.txt names its owner");
	else if (!best)
		dn_role(dn_str(r, "next", o.count ? "no code section holds the tag: look at the blocks "
			       "and what they point at (poolfind)" : "no loaded image holds the tag: "
			       "look at the blocks and what they point at (poolfind)"), ROLE_WARNING);
	struct dnode *t = dn_label(dn_array(r, "candidates"), "Candidates");
	for (size_t i = 0; i < o.count; i++) {
		const struct tag_candidate *c = &o.items[i];
		const struct module *m = &ml.items[c->module];
		struct dnode *row = dn_object(t, NULL);
		char name[ADDRESS_NAME_MAX];
		address_name(d, m, m->base + c->offset, name, sizeof name);
		dn_role(dn_label(dn_str(row, "symbol", name), "name"), ROLE_NAME);
		dn_flags(dn_str(row, "module", m->name), DN_JSON_ONLY);
		dn_flags(dn_hex(row, "offset", c->offset, 0), DN_JSON_ONLY);
		dn_str(row, "section", c->section >= 0 ? m->sections[c->section].name : NULL);
		dn_role(dn_bool(row, "code", c->code), c->code ? ROLE_OK : ROLE_MUTED);
		dn_role(dn_hex(row, "address", m->base + c->offset, 0), ROLE_ADDRESS);
		dn_link(row, "db 0x%llx", (unsigned long long)(m->base + c->offset));
	}
	if (!best) {
		struct dnode *line = dn_flags(dn_link(dn_text(r), "poolfind %s", argv[1]), DN_TUI_ONLY);
		dn_span(line, ROLE_LINK, "Enter: the blocks tagged '%s' (poolfind)", text);
	}
	tagowner_free(&o);
	modules_free(&ml);
	return 0;
}

const struct command cmd_tagowner = {
	.name = "tagowner", .usage = "tagowner TAG",
	.summary = "which driver uses a pool tag: pooltag.txt's owner, else its bytes in module "
		   "images, code first",
	.windbg = "!for_each_module s -d @#Base @#End TAG (PoolMon /c)",
	.run = run_tagowner,
};
