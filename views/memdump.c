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


/* The bytes read and what the rows need to show them; a row is made only
 * when it is drawn or printed. */
struct memdump_rows {
	const struct memdump_kind *k;
	struct dump *d;
	struct xlat *space;         /* NULL: physical memory */
	bool own_space;             /* a DTB's space, freed with the rows */
	char dtb_arg[24];           /* " DTB" when not the kernel's, so links stay in it */
	uint64_t addr;
	size_t len;
	uint8_t *buf;
	uint8_t *missing;           /* one flag per byte: holes in O(1) */
};

static void free_rows(void *priv)
{
	struct memdump_rows *m = priv;
	if (m->own_space)
		xlat_free(m->space);
	free(m->buf);
	free(m->missing);
	free(m);
}

static char *put_hex(char *p, uint64_t v, unsigned digits)
{
	static const char hexdigits[] = "0123456789abcdef";
	for (unsigned i = digits; i-- > 0; v >>= 4)
		p[i] = hexdigits[v & 15];
	return p + digits;
}

static void put_str(struct line_sink *out, enum role role, const char *s, const char *link)
{
	dn_put(out, role, s, strlen(s), link);
}

/* Row i: the address, 16 bytes as items, for bytes their ASCII. */
static void memdump_row(void *priv, size_t row, struct line_sink *out)
{
	const struct memdump_rows *m = priv;
	const struct memdump_kind *k = m->k;
	size_t off = row * 16, n = m->len - off < 16 ? m->len - off : 16;
	uint64_t addr = m->addr + off;
	const uint8_t *buf = m->buf + off, *missing = m->missing + off;
	char a[32];
	if (k->physical)
		snprintf(a, sizeof a, "#%9llx ", (unsigned long long)addr);
	else {
		format_address(m->d, addr, a, sizeof a - 1);
		strcat(a, " ");
	}
	put_str(out, ROLE_ADDRESS, a, NULL);
	unsigned digits = k->unit * 2 + (k->unit == 8);
	for (size_t i = 0; i < 16; i += k->unit) {
		char item[24], *p = item;
		*p++ = (k->unit == 1 && i == 8) ? '-' : ' ';
		if (i >= n) {
			memset(p, ' ', digits);
			dn_put(out, ROLE_NORMAL, item, 1 + digits, NULL);
			continue;
		}
		if (missing[i]) {
			memset(p, '?', digits);
			if (k->unit == 8)
				p[8] = '`';
			dn_put(out, ROLE_HEX_HOLE, item, 1 + digits, NULL);
			continue;
		}
		uint64_t v = le_bytes(buf + i, k->unit);
		if (k->unit == 1) {
			put_hex(p, v, 2);
			dn_put(out, byte_role(buf[i]), item, 3, NULL);
			continue;
		}
		if (k->unit == 4) {
			put_hex(p, v, 8);
		} else {
			p = put_hex(p, v >> 32, 8);
			*p++ = '`';
			put_hex(p, v & 0xffffffffull, 8);
		}
		/* A pointer-sized value that maps is worth following. */
		uint64_t pa;
		char link[64];
		bool follow = m->space && k->unit == dump_ptr_size(m->d) && v &&
			      paging_is_canonical(xlat_mode(m->space), v) &&
			      xlat_to_phys(m->space, v, &pa) == XLAT_OK;
		if (follow)
			snprintf(link, sizeof link, "db 0x%llx%s", (unsigned long long)v, m->dtb_arg);
		dn_put(out, follow ? ROLE_LINK : v ? ROLE_VALUE : ROLE_ZERO, item, 1 + digits,
		       follow ? link : NULL);
	}
	if (k->unit == 1) {
		char ascii[19] = "  ";
		size_t i;
		for (i = 0; i < n; i++)
			ascii[2 + i] = missing[i] ? '?' : isprint(buf[i]) ? (char)buf[i] : '.';
		dn_put(out, ROLE_MUTED, ascii, 2 + i, NULL);
	}
}

static const struct dn_lines_ops memdump_lines = { .line = memdump_row, .free = free_rows };

static int dump_memory(struct memdump_rows *m, const char *name, struct doc *out,
		       struct kdx_error *err);

static int run_memdump(const struct memdump_kind *k, struct dump *d, int argc, char **argv,
		       struct doc *out, struct kdx_error *err)
{
	uint64_t addr, count = 128 / k->unit, dtb = 0;
	int i = 1;
	if (argc < 2)
		return arg_fail(err, k->cmd, NULL, "an address");
	if (!parse_number(argv[1], &addr))
		return arg_fail(err, k->cmd, argv[1], "an address (a number)");
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
		return arg_extra(err, k->cmd, argv[i]);
	if (count == 0 || count > MAX_DUMP_BYTES / k->unit)
		return kdx_fail(err, "%s: count 0x%llx: expected 1 to 0x%x items", argv[0],
				(unsigned long long)count, MAX_DUMP_BYTES / k->unit);
	if (addr + count * k->unit - 1 < addr)
		return kdx_fail(err, "%s: 0x%llx L 0x%llx runs past the top of the address space",
				argv[0], (unsigned long long)addr, (unsigned long long)count);
	if (!k->physical) {
		if (!d->kernel)
			return kdx_fail(err, "%s: no kernel page tables known for this dump (try !%s "
					"for physical memory)", argv[0], argv[0]);
		if (!paging_is_canonical(xlat_mode(d->kernel), addr))
			return kdx_fail(err, "%s: 0x%llx is not a valid %s address", argv[0],
					(unsigned long long)addr, xlat_mode(d->kernel)->name);
	}
	struct memdump_rows *m = calloc(1, sizeof *m);
	if (!m)
		return kdx_fail(err, "%s: out of memory", argv[0]);
	*m = (struct memdump_rows){ .k = k, .d = d, .space = k->physical ? NULL : d->kernel,
		.addr = addr, .len = (size_t)count * k->unit };
	if (has_dtb) {
		m->space = xlat_new(d->src, d->paging, dtb, err);
		if (!m->space) {
			free(m);
			return -1;
		}
		m->own_space = true;
		snprintf(m->dtb_arg, sizeof m->dtb_arg, " 0x%llx",
			 (unsigned long long)xlat_dtb(m->space));
	}
	return dump_memory(m, argv[0], out, err);
}

/* Reads the bytes and hands m to the document, or frees it on failure. */
static int dump_memory(struct memdump_rows *m, const char *name, struct doc *out,
		       struct kdx_error *err)
{
	size_t len = m->len;
	m->buf = malloc(len);
	m->missing = calloc(len, 1);
	char *hex = malloc(len * 2 + 1);
	if (!m->buf || !m->missing || !hex) {
		free(hex);
		free_rows(m);
		return kdx_fail(err, "%s: out of memory for %zu bytes", name, len);
	}
	struct hole_list holes = { 0 };
	if (m->k->physical)
		phys_read(m->d->src, m->addr, m->buf, len, &holes);
	else
		xlat_read(m->space, m->addr, m->buf, len, &holes);

	doc_set_title(out, "%s memory at 0x%llx%s%s", m->k->physical ? "Physical" : "Virtual",
		      (unsigned long long)m->addr, m->dtb_arg[0] ? " in DTB" : "", m->dtb_arg);
	struct dnode *r = out->root;
	dn_flags(dn_hex(r, "address", m->addr, 0), DN_JSON_ONLY);
	if (m->dtb_arg[0])
		dn_flags(dn_hex(r, "dtb", xlat_dtb(m->space), 0), DN_JSON_ONLY);
	char *p = hex;
	for (size_t j = 0; j < len; j++)
		p = put_hex(p, m->buf[j], 2);
	*p = 0;
	dn_flags(dn_str(r, "bytes", hex), DN_JSON_ONLY);
	free(hex);
	struct dnode *h = dn_flags(dn_array(r, "holes"), DN_JSON_ONLY);
	for (size_t j = 0; j < holes.count; j++) {
		struct dnode *o = dn_object(h, NULL);
		dn_hex(o, "address", holes.items[j].address, 0);
		dn_hex(o, "size", holes.items[j].size, 0);
		dn_str(o, "reason", xlat_reason_name(holes.items[j].reason));
		memset(m->missing + (holes.items[j].address - m->addr), 1, holes.items[j].size);
	}
	hole_list_free(&holes);
	dn_lines(r, (len + 15) / 16, &memdump_lines, m);
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
