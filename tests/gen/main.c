/* kdx-gen: writes synthetic Windows kernel dumps with their ground truth.
 *   kdx-gen --fixtures DIR                 every profile x format, bad inputs
 *   kdx-gen --demo PATH                    the demo dump (win10-x64, kernel bitmap)
 *   kdx-gen --profile P --format F [--seed N] OUT
 * Each dump OUT gets OUT.truth.json beside it. Exit status: 0 written,
 * 1 a write failed, 2 usage. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/gen/linux.h"
#include "tests/gen/world.h"
#include "tests/gen/world_pool.h"
#include "tests/gen/world_verifier.h"

#define DEMO_PROFILE "win10-x64"
#define DEMO_SEED 42
/* The demo's machine: RAM up to 2.5 GiB, room for doc/scenarios.md §1's
 * 573,277 available pages beside its 125 MB of nonpaged pool. */
#define DEMO_RAM_END 0xa0000000ull

static const char usage[] =
	"usage: kdx-gen --fixtures DIR\n"
	"       kdx-gen --demo PATH\n"
	"       kdx-gen --profile PROFILE --format FORMAT [--seed N] [--leak-pages N]\n"
	"               [--pool-mib N] [--ram-mib N] [--verifier] OUT\n"
	"profiles: xp-x86 win7-x86-pae win7-x64 win7-x64-2016 win81-x64 win10-1809-x64\n"
	"          win10-2004-x86 win10-x64 win11-21h2-x64 win11-x64 win11-24h2-x64 future-x64\n"
	"formats: full summary triage bitmap kernel elf elf-paging elf-xnum elf-qemu raw\n"
	"         rdmp-kernel rdmp-active rdmp-full kdump kdump-filtered kdump-zlib kdump-flat\n"
	"         kdump-flat-lzo kdump-flat-snappy kdump-flat-zstd\n";

/* The fixture set: full dumps for every profile, bitmap and kernel bitmap
 * for x64 up to 10, legacy summary for 7, triage and the three RDMP types for 10, ELF
 * and raw for one 32-bit and one 64-bit profile, paging-mode ELF for the
 * 32-bit one (the 64-bit one's is the PN_XNUM core), a rootless ELF for each
 * paging mode. Bad inputs derive from the win7-x64 files, bad RDMP inputs
 * from the win10-x64 one. The later builds get a full dump each: the
 * structure panes' tests run on them, the containers are tested above. */
struct fixture_profile {
	const char *profile;
	uint64_t seed;
	enum gen_format formats[16];
	size_t nformats;
	bool rootless;
};
static const struct fixture_profile fixture_set[] = {
	{ "xp-x86", 1, { GEN_FULL, GEN_ELF, GEN_ELF_PAGING, GEN_RAW }, 4, true },
	{ "win7-x86-pae", 2, { GEN_FULL, GEN_SUMMARY }, 2, true },
	{ "win7-x64", 3, { GEN_FULL, GEN_BITMAP_FULL, GEN_BITMAP_KERNEL, GEN_SUMMARY, GEN_ELF,
			   GEN_ELF_XNUM, GEN_RAW, GEN_KDUMP, GEN_KDUMP_FILTERED, GEN_KDUMP_ZLIB,
			   GEN_KDUMP_FLAT, GEN_KDUMP_FLAT_LZO, GEN_KDUMP_FLAT_SNAPPY,
			   GEN_KDUMP_FLAT_ZSTD }, 14, true },
	{ "win10-x64", 4, { GEN_FULL, GEN_BITMAP_FULL, GEN_BITMAP_KERNEL, GEN_TRIAGE,
			    GEN_RDMP_KERNEL, GEN_RDMP_ACTIVE, GEN_RDMP_FULL }, 7, false },
	{ "win11-x64", 5, { GEN_FULL }, 1, false },
	{ "win81-x64", 6, { GEN_FULL }, 1, false },
	{ "win10-1809-x64", 8, { GEN_FULL }, 1, false },
	{ "win10-2004-x86", 9, { GEN_FULL }, 1, false },
	{ "win7-x64-2016", 7, { GEN_FULL }, 1, false },
	{ "win11-21h2-x64", 10, { GEN_FULL }, 1, false },
	{ "win11-24h2-x64", 11, { GEN_FULL }, 1, false },
};
#define BAD_SOURCE "win7-x64"
#define BAD_RDMP_SOURCE "win10-x64"
/* The Driver Verifier scenario: this profile with the verifier on. */
#define VERIFIER_SOURCE "win10-x64"
#define VERIFIER_SEED 4

static int write_dump(const struct world *w, enum gen_format fmt, const char *path,
		      struct kdx_error *err)
{
	char truth[4096];
	snprintf(truth, sizeof truth, "%s.truth.json", path);
	if (gen_write(&w->img, fmt, path, err) < 0 || truth_write(w, fmt, truth, err) < 0)
		return -1;
	return 0;
}

static int write_single(const char *profile, enum gen_format fmt, uint64_t seed,
			const char *path, struct kdx_error *err);

static int write_fixtures(const char *dir, struct kdx_error *err)
{
	for (size_t i = 0; i < sizeof fixture_set / sizeof fixture_set[0]; i++) {
		const struct fixture_profile *fp = &fixture_set[i];
		struct world w;
		if (world_build(&w, gen_profile(fp->profile), fp->seed, err) < 0)
			return -1;
		int r = 0;
		for (size_t k = 0; r == 0 && k < fp->nformats; k++) {
			char path[4096];
			snprintf(path, sizeof path, "%s/%s%s", dir, fp->profile,
				 world_format_suffix(fp->formats[k]));
			r = write_dump(&w, fp->formats[k], path, err);
		}
		if (r == 0 && strcmp(fp->profile, BAD_SOURCE) == 0)
			r = bad_fixtures_write(dir, &w, err);
		if (r == 0 && strcmp(fp->profile, BAD_SOURCE) == 0)
			r = corrupt_fixtures_write(dir, w.profile, fp->seed, err);
		if (r == 0 && strcmp(fp->profile, BAD_RDMP_SOURCE) == 0)
			r = bad_rdmp_fixtures_write(dir, &w, err);
		if (r == 0 && fp->rootless)
			r = rootless_fixture_write(dir, &w, err);
		world_free(&w);
		if (r < 0)
			return -1;
	}
	if (linux_fixtures_write(dir, err) < 0)
		return -1;
	char path[4096];
	snprintf(path, sizeof path, "%s/verifier-%s.dmp", dir, VERIFIER_SOURCE);
	world_set_verifier(true);
	int r = write_single(VERIFIER_SOURCE, GEN_FULL, VERIFIER_SEED, path, err);
	world_set_verifier(false);
	return r;
}

static int write_single(const char *profile, enum gen_format fmt, uint64_t seed,
			const char *path, struct kdx_error *err)
{
	const struct profile *p = gen_profile(profile);
	struct world w;
	if (world_build(&w, p, seed, err) < 0)
		return -1;
	int r = write_dump(&w, fmt, path, err);
	world_free(&w);
	return r;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "fixtures", required_argument, 0, 'F' },
		{ "demo", required_argument, 0, 'D' },
		{ "profile", required_argument, 0, 'p' },
		{ "format", required_argument, 0, 'f' },
		{ "seed", required_argument, 0, 's' },
		{ "leak-pages", required_argument, 0, 'L' },
		{ "pool-mib", required_argument, 0, 'P' },
		{ "verifier", no_argument, 0, 'V' },
		{ "ram-mib", required_argument, 0, 'R' },
		{ "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	const char *fixtures = NULL, *demo = NULL, *profile = NULL, *format = NULL;
	uint64_t seed = 1;
	int c;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		char *end;
		switch (c) {
		case 'F': fixtures = optarg; break;
		case 'D': demo = optarg; break;
		case 'p': profile = optarg; break;
		case 'f': format = optarg; break;
		case 's':
			seed = strtoull(optarg, &end, 0);
			if (*optarg == '\0' || *end != '\0') {
				fprintf(stderr, "kdx-gen: --seed %s: expected a number\n", optarg);
				return 2;
			}
			break;
		case 'L': {
			uint64_t pages = strtoull(optarg, &end, 0);
			if (*optarg == '\0' || *end != '\0' || pages == 0 || pages > 512) {
				fprintf(stderr, "kdx-gen: --leak-pages %s: expected 1 to 512 (the "
					"world has 16 MiB of RAM)\n", optarg);
				return 2;
			}
			world_pool_set_leak_pages(pages);
			break;
		}
		case 'P': {
			uint64_t mib = strtoull(optarg, &end, 0);
			if (*optarg == '\0' || *end != '\0' || mib == 0 || mib > 8192) {
				fprintf(stderr, "kdx-gen: --pool-mib %s: expected 1 to 8192\n", optarg);
				return 2;
			}
			/* the pages, their page tables and PFN entries, and room to spare */
			world_set_extra_ram((mib + mib / 32 + 8) << 20);
			world_pool_set_bulk_mib(mib);
			break;
		}
		case 'R': {
			uint64_t mib = strtoull(optarg, &end, 0);
			if (*optarg == '\0' || *end != '\0' || mib < 64 || mib > 65536) {
				fprintf(stderr, "kdx-gen: --ram-mib %s: expected 64 to 65536\n", optarg);
				return 2;
			}
			/* the machine's whole RAM, as a guest dump holds it: mostly zero pages */
			world_set_whole_machine(mib << 20);
			break;
		}
		case 'V': world_set_verifier(true); break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	int modes = !!fixtures + !!demo + !!(profile || format);
	bool single = profile || format;
	if (modes != 1 || (single && (!profile || !format || optind != argc - 1)) ||
	    (!single && optind != argc)) {
		fputs(usage, stderr);
		return 2;
	}
	enum gen_format fmt = GEN_FULL;
	if (single && !gen_profile(profile)) {
		fprintf(stderr, "kdx-gen: unknown profile '%s'\n%s", profile, usage);
		return 2;
	}
	if (single && !world_format_parse(format, &fmt)) {
		fprintf(stderr, "kdx-gen: unknown format '%s'\n%s", format, usage);
		return 2;
	}
	struct kdx_error err = { .msg = "" };
	int r;
	if (fixtures)
		r = write_fixtures(fixtures, &err);
	else if (demo) {
		/* a kernel memory dump, as a real machine writes one: its RAM whole,
		 * only the kernel's pages stored */
		world_set_whole_machine(DEMO_RAM_END);
		r = write_single(DEMO_PROFILE, GEN_BITMAP_KERNEL, DEMO_SEED, demo, &err);
	}
	else
		r = write_single(profile, fmt, seed, argv[optind], &err);
	if (r < 0) {
		fprintf(stderr, "kdx-gen: %s\n", err.msg);
		return 1;
	}
	return 0;
}
