/* Note layout: the gABI's note section (namesz, descsz, type, then name and
 * descriptor each padded to 4 bytes). QEMU's register note (name "QEMU",
 * type 0) is its QEMUCPUState (target/i386/arch_dump.c; QEMU's
 * contrib/elf2dmp/qemu_elf.h): version, size, 18 general registers, 10
 * segment descriptors of 24 bytes, then cr[0..4]. VMCOREINFO (name
 * "VMCOREINFO", type 0) is KEY=value lines (the kernel's crash_core.c). */
#include "core/source/notes.h"

#include <stdlib.h>
#include <string.h>

#include "core/util/bytes.h"

#define NT_PRSTATUS 1
#define QEMU_CR_AT (8 + 18 * 8 + 10 * 24)      /* cr[0] in QEMUCPUState */
#define QEMU_CR_END (QEMU_CR_AT + 5 * 8)

static uint64_t pad4(uint64_t v)
{
	return (v + 3) & ~(uint64_t)3;
}

static bool named(const uint8_t *name, uint32_t namesz, const char *want)
{
	size_t n = strlen(want);
	return namesz >= n && memcmp(name, want, n) == 0 && (namesz == n || name[n] == 0);
}

static void take_vmcoreinfo(const uint8_t *desc, uint32_t size, struct dump_notes *out)
{
	if (out->vmcoreinfo)
		return;
	size_t n = size < NOTES_MAX_VMCOREINFO ? size : NOTES_MAX_VMCOREINFO;
	out->vmcoreinfo = malloc(n + 1);
	if (!out->vmcoreinfo)
		return;
	memcpy(out->vmcoreinfo, desc, n);
	out->vmcoreinfo[n] = 0;
}

void notes_parse(const uint8_t *p, uint64_t n, struct dump_notes *out)
{
	for (uint64_t at = 0; at <= n && n - at >= 12;) {
		uint32_t namesz = (uint32_t)le_bytes(p + at, 4), descsz = (uint32_t)le_bytes(p + at + 4, 4);
		uint32_t type = (uint32_t)le_bytes(p + at + 8, 4);
		uint64_t name = at + 12, desc = name + pad4(namesz), next = desc + pad4(descsz);
		if (next > n)
			return;
		const uint8_t *d = p + desc;
		if (type == NT_PRSTATUS && named(p + name, namesz, "CORE"))
			out->prstatus++;
		else if (type == 0 && named(p + name, namesz, "QEMU") && descsz >= QEMU_CR_END &&
			 out->ncpus < NOTES_MAX_CPUS)
			out->cpu[out->ncpus++] = (struct cpu_note){ le_bytes(d + QEMU_CR_AT, 8),
				le_bytes(d + QEMU_CR_AT + 24, 8), le_bytes(d + QEMU_CR_AT + 32, 8) };
		else if (type == 0 && named(p + name, namesz, "VMCOREINFO"))
			take_vmcoreinfo(d, descsz, out);
		at = next;
	}
}

void notes_free(struct dump_notes *n)
{
	free(n->vmcoreinfo);
	n->vmcoreinfo = NULL;
}

/* The value after "KEY=" at the start of a line, and its length. */
static const char *find_value(const struct dump_notes *n, const char *key, size_t *len)
{
	size_t klen = strlen(key);
	for (const char *line = n->vmcoreinfo; line && *line;) {
		const char *end = strchr(line, '\n');
		size_t l = end ? (size_t)(end - line) : strlen(line);
		if (l > klen && memcmp(line, key, klen) == 0 && line[klen] == '=') {
			*len = l - klen - 1;
			return line + klen + 1;
		}
		line = end ? end + 1 : NULL;
	}
	return NULL;
}

bool notes_linux(const struct dump_notes *n)
{
	size_t len;
	return find_value(n, "OSRELEASE", &len) != NULL;
}

bool vmcoreinfo_str(const struct dump_notes *n, const char *key, char *buf, size_t size)
{
	size_t len;
	const char *v = find_value(n, key, &len);
	if (!v || size == 0)
		return false;
	if (len >= size)
		len = size - 1;
	memcpy(buf, v, len);
	buf[len] = 0;
	return true;
}

bool vmcoreinfo_num(const struct dump_notes *n, const char *key, uint64_t *v)
{
	char buf[32], *end;
	if (!vmcoreinfo_str(n, key, buf, sizeof buf) || !buf[0])
		return false;
	bool hex = strncmp(key, "SYMBOL(", 7) == 0 || strcmp(key, "KERNELOFFSET") == 0;
	*v = strtoull(buf, &end, hex ? 16 : 10);
	return *end == 0;
}
