/* `db`/`dd`/`dq VA [L count] [DTB]` (virtual, in the kernel's address space
 * or the one DTB names) and `!db`/`!dd`/`!dq PA [L count]` (physical):
 * memory in WinDbg's layout, bytes coloured by class, holes as `??`, and
 * pointers that translate linked for following (in the same space). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util/bytes.h"
#include "views/commands.h"

#define MAX_DUMP_BYTES (1u << 20)

struct memdump_kind {
	unsigned unit;        /* bytes per item: 1, 4, 8 */
	bool physical;
	const struct command *cmd;
};

static enum role byte_role(uint8_t b)
{
	if (b == 0)
		return ROLE_HEX_ZERO;
	if (b == ' ' || b == '\t' || b == '\n' || b == '\r')
		return ROLE_HEX_WHITESPACE;
	if (isprint(b))
		return ROLE_HEX_PRINTABLE;
	return ROLE_HEX_OTHER;
}


/* space: the address space read (NULL for physical memory); dtb_arg: " DTB"
 * when it is not the kernel's, so that links stay in it, else "". */
static void add_row(struct dump *d, const struct memdump_kind *k, struct xlat *space,
		    const char *dtb_arg, struct dnode *root, uint64_t addr, const uint8_t *buf,
		    const uint8_t *missing, size_t n)
{
	char a[24];
	struct dnode *t = dn_text(root);
	if (k->physical)
		snprintf(a, sizeof a, "#%9llx", (unsigned long long)addr);
	else
		format_address(d, addr, a, sizeof a);
	dn_span(t, ROLE_ADDRESS, "%s ", a);
	for (size_t i = 0; i < 16; i += k->unit) {
		const char *sep = (k->unit == 1 && i == 8) ? "-" : " ";
		if (i >= n) {
			dn_span(t, ROLE_NORMAL, "%s%*s", sep, (int)(k->unit * 2 + (k->unit == 8)), "");
			continue;
		}
		if (missing[i]) {
			dn_span(t, ROLE_HEX_HOLE, "%s%s", sep,
				k->unit == 1 ? "??" : k->unit == 4 ? "????????" : "????????`????????");
			continue;
		}
		uint64_t v = le_bytes(buf + i, k->unit);
		if (k->unit == 1) {
			dn_span(t, byte_role(buf[i]), "%s%02x", sep, buf[i]);
			continue;
		}
		enum role role = v ? ROLE_VALUE : ROLE_ZERO;
		struct dspan *s = k->unit == 4 ?
			dn_span(t, role, "%s%08llx", sep, (unsigned long long)v) :
			dn_span(t, role, "%s%08llx`%08llx", sep, (unsigned long long)(v >> 32),
				(unsigned long long)(v & 0xffffffffull));
		/* A pointer-sized value that maps is worth following. */
		uint64_t pa;
		if (space && k->unit == dump_ptr_size(d) && v &&
		    paging_is_canonical(xlat_mode(space), v) &&
		    xlat_to_phys(space, v, &pa) == XLAT_OK) {
			s->role = ROLE_LINK;
			dspan_link(s, "db 0x%llx%s", (unsigned long long)v, dtb_arg);
		}
	}
	if (k->unit == 1) {
		char ascii[17];
		size_t i;
		for (i = 0; i < 16 && i < n; i++)
			ascii[i] = missing[i] ? '?' : isprint(buf[i]) ? (char)buf[i] : '.';
		ascii[i] = 0;
		dn_span(t, ROLE_MUTED, "  %s", ascii);
	}
}

static int dump_memory(const struct memdump_kind *k, struct dump *d, const char *name,
		       uint64_t addr, uint64_t count, struct xlat *space, const char *dtb_arg,
		       struct doc *out, struct kdx_error *err);

static int run_memdump(const struct memdump_kind *k, struct dump *d, int argc, char **argv,
		       struct doc *out, struct kdx_error *err)
{
	uint64_t addr, count = 128 / k->unit, dtb = 0;
	int i = 1;
	if (argc < 2 || !parse_number(argv[1], &addr))
		return kdx_fail(err, "usage: %s", k->cmd->usage);
	i = 2;
	if (i < argc && (argv[i][0] == 'L' || argv[i][0] == 'l' || k->physical) &&
	    !parse_length(argc, argv, &i, &count))
		return kdx_fail(err, "%s: %s: expected L COUNT (usage: %s)", argv[0], argv[i],
				k->cmd->usage);
	bool has_dtb = !k->physical && i < argc;
	if (has_dtb && !parse_number(argv[i++], &dtb))
		return kdx_fail(err, "%s: %s: expected a DTB (usage: %s)", argv[0], argv[i - 1],
				k->cmd->usage);
	if (i != argc)
		return kdx_fail(err, "usage: %s", k->cmd->usage);
	if (count == 0 || count > MAX_DUMP_BYTES / k->unit)
		return kdx_fail(err, "%s: count 0x%llx: expected 1 to 0x%x items", argv[0],
				(unsigned long long)count, MAX_DUMP_BYTES / k->unit);
	if (!k->physical) {
		if (!d->kernel)
			return kdx_fail(err, "%s: no kernel page tables known for this dump (try !%s "
					"for physical memory)", argv[0], argv[0]);
		if (!paging_is_canonical(xlat_mode(d->kernel), addr))
			return kdx_fail(err, "%s: 0x%llx is not a valid %s address", argv[0],
					(unsigned long long)addr, xlat_mode(d->kernel)->name);
	}
	struct xlat *space = k->physical ? NULL : d->kernel;
	char dtb_arg[24] = "";
	if (has_dtb) {
		space = xlat_new(d->src, d->paging, dtb, err);
		if (!space)
			return -1;
		snprintf(dtb_arg, sizeof dtb_arg, " 0x%llx", (unsigned long long)xlat_dtb(space));
	}
	int r = dump_memory(k, d, argv[0], addr, count, space, dtb_arg, out, err);
	if (has_dtb)
		xlat_free(space);
	return r;
}

static int dump_memory(const struct memdump_kind *k, struct dump *d, const char *name,
		       uint64_t addr, uint64_t count, struct xlat *space, const char *dtb_arg,
		       struct doc *out, struct kdx_error *err)
{
	size_t len = (size_t)count * k->unit;
	uint8_t *buf = malloc(len);
	if (!buf)
		return kdx_fail(err, "%s: out of memory for %zu bytes", name, len);
	struct hole_list holes = { 0 };
	if (k->physical)
		phys_read(d->src, addr, buf, len, &holes);
	else
		xlat_read(space, addr, buf, len, &holes);

	doc_set_title(out, "%s memory at 0x%llx%s%s", k->physical ? "Physical" : "Virtual",
		      (unsigned long long)addr, dtb_arg[0] ? " in DTB" : "", dtb_arg);
	struct dnode *r = out->root;
	dn_flags(dn_hex(r, "address", addr, 0), DN_JSON_ONLY);
	if (dtb_arg[0])
		dn_flags(dn_hex(r, "dtb", xlat_dtb(space), 0), DN_JSON_ONLY);
	static const char hexdigits[] = "0123456789abcdef";
	char *hex = malloc(len * 2 + 1);
	if (!hex) {
		free(buf);
		hole_list_free(&holes);
		return kdx_fail(err, "%s: out of memory", name);
	}
	for (size_t j = 0; j < len; j++) {
		hex[2 * j] = hexdigits[buf[j] >> 4];
		hex[2 * j + 1] = hexdigits[buf[j] & 15];
	}
	hex[len * 2] = 0;
	dn_flags(dn_str(r, "bytes", hex), DN_JSON_ONLY);
	free(hex);
	struct dnode *h = dn_flags(dn_array(r, "holes"), DN_JSON_ONLY);
	for (size_t j = 0; j < holes.count; j++) {
		struct dnode *o = dn_object(h, NULL);
		dn_hex(o, "address", holes.items[j].address, 0);
		dn_hex(o, "size", holes.items[j].size, 0);
		dn_str(o, "reason", xlat_reason_name(holes.items[j].reason));
	}
	/* One flag per byte: rows then test holes in O(1). */
	uint8_t *missing = calloc(len, 1);
	if (!missing) {
		free(buf);
		hole_list_free(&holes);
		return kdx_fail(err, "%s: out of memory", name);
	}
	for (size_t j = 0; j < holes.count; j++)
		memset(missing + (holes.items[j].address - addr), 1, holes.items[j].size);
	for (size_t off = 0; off < len; off += 16)
		add_row(d, k, space, dtb_arg, r, addr + off, buf + off, missing + off,
			len - off < 16 ? len - off : 16);
	free(missing);
	free(buf);
	hole_list_free(&holes);
	return 0;
}

#define MEMDUMP_COMMAND(var, cname, unit_, phys, usage_, summary_, windbg_)              \
	static const struct memdump_kind var##_kind;                                     \
	static int run_##var(struct dump *d, int argc, char **argv, struct doc *out,     \
			     struct kdx_error *err)                                      \
	{                                                                                \
		return run_memdump(&var##_kind, d, argc, argv, out, err);               \
	}                                                                                \
	const struct command var = { .name = cname, .usage = usage_, .summary = summary_, \
				     .windbg = windbg_, .run = run_##var };              \
	static const struct memdump_kind var##_kind = { unit_, phys, &var };

MEMDUMP_COMMAND(cmd_db, "db", 1, false, "db VA [L COUNT] [DTB]", "virtual memory as bytes and ASCII", "db")
MEMDUMP_COMMAND(cmd_dd, "dd", 4, false, "dd VA [L COUNT] [DTB]", "virtual memory as 32-bit values", "dd")
MEMDUMP_COMMAND(cmd_dq, "dq", 8, false, "dq VA [L COUNT] [DTB]", "virtual memory as 64-bit values", "dq")
MEMDUMP_COMMAND(cmd_phys_db, "!db", 1, true, "!db PA [L COUNT]", "physical memory as bytes and ASCII", "!db")
MEMDUMP_COMMAND(cmd_phys_dd, "!dd", 4, true, "!dd PA [L COUNT]", "physical memory as 32-bit values", "!dd")
MEMDUMP_COMMAND(cmd_phys_dq, "!dq", 8, true, "!dq PA [L COUNT]", "physical memory as 64-bit values", "!dq")
