/* The x64 unwinder: hand-built UNWIND_INFO byte sequences for every op
 * (and the ways they go wrong) over a small fake stack, then the
 * generated worlds' threads unwound frame by frame against the frames
 * the generator laid out, the deep-stack driver's bytes on top, damaged
 * unwind data giving bounded, clear stops. The x86 EBP chain: hand-built
 * chains (good from either saved-context layout, cyclic, out of the
 * stack, decreasing, into no module, past the frame cap) and the x86
 * worlds' threads against the generator's frames. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdbool.h>

#include "core/nt/exports.h"
#include "core/nt/unwind.h"
#include "tests/gen/world_modules.h"
#include "tests/gen/world_procs.h"
#include "tests/unit/fixtures.h"

/* A fake stack of 64 slots at STACK_VA; slot i holds 0x1000 + i unless
 * set. Reads outside it fail. */
#define STACK_VA 0x10000u
static uint64_t stack_slots[64];

static bool read_stack(void *ctx, uint64_t va, uint64_t *v)
{
	(void)ctx;
	if (va < STACK_VA || va - STACK_VA >= sizeof stack_slots || (va - STACK_VA) % 8)
		return false;
	*v = stack_slots[(va - STACK_VA) / 8];
	return true;
}

static void fresh_stack(struct unwind_context *c)
{
	for (unsigned i = 0; i < 64; i++)
		stack_slots[i] = 0x1000 + i;
	memset(c, 0, sizeof *c);
	c->reg[UNWIND_REG_RSP] = STACK_VA;
	c->known = 1u << UNWIND_REG_RSP;
}

static bool apply(const uint8_t *info, size_t len, uint64_t pc, struct unwind_context *c,
		  bool *chained, struct runtime_function *next, char *why)
{
	return unwind_apply_info(info, len, pc, c, read_stack, NULL, chained, next, why);
}

#define RSP(c) ((c).reg[UNWIND_REG_RSP])
#define PAST_PROLOGUE 0x40

/* push rbx; push rdi (codes in reverse prologue order). */
static void test_push_nonvol(void **state)
{
	(void)state;
	const uint8_t info[] = { 0x01, 2, 2, 0, 2, 0x70, 1, 0x30 };
	struct unwind_context c;
	bool chained;
	struct runtime_function next;
	char why[UNWIND_NOTE_MAX];
	fresh_stack(&c);
	assert_true(apply(info, sizeof info, PAST_PROLOGUE, &c, &chained, &next, why));
	assert_false(chained);
	assert_int_equal(c.reg[7], 0x1000);       /* rdi: pushed last, popped first */
	assert_int_equal(c.reg[3], 0x1001);
	assert_int_equal(c.known, 1u << 4 | 1u << 7 | 1u << 3);
	assert_int_equal(RSP(c), STACK_VA + 16);
	/* Halfway through the prologue only the first push has happened. */
	fresh_stack(&c);
	assert_true(apply(info, sizeof info, 1, &c, &chained, &next, why));
	assert_int_equal(c.reg[3], 0x1000);
	assert_int_equal(c.known, 1u << 4 | 1u << 3);
	assert_int_equal(RSP(c), STACK_VA + 8);
}

static void test_allocs(void **state)
{
	(void)state;
	struct unwind_context c;
	bool chained;
	struct runtime_function next;
	char why[UNWIND_NOTE_MAX];
	/* sub rsp, 0x30: info (0x30 / 8) - 1 = 5 */
	const uint8_t small[] = { 0x01, 4, 1, 0, 4, 0x52, 0, 0 };
	fresh_stack(&c);
	assert_true(apply(small, sizeof small, PAST_PROLOGUE, &c, &chained, &next, why));
	assert_int_equal(RSP(c), STACK_VA + 0x30);
	/* sub rsp, 0x818: size / 8 in the next slot */
	const uint8_t large[] = { 0x01, 7, 2, 0, 7, 0x01, 0x03, 0x01 };
	fresh_stack(&c);
	assert_true(apply(large, sizeof large, PAST_PROLOGUE, &c, &chained, &next, why));
	assert_int_equal(RSP(c), STACK_VA + 0x818);
	/* sub rsp, 0x123458: unscaled in the next two slots */
	const uint8_t far[] = { 0x01, 7, 3, 0, 7, 0x11, 0x58, 0x34, 0x12, 0x00, 0, 0 };
	fresh_stack(&c);
	assert_true(apply(far, sizeof far, PAST_PROLOGUE, &c, &chained, &next, why));
	assert_int_equal(RSP(c), STACK_VA + 0x123458);
	/* op info 2 is not a form of UWOP_ALLOC_LARGE */
	const uint8_t bad[] = { 0x01, 7, 2, 0, 7, 0x21, 0x03, 0x01 };
	fresh_stack(&c);
	assert_false(apply(bad, sizeof bad, PAST_PROLOGUE, &c, &chained, &next, why));
	assert_string_equal(why, "unwind code 0: op 1 with info 2 is not valid in version 1");
}

/* push rbp; sub rsp, 0x40; lea rbp, [rsp + 0x20]; mov [rbp - 0x20 + 0x38], rsi:
 * FrameRegister rbp, offset 2 (0x20). */
static void test_frame_pointer(void **state)
{
	(void)state;
	const uint8_t info[] = { 0x01, 12, 5, 0x25,
				 12, 0x64, 7, 0x00,   /* SAVE_NONVOL rsi at base + 7 * 8 */
				 9, 0x03,             /* SET_FPREG */
				 5, 0x72,             /* ALLOC_SMALL 0x40 */
				 1, 0x50,             /* PUSH_NONVOL rbp */
				 0, 0 };
	struct unwind_context c;
	bool chained;
	struct runtime_function next;
	char why[UNWIND_NOTE_MAX];
	fresh_stack(&c);
	/* The function has moved rsp further (alloca); rbp tells where the
	 * fixed allocation starts: STACK_VA + 0x80. */
	c.reg[UNWIND_REG_RBP] = STACK_VA + 0x80 + 0x20;
	c.known |= 1u << UNWIND_REG_RBP;
	assert_true(apply(info, sizeof info, PAST_PROLOGUE, &c, &chained, &next, why));
	assert_int_equal(c.reg[6], 0x1000 + (0x80 + 0x38) / 8);   /* rsi */
	assert_int_equal(RSP(c), STACK_VA + 0x80 + 0x40 + 8);
	assert_int_equal(c.reg[UNWIND_REG_RBP], 0x1000 + (0x80 + 0x40) / 8);
	/* Without rbp's value the frame cannot be found. */
	fresh_stack(&c);
	assert_false(apply(info, sizeof info, PAST_PROLOGUE, &c, &chained, &next, why));
	assert_string_equal(why, "the frame register's value is not known");
	/* Before the lea runs, rsp still is the frame's base. */
	fresh_stack(&c);
	assert_true(apply(info, sizeof info, 5, &c, &chained, &next, why));
	assert_int_equal(RSP(c), STACK_VA + 0x40 + 8);
}

static void test_saves(void **state)
{
	(void)state;
	struct unwind_context c;
	bool chained;
	struct runtime_function next;
	char why[UNWIND_NOTE_MAX];
	/* r12 saved at rsp + 0x28, r13 at rsp + 0x100 (far, unscaled),
	 * xmm6 at rsp + 0x40 (scaled by 16), xmm7 far: they only take slots. */
	const uint8_t info[] = { 0x01, 30, 11, 0,
				 30, 0x79, 0x00, 0x00, 0x01, 0x00,  /* SAVE_XMM128_FAR xmm7 */
				 25, 0x68, 0x04, 0x00,              /* SAVE_XMM128 xmm6 */
				 20, 0xd5, 0x00, 0x01, 0x00, 0x00,  /* SAVE_NONVOL_FAR r13 */
				 15, 0xc4, 0x05, 0x00,              /* SAVE_NONVOL r12 */
				 4, 0x02,                           /* ALLOC_SMALL 8 */
				 0, 0 };
	fresh_stack(&c);
	assert_true(apply(info, sizeof info, PAST_PROLOGUE, &c, &chained, &next, why));
	assert_int_equal(c.reg[12], 0x1000 + 5);
	assert_int_equal(c.reg[13], 0x1000 + 0x100 / 8);
	assert_int_equal(c.known, 1u << 4 | 1u << 12 | 1u << 13);
	assert_int_equal(RSP(c), STACK_VA + 8);
	/* A save whose slot is off the stack says which slot. */
	const uint8_t off[] = { 0x01, 5, 2, 0, 5, 0x34, 0x00, 0x10 };
	fresh_stack(&c);
	assert_false(apply(off, sizeof off, PAST_PROLOGUE, &c, &chained, &next, why));
	assert_string_equal(why, "the stack slot at 0x18000 is not in the dump");
	/* RSP is not a register a prologue saves. */
	const uint8_t rsp[] = { 0x01, 5, 2, 0, 5, 0x44, 0x01, 0x00 };
	fresh_stack(&c);
	assert_false(apply(rsp, sizeof rsp, PAST_PROLOGUE, &c, &chained, &next, why));
	assert_string_equal(why, "unwind code 0 saves RSP");
}

static void test_machine_frame(void **state)
{
	(void)state;
	struct unwind_context c;
	bool chained;
	struct runtime_function next;
	char why[UNWIND_NOTE_MAX];
	const uint8_t plain[] = { 0x01, 0, 1, 0, 0, 0x0a, 0, 0 };
	fresh_stack(&c);
	stack_slots[0] = 0xfffff80000401234;   /* RIP */
	stack_slots[3] = STACK_VA + 0x100;     /* old RSP */
	assert_true(apply(plain, sizeof plain, PAST_PROLOGUE, &c, &chained, &next, why));
	assert_true(c.machine_frame);
	assert_int_equal(c.rip, 0xfffff80000401234);
	assert_int_equal(RSP(c), STACK_VA + 0x100);
	/* with an error code below the frame */
	const uint8_t code[] = { 0x01, 0, 1, 0, 0, 0x1a, 0, 0 };
	fresh_stack(&c);
	stack_slots[1] = 0xfffff80000405678;
	stack_slots[4] = STACK_VA + 0x180;
	assert_true(apply(code, sizeof code, PAST_PROLOGUE, &c, &chained, &next, why));
	assert_int_equal(c.rip, 0xfffff80000405678);
	assert_int_equal(RSP(c), STACK_VA + 0x180);
}

static void test_chained(void **state)
{
	(void)state;
	struct unwind_context c;
	bool chained;
	struct runtime_function next;
	char why[UNWIND_NOTE_MAX];
	/* one code, padded to two slots, then the primary's RUNTIME_FUNCTION */
	const uint8_t info[] = { 0x01 | 0x04 << 3, 0, 1, 0, 0, 0x30, 0, 0,
				 0x00, 0x10, 0, 0, 0x80, 0x10, 0, 0, 0x40, 0x30, 0, 0 };
	fresh_stack(&c);
	assert_true(apply(info, sizeof info, PAST_PROLOGUE, &c, &chained, &next, why));
	assert_true(chained);
	assert_int_equal(next.begin, 0x1000);
	assert_int_equal(next.end, 0x1080);
	assert_int_equal(next.unwind_info, 0x3040);
	assert_int_equal(c.reg[3], 0x1000);
	assert_false(apply(info, sizeof info - 4, PAST_PROLOGUE, &c, &chained, &next, why));
	assert_string_equal(why, "the chained RUNTIME_FUNCTION runs past the UNWIND_INFO");
}

static void test_versions_and_bounds(void **state)
{
	(void)state;
	struct unwind_context c;
	bool chained;
	struct runtime_function next;
	char why[UNWIND_NOTE_MAX];
	/* version 2: an epilog code first is skipped */
	const uint8_t v2[] = { 0x02, 4, 2, 0, 3, 0x16, 4, 0x12 };
	fresh_stack(&c);
	assert_true(apply(v2, sizeof v2, PAST_PROLOGUE, &c, &chained, &next, why));
	assert_int_equal(RSP(c), STACK_VA + 0x10);
	const uint8_t v1_epilog[] = { 0x01, 4, 2, 0, 3, 0x16, 4, 0x12 };
	assert_false(apply(v1_epilog, sizeof v1_epilog, PAST_PROLOGUE, &c, &chained, &next, why));
	assert_string_equal(why, "unwind code 0: op 6 with info 1 is not valid in version 1");
	const uint8_t spare[] = { 0x02, 4, 1, 0, 3, 0x07, 0, 0 };
	assert_false(apply(spare, sizeof spare, PAST_PROLOGUE, &c, &chained, &next, why));
	assert_string_equal(why, "unwind code 0: op 7 with info 0 is not valid in version 2");
	const uint8_t v3[] = { 0x03, 0, 0, 0 };
	assert_false(apply(v3, sizeof v3, PAST_PROLOGUE, &c, &chained, &next, why));
	assert_string_equal(why, "UNWIND_INFO version 3 (expected 1 or 2)");
	const uint8_t many[] = { 0x01, 4, 3, 0, 4, 0x02, 0, 0 };
	assert_false(apply(many, sizeof many, PAST_PROLOGUE, &c, &chained, &next, why));
	assert_string_equal(why, "the unwind codes run past the UNWIND_INFO");
	/* UWOP_SAVE_NONVOL needs two slots; CountOfCodes gives it one */
	const uint8_t cut[] = { 0x01, 4, 1, 0, 4, 0x34, 0, 0 };
	assert_false(apply(cut, sizeof cut, PAST_PROLOGUE, &c, &chained, &next, why));
	assert_string_equal(why, "unwind code 0 runs past CountOfCodes 1");
	assert_false(apply(cut, 3, PAST_PROLOGUE, &c, &chained, &next, why));
	assert_string_equal(why, "the UNWIND_INFO header is cut short");
}

/* Every thread of the world, frame by frame as laid out, walked from
 * the start layout named start. */
static void check_threads(struct world *w, struct dump *d, const char *start)
{
	const struct world_modules *M = w->modules;
	const struct world_procs *P = w->procs;
	struct kdx_error err;
	struct process_list pl;
	struct module_list ml;
	assert_int_equal(process_list_read(d, &pl, &err), 0);
	assert_int_equal(modules_read(d, &ml, &err), 0);
	for (size_t ti = 0; ti < P->nthreads; ti++) {
		const struct world_thread *wt = &P->threads[ti];
		const struct thread *t = thread_find(&pl, wt->tid);
		assert_non_null(t);
		struct unwind_result u;
		if (unwind_thread(d, &ml, t, &u, &err) < 0)
			fail_msg("%s", err.msg);
		assert_string_equal(u.note, "");
		assert_true(u.complete);
		assert_string_equal(u.start, start);
		assert_int_equal(u.count, wt->nframes);
		uint64_t deep_bytes = 0, other_bytes = 0;
		for (size_t i = 0; i < u.count; i++) {
			const struct world_frame *want = &M->frames[wt->first_frame + i];
			const struct world_module *wm = &M->modules[want->module];
			const struct unwind_frame *got = &u.frames[i];
			assert_int_equal(got->sp, want->sp);
			assert_int_equal(got->rip, want->rip);
			assert_int_equal(got->size, want->frame_size);
			assert_string_equal(ml.items[got->module].name, wm->name);
			assert_int_equal(got->function_known, d->machine == MACHINE_X64);
			if (got->function_known)
				assert_int_equal(ml.items[got->module].base + got->function,
						 wm->functions[want->function].start);
			assert_int_equal(got->return_address, i + 1 < u.count ? want[1].rip : 0);
			*(want->module == M->deep_driver ? &deep_bytes : &other_bytes) += got->size;
		}
		if (ti == P->deep_thread) {
			assert_true(deep_bytes > other_bytes);
			assert_true(t->stack_base - t->stack_limit - deep_bytes - other_bytes < 0x1000);
		}
		unwind_result_free(&u);
	}
	modules_free(&ml);
	process_list_free(&pl);
}

static void check_world(const char *profile, const char *start)
{
	struct world w;
	struct kdx_error err;
	assert_int_equal(world_build(&w, profile_by_name(profile), 11, &err), 0);
	struct dump *d = fixture_open_world(&w, "unwind.dmp");
	check_threads(&w, d, start);
	dump_close(d);
	world_free(&w);
}

static void test_win7_x64(void **state)
{
	(void)state;
	check_world("win7-x64", "return address at KernelStack");
}

static void test_win10(void **state)
{
	(void)state;
	check_world("win10-x64", "return address at KernelStack");
}

static void test_xp_x86(void **state)
{
	(void)state;
	check_world("xp-x86", "saved EBP, return address at KernelStack");
}

static void test_win7_x86(void **state)
{
	(void)state;
	check_world("win7-x86-pae", "saved EBP, return address at KernelStack");
}

/* The deep thread unwound after the deep driver's data was damaged. */
static void unwind_deep(struct world *w, const char *name, struct unwind_result *u)
{
	struct kdx_error err;
	struct dump *d = fixture_open_world(w, name);
	struct process_list pl;
	struct module_list ml;
	assert_int_equal(process_list_read(d, &pl, &err), 0);
	assert_int_equal(modules_read(d, &ml, &err), 0);
	const struct thread *t = thread_find(&pl, w->procs->threads[w->procs->deep_thread].tid);
	assert_non_null(t);
	assert_int_equal(unwind_thread(d, &ml, t, u, &err), 0);
	modules_free(&ml);
	process_list_free(&pl);
	dump_close(d);
}

static void test_damage(void **state)
{
	(void)state;
	struct world w;
	struct kdx_error err;
	assert_int_equal(world_build(&w, profile_by_name("win7-x64"), 5, &err), 0);
	struct dump *d = fixture_open_world(&w, "good.dmp");
	struct module_list ml;
	assert_int_equal(modules_read(d, &ml, &err), 0);
	const struct world_modules *M = w.modules;
	const struct world_module *wm = &M->modules[M->deep_driver];
	const struct module *m = modules_find(&ml, wm->base);
	assert_non_null(m);
	assert_true(m->exception_size >= 12 * wm->nfunctions);
	const struct world_thread *deep = &w.procs->threads[w.procs->deep_thread];
	const struct world_frame *inner = &M->frames[deep->first_frame];
	struct runtime_function rf;
	assert_true(unwind_find_function(d, m, (uint32_t)(inner->rip - m->base), &rf));
	assert_int_equal(m->base + rf.begin, wm->functions[inner->function].start);
	assert_false(unwind_find_function(d, m, 0x10, &rf));
	uint64_t entry = m->base + m->exception_rva + 12 * inner->function;
	uint64_t info = m->base + rf.unwind_info;
	char want[UNWIND_NOTE_MAX];

	/* The innermost function's UNWIND_INFO chained to itself. */
	fixture_poke(&w, d, info, 0x01 | 0x04 << 3, 1);
	uint8_t count;
	assert_int_equal(xlat_read(d->kernel, info + 2, &count, 1, NULL), 1);
	uint64_t tail = info + 4 + 2 * ((count + 1u) & ~1u);
	fixture_poke(&w, d, tail, rf.begin, 4);
	fixture_poke(&w, d, tail + 4, rf.end, 4);
	fixture_poke(&w, d, tail + 8, rf.unwind_info, 4);
	struct unwind_result u;
	unwind_deep(&w, "cycle.dmp", &u);
	assert_int_equal(u.count, 0);
	assert_false(u.complete);
	snprintf(want, sizeof want, "frame 0: UNWIND_INFO at %s+0x%x for %s+0x%llx: the chain is "
		 "longer than 32", wm->name, rf.unwind_info, wm->name,
		 (unsigned long long)(inner->rip - wm->base));
	assert_string_equal(u.note, want);
	unwind_result_free(&u);

	/* Its table entry pointing past the image. */
	fixture_poke(&w, d, info, 0x01, 1);
	fixture_poke(&w, d, entry + 8, 0x7ffffff0, 4);
	unwind_deep(&w, "past.dmp", &u);
	assert_int_equal(u.count, 0);
	snprintf(want, sizeof want, "frame 0: UNWIND_INFO at %s+0x7ffffff0 for %s+0x%llx: it is not "
		 "in the dump or not in the image", wm->name, wm->name,
		 (unsigned long long)(inner->rip - wm->base));
	assert_string_equal(u.note, want);
	unwind_result_free(&u);

	/* A return address into no module ends the walk there. */
	fixture_poke(&w, d, entry + 8, rf.unwind_info, 4);
	fixture_poke(&w, d, inner->sp + inner->frame_size - 8, 0x1234, 8);
	unwind_deep(&w, "outside.dmp", &u);
	assert_int_equal(u.count, 1);
	assert_int_equal(u.frames[0].return_address, 0x1234);
	assert_false(u.complete);
	assert_string_equal(u.note, "frame 1: 0x1234 is outside every loaded module");
	unwind_result_free(&u);

	modules_free(&ml);
	dump_close(d);
	world_free(&w);
}

/* A fake 32-bit stack of 4-byte slots at STACK32_VA, zero unless set,
 * with one module at DRV_BASE. Reads outside it fail. */
#define STACK32_VA 0x20000u
#define STACK32_SLOTS (2u * UNWIND_MAX_FRAMES + 16u)
#define DRV_BASE 0x400000u
static uint32_t stack32[STACK32_SLOTS];

static bool read_stack32(void *ctx, uint64_t va, uint64_t *v)
{
	(void)ctx;
	if (va < STACK32_VA || va - STACK32_VA >= sizeof stack32 || (va - STACK32_VA) % 4)
		return false;
	*v = stack32[(va - STACK32_VA) / 4];
	return true;
}

static void put32(uint64_t va, uint32_t v)
{
	stack32[(va - STACK32_VA) / 4] = v;
}

/* Thread stack [STACK32_VA, base) saved at KernelStack 0x20010. */
static void ebp_walk(uint64_t base, struct unwind_result *u)
{
	struct module drv = { .base = DRV_BASE, .size = 0x1000, .name = "drv.sys" };
	struct module_list ml = { .items = &drv, .count = 1 };
	struct thread t = { .stack_limit = STACK32_VA, .stack_base = base, .initial_stack = base,
			    .kernel_stack = 0x20010 };
	assert_int_equal(unwind_ebp_chain(&ml, &t, read_stack32, NULL, u), 0);
	assert_string_equal(u->method, "EBP chain (frame-pointer omission would hide frames)");
}

static void assert_frame(const struct unwind_result *u, size_t i, uint64_t sp, uint64_t rip,
			 uint64_t ret, uint64_t size)
{
	assert_true(i < u->count);
	assert_int_equal(u->frames[i].sp, sp);
	assert_int_equal(u->frames[i].rip, rip);
	assert_int_equal(u->frames[i].return_address, ret);
	assert_int_equal(u->frames[i].size, size);
	assert_int_equal(u->frames[i].module, 0);
	assert_false(u->frames[i].function_known);
}

/* Two frames from the generator's layout: EBP 0x20040 then 0x20080,
 * the outer one returning to 0. */
static void good_chain(void)
{
	memset(stack32, 0, sizeof stack32);
	put32(0x20010, 0x20040);
	put32(0x20014, DRV_BASE + 0x10);
	put32(0x20040, 0x20080);
	put32(0x20044, DRV_BASE + 0x20);
}

static void test_ebp_chains(void **state)
{
	(void)state;
	struct unwind_result u;
	good_chain();
	ebp_walk(0x20100, &u);
	assert_string_equal(u.start, "saved EBP, return address at KernelStack");
	assert_int_equal(u.count, 2);
	assert_frame(&u, 0, 0x20018, DRV_BASE + 0x10, DRV_BASE + 0x20, 0x30);
	assert_frame(&u, 1, 0x20048, DRV_BASE + 0x20, 0, 0x40);
	assert_true(u.complete);
	assert_string_equal(u.note, "");
	unwind_result_free(&u);

	/* The same chain under a KSWITCHFRAME and KiSwapContext's saves. */
	good_chain();
	put32(0x20010, 0x8055a000);   /* ExceptionList */
	put32(0x20014, 1);            /* the wait IRQL */
	put32(0x2001c, 0x20040);
	put32(0x2002c, DRV_BASE + 0x10);
	ebp_walk(0x20100, &u);
	assert_string_equal(u.start, "KSWITCHFRAME under KiSwapContext's saves");
	assert_int_equal(u.count, 2);
	assert_frame(&u, 0, 0x20030, DRV_BASE + 0x10, DRV_BASE + 0x20, 0x18);
	assert_frame(&u, 1, 0x20048, DRV_BASE + 0x20, 0, 0x40);
	assert_true(u.complete);
	unwind_result_free(&u);

	/* Cyclic: the outer frame's saved EBP is its own. */
	good_chain();
	put32(0x20080, 0x20080);
	put32(0x20084, DRV_BASE + 0x30);
	ebp_walk(0x20100, &u);
	assert_int_equal(u.count, 2);
	assert_false(u.complete);
	assert_string_equal(u.note, "frame 2: its EBP 0x20080 is below its stack pointer 0x20088: "
			    "the chain must grow toward the stack base");
	unwind_result_free(&u);

	/* Decreasing: it points back at the inner frame. */
	put32(0x20080, 0x20040);
	ebp_walk(0x20100, &u);
	assert_int_equal(u.count, 2);
	assert_string_equal(u.note, "frame 2: its EBP 0x20040 is below its stack pointer 0x20088: "
			    "the chain must grow toward the stack base");
	unwind_result_free(&u);

	/* Out of the stack: at the base, and too close below it for the
	 * two slots. */
	put32(0x20080, 0x20100);
	ebp_walk(0x20100, &u);
	assert_int_equal(u.count, 2);
	assert_false(u.complete);
	assert_string_equal(u.note, "frame 2: its EBP 0x20100 is outside the stack "
			    "[0x20000, 0x20100)");
	unwind_result_free(&u);
	put32(0x20080, 0x200fc);
	ebp_walk(0x20100, &u);
	assert_string_equal(u.note, "frame 2: its EBP 0x200fc is outside the stack "
			    "[0x20000, 0x20100)");
	unwind_result_free(&u);

	/* A return address into no module. */
	put32(0x20080, 0x200c0);
	put32(0x20084, 0x1234);
	ebp_walk(0x20100, &u);
	assert_int_equal(u.count, 2);
	assert_int_equal(u.frames[1].return_address, 0x1234);
	assert_string_equal(u.note, "frame 2: 0x1234 is outside every loaded module");
	unwind_result_free(&u);

	/* Inside the stack but past what the dump holds. */
	uint64_t end = STACK32_VA + sizeof stack32;
	put32(0x20080, (uint32_t)end);
	put32(0x20084, DRV_BASE + 0x30);
	ebp_walk(end + 0x100, &u);
	assert_int_equal(u.count, 2);
	char want[UNWIND_NOTE_MAX];
	snprintf(want, sizeof want, "frame 2: the slots at its EBP 0x%llx are not in the dump",
		 (unsigned long long)end);
	assert_string_equal(u.note, want);
	unwind_result_free(&u);
}

/* 8-byte frames all the way up: the cap ends the walk. */
static void test_ebp_cap(void **state)
{
	(void)state;
	memset(stack32, 0, sizeof stack32);
	put32(0x20010, 0x20018);
	put32(0x20014, DRV_BASE + 0x10);
	for (uint64_t ebp = 0x20018; ebp + 8 <= STACK32_VA + sizeof stack32; ebp += 8) {
		put32(ebp, (uint32_t)ebp + 8);
		put32(ebp + 4, DRV_BASE + 0x10);
	}
	struct unwind_result u;
	ebp_walk(STACK32_VA + sizeof stack32, &u);
	assert_int_equal(u.count, UNWIND_MAX_FRAMES);
	assert_false(u.complete);
	char want[UNWIND_NOTE_MAX];
	snprintf(want, sizeof want, "stopped after %u frames", UNWIND_MAX_FRAMES);
	assert_string_equal(u.note, want);
	assert_int_equal(u.frames[UNWIND_MAX_FRAMES - 1].size, 8);
	unwind_result_free(&u);
}

/* Nearest exports: an exported function's own name, nothing below the
 * first export. */
static void test_exports(void **state)
{
	(void)state;
	struct world w;
	struct kdx_error err;
	assert_int_equal(world_build(&w, profile_by_name("win10-x64"), 11, &err), 0);
	struct dump *d = fixture_open_world(&w, "exports.dmp");
	struct module_list ml;
	assert_int_equal(modules_read(d, &ml, &err), 0);
	const struct world_module *nt = &w.modules->modules[0];
	const struct module *m = modules_find(&ml, nt->base);
	assert_non_null(m);
	size_t named = 0;
	for (size_t i = 0; i < nt->nfunctions; i++) {
		const struct world_function *f = &nt->functions[i];
		if (!f->name[0])
			continue;
		char name[64];
		uint32_t at;
		assert_true(module_nearest_export(d, m, (uint32_t)(f->start - nt->base + 5), name,
						  sizeof name, &at));
		assert_string_equal(name, f->name);
		assert_int_equal(m->base + at, f->start);
		named++;
	}
	assert_true(named > 0);
	char name[64];
	uint32_t at;
	assert_false(module_nearest_export(d, m, 0x10, name, sizeof name, &at));
	modules_free(&ml);
	dump_close(d);
	world_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_push_nonvol),
		cmocka_unit_test(test_allocs),
		cmocka_unit_test(test_frame_pointer),
		cmocka_unit_test(test_saves),
		cmocka_unit_test(test_machine_frame),
		cmocka_unit_test(test_chained),
		cmocka_unit_test(test_versions_and_bounds),
		cmocka_unit_test(test_win7_x64),
		cmocka_unit_test(test_win10),
		cmocka_unit_test(test_damage),
		cmocka_unit_test(test_xp_x86),
		cmocka_unit_test(test_win7_x86),
		cmocka_unit_test(test_ebp_chains),
		cmocka_unit_test(test_ebp_cap),
		cmocka_unit_test(test_exports),
	};
	int r = cmocka_run_group_tests(tests, NULL, NULL);
	fixture_cleanup();
	return r;
}
