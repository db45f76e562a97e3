/* kdx-mutate: the deterministic mutation test of tests/batch/fuzz.test. It
 * derives mutants of one generated fixture with a seeded PRNG, each a few
 * edits inside one structure the truth JSON locates (the crash header, the
 * run table, the bitmap header, the KDBG, page-table entries, the process,
 * thread and module lists, pool pages...), and runs the real binary on each
 * with every command of tests/fuzz/commands.h, under a time and memory
 * bound. A mutant passes when kdx exits 0 or 1 with every stderr line a
 * "kdx: " message, or refuses it with exit status 2 and one line naming the
 * file; anything else (a signal, a sanitizer report, a time-out, too much
 * memory) fails, and is printed with the way to reproduce it.
 *
 *   kdx-mutate [--count N] [--seed S] [--only I] [--timeout SEC]
 *              [--patch KIND[I]+OFF=HEX]... [--keep DIR] KDX FIXTURE
 *
 * Exit status: 0 every mutant passed, 1 some failed, 2 usage or setup. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/dump.h"
#include "core/source/dumpfile.h"
#include "tests/fuzz/commands.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

#define MAX_SPANS 16
#define MAX_TARGETS 512
#define MAX_EDITS 4
#define STDERR_KEEP 4096
#define RSS_LIMIT_MIB 1024
#define AS_LIMIT_MIB 2048

/* A structure of the fixture and where its bytes lie in the file (a
 * structure spanning pages may be scattered). */
struct span {
	uint64_t offset;            /* within the structure */
	uint64_t file_offset;
	uint64_t len;
};
struct target {
	const char *kind;
	unsigned index;             /* among the targets of its kind */
	uint64_t address;           /* VA or PA as the truth gives it; file offset for file kinds */
	struct span spans[MAX_SPANS];
	size_t nspans;
	uint64_t len;
};

struct edit {
	uint64_t file_offset;
	uint8_t bytes[8], saved[8];
	unsigned len;
	const struct target *t;
	uint64_t offset;            /* within the target */
};

struct run_result {
	int status;                 /* raw wait status */
	long maxrss_kib;
	char err[STDERR_KEEP];
	size_t errlen;
};

static struct target targets[MAX_TARGETS];
static size_t ntargets;

/* splitmix64: mutant i of a fixture depends on the seed, the fixture's
 * name and i only, so --only i reproduces it. */
static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t name_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;   /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 1099511628211ull;
	return h;
}

/* ---- the truth: hex values of a key, optionally inside one top-level section */

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 20, n = 0;
	char *buf = malloc(cap + 1);
	size_t got;
	while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			char *bigger = realloc(buf, 2 * cap + 1);
			if (!bigger) {
				free(buf);
				buf = NULL;
			}
			buf = bigger;
			cap *= 2;
		}
	}
	fclose(f);
	if (buf)
		buf[n] = '\0';
	return buf;
}

/* The text of top-level section name ("pool"), or all of json. */
static void truth_section(const char *json, const char *name, const char **begin, const char **end)
{
	*begin = json;
	*end = json + strlen(json);
	if (!name)
		return;
	char marker[64];
	snprintf(marker, sizeof marker, "\n\"%s\":", name);
	const char *p = strstr(json, marker);
	if (!p) {
		*end = json;
		return;
	}
	*begin = p + 1;
	const char *next = strstr(p + 1, "\n\"");
	if (next)
		*end = next;
}

/* Values of "key": "0x..." in section (after the text after, when given);
 * returns how many were stored. */
static size_t truth_values(const char *json, const char *section, const char *after,
			   const char *key, uint64_t *out, size_t max)
{
	const char *p, *end;
	truth_section(json, section, &p, &end);
	if (after && (p = strstr(p, after)) == NULL)
		return 0;
	char pat[64];
	snprintf(pat, sizeof pat, "\"%s\": \"0x", key);
	size_t n = 0, patlen = strlen(pat);
	while (n < max && (p = strstr(p, pat)) && p < end) {
		p += patlen;
		out[n++] = strtoull(p, NULL, 16);
	}
	return n;
}

/* ---- locating structures in the file */

static const struct dump_file *fixture_map;

/* ELF cores are read through libkdumpfile, which copies pages; their file
 * offsets come from the PT_LOAD headers (ELF32 and ELF64). */
static bool elf_offset(uint64_t pa, uint64_t *off)
{
	const struct dump_file *f = fixture_map;
	if (f->size < 52 || memcmp(f->data, "\177ELF", 4) != 0)
		return false;
	bool is64 = f->data[4] == 2;
	uint64_t phoff = is64 ? mf_u64(f, 32) : mf_u32(f, 28);
	unsigned phentsize = mf_u16(f, is64 ? 54 : 42), phnum = mf_u16(f, is64 ? 56 : 44);
	for (unsigned i = 0; i < phnum; i++) {
		uint64_t ph = phoff + (uint64_t)i * phentsize;
		if (!dump_file_has(f, ph, is64 ? 56 : 32) || mf_u32(f, ph) != 1)
			continue;
		uint64_t p_off = is64 ? mf_u64(f, ph + 8) : mf_u32(f, ph + 4);
		uint64_t p_pa = is64 ? mf_u64(f, ph + 24) : mf_u32(f, ph + 12);
		uint64_t p_filesz = is64 ? mf_u64(f, ph + 32) : mf_u32(f, ph + 16);
		if (pa >= p_pa && pa - p_pa < p_filesz) {
			*off = p_off + (pa - p_pa);
			return true;
		}
	}
	return false;
}

static bool phys_offset(struct dump *d, uint64_t pa, uint64_t *off)
{
	uint8_t scratch[KDX_PAGE_SIZE];
	const uint8_t *page = source_page(d->src, pa >> KDX_PAGE_SHIFT, scratch);
	if (!page)
		return false;
	const uint8_t *data = d->src->file.data;
	if (page >= data && page < data + d->src->file.size) {
		*off = (uint64_t)(page - data) + (pa & (KDX_PAGE_SIZE - 1));
		return true;
	}
	return elf_offset(pa, off);
}

static struct target *target_new(const char *kind, uint64_t address, uint64_t len)
{
	if (ntargets == MAX_TARGETS)
		return NULL;
	unsigned index = 0;
	for (size_t i = 0; i < ntargets; i++)
		if (strcmp(targets[i].kind, kind) == 0)
			index++;
	struct target *t = &targets[ntargets];
	*t = (struct target){ .kind = kind, .index = index, .address = address, .len = len };
	return t;
}

static void target_add_file(const char *kind, uint64_t off, uint64_t len)
{
	if (off >= fixture_map->size)
		return;
	if (len > fixture_map->size - off)
		len = fixture_map->size - off;
	struct target *t = target_new(kind, off, len);
	if (!t)
		return;
	t->spans[0] = (struct span){ 0, off, len };
	t->nspans = 1;
	ntargets++;
}

/* A structure at a kernel VA (virtual) or PA, split at page boundaries;
 * kept when at least one of its pages is in the file. */
static void target_add_memory(struct dump *d, const char *kind, uint64_t address, uint64_t len,
			      bool virtual)
{
	struct target *t = target_new(kind, address, len);
	if (!t)
		return;
	for (uint64_t done = 0; done < len && t->nspans < MAX_SPANS;) {
		uint64_t addr = address + done, pa = addr, off;
		uint64_t n = KDX_PAGE_SIZE - (addr & (KDX_PAGE_SIZE - 1));
		if (n > len - done)
			n = len - done;
		bool ok = (!virtual || (d->kernel && xlat_to_phys(d->kernel, addr, &pa) == XLAT_OK)) &&
			  phys_offset(d, pa, &off);
		if (ok)
			t->spans[t->nspans++] = (struct span){ done, off, n };
		done += n;
	}
	if (t->nspans)
		ntargets++;
}

/* Structures of one truth key: each value, page-aligned when asked, once. */
static void targets_from_truth(struct dump *d, const char *json, const char *section,
			       const char *key, const char *kind, uint64_t len, uint64_t align,
			       bool virtual, size_t max)
{
	uint64_t vals[512];
	size_t n = truth_values(json, section, NULL, key, vals, sizeof vals / sizeof vals[0]);
	size_t added = 0;
	for (size_t i = 0; i < n && added < max; i++) {
		uint64_t a = vals[i] & ~(align - 1);
		bool seen = false;
		for (size_t k = 0; k < ntargets && !seen; k++)
			seen = strcmp(targets[k].kind, kind) == 0 && targets[k].address == a;
		if (seen || a == 0)
			continue;
		size_t before = ntargets;
		target_add_memory(d, kind, a, len, virtual);
		added += ntargets > before;
	}
}

static void find_targets(const char *fixture, const struct dump_file *map)
{
	fixture_map = map;
	bool crash = map->size >= 8 && memcmp(map->data, "PAGEDU", 6) == 0;
	bool is64 = crash && memcmp(map->data + 4, "DU64", 4) == 0;
	uint64_t header = crash ? (is64 ? 0x2000 : 0x1000) : KDX_PAGE_SIZE;
	target_add_file("header", 0, header);
	if (crash) {
		/* PhysicalMemoryBlock (doc/dump-format.md: DUMP_HEADER32 0x64, 64 0x88) */
		target_add_file("runs", is64 ? 0x88 : 0x64, 0x100);
		if (map->size >= header + 4 && (memcmp(map->data + header, "SDMP", 4) == 0 ||
						memcmp(map->data + header, "FDMP", 4) == 0))
			target_add_file("bitmap", header, 0x60);
		/* RDMP sub-header and range table (types 8, 9, 0xA) */
		if (map->size >= header + 8 && memcmp(map->data + header + 4, "RDMP", 4) == 0)
			target_add_file("ranges", header, 0x80);
	}

	char truth_path[4096];
	snprintf(truth_path, sizeof truth_path, "%s.truth.json", fixture);
	char *json = read_text(truth_path);
	struct kdx_error err = { .msg = "" };
	struct dump *d = NULL;
	if (!json || dump_open(fixture, &d, &err) < 0) {
		free(json);
		return;
	}
	uint64_t kdbg_size = 0x340;
	truth_values(json, "info", NULL, "kdbg_size", &kdbg_size, 1);
	targets_from_truth(d, json, "info", "kdbg", "kdbg", kdbg_size, 1, true, 1);
	targets_from_truth(d, json, "translations", "entry_address", "pagetable", 64, 64, false, 64);
	targets_from_truth(d, json, "process_translations", "entry_address", "pagetable", 64, 64,
			   false, 32);
	targets_from_truth(d, json, "kernel", "ps_active_process_head", "listhead", 16, 1, true, 1);
	targets_from_truth(d, json, "kernel", "ps_loaded_module_list", "listhead", 16, 1, true, 1);
	targets_from_truth(d, json, "processes", "eprocess", "eprocess", 0x600, 1, true, 16);
	targets_from_truth(d, json, "threads", "ethread", "ethread", 0x500, 1, true, 32);
	targets_from_truth(d, json, "modules", "ldr", "ldr", 0x100, 1, true, 16);
	targets_from_truth(d, json, "sessions", "mm_session_space", "session", 0x200, 1, true, 4);
	targets_from_truth(d, json, "kpcrs", "kpcr", "kpcr", 0x800, 1, true, 4);
	targets_from_truth(d, json, "pool", "address", "pool", KDX_PAGE_SIZE, KDX_PAGE_SIZE, true,
			   64);
	targets_from_truth(d, json, "pfn", "database", "pfn", KDX_PAGE_SIZE, 1, true, 1);
	targets_from_truth(d, json, "mapped_files", "control_area", "mapped", 0x100, 1, true, 8);
	targets_from_truth(d, json, "mapped_files", "segment", "mapped", 0x100, 1, true, 8);
	dump_close(d);
	free(json);
}

/* The command list, with addresses from the truth when it has them. */
static void build_commands(const char *fixture, char *out, size_t size)
{
	struct fuzz_addresses a = { 0xfffff80000000000ull, 0, 0, 0, "Proc" };
	char truth_path[4096];
	snprintf(truth_path, sizeof truth_path, "%s.truth.json", fixture);
	char *json = read_text(truth_path);
	if (json) {
		truth_values(json, "kernel", NULL, "base", &a.kernel, 1);
		truth_values(json, "processes", NULL, "eprocess", &a.process, 1);
		truth_values(json, "threads", NULL, "ethread", &a.thread, 1);
		truth_values(json, "pool", "\"pages\":", "address", &a.pool, 1);
		/* the leaking tag: the one with the most blocks */
		const char *p, *end;
		truth_section(json, "pool", &p, &end);
		static char tag[5];
		if ((p = strstr(p, "\"leak\":")) && p < end && (p = strstr(p, "\"tag\": \"")) &&
		    sscanf(p + strlen("\"tag\": \""), "%4[^\"]", tag) == 1)
			a.tag = tag;
		free(json);
	}
	char lines[FUZZ_MAX_COMMANDS][FUZZ_COMMAND_LEN];
	size_t n = fuzz_command_lines(&a, lines);
	size_t len = 0;
	for (size_t i = 0; i < n; i++) {
		size_t add = strlen(lines[i]);
		if (len + add + 3 > size)
			break;
		if (i) {
			memcpy(out + len, "; ", 2);
			len += 2;
		}
		memcpy(out + len, lines[i], add);
		len += add;
	}
	out[len] = '\0';
}

/* ---- mutants */

static const uint64_t interesting64[] = {
	0, ~0ull, 0x8000000000000000ull, 0x7fffffffffffffffull, 1, 0x1000, 0xffffffff,
	0xfffff80000000000ull, 0x0000800000000000ull,
};
static const uint32_t interesting32[] = {
	0, 0xffffffffu, 0x80000000u, 0x7fffffffu, 1, 0x1000, 0x10000, 0xfffffff0u,
};

static void put_le(uint8_t *p, uint64_t v, unsigned len)
{
	for (unsigned i = 0; i < len; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Where offset off of t lies in the file, if its len bytes do. */
static bool target_file_offset(const struct target *t, uint64_t off, unsigned len, uint64_t *fo)
{
	for (size_t i = 0; i < t->nspans; i++) {
		const struct span *s = &t->spans[i];
		if (off >= s->offset && off + len <= s->offset + s->len) {
			*fo = s->file_offset + (off - s->offset);
			return true;
		}
	}
	return false;
}

/* One edit in t: a random byte, a flipped bit, or an aligned word set to a
 * boundary value, to the structure's own address (a list pointing at
 * itself) or to another structure's. */
static bool random_edit(uint64_t *rng, const struct target *t, struct edit *e)
{
	unsigned op = (unsigned)(rng_next(rng) % 5);
	unsigned len = op < 2 ? 1 : op == 2 ? 4 : 8;
	uint64_t off = rng_next(rng) % t->len;
	off &= ~(uint64_t)(len - 1);
	uint64_t v;
	switch (op) {
	case 0: v = rng_next(rng) & 0xff; break;
	case 1: v = 0; break;   /* the flip is applied to the byte read back */
	case 2: v = interesting32[rng_next(rng) % (sizeof interesting32 / sizeof interesting32[0])]; break;
	case 3: v = interesting64[rng_next(rng) % (sizeof interesting64 / sizeof interesting64[0])]; break;
	default: {
		const struct target *other = &targets[rng_next(rng) % ntargets];
		v = (rng_next(rng) & 1 ? t->address : other->address) + (rng_next(rng) % 4) * 8;
		break;
	}
	}
	if (!target_file_offset(t, off, len, &e->file_offset))
		return false;
	e->t = t;
	e->offset = off;
	e->len = len;
	memcpy(e->saved, fixture_map->data + e->file_offset, len);
	if (op == 1) {
		e->bytes[0] = e->saved[0] ^ (uint8_t)(1u << (rng_next(rng) % 8));
	} else
		put_le(e->bytes, v, len);
	return true;
}

/* "KIND[I]+OFF=HEX" (HEX: the bytes in file order, at most 8), or
 * "KIND[I]+OFF=self" (the structure's own address, 8 bytes). */
static bool parse_patch(const char *spec, struct edit *e)
{
	char kind[32], hex[17];
	unsigned index;
	uint64_t off;
	if (sscanf(spec, "%31[a-z][%u]+%" SCNx64 "=%16[0-9a-fA-Fsel]", kind, &index, &off, hex) != 4 ||
	    strlen(hex) % 2)
		return false;
	const struct target *t = NULL;
	for (size_t i = 0; i < ntargets && !t; i++)
		if (strcmp(targets[i].kind, kind) == 0 && targets[i].index == index)
			t = &targets[i];
	bool self = t && strcmp(hex, "self") == 0;
	e->len = self ? 8 : (unsigned)strlen(hex) / 2;
	if (!t || !target_file_offset(t, off, e->len, &e->file_offset))
		return false;
	if (self)
		put_le(e->bytes, t->address, 8);
	for (unsigned i = 0; !self && i < e->len; i++) {
		unsigned b;
		if (sscanf(hex + 2 * i, "%2x", &b) != 1)
			return false;
		e->bytes[i] = (uint8_t)b;
	}
	e->t = t;
	e->offset = off;
	memcpy(e->saved, fixture_map->data + e->file_offset, e->len);
	return true;
}

static void describe_edits(const struct edit *e, size_t n, char *out, size_t size)
{
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(out);
		len += (size_t)snprintf(out + len, size - len, "%s%s[%u]+0x%" PRIx64 "=", i ? " " : "",
					e[i].t->kind, e[i].t->index, e[i].offset);
		for (unsigned k = 0; k < e[i].len && len + 3 < size; k++)
			len += (size_t)snprintf(out + len, size - len, "%02x", e[i].bytes[k]);
	}
}

static int apply_edits(int fd, const struct edit *e, size_t n, bool undo)
{
	for (size_t i = 0; i < n; i++) {
		size_t k = undo ? n - 1 - i : i;
		if (pwrite(fd, undo ? e[k].saved : e[k].bytes, e[k].len, (off_t)e[k].file_offset) !=
		    (ssize_t)e[k].len)
			return -1;
	}
	return 0;
}

/* ---- running kdx */

static void run_kdx(const char *kdx, const char *commands, bool json, const char *path,
		    unsigned timeout, struct run_result *r)
{
	memset(r, 0, sizeof *r);
	int pipefd[2];
	if (pipe(pipefd) < 0) {
		r->status = -1;
		return;
	}
	pid_t pid = fork();
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);
		dup2(devnull, STDOUT_FILENO);
		dup2(pipefd[1], STDERR_FILENO);
		close(pipefd[0]);
		struct rlimit core = { 0, 0 };
		setrlimit(RLIMIT_CORE, &core);
#ifdef UNDER_ASAN
		/* ASan reserves terabytes of shadow, so its allocator bounds memory
		 * there: a huge request fails as it would under RLIMIT_AS */
		static char asan[1024];
		const char *old = getenv("ASAN_OPTIONS");
		snprintf(asan, sizeof asan, "%s%sallocator_may_return_null=1:max_allocation_size_mb=%d",
			 old ? old : "", old && *old ? ":" : "", AS_LIMIT_MIB);
		setenv("ASAN_OPTIONS", asan, 1);
#else
		struct rlimit as = { (rlim_t)AS_LIMIT_MIB << 20, (rlim_t)AS_LIMIT_MIB << 20 };
		setrlimit(RLIMIT_AS, &as);
#endif
		alarm(timeout);   /* survives exec: a hang ends in SIGALRM */
		if (json)
			execl(kdx, kdx, "--json", "-c", commands, path, (char *)NULL);
		else
			execl(kdx, kdx, "-c", commands, path, (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	if (pid < 0) {
		close(pipefd[0]);
		r->status = -1;
		return;
	}
	char buf[4096];
	ssize_t got;
	while ((got = read(pipefd[0], buf, sizeof buf)) != 0) {
		if (got < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		size_t keep = (size_t)got;
		if (keep > sizeof r->err - 1 - r->errlen)
			keep = sizeof r->err - 1 - r->errlen;
		memcpy(r->err + r->errlen, buf, keep);
		r->errlen += keep;
	}
	r->err[r->errlen] = '\0';
	close(pipefd[0]);
	struct rusage ru;
	while (wait4(pid, &r->status, 0, &ru) < 0 && errno == EINTR)
		;
	r->maxrss_kib = ru.ru_maxrss;
}

/* Why r is a failure, or NULL when kdx behaved. */
static const char *judge(const struct run_result *r, const char *path, bool *refused,
			 char *why, size_t size)
{
	*refused = false;
	if (r->status == -1)
		return "could not run kdx";
	if (WIFSIGNALED(r->status)) {
		int sig = WTERMSIG(r->status);
		snprintf(why, size, "%s (signal %d)", sig == SIGALRM ? "timed out" : strsignal(sig),
			 sig);
		return why;
	}
	if (strstr(r->err, "Sanitizer") || strstr(r->err, "runtime error:"))
		return "sanitizer report";
	if (r->maxrss_kib > (long)RSS_LIMIT_MIB << 10) {
		snprintf(why, size, "used %ld MiB (limit %d)", r->maxrss_kib >> 10, RSS_LIMIT_MIB);
		return why;
	}
	int code = WEXITSTATUS(r->status);
	if (code == 2) {
		*refused = true;
		const char *nl = strchr(r->err, '\n');
		if (!nl || nl[1] != '\0')
			return "refused, but not with exactly one line";
		if (strncmp(r->err, "kdx: ", 5) != 0 || !strstr(r->err, path))
			return "refused, but the line does not name the file";
		return NULL;
	}
	if (code != 0 && code != 1) {
		snprintf(why, size, "exit status %d", code);
		return why;
	}
	for (const char *line = r->err; *line;) {
		if (strncmp(line, "kdx: ", 5) != 0)
			return "a stderr line that is not a kdx message";
		const char *nl = strchr(line, '\n');
		if (!nl)
			break;
		line = nl + 1;
	}
	return NULL;
}

static int copy_file(const char *from, const char *to)
{
	int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	int r = in < 0 || out < 0 ? -1 : 0;
	char buf[1 << 16];
	ssize_t n;
	while (r == 0 && (n = read(in, buf, sizeof buf)) > 0)
		if (write(out, buf, (size_t)n) != n)
			r = -1;
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out) < 0)
		r = -1;
	return r;
}

/* Runs kdx on the mutant the edits make of the copy; prints a failure
 * with how to reproduce it. Returns -1 when the copy cannot be written. */
struct mutation_run {
	const char *kdx, *fixture, *base, *path, *commands, *keep;
	int fd;
	unsigned timeout;
	uint64_t seed, runs, opened, refused, failed;
};

static int run_mutant(struct mutation_run *s, const struct edit *edits, size_t nedits,
		      const char *label, bool json)
{
	if (apply_edits(s->fd, edits, nedits, false) < 0)
		return -1;
	struct run_result r;
	run_kdx(s->kdx, s->commands, json, s->path, s->timeout, &r);
	char why_buf[128], what[1024];
	bool was_refused;
	const char *why = judge(&r, s->path, &was_refused, why_buf, sizeof why_buf);
	s->runs++;
	if (why) {
		s->failed++;
		describe_edits(edits, nedits, what, sizeof what);
		printf("# %s %s: %s\n#   edits: %s\n", s->base, label, why, what);
		for (const char *line = r.err; *line && line < r.err + 1500;) {
			const char *nl = strchr(line, '\n');
			int len = nl ? (int)(nl - line) : (int)strlen(line);
			printf("#   | %.*s\n", len, line);
			line += len + (nl ? 1 : 0);
		}
		if (s->keep) {
			char kept[4300];
			snprintf(kept, sizeof kept, "%s/%s.%s", s->keep, s->base, label);
			for (char *c = kept + strlen(s->keep) + 1; *c; c++)
				if (!isalnum((unsigned char)*c) && *c != '.')
					*c = '-';
			if (copy_file(s->path, kept) == 0)
				printf("#   kept as %s\n", kept);
		}
	} else if (was_refused)
		s->refused++;
	else
		s->opened++;
	return apply_edits(s->fd, edits, nedits, true);
}

static const char usage[] =
	"usage: kdx-mutate [--count N] [--seed S] [--only I] [--timeout SEC] [--keep DIR]\n"
	"                  KDX FIXTURE\n"
	"       kdx-mutate --patch KIND[I]+OFF=HEX... [--timeout SEC] [--keep DIR] KDX FIXTURE\n";

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, 0, 'n' }, { "seed", required_argument, 0, 's' },
		{ "only", required_argument, 0, 'o' },  { "timeout", required_argument, 0, 't' },
		{ "patch", required_argument, 0, 'p' }, { "keep", required_argument, 0, 'k' },
		{ 0, 0, 0, 0 },
	};
	struct mutation_run s = { .seed = 1, .timeout = 20 };
	uint64_t count = 100, only = UINT64_MAX;
	const char *patches[MAX_EDITS * 4];
	size_t npatches = 0;
	int c;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'n': count = strtoull(optarg, NULL, 0); break;
		case 's': s.seed = strtoull(optarg, NULL, 0); break;
		case 'o': only = strtoull(optarg, NULL, 0); break;
		case 't': s.timeout = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'k': s.keep = optarg; break;
		case 'p':
			if (npatches == sizeof patches / sizeof patches[0]) {
				fputs("kdx-mutate: too many --patch\n", stderr);
				return 2;
			}
			patches[npatches++] = optarg;
			break;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind != argc - 2 || s.timeout == 0) {
		fputs(usage, stderr);
		return 2;
	}
	s.kdx = argv[optind];
	s.fixture = argv[optind + 1];
	s.base = strrchr(s.fixture, '/') ? strrchr(s.fixture, '/') + 1 : s.fixture;
	struct dump_file map;
	struct kdx_error err = { .msg = "" };
	if (dump_file_open(s.fixture, &map, &err) < 0) {
		fprintf(stderr, "kdx-mutate: %s\n", err.msg);
		return 2;
	}
	find_targets(s.fixture, &map);
	if (ntargets == 0) {
		fprintf(stderr, "kdx-mutate: %s: empty: nothing to mutate\n", s.fixture);
		dump_file_close(&map);
		return 2;
	}
	static char commands[FUZZ_MAX_COMMANDS * FUZZ_COMMAND_LEN];
	build_commands(s.fixture, commands, sizeof commands);
	s.commands = commands;

	/* The mutant is the fixture copied once, edited in place and restored. */
	char dir[] = "/tmp/kdx-mutate-XXXXXX", path[4200];
	if (!mkdtemp(dir)) {
		perror("kdx-mutate: mkdtemp");
		dump_file_close(&map);
		return 2;
	}
	snprintf(path, sizeof path, "%s/%s", dir, s.base);
	s.path = path;
	s.fd = copy_file(s.fixture, path) < 0 ? -1 : open(path, O_WRONLY);
	int status = s.fd < 0 ? 2 : 0;
	if (s.fd < 0)
		fprintf(stderr, "kdx-mutate: %s: cannot copy the fixture\n", path);

	struct edit edits[MAX_EDITS * 4];
	if (status == 0 && npatches) {
		for (size_t k = 0; k < npatches && status == 0; k++)
			if (!parse_patch(patches[k], &edits[k])) {
				fprintf(stderr, "kdx-mutate: %s: --patch %s: no such target, or "
					"not in the file\n", s.fixture, patches[k]);
				status = 2;
			}
		if (status == 0 && (run_mutant(&s, edits, npatches, "patch", false) < 0 ||
				    run_mutant(&s, edits, npatches, "patch --json", true) < 0)) {
			perror("kdx-mutate: writing the mutant");
			status = 2;
		}
	}
	uint64_t first = only == UINT64_MAX ? 0 : only, last = only == UINT64_MAX ? count : only + 1;
	for (uint64_t i = first; status == 0 && !npatches && i < last; i++) {
		uint64_t rng = s.seed ^ name_hash(s.base) ^ (i * 0xd1342543de82ef95ull);
		const struct target *t = &targets[rng_next(&rng) % ntargets];
		size_t want = 1 + rng_next(&rng) % MAX_EDITS, nedits = 0;
		for (size_t tries = 0; nedits < want && tries < 4 * MAX_EDITS; tries++)
			nedits += random_edit(&rng, t, &edits[nedits]);
		char label[64];
		snprintf(label, sizeof label, "mutant %" PRIu64 " (seed %" PRIu64 ")", i, s.seed);
		if (run_mutant(&s, edits, nedits, label, i % 2) < 0) {
			perror("kdx-mutate: writing the mutant");
			status = 2;
		}
	}
	if (s.fd >= 0)
		close(s.fd);
	unlink(path);
	rmdir(dir);

	char kinds[512] = "";
	for (size_t i = 0; i < ntargets; i++)
		if (targets[i].index == 0) {
			size_t len = strlen(kinds);
			snprintf(kinds + len, sizeof kinds - len, " %s", targets[i].kind);
		}
	printf("%s: %" PRIu64 " mutants: %" PRIu64 " opened, %" PRIu64 " refused, %" PRIu64
	       " failed; targets:%s\n", s.base, s.runs, s.opened, s.refused, s.failed, kinds);
	if (s.failed && status == 0)
		status = 1;
	if (s.failed)
		printf("# reproduce one: kdx-mutate --seed %" PRIu64 " --only I --keep DIR %s %s\n",
		       s.seed, s.kdx, s.fixture);
	dump_file_close(&map);
	return status;
}
