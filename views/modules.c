/* `lm`: the loaded kernel modules (PsLoadedModuleList) with their PE
 * sections. */
#include "core/nt/modules.h"
#include "views/commands.h"

static int run_lm(struct dump *d, int argc, char **argv, struct doc *out, struct kdx_error *err)
{
	if (argc != 1)
		return arg_extra(err, &cmd_lm, argv[1]);
	struct module_list ml;
	if (modules_read(d, &ml, err) < 0)
		return -1;
	doc_set_title(out, "Loaded modules (%zu)", ml.count);
	struct dnode *r = out->root;
	dn_role(dn_label(dn_hex(r, "list_head", ml.head, 0), "PsLoadedModuleList"), ROLE_ADDRESS);
	dn_bool(r, "complete", ml.complete);
	if (ml.note[0])
		dn_role(dn_str(r, "note", ml.note), ROLE_DANGER);
	if (ml.session)
		dn_label(dn_cid(r, "session_reader_pid", ml.session_reader_pid),
			 "session images read as process");
	struct dnode *t = dn_label(dn_array(r, "modules"), "Modules");
	for (size_t i = 0; i < ml.count; i++) {
		const struct module *m = &ml.items[i];
		struct dnode *o = dn_object(t, NULL);
		dn_role(dn_hex(o, "base", m->base, 0), ROLE_ADDRESS);
		dn_role(dn_hex(o, "end", m->base + m->size, 0), ROLE_ADDRESS);
		dn_hex(o, "size", m->size, 0);
		dn_role(dn_str(o, "name", m->name), ROLE_NAME);
		dn_label(dn_hex(o, "entry_point", m->entry_point, 0), "entry");
		dn_label(dn_str(o, "full_name", m->full_name), "path");
		dn_label(dn_bool(o, "session_image", m->session_image), "session");
		dn_flags(dn_hex(o, "ldr", m->ldr, 0), DN_JSON_ONLY);
		struct dnode *s = dn_flags(dn_array(o, "sections"), DN_JSON_ONLY);
		for (size_t k = 0; k < m->nsections; k++) {
			struct dnode *so = dn_object(s, NULL);
			dn_str(so, "name", m->sections[k].name);
			dn_hex(so, "rva", m->sections[k].rva, 0);
			dn_hex(so, "size", m->sections[k].size, 0);
			dn_bool(so, "code", m->sections[k].code);
		}
		if (m->headers_read)
			dn_flags(dn_null(o, "headers_note"), DN_JSON_ONLY);
		else
			dn_role(dn_label(dn_str(o, "headers_note", m->headers_note), "headers"),
				ROLE_WARNING);
		dn_link(o, "db 0x%llx", (unsigned long long)m->base);
	}
	modules_free(&ml);
	return 0;
}

const struct command cmd_lm = {
	.name = "lm", .usage = "lm",
	.summary = "loaded kernel modules: base, end, name, sections (PsLoadedModuleList)",
	.windbg = "lm",
	.run = run_lm,
};
