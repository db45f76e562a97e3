/* libFuzzer: one structure walker at a time on a generated win7-x64 kernel
 * dump, opened once. Walking it once at start records the pages it reads;
 * each input is a list of 11-byte patches (page index, offset, 8-byte value,
 * little-endian) laid over copies of those pages, and the walker runs on
 * the patched memory. The walker is chosen at build time (FUZZ_WALKER):
 *   fuzz_processes     the process list and each process's thread list
 *   fuzz_modules       PsLoadedModuleList
 *   fuzz_sessions      the session list, from the processes
 *   fuzz_tracker       the pool tag tracker table
 *   fuzz_pool_page     one pool page, block by block
 *   fuzz_big_pages     the big-page table
 *   fuzz_mapped_files  the PFN database's mapped files (control areas)
 * The empty input is the clean walk (tests/fuzz/corpus). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/util/bytes.h"
#include "core/dump.h"
#include "core/nt/mapped_files.h"
#include "core/nt/modules.h"
#include "core/nt/pfn.h"
#include "core/nt/pool.h"
#include "core/nt/process.h"
#include "core/nt/session.h"
#include "tests/fuzz/fuzz_file.h"
#include "tests/gen/world.h"
#include "tests/gen/world_pool.h"

enum { WALK_PROCESSES = 1, WALK_MODULES, WALK_SESSIONS, WALK_TRACKER, WALK_POOL_PAGE,
       WALK_BIG_PAGES, WALK_MAPPED_FILES };

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_PAGES 32
#define PATCH_BYTES 11

static struct dump *dump;
static uint64_t pool_page_va;
static const struct source_ops *real;
static uint64_t pfns[MAX_PAGES];
static uint8_t copies[MAX_PAGES][KDX_PAGE_SIZE];
static bool patched[MAX_PAGES];
static size_t npfns;
static bool recording;

static const uint8_t *overlay_page(struct source *s, uint64_t pfn, uint8_t *scratch)
{
	for (size_t i = 0; i < npfns; i++)
		if (pfns[i] == pfn)
			return patched[i] ? copies[i] : real->page(s, pfn, scratch);
	if (recording && npfns < MAX_PAGES)
		pfns[npfns++] = pfn;
	return real->page(s, pfn, scratch);
}

static void overlay_close(struct source *s)
{
	real->close(s);
}

static const struct source_ops overlay_ops = { overlay_page, overlay_close };

static void walk(void)
{
	struct kdx_error err = { .msg = "" };
	struct process_list pl;
	struct pool_ctx c;
	switch (FUZZ_WALKER) {
	case WALK_PROCESSES:
	case WALK_SESSIONS:
		if (process_list_read(dump, &pl, &err) < 0)
			break;
		if (FUZZ_WALKER == WALK_SESSIONS) {
			struct session_list sl;
			if (session_list_read(dump, &pl, &sl, &err) == 0)
				session_list_free(&sl);
		}
		process_list_free(&pl);
		break;
	case WALK_MODULES: {
		struct module_list ml;
		if (modules_read(dump, &ml, &err) == 0)
			modules_free(&ml);
		break;
	}
	case WALK_TRACKER: {
		struct pool_tracker t;
		if (pool_tracker_read(dump, &t, &err) == 0)
			pool_tracker_free(&t);
		break;
	}
	case WALK_POOL_PAGE:
		if (pool_ctx_init(dump, NULL, &c, &err) == 0) {
			static struct pool_page page;
			pool_walk_page(&c, pool_page_va, &page);
		}
		break;
	case WALK_BIG_PAGES:
		if (pool_ctx_init(dump, NULL, &c, &err) == 0) {
			struct pool_big_table t;
			pool_big_find(&c, &t);
		}
		break;
	case WALK_MAPPED_FILES: {
		struct pfn_db db;
		struct mapped_files m;
		if (pfn_db_open(dump, &db, &err) == 0 && mapped_files_scan(&db, &m, &err) == 0)
			mapped_files_free(&m);
		break;
	}
	default:
		abort();
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	struct world w;
	struct kdx_error err = { .msg = "" };
	const char *path = fuzz_file_write(0, "win7-x64.kernel.dmp", NULL, 0);
	if (world_build(&w, profile_by_name("win7-x64"), 3, &err) < 0 ||
	    gen_write(&w.img, GEN_BITMAP_KERNEL, path, &err) < 0 || dump_open(path, &dump, &err) < 0) {
		fprintf(stderr, "fuzz_walk: %s\n", err.msg);
		abort();
	}
	pool_page_va = w.pool->pages[0].va;
	world_free(&w);
	real = dump->src->ops;
	dump->src->ops = &overlay_ops;
	recording = true;
	walk();
	recording = false;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	memset(patched, 0, sizeof patched);
	for (size_t at = 0; npfns && at + PATCH_BYTES <= size; at += PATCH_BYTES) {
		size_t i = data[at] % npfns;
		size_t off = le_bytes(data + at + 1, 2) % (KDX_PAGE_SIZE - 7);
		if (!patched[i]) {
			uint8_t scratch[KDX_PAGE_SIZE];
			const uint8_t *p = real->page(dump->src, pfns[i], scratch);
			if (!p)
				continue;
			memcpy(copies[i], p, KDX_PAGE_SIZE);
			patched[i] = true;
		}
		memcpy(copies[i] + off, data + at + 3, 8);
	}
	walk();
	return 0;
}
