/* `dt TYPE [ADDRESS]` (WinDbg dt): the layout kdx uses for a kernel type,
 * one row per member it knows, under the PDB's names (data/layouts/pdb.tsv),
 * each with the place its offset came from; with an address, the members'
 * values there. `dt -compare A B TYPE` sets two layout columns side by side
 * and marks what moved. Without a dump (kdx --build B --arch A) it shows
 * the built-in columns serving that build. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/nt/pdb_type.h"
#include "core/nt/ustr.h"
#include "core/util/builds.h"
#include "core/util/bytes.h"
#include "views/commands.h"
#include "views/process.h"

/* Where the value of m came from in this dump, or in the column alone,
 * with the calibration checks it passed; returns the kind. */
static enum layout_source source_text(const struct dump *d, const struct profile *p,
				      const struct pdb_member *m, char *buf, size_t size)
{
	if (!m->field) {
		snprintf(buf, size, "%s", m->origin);
		return LAYOUT_FROM_TABLE;
	}
	enum layout_source s = LAYOUT_FROM_TABLE;
	unsigned checks = 0;
	if (d->src && d->layout.profile == p) {
		s = d->layout.source[m->field - layout_fields];
		checks = d->layout.passed[m->field - layout_fields];
	}
	char passed[32] = "";
	if (checks)
		snprintf(passed, sizeof passed, " (%u check%s)", checks, checks == 1 ? "" : "s");
	switch (s) {
	case LAYOUT_FROM_TABLE:
		for (size_t i = 0; i < LAYOUT_TABLES; i++)
			if (strcmp(p->origin[i].table, m->field->table) == 0) {
				snprintf(buf, size, "table %s (%s)%s%s", p->origin[i].taken_from,
					 p->origin[i].source, d->layout.nearest && d->src ?
					 ", nearest build, unchecked" : "", passed);
				return s;
			}
		snprintf(buf, size, "table%s", passed);
		return s;
	case LAYOUT_FROM_FILE:
		snprintf(buf, size, "file %s%s", d->layout.file ? d->layout.file : "", passed);
		return s;
	case LAYOUT_FROM_KDBG: snprintf(buf, size, "KDBG%s", passed); return s;
	case LAYOUT_CALIBRATED: snprintf(buf, size, "calibrated%s", passed); return s;
	case LAYOUT_UNKNOWN:
		snprintf(buf, size, "unknown: no check of the dump found it");
		return s;
	}
	return s;
}

/* The table row a member comes from ("eprocess.peb", the name --layout FILE
 * uses) and the type embedded there. */
static void add_row(struct dnode *o, const struct pdb_member *m)
{
	if (m->field)
		dn_flags(dn_strf(o, "row", "%s.%s", m->field->table, m->field->name), DN_JSON_ONLY);
	if (m->embeds)
		dn_flags(dn_str(o, "embeds", m->embeds), DN_JSON_ONLY);
}

static void add_offset(struct dnode *o, const char *key, const struct pdb_member *m)
{
	if (!m || m->absent)
		dn_null(o, key);
	else
		dn_strf(o, key, "0x%x", m->offset);
}

static void add_size(struct dnode *o, const char *key, const struct pdb_member *m)
{
	if (!m || m->absent || m->bits)
		dn_null(o, key);
	else if (m->size)
		dn_uint(o, key, m->size);
	else
		dn_null(o, key);
}

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), k = strlen(tail);
	return n >= k && strcmp(s + n - k, tail) == 0;
}

/* The value of m in the structure of that type at va, into the row
 * (display text, with a link to follow) and into values (typed, for JSON).
 * A list entry that chains structures of one type (ActiveProcessLinks,
 * ThreadListEntry, InLoadOrderLinks) links to the next one's dt; a list
 * head, whose entries are another type's, to the memory it points at. */
static void add_value(struct dump *d, const char *type, uint64_t va, const struct pdb_member *m,
		      struct dnode *row, struct dnode *values)
{
	char text[160], addr[24];
	unsigned ptr = dump_ptr_size(d);
	uint64_t at = va + m->offset;
	uint8_t buf[16] = { 0 };
	unsigned need = m->bits ? (unsigned)(m->bit + m->bits + 7) / 8 : m->size;
	if (m->absent) {
		dn_role(dn_str(row, "value", m->field && d->layout.source[m->field - layout_fields] ==
			       LAYOUT_UNKNOWN ? "unknown" : "not in this build"), ROLE_MUTED);
		dn_null(values, m->name);
		return;
	}
	if (m->embeds) {
		format_address(d, at, addr, sizeof addr);
		dn_link(dn_str(row, "value", addr), "dt %s 0x%llx", m->embeds, (unsigned long long)at);
		dn_hex(values, m->name, at, 0);
		return;
	}
	if (!need || (need > sizeof buf && strcmp(m->width, "*") != 0)) {
		dn_role(dn_str(row, "value", "size unknown"), ROLE_MUTED);
		dn_null(values, m->name);
		return;
	}
	unsigned want = need > sizeof buf ? sizeof buf : need;
	if (xlat_read(d->kernel, at, buf, want, NULL) != want) {
		dn_role(dn_str(row, "value", "not present"), ROLE_MUTED);
		dn_null(values, m->name);
		return;
	}
	if (m->bits) {
		uint64_t v = prof_get_bits(buf, (struct prof_bits){ 0, m->bit, m->bits });
		dn_strf(row, "value", "0x%llx", (unsigned long long)v);
		dn_hex(values, m->name, v, 0);
	} else if (strcmp(m->width, "ptr") == 0) {
		uint64_t v = le_bytes(buf, ptr);
		format_address(d, v, addr, sizeof addr);
		struct dnode *n = dn_role(dn_str(row, "value", addr), v ? ROLE_ADDRESS : ROLE_ZERO);
		if (v)
			dn_link(n, "db 0x%llx", (unsigned long long)v);
		dn_hex(values, m->name, v, 0);
	} else if (strcmp(m->width, "list") == 0) {
		uint64_t fl = le_bytes(buf, ptr), bl = le_bytes(buf + ptr, ptr);
		char b2[24];
		format_address(d, fl, addr, sizeof addr);
		format_address(d, bl, b2, sizeof b2);
		struct dnode *n = dn_strf(row, "value", "Flink %s Blink %s", addr, b2);
		if (fl && (ends_with(m->name, "Links") || ends_with(m->name, "ListEntry")))
			dn_link(n, "dt %s 0x%llx", type, (unsigned long long)(fl - m->offset));
		else if (fl)
			dn_link(n, "db 0x%llx", (unsigned long long)fl);
		struct dnode *o = dn_object(values, m->name);
		dn_hex(o, "Flink", fl, 0);
		dn_hex(o, "Blink", bl, 0);
	} else if (strcmp(m->width, "ustr") == 0) {
		char s[USTR_MAX * 3 + 1];
		if (ustr_read(d, at, s, sizeof s)) {
			dn_strf(row, "value", "\"%s\"", s);
			dn_str(values, m->name, s);
		} else {
			dn_role(dn_str(row, "value", "string not present"), ROLE_MUTED);
			dn_null(values, m->name);
		}
	} else if (strcmp(m->width, "*") == 0 && need > 8) {
		/* A character array (ImageFileName) or an opaque block: text
		 * when it is printable, else its first bytes. */
		size_t len = 0;
		while (len < want && buf[len] >= 0x20 && buf[len] < 0x7f)
			len++;
		bool is_text = len > 0 && (len == want || buf[len] == 0);
		if (is_text) {
			snprintf(text, sizeof text, "%.*s", (int)len, (const char *)buf);
			dn_strf(row, "value", "\"%s\"", text);
			dn_str(values, m->name, text);
		} else {
			size_t o = 0;
			for (unsigned i = 0; i < want && o + 4 < sizeof text; i++)
				o += (size_t)snprintf(text + o, sizeof text - o, "%s%02x", i ? " " : "", buf[i]);
			if (want < need)
				snprintf(text + o, sizeof text - o, " ...");
			dn_str(row, "value", text);
			dn_str(values, m->name, text);
		}
	} else {
		uint64_t v = le_bytes(buf, need);
		if (need == 8 && ends_with(m->name, "Time")) {
			filetime_text(v, text, sizeof text);
			dn_strf(row, "value", "0x%llx (%s)", (unsigned long long)v, text);
		} else {
			dn_strf(row, "value", "0x%llx", (unsigned long long)v);
		}
		dn_hex(values, m->name, v, 0);
	}
}

/* One column's layout of a type, with values when va is given. */
static void add_layout(struct dump *d, const struct profile *p, const struct pdb_layout *l,
		       bool has_va, uint64_t va, struct dnode *r)
{
	dn_str(r, "type", l->type);
	if (l->has_size)
		dn_strf(r, "size", "0x%x", l->size);
	else
		dn_label(dn_null(r, "size"), "size");
	if (d->src && d->layout.nearest && d->layout.profile == p) {
		/* no column serves the build: the nearest one, calibrated */
		dn_strf(r, "build", "%u", d->build);
		dn_label(dn_strf(r, "layout", "%s, calibrated", p->name), "layout");
	} else {
		dn_strf(r, "build", "%s", p->taken_from);
		dn_label(dn_str(r, "layout", p->name), "layout");
	}
	dn_role(dn_label(dn_str(r, "description", p->description), "  "), ROLE_MUTED);
	if (has_va) {
		char addr[24];
		format_address(d, va, addr, sizeof addr);
		dn_str(r, "address", addr);
	}
	struct dnode *fields = dn_label(dn_array(r, "fields"), "Members");
	struct dnode *values = has_va ? dn_flags(dn_object(r, "values"), DN_JSON_ONLY) : NULL;
	struct dnode *consts = NULL;
	char src[512];
	for (size_t i = 0; i < l->n; i++) {
		const struct pdb_member *m = &l->m[i];
		bool unknown = source_text(d, p, m, src, sizeof src) == LAYOUT_UNKNOWN;
		if (m->constant) {
			if (!consts)
				consts = dn_label(dn_array(r, "constants"), "kdx constants (no PDB member)");
			struct dnode *o = dn_object(consts, NULL);
			dn_role(dn_str(o, "name", m->name), ROLE_MUTED);
			dn_strf(o, "value", "0x%llx", (unsigned long long)m->value);
			dn_role(dn_str(o, "source", src), ROLE_MUTED);
			continue;
		}
		struct dnode *o = dn_object(fields, NULL);
		dn_role(dn_str(o, "name", m->name), ROLE_NAME);
		add_offset(o, "offset", m);
		add_size(o, "size", m);
		if (m->bits) {
			dn_uint(o, "bit", m->bit);
			dn_uint(o, "bits", m->bits);
		}
		if (has_va)
			add_value(d, l->type, va, m, o, values);
		struct dnode *s = dn_str(o, "source", m->absent && !unknown ? "not in this build" : src);
		dn_role(s, ROLE_MUTED);
		add_row(o, m);
	}
}

/* The columns dt shows: the dump's resolved layout, or without a dump the
 * built-in columns serving --build (the one its revision picks). */
static size_t columns(const struct dump *d, const struct profile **out, size_t max)
{
	if (d->src) {
		out[0] = d->layout.profile;
		return out[0] ? 1 : 0;
	}
	if (d->revision) {
		out[0] = profile_for_revision(d->machine, PAGING_UNKNOWN, d->build, d->revision);
		return out[0] ? 1 : 0;
	}
	size_t n = 0;
	for (const struct profile *const *p = kdx_profiles; *p && n < max; p++)
		if (profile_serves_build(*p, d->machine, PAGING_UNKNOWN, d->build))
			out[n++] = *p;
	return n;
}

/* A column by name (win7-x64-2016) or by the build it was taken from
 * (6.1.7601.23418, or 7601.23418). */
static const struct profile *column_named(const char *s)
{
	const struct profile *p = profile_by_name(s);
	for (const struct profile *const *q = kdx_profiles; !p && *q; q++) {
		const char *t = (*q)->taken_from;
		size_t n = strlen(t), k = strlen(s);
		if (strcmp(t, s) == 0 || (k < n && strcmp(t + n - k, s) == 0 && t[n - k - 1] == '.'))
			p = *q;
	}
	return p;
}

static int list_types(struct doc *out)
{
	const char *types[64];
	size_t n = pdb_type_list(types, 64);
	doc_set_title(out, "dt: types");
	struct dnode *a = dn_label(dn_array(out->root, "types"), "Types (dt TYPE [ADDRESS])");
	for (size_t i = 0; i < n; i++)
		dn_link(dn_role(dn_str(a, NULL, types[i]), ROLE_NAME), "dt %s", types[i]);
	return 0;
}

static const struct pdb_member *member_named(const struct pdb_layout *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (!l->m[i].constant && strcmp(l->m[i].name, name) == 0)
			return &l->m[i];
	return NULL;
}

/* What became of a member from column a to column b: absent in both is no
 * change, only in b added, only in a removed (not moved). */
enum member_change { UNCHANGED, MOVED, ADDED, REMOVED };

static enum member_change change_of(const struct pdb_member *a, const struct pdb_member *b)
{
	bool in_a = a && !a->absent, in_b = b && !b->absent;
	if (!in_a || !in_b)
		return in_b ? ADDED : in_a ? REMOVED : UNCHANGED;
	return a->offset != b->offset || a->size != b->size || a->bit != b->bit ||
	       a->bits != b->bits ? MOVED : UNCHANGED;
}

static enum member_change add_compare_row(struct dnode *rows, const char *name,
					  const struct pdb_member *a, const struct pdb_member *b)
{
	static const char *const names[] = { NULL, "moved", "added", "removed" };
	struct dnode *o = dn_object(rows, NULL);
	enum member_change c = change_of(a, b);
	dn_role(dn_str(o, "name", name), c ? ROLE_CHANGED : ROLE_NAME);
	add_offset(o, "offset_a", a);
	add_offset(o, "offset_b", b);
	add_size(o, "size_a", a);
	add_size(o, "size_b", b);
	dn_role(dn_str(o, "change", names[c]), c ? ROLE_CHANGED : ROLE_MUTED);
	dn_flags(dn_bool(o, "moved", c == MOVED), DN_JSON_ONLY);
	if (c)
		dn_role(o, ROLE_CHANGED);
	return c;
}

static int run_compare(int argc, char **argv, struct doc *out, struct kdx_error *err)
{
	if (argc != 5)
		return kdx_fail(err, "usage: dt -compare COLUMN COLUMN TYPE");
	const struct profile *p[2];
	for (int i = 0; i < 2; i++)
		if (!(p[i] = column_named(argv[2 + i])))
			return kdx_fail(err, "dt: %s: no such layout column (a name such as win7-x64, or "
					"the build it was taken from, such as 7601.23418)", argv[2 + i]);
	struct pdb_layout *l = malloc(2 * sizeof *l);
	if (!l)
		return kdx_fail(err, "out of memory");
	if (!pdb_layout(p[0], argv[4], &l[0]) || !pdb_layout(p[1], argv[4], &l[1])) {
		free(l);
		return kdx_fail(err, "dt: %s: no such type (dt alone lists them)", argv[4]);
	}
	doc_set_title(out, "dt %s: %s against %s", l[0].type, p[0]->name, p[1]->name);
	struct dnode *r = out->root;
	dn_str(r, "type", l[0].type);
	const char *key[2] = { "a", "b" };
	for (int i = 0; i < 2; i++) {
		struct dnode *c = dn_label(dn_object(r, key[i]), key[i]);
		dn_str(c, "layout", p[i]->name);
		dn_str(c, "build", p[i]->taken_from);
		if (l[i].has_size)
			dn_strf(c, "size", "0x%x", l[i].size);
		else
			dn_null(c, "size");
	}
	struct dnode *rows = dn_label(dn_array(r, "fields"), "Members (changes marked)");
	size_t count[REMOVED + 1] = { 0 };
	for (size_t i = 0; i < l[0].n; i++) {
		const struct pdb_member *a = &l[0].m[i];
		if (!a->constant)
			count[add_compare_row(rows, a->name, a, member_named(&l[1], a->name))]++;
	}
	for (size_t i = 0; i < l[1].n; i++) {
		const struct pdb_member *b = &l[1].m[i];
		if (!b->constant && !member_named(&l[0], b->name))
			count[add_compare_row(rows, b->name, NULL, b)]++;
	}
	dn_label(dn_uint(r, "moved", count[MOVED]), "members moved");
	dn_label(dn_uint(r, "added", count[ADDED]), "members added");
	dn_label(dn_uint(r, "removed", count[REMOVED]), "members removed");
	free(l);
	return 0;
}

/* A structure whose first byte cannot be read is an error, as WinDbg's
 * "Memory read error", with the walk's reason; one cut by a missing page
 * further on still shows the members before it. */
static int check_readable(struct dump *d, const char *type, uint64_t va, struct kdx_error *err)
{
	struct walk w;
	xlat_walk(d->kernel, va, &w);
	if (w.reason == XLAT_OK)
		return 0;
	char addr[24], why[96];
	format_address(d, va, addr, sizeof addr);
	if (w.reason == XLAT_INVALID)
		snprintf(why, sizeof why, "it is not a canonical %s address", w.mode->name);
	else if (w.stopped_at >= 0)
		snprintf(why, sizeof why, w.reason == XLAT_NOT_PRESENT ? "its %s is not present" :
			 "the table holding its %s is not in the dump", w.level[w.stopped_at].name);
	else
		snprintf(why, sizeof why, "its page (physical 0x%llx) is not in the dump",
			 (unsigned long long)(w.pa & ~(uint64_t)(KDX_PAGE_SIZE - 1)));
	return kdx_fail(err, "dt: %s at %s cannot be read: %s (vtop 0x%llx shows the walk)", type,
			addr, why, (unsigned long long)va);
}

static int run_dt(struct dump *d, int argc, char **argv, struct doc *out, struct kdx_error *err)
{
	if (argc == 1)
		return list_types(out);
	if (strcmp(argv[1], "-compare") == 0)
		return run_compare(argc, argv, out, err);
	if (argc > 3)
		return arg_extra(err, &cmd_dt, argv[3]);
	if (!d)
		return kdx_fail(err, "dt: the build is unknown: give it with --build");
	uint64_t va = 0;
	bool has_va = argc == 3;
	if (has_va && !parse_number(argv[2], &va))
		return kdx_fail(err, "dt: %s: not an address", argv[2]);
	if (has_va && (!d->src || !d->kernel))
		return kdx_fail(err, "dt: %s: no kernel address space to read%s", argv[2],
				d->src ? " (the DTB is unknown)" : " without a dump");
	const struct profile *cols[8];
	size_t n = columns(d, cols, 8);
	if (n == 0 && d->has_build && d->machine == MACHINE_X86 && d->build >= NT_BUILD_WIN11)
		return kdx_fail(err, "dt: no layout serves build %u (x86): Windows 11 and later have "
				"no x86 kernel", d->build);
	if (n == 0)
		return d->has_build ?
			kdx_fail(err, "dt: no layout serves build %u (%s): kdx has none for it", d->build,
				 d->machine == MACHINE_X86 ? "x86" : "x64") :
			kdx_fail(err, "dt: the build is unknown: give it with --build");
	struct pdb_layout *l = malloc(sizeof *l);
	if (!l)
		return kdx_fail(err, "out of memory");
	if (!pdb_layout(cols[0], argv[1], l)) {
		free(l);
		return kdx_fail(err, "dt: %s: no such type (dt alone lists them)", argv[1]);
	}
	if (has_va && check_readable(d, l->type, va, err) < 0) {
		free(l);
		return -1;
	}
	if (has_va)
		doc_set_title(out, "dt %s %s", l->type, argv[2]);
	else
		doc_set_title(out, "dt %s (%s)", l->type, n == 1 ? cols[0]->name : "every column of the build");
	if (n == 1) {
		add_layout(d, cols[0], l, has_va, va, out->root);
	} else {
		dn_str(out->root, "type", l->type);
		struct dnode *a = dn_label(dn_object(out->root, "layouts"), "Layouts serving the build");
		for (size_t i = 0; i < n; i++) {
			pdb_layout(cols[i], argv[1], l);
			add_layout(d, cols[i], l, false, 0, dn_object(a, cols[i]->name));
		}
	}
	free(l);
	return 0;
}

const struct command cmd_dt = {
	.name = "dt", .usage = "dt [TYPE [ADDRESS] | -compare COLUMN COLUMN TYPE]",
	.summary = "a kernel type's layout: members under their PDB names, offsets, sizes, where each "
		   "came from; with an address, the values there",
	.windbg = "dt",
	.without_dump = true, .without_memory = true,
	.run = run_dt,
};
