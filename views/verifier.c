/* `verifier`: whether Driver Verifier was on, its flags by name, the
 * counters of MmVerifierData under their PDB names, the special pool tag. */
#include "core/nt/pool.h"
#include "core/nt/verifier.h"
#include "views/commands.h"

static int run_verifier(struct dump *d, int argc, char **argv, struct doc *out,
			struct kdx_error *err)
{
	if (argc != 1)
		return arg_extra(err, &cmd_verifier, argv[1]);
	struct verifier_state v;
	if (verifier_read(d, &v, err) < 0)
		return -1;
	doc_set_title(out, "Driver Verifier");
	struct dnode *r = out->root;
	dn_role(dn_bool(r, "active", v.level != 0), v.level ? ROLE_WARNING : ROLE_VALUE);
	dn_role(dn_label(dn_str(r, "active_from", v.level ? "MmVerifierData.Level (flags set: on)" :
				"MmVerifierData.Level (no flags set: off)"), "  from"), ROLE_MUTED);
	dn_hex(r, "level", v.level, 8);
	const char *names[VERIFIER_MAX_FLAGS];
	char buf[VERIFIER_MAX_FLAGS][12];
	size_t n = verifier_flag_names(v.level, names, buf);
	struct dnode *f = dn_label(dn_array(r, "flags"), "Flags");
	for (size_t i = 0; i < n; i++)
		dn_str(f, NULL, names[i]);
	dn_link(dn_label(dn_hex(r, "data", v.data, 0), "MmVerifierData"), "db 0x%llx",
		(unsigned long long)v.data);
	struct dnode *c = dn_label(dn_object(r, "counters"), "Counters");
	for (size_t i = 0; i < v.ncounters; i++)
		dn_uint(c, v.counters[i].name, v.counters[i].value);
	char tag[5];
	pool_tag_text(v.special_pool_tag, tag);
	if (v.has_tag && v.special_pool_tag) {
		dn_link(dn_role(dn_label(dn_str(r, "special_pool_tag", tag), "special pool tag"),
				ROLE_NAME), "poolfind %s", tag);
	} else {
		dn_label(dn_null(r, "special_pool_tag"), "special pool tag");
		dn_role(dn_label(dn_str(r, "special_pool_tag_why", v.has_tag ?
					"MmSpecialPoolTag is 0: no tag chosen" :
					"MmSpecialPoolTag is not in the dump"), "  why"), ROLE_MUTED);
	}
	return 0;
}

const struct command cmd_verifier = {
	.name = "verifier", .usage = "verifier",
	.summary = "Driver Verifier: on or off, its flags, its counters, the special pool tag",
	.windbg = "!verifier",
	.run = run_verifier,
};
