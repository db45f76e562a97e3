/* The command lines the fuzz targets and the mutation test run against a
 * hostile dump: every command that walks structures read from the dump. */
#ifndef KDX_FUZZ_COMMANDS_H
#define KDX_FUZZ_COMMANDS_H

#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Where the commands look: addresses known to hold the structures in the
 * unmutated dump (the truth), or fixed guesses when nothing is known. */
struct fuzz_addresses {
	uint64_t kernel;            /* the kernel image */
	uint64_t process;           /* an EPROCESS */
	uint64_t thread;            /* an ETHREAD */
	uint64_t pool;              /* a pool page */
	const char *tag;            /* a pool tag in use */
};

#define FUZZ_MAX_COMMANDS 32
#define FUZZ_COMMAND_LEN 64

/* Fills lines with the command list; returns the number of lines. */
static inline size_t fuzz_command_lines(const struct fuzz_addresses *a,
					char lines[FUZZ_MAX_COMMANDS][FUZZ_COMMAND_LEN])
{
	size_t n = 0;
#define LINE(...) snprintf(lines[n++], FUZZ_COMMAND_LEN, __VA_ARGS__)
	LINE("info -v");
	LINE("vtop %" PRIx64, a->kernel);
	LINE("vtop %" PRIx64, a->process);
	LINE("vtop 0");
	LINE("vtop ffffffffffffffff");
	LINE("pte %" PRIx64, a->pool);
	LINE("pte -compare");
	LINE("layout");
	LINE("db %" PRIx64 " L 80", a->kernel);
	LINE("dq %" PRIx64 " L 20", a->process);
	LINE("!db 0 L 40");
	LINE("process");
	LINE("threads");
	LINE("stacks");
	LINE("stack %" PRIx64, a->thread);
	LINE("kf %" PRIx64, a->thread);
	LINE("session");
	LINE("sprocess");
	LINE("lm");
	LINE("vm");
	LINE("poolused");
	LINE("pool %" PRIx64, a->pool);
	LINE("poolfind %s", a->tag);
	LINE("tagowner %s", a->tag);
	LINE("poolrefs %" PRIx64, a->pool);
	LINE("memusage");
	LINE("pfn 1");
	LINE("dt _EPROCESS %" PRIx64, a->process);
	LINE("dt _ETHREAD %" PRIx64, a->thread);
#undef LINE
	return n;
}

#endif
