/* Kernel stack frames without symbols (doc/scenarios.md §2, WinDbg `kf`).
 *
 * x64: a virtual unwind through each module's exception directory, the
 * RUNTIME_FUNCTION table (.pdata) and the UNWIND_INFO it points to, as
 * Microsoft's "x64 exception handling" documentation describes them. The
 * walk starts from a waiting thread's saved context: KTHREAD.KernelStack
 * (doc/structures.md §3, §10) and the return address it holds, tried in each of these layouts, the one that unwinds furthest
 * winning (ties go to the earlier):
 *   - a bare return address at KernelStack (the generator's switch frame);
 *   - KSWITCH_FRAME of 7 and 10 (ReactOS sdk/include/ndk/amd64/ketypes.h:
 *     five home slots, MxCsr and ApcBypass, Rbp at +0x30, Return at
 *     +0x38, 0x40 bytes);
 *   - KSWITCH_FRAME of 2003 (WRK base/ntos/inc/amd64.h: Fill0, MxCsr,
 *     ApcBypass, NpxSave, Rbp at +0x10, Return at +0x18, 0x20 bytes).
 * Each return address is looked up one byte back (a call can be the last
 * instruction of a function); it is never inside an epilogue, so all of
 * the function's unwind codes apply. Version 2 UWOP_EPILOG codes (op 6)
 * only describe epilogues and are skipped, one slot each.
 *
 * x86 images carry no unwind tables: kdx follows the EBP chain instead,
 * which only finds functions that keep a frame pointer (frame-pointer
 * omission hides frames). Each frame's EBP points at its saved caller's
 * EBP, with the return into the caller at EBP+4 (push ebp; mov ebp,
 * esp). The walk starts from one of these saved contexts at
 * KTHREAD.KernelStack, the one that walks furthest winning (ties go to
 * the earlier):
 *   - the saved EBP of the innermost function at +0, the return into it
 *     at +4 (the generator's switch frame, tests/gen/world_modules.c);
 *   - the KSWITCHFRAME (ExceptionList, the wait IRQL, the return into
 *     KiSwapContext) under KiSwapContext's saves of EBP, EDI, ESI, EBX:
 *     EBP at +0xC, the return into KiSwapContext's caller at +0x1C
 *     (ReactOS ntoskrnl/ke/i386/ctxswitch.S; KiSwapContext keeps no
 *     frame, so the walk starts at its caller).
 * A frame's stack pointer is just above the return slot into it, its
 * size reaches up to its caller's (EBP + 8): successive frame pointers'
 * difference, as WinDbg's Memory column. */
#ifndef KDX_UNWIND_H
#define KDX_UNWIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dump.h"
#include "core/util/error.h"
#include "core/nt/modules.h"
#include "core/nt/process.h"

/* Bounds against hostile data: a 72 KiB large stack of the smallest
 * frames (16 bytes) holds 4608; the documentation's chains are short. */
#define UNWIND_MAX_FRAMES 4608u
#define UNWIND_MAX_CHAIN 32u
#define UNWIND_MAX_FUNCTIONS (1u << 20)   /* RUNTIME_FUNCTION entries per image */
#define UNWIND_NOTE_MAX 192u

/* The x64 integer registers in UNWIND_CODE numbering: RAX 0 … RSP 4,
 * RBP 5 … R15 15. */
#define UNWIND_REG_RSP 4u
#define UNWIND_REG_RBP 5u

/* The register state of a virtual unwind; known has a bit per register
 * whose value the unwind has learnt from the stack. */
struct unwind_context {
	uint64_t rip;
	uint64_t reg[16];
	uint16_t known;
	bool machine_frame;         /* rip and rsp came from a UWOP_PUSH_MACHFRAME */
};

/* Reads one stack slot at va into *v (8 bytes on x64, 4 on x86); false
 * when it cannot be read. */
typedef bool (*unwind_read_fn)(void *ctx, uint64_t va, uint64_t *v);

/* A RUNTIME_FUNCTION: image-relative, end exclusive. */
struct runtime_function {
	uint32_t begin, end, unwind_info;
};

/* Undoes one UNWIND_INFO (len bytes at info) on c, for a pc that lies
 * pc_offset bytes into its function (codes whose prologue offset lies
 * beyond it are not undone). When the info is chained, *chained is set
 * and *next holds the RUNTIME_FUNCTION it names. Returns false with why
 * (UNWIND_NOTE_MAX bytes) saying why the info cannot be applied. */
bool unwind_apply_info(const uint8_t *info, size_t len, uint64_t pc_offset,
		       struct unwind_context *c, unwind_read_fn read, void *read_ctx,
		       bool *chained, struct runtime_function *next, char *why);

/* The entry of m's exception table that covers rva (binary search over
 * the sorted table, every probe read from the dump); false when none
 * does or the table cannot be read. */
bool unwind_find_function(struct dump *d, const struct module *m, uint32_t rva,
			  struct runtime_function *out);

struct unwind_frame {
	uint64_t sp;                /* the function's stack pointer (WinDbg Child-SP) */
	uint64_t ebp;               /* x86: its frame pointer (WinDbg ChildEBP); 0 on x64 */
	uint64_t rip;               /* where it runs: the return address into it */
	uint64_t return_address;    /* into its caller; 0 at the end of the chain */
	uint64_t size;              /* bytes up to the caller's sp (WinDbg Memory) */
	size_t module;              /* into the module list */
	uint32_t function;          /* RVA where the function starts (primary entry) */
	bool function_known;        /* false on x86: no table says where it starts */
};

struct unwind_result {
	struct unwind_frame *frames;
	size_t count;
	const char *method;         /* how the frames were found */
	const char *start;          /* the saved-context layout the walk used */
	bool complete;              /* ended at a zero return address or the stack base */
	char note[UNWIND_NOTE_MAX]; /* where and why it stopped */
};

/* Follows thread t's EBP chain from each x86 saved-context layout (see
 * above), reading slots with read, bounded by the frame cap and t's
 * stack: every frame pointer inside [StackLimit, StackBase) and above
 * the frame's stack pointer, so the chain grows strictly toward the
 * base. Returns -1 only when out of memory. */
int unwind_ebp_chain(const struct module_list *ml, const struct thread *t, unwind_read_fn read,
		     void *read_ctx, struct unwind_result *out);

/* Unwinds thread t's kernel stack through the modules in ml: x64 through
 * their exception data, x86 along the EBP chain. Fails on a saved stack
 * pointer outside the stack and when out of memory; a walk that stops
 * early gives the frames so far and says why in note. */
int unwind_thread(struct dump *d, const struct module_list *ml, const struct thread *t,
		  struct unwind_result *out, struct kdx_error *err);
void unwind_result_free(struct unwind_result *r);

#endif
