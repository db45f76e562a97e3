/* x86 kernel stacks along the EBP chain (unwind.h). */
#include "core/nt/unwind.h"

#include <stdio.h>
#include <string.h>

#include "core/util/bytes.h"
#include "core/nt/unwind_frames.h"

static const char method_ebp[] = "EBP chain (frame-pointer omission would hide frames)";

/* x86 saved-context layouts at KTHREAD.KernelStack (see unwind.h). */
static const struct ebp_switch_frame {
	const char *name;
	unsigned ebp_offset, return_offset;
} ebp_switch_frames[] = {
	{ "saved EBP, return address at KernelStack", 0, 4 },
	{ "KSWITCHFRAME under KiSwapContext's saves", 0xc, 0x1c },
};

#define X86_SLOT 4u

/* One EBP chain; -1 only when out of memory. */
static int ebp_walk(const struct module_list *ml, const struct thread *t,
		    const struct ebp_switch_frame *sf, unwind_read_fn read, void *read_ctx,
		    struct unwind_result *r)
{
	memset(r, 0, sizeof *r);
	r->method = method_ebp;
	r->start = sf->name;
	size_t cap = 0;
	uint64_t top = t->initial_stack > t->stack_limit && t->initial_stack <= t->stack_base
		       ? t->initial_stack : t->stack_base;
	uint64_t slot = t->kernel_stack + sf->return_offset, sp = slot + X86_SLOT, ebp, rip;
	if (!read(read_ctx, t->kernel_stack + sf->ebp_offset, &ebp) || !read(read_ctx, slot, &rip)) {
		snprintf(r->note, sizeof r->note, "the saved EBP at 0x%llx or return address at 0x%llx "
			 "is not in the dump", (unsigned long long)(t->kernel_stack + sf->ebp_offset),
			 (unsigned long long)slot);
		return 0;
	}
	for (;;) {
		if (r->count == UNWIND_MAX_FRAMES) {
			snprintf(r->note, sizeof r->note, "stopped after %u frames", UNWIND_MAX_FRAMES);
			break;
		}
		const struct module *m = modules_find(ml, rip - 1);
		if (!m) {
			snprintf(r->note, sizeof r->note, "frame %zu: 0x%llx is outside every loaded module",
				 r->count, (unsigned long long)rip);
			break;
		}
		if (ebp < t->stack_limit || ebp >= t->stack_base || t->stack_base - ebp < 2 * X86_SLOT) {
			snprintf(r->note, sizeof r->note, "frame %zu: its EBP 0x%llx is outside the stack "
				 "[0x%llx, 0x%llx)", r->count, (unsigned long long)ebp,
				 (unsigned long long)t->stack_limit, (unsigned long long)t->stack_base);
			break;
		}
		if (ebp < sp) {
			snprintf(r->note, sizeof r->note, "frame %zu: its EBP 0x%llx is below its stack "
				 "pointer 0x%llx: the chain must grow toward the stack base", r->count,
				 (unsigned long long)ebp, (unsigned long long)sp);
			break;
		}
		uint64_t caller_ebp, ret;
		if (!read(read_ctx, ebp, &caller_ebp) || !read(read_ctx, ebp + X86_SLOT, &ret)) {
			snprintf(r->note, sizeof r->note, "frame %zu: the slots at its EBP 0x%llx are not "
				 "in the dump", r->count, (unsigned long long)ebp);
			break;
		}
		uint64_t caller_sp = ebp + 2 * X86_SLOT;
		struct unwind_frame f = { .sp = sp, .ebp = ebp, .rip = rip, .return_address = ret,
			.size = caller_sp - sp, .module = (size_t)(m - ml->items) };
		if (unwind_push_frame(r, &cap, &f) < 0)
			return -1;
		if (!ret || caller_sp >= top) {
			r->complete = true;
			break;
		}
		sp = caller_sp;
		rip = ret;
		ebp = caller_ebp;
	}
	return 0;
}

int unwind_ebp_chain(const struct module_list *ml, const struct thread *t, unwind_read_fn read,
		     void *read_ctx, struct unwind_result *out)
{
	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < sizeof ebp_switch_frames / sizeof ebp_switch_frames[0]; i++) {
		struct unwind_result r;
		if (ebp_walk(ml, t, &ebp_switch_frames[i], read, read_ctx, &r) < 0) {
			unwind_result_free(&r);
			unwind_result_free(out);
			return -1;
		}
		unwind_keep_furthest(out, &r, i == 0);
	}
	return 0;
}

bool unwind_read_kernel_u32(void *ctx, uint64_t va, uint64_t *v)
{
	struct dump *d = ctx;
	uint8_t b[X86_SLOT];
	if (xlat_read(d->kernel, va, b, sizeof b, NULL) != sizeof b)
		return false;
	*v = le_bytes(b, sizeof b);
	return true;
}
