/* kdx: command line. Batch mode runs commands and prints documents; without
 * -c the interactive explorer opens. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tui/app.h"
#include "tui/batch.h"
#include "core/dump.h"
#include "core/analysis/pooltag.h"
#include "core/nt/layout_kdbg.h"
#include "tui/options.h"
#include "tui/tui.h"
#include "views/commands.h"
#include "views/doc/render.h"
#include "views/doc/xalloc.h"

static void usage(FILE *f)
{
	fputs("usage: kdx [OPTIONS] DUMP\n"
	      "       kdx --demo\n"
	      "       kdx -c 'CMD; CMD' [--json] DUMP\n"
	      "       kdx --diff A B             pool tags of dump A against the later B\n"
	      "       kdx --build B --arch A -c 'dt TYPE'   a build's layouts, without a dump\n"
	      "\n"
	      "Explore a Windows kernel memory dump: crash dumps (.dmp: full, kernel,\n"
	      "bitmap, legacy summary; triage headers), ELF cores, kdump-compressed\n"
	      "dumps and raw physical images (.raw .mem .vmem .bin).\n"
	      "\n"
	      "  -c, --commands 'CMD; ...'  run commands, print the results, exit\n"
	      "  -j, --json                 with -c: print a JSON array, one object per command\n"
	      "  -v, --verbose              info as info -v: the reader's choices and the\n"
	      "                             physical ranges (batch mode and the overview)\n"
	      "      --demo                 open the built-in demo dump\n"
	      "      --theme NAME           colour theme (default: set theme = NAME in\n"
	      "                             $XDG_CONFIG_HOME/kdx/config)\n"
	      "      --list-themes          list themes and where each comes from\n"
	      "      --keys                 the explorer's keys and the commands, as ? shows them\n"
	      "      --pooltag FILE         pool tag descriptions (pooltag.txt format)\n"
	      "      --layout FILE          structure offsets from FILE (a data/layouts table),\n"
	      "                             replacing the built-in ones (repeatable)\n"
	      "      --build B[.REV]        the kernel build (7601, 7601.23418): without a dump,\n"
	      "                             with --arch, for dt; with one, instead of its own\n"
	      "      --arch x86|x64         the machine: for --build without a dump, or of a\n"
	      "                             dump that does not say it (a raw image)\n"
	      "      --diff A B             open A with the pooldiff pane against B (with\n"
	      "                             --json and no -c: print that pane)\n"
	      "  -h, --help                 this help\n"
	      "  -V, --version              version\n"
	      "\n"
	      "Commands: kdx -c help DUMP lists them. Exit status: 0 success, 1 a command\n"
	      "failed, 2 usage error or unreadable dump.\n", f);
}

/* --keys: the help pane's document, so the keys can be read (and the man
 * page checked against them) without a terminal or a dump. */
static int print_keys(bool json)
{
	struct doc doc;
	app_help_doc(&doc);
	if (json) {
		render_json_value(stdout, doc.root);
		putchar('\n');
	} else {
		render_text(stdout, &doc);
	}
	doc_free(&doc);
	return 0;
}

/* What is wrong with the arguments left after the options, on the first
 * line, then the usage. */
static void wrong_arguments(const struct kdx_options *opt, int n, char **args)
{
	if (n == 0 && opt->commands)
		fprintf(stderr, "kdx: -c needs a dump: kdx -c '%s' DUMP\n", opt->commands);
	else if (n == 0)
		fprintf(stderr, "kdx: no dump given: kdx DUMP, kdx --demo, or kdx --help\n");
	else {
		fprintf(stderr, "kdx: one dump at a time: '");
		for (int i = 0; i < n; i++)
			fprintf(stderr, "%s%s", i ? " " : "", args[i]);
		fprintf(stderr, "' are %d arguments (kdx --diff A B compares two dumps' pool "
			"tags)\n", n);
	}
	usage(stderr);
}

/* The demo dump: the build tree's when run from it, else the installed one. */
static const char *demo_path(void)
{
	static const char *const candidates[] = {
		KDX_BUILDDIR "/demo/demo.dmp",
		KDX_DATADIR "/demo.dmp",
	};
	for (size_t i = 0; i < sizeof candidates / sizeof candidates[0]; i++)
		if (access(candidates[i], R_OK) == 0)
			return candidates[i];
	return NULL;
}

/* --build: "7601", "7601.23418", "6.1.7601" or "6.1.7601.23418" (with three
 * or four numbers the third is the build, the fourth its revision). */
static bool parse_build(const char *s, uint32_t *build, uint32_t *revision)
{
	unsigned long v[4];
	int n = 0;
	for (const char *p = s;; p++) {
		char *end;
		if (n == 4 || *p < '0' || *p > '9')
			return false;
		v[n++] = strtoul(p, &end, 10);
		if (*end == 0)
			break;
		if (*end != '.')
			return false;
		p = end;
	}
	*build = (uint32_t)(n >= 3 ? v[2] : v[0]);
	*revision = n == 2 ? (uint32_t)v[1] : n == 4 ? (uint32_t)v[3] : 0;
	return *build > 0 && *build < 100000;
}

/* kdx --build B --arch A -c CMD: dt (and help) on the built-in layouts. */
static int run_without_dump(const struct kdx_options *opt, const char *build, uint32_t number,
			    uint32_t revision, const char *arch, enum machine machine)
{
	if (!build || !arch || !opt->commands) {
		fprintf(stderr, "kdx: %s without a dump needs %s: kdx --build %s --arch %s -c '%s'\n",
			build ? "--build" : "--arch", !build ? "--build" : !arch ? "--arch" : "-c",
			build ? build : "B", arch ? arch : "x86|x64",
			opt->commands ? opt->commands : "dt TYPE");
		return 2;
	}
	struct dump d = { 0 };
	d.machine = machine;
	d.has_build = true;
	d.build = number;
	d.revision = revision;
	return batch_run(&d, opt->commands, opt->json, opt->verbose, stdout, stderr);
}

int main(int argc, char **argv)
{
	enum { OPT_DEMO = 256, OPT_THEME, OPT_LIST_THEMES, OPT_POOLTAG, OPT_DIFF, OPT_KEYS, OPT_LAYOUT,
	       OPT_BUILD, OPT_ARCH };
	static const struct option longopts[] = {
		{ "commands", required_argument, 0, 'c' },
		{ "json", no_argument, 0, 'j' },
		{ "verbose", no_argument, 0, 'v' },
		{ "demo", no_argument, 0, OPT_DEMO },
		{ "theme", required_argument, 0, OPT_THEME },
		{ "list-themes", no_argument, 0, OPT_LIST_THEMES },
		{ "keys", no_argument, 0, OPT_KEYS },
		{ "pooltag", required_argument, 0, OPT_POOLTAG },
		{ "layout", required_argument, 0, OPT_LAYOUT },
		{ "build", required_argument, 0, OPT_BUILD },
		{ "arch", required_argument, 0, OPT_ARCH },
		{ "diff", no_argument, 0, OPT_DIFF },
		{ "help", no_argument, 0, 'h' },
		{ "version", no_argument, 0, 'V' },
		{ 0, 0, 0, 0 },
	};
	struct kdx_options opt = { 0 };
	bool diff = false, keys = false;
	const char *build = NULL, *arch = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "c:jvhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': opt.commands = optarg; break;
		case 'j': opt.json = true; break;
		case 'v': opt.verbose = true; break;
		case OPT_DEMO: opt.demo = true; break;
		case OPT_THEME: opt.theme = optarg; break;
		case OPT_LIST_THEMES: return tui_list_themes();
		case OPT_POOLTAG: opt.pooltag = optarg; break;
		case OPT_LAYOUT:
			if (opt.nlayouts == sizeof opt.layouts / sizeof opt.layouts[0]) {
				fprintf(stderr, "kdx: too many --layout files\n");
				return 2;
			}
			opt.layouts[opt.nlayouts++] = optarg;
			break;
		case OPT_BUILD: build = optarg; break;
		case OPT_ARCH: arch = optarg; break;
		case OPT_DIFF: diff = true; break;
		case OPT_KEYS: keys = true; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("kdx %s\n", PACKAGE_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (keys)
		return print_keys(opt.json);
	uint32_t build_number = 0, revision = 0;
	if (build && !parse_build(build, &build_number, &revision)) {
		fprintf(stderr, "kdx: --build %s: expected a build number, such as 7601 or 7601.23418 "
			"(or 6.1.7601, 6.1.7601.23418)\n", build);
		return 2;
	}
	enum machine machine = MACHINE_UNKNOWN;
	if (arch && strcmp(arch, "x86") == 0) {
		machine = MACHINE_X86;
	} else if (arch && strcmp(arch, "x64") == 0) {
		machine = MACHINE_X64;
	} else if (arch) {
		fprintf(stderr, "kdx: --arch %s: expected x86 or x64\n", arch);
		return 2;
	}
	/* With a dump, --arch names the machine of one that does not say it. */
	if ((arch || build) && optind == argc && !opt.demo && !diff)
		return run_without_dump(&opt, build, build_number, revision, arch, machine);
	char *diff_command = NULL;
	if (diff) {
		if (opt.demo || optind + 2 != argc) {
			fprintf(stderr, "kdx: --diff takes two dumps: the earlier and the later\n");
			return 2;
		}
		opt.dump_path = argv[optind];
		char *later = command_quote(argv[optind + 1]);
		diff_command = xasprintf("pooldiff %s", later);
		free(later);
		opt.first_command = diff_command;
		if (opt.json && !opt.commands)
			opt.commands = diff_command;
	} else if (opt.demo) {
		if (optind != argc) {
			fprintf(stderr, "kdx: --demo takes no dump argument\n");
			return 2;
		}
		opt.dump_path = demo_path();
		if (!opt.dump_path) {
			fprintf(stderr, "kdx: the demo dump is not built: run 'make' (looked in %s/demo "
				"and %s)\n", KDX_BUILDDIR, KDX_DATADIR);
			return 2;
		}
	} else if (optind + 1 == argc) {
		opt.dump_path = argv[optind];
	} else {
		wrong_arguments(&opt, argc - optind, argv + optind);
		return 2;
	}
	struct kdx_error err;
	if (opt.pooltag && pooltag_use(opt.pooltag, &err) < 0) {
		fprintf(stderr, "kdx: --pooltag %s\n", err.msg);
		free(diff_command);
		return 2;
	}
	if (opt.json && !opt.commands) {
		fprintf(stderr, "kdx: --json needs -c 'CMD'\n");
		return 2;
	}

	struct dump *d;
	/* --diff's later dump is a dump argument too: unreadable, it is refused
	 * as the first is (exit status 2), not left to the pane's command. */
	const char *refused = NULL;
	if (dump_open_as(opt.dump_path, machine, &d, &err) < 0)
		refused = opt.dump_path;
	else if (diff) {
		struct dump *later;
		if (dump_open_as(argv[optind + 1], machine, &later, &err) < 0) {
			refused = argv[optind + 1];
			dump_close(d);
		} else {
			dump_close(later);
		}
	}
	if (refused) {
		/* What the header still states, beside why the dump cannot be read. */
		struct doc header;
		bool has_header = info_header_doc(refused, &header);
		int status = batch_refused(opt.commands ? opt.commands : "", opt.json, err.msg,
					   has_header ? &header : NULL, opt.commands ? stdout : stderr,
					   stderr);
		if (has_header)
			doc_free(&header);
		free(diff_command);
		return status;
	}
	if (build) {
		/* The rare dump that lies about its build: the layout follows --build. */
		d->build = build_number;
		d->has_build = true;
		d->revision = revision;
		dump_layout_free(&d->layout);
		dump_layout_resolve(d);
	}
	for (size_t i = 0; i < opt.nlayouts; i++)
		if (dump_layout_load(&d->layout, opt.layouts[i], &err) < 0) {
			fprintf(stderr, "kdx: %s\n", err.msg);
			dump_close(d);
			free(diff_command);
			return 2;
		}
	int status;
	if (opt.commands) {
		for (size_t i = 0; i < d->warnings.count; i++)
			fprintf(stderr, "kdx: warning: %s\n", d->warnings.items[i]);
		status = batch_run(d, opt.commands, opt.json, opt.verbose, stdout, stderr);
	} else {
		status = tui_run(d, &opt);
	}
	dump_close(d);
	free(diff_command);
	return status;
}
