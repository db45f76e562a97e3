#include "core/nt/unwind.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util/bytes.h"
#include "core/nt/unwind_frames.h"

/* UNWIND_INFO, UNWIND_CODE and RUNTIME_FUNCTION: Microsoft's "x64
 * exception handling" (the structures, the op codes with their slot
 * counts, the chained-info layout). */
enum {
	UWOP_PUSH_NONVOL = 0, UWOP_ALLOC_LARGE = 1, UWOP_ALLOC_SMALL = 2, UWOP_SET_FPREG = 3,
	UWOP_SAVE_NONVOL = 4, UWOP_SAVE_NONVOL_FAR = 5, UWOP_EPILOG = 6, UWOP_SPARE = 7,
	UWOP_SAVE_XMM128 = 8, UWOP_SAVE_XMM128_FAR = 9, UWOP_PUSH_MACHFRAME = 10,
};
#define UNW_FLAG_CHAININFO 0x4u
#define UNWIND_INFO_HEADER 4u
#define RUNTIME_FUNCTION_SIZE 12u
/* MACHINE_FRAME: RIP at +0, the interrupted RSP at +24 (after the error
 * code when op info is 1). */
#define MACHFRAME_RSP 24u

static const char method_x64[] = "x64 unwind data (.pdata)";

/* Saved-context layouts at KTHREAD.KernelStack (see unwind.h). */
static const struct switch_frame {
	const char *name;
	unsigned return_offset, size;
	bool has_rbp;
	unsigned rbp_offset;
} switch_frames[] = {
	{ "return address at KernelStack", 0, 8, false, 0 },
	{ "KSWITCH_FRAME (7, 10)", 0x38, 0x40, true, 0x30 },
	{ "KSWITCH_FRAME (2003)", 0x18, 0x20, true, 0x10 },
};

/* Slots (UNWIND_CODE entries) that op takes, 0 when op is not valid in
 * this version or with this op info. */
static unsigned code_slots(unsigned op, unsigned info, unsigned version)
{
	switch (op) {
	case UWOP_PUSH_NONVOL: case UWOP_ALLOC_SMALL: case UWOP_SET_FPREG:
		return 1;
	case UWOP_ALLOC_LARGE:
		return info == 0 ? 2 : info == 1 ? 3 : 0;
	case UWOP_SAVE_NONVOL: case UWOP_SAVE_XMM128:
		return 2;
	case UWOP_SAVE_NONVOL_FAR: case UWOP_SAVE_XMM128_FAR:
		return 3;
	case UWOP_EPILOG:
		return version == 2 ? 1 : 0;
	case UWOP_PUSH_MACHFRAME:
		return info <= 1 ? 1 : 0;
	default:
		return 0;
	}
}

static bool read_slot(unwind_read_fn read, void *ctx, uint64_t va, uint64_t *v, char *why)
{
	if (read(ctx, va, v))
		return true;
	snprintf(why, UNWIND_NOTE_MAX, "the stack slot at 0x%llx is not in the dump",
		 (unsigned long long)va);
	return false;
}

static bool fail_why(char *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool fail_why(char *why, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, UNWIND_NOTE_MAX, fmt, ap);
	va_end(ap);
	return false;
}

bool unwind_apply_info(const uint8_t *info, size_t len, uint64_t pc_offset,
		       struct unwind_context *c, unwind_read_fn read, void *read_ctx,
		       bool *chained, struct runtime_function *next, char *why)
{
	*chained = false;
	if (len < UNWIND_INFO_HEADER)
		return fail_why(why, "the UNWIND_INFO header is cut short");
	unsigned version = info[0] & 7u, flags = info[0] >> 3, count = info[2];
	unsigned frame_reg = info[3] & 15u, frame_offset = info[3] >> 4;
	if (version != 1 && version != 2)
		return fail_why(why, "UNWIND_INFO version %u (expected 1 or 2)", version);
	if (UNWIND_INFO_HEADER + 2u * count > len)
		return fail_why(why, "the unwind codes run past the UNWIND_INFO");
	const uint8_t *code = info + UNWIND_INFO_HEADER;
	/* Offsets of saves are from the fixed allocation's base: RSP, or the
	 * frame register less its offset once the prologue has set it. */
	bool fp_set = false;
	for (unsigned i = 0; i < count;) {
		unsigned op = code[2 * i + 1] & 15u, slots = code_slots(op, code[2 * i + 1] >> 4, version);
		if (!slots)
			break;
		if (op == UWOP_SET_FPREG && code[2 * i] <= pc_offset)
			fp_set = true;
		i += slots;
	}
	if (fp_set && (!frame_reg || !(c->known & 1u << frame_reg)))
		return fail_why(why, "the frame register's value is not known");
	uint64_t base = fp_set ? c->reg[frame_reg] - 16u * frame_offset : c->reg[UNWIND_REG_RSP];
	uint64_t *rsp = &c->reg[UNWIND_REG_RSP];
	for (unsigned i = 0; i < count;) {
		unsigned offset = code[2 * i], op = code[2 * i + 1] & 15u, opinfo = code[2 * i + 1] >> 4;
		unsigned slots = code_slots(op, opinfo, version);
		if (!slots)
			return fail_why(why, "unwind code %u: op %u with info %u is not valid in "
					"version %u", i, op, opinfo, version);
		if (i + slots > count)
			return fail_why(why, "unwind code %u runs past CountOfCodes %u", i, count);
		/* the count check above keeps these inside the codes */
		uint64_t arg16 = slots >= 2 ? le_bytes(code + 2 * i + 2, 2) : 0;
		uint64_t arg32 = slots == 3 ? le_bytes(code + 2 * i + 2, 4) : 0;
		i += slots;
		if (op == UWOP_EPILOG || offset > pc_offset)
			continue;
		uint64_t v;
		switch (op) {
		case UWOP_PUSH_NONVOL:
			if (opinfo == UNWIND_REG_RSP)
				return fail_why(why, "unwind code %u pushes RSP", i - slots);
			if (!read_slot(read, read_ctx, *rsp, &v, why))
				return false;
			c->reg[opinfo] = v;
			c->known |= (uint16_t)(1u << opinfo);
			*rsp += 8;
			break;
		case UWOP_ALLOC_LARGE:
			*rsp += opinfo == 0 ? arg16 * 8 : arg32;
			break;
		case UWOP_ALLOC_SMALL:
			*rsp += 8u * opinfo + 8;
			break;
		case UWOP_SET_FPREG:
			*rsp = c->reg[frame_reg] - 16u * frame_offset;
			break;
		case UWOP_SAVE_NONVOL:
		case UWOP_SAVE_NONVOL_FAR:
			if (opinfo == UNWIND_REG_RSP)
				return fail_why(why, "unwind code %u saves RSP", i - slots);
			if (!read_slot(read, read_ctx, base + (op == UWOP_SAVE_NONVOL ? arg16 * 8 : arg32),
				       &v, why))
				return false;
			c->reg[opinfo] = v;
			c->known |= (uint16_t)(1u << opinfo);
			break;
		case UWOP_PUSH_MACHFRAME: {
			uint64_t frame = *rsp + (opinfo ? 8u : 0u), old_rsp;
			if (!read_slot(read, read_ctx, frame, &v, why) ||
			    !read_slot(read, read_ctx, frame + MACHFRAME_RSP, &old_rsp, why))
				return false;
			c->rip = v;
			*rsp = old_rsp;
			c->machine_frame = true;
			break;
		}
		default:   /* the XMM saves: kdx tracks integer registers only */
			break;
		}
	}
	if (flags & UNW_FLAG_CHAININFO) {
		size_t at = UNWIND_INFO_HEADER + 2u * ((count + 1u) & ~1u);
		if (at + RUNTIME_FUNCTION_SIZE > len)
			return fail_why(why, "the chained RUNTIME_FUNCTION runs past the UNWIND_INFO");
		next->begin = (uint32_t)le_bytes(info + at, 4);
		next->end = (uint32_t)le_bytes(info + at + 4, 4);
		next->unwind_info = (uint32_t)le_bytes(info + at + 8, 4);
		*chained = true;
	}
	return true;
}

bool unwind_find_function(struct dump *d, const struct module *m, uint32_t rva,
			  struct runtime_function *out)
{
	uint64_t n = m->exception_size / RUNTIME_FUNCTION_SIZE;
	if (n > UNWIND_MAX_FUNCTIONS)
		n = UNWIND_MAX_FUNCTIONS;
	uint64_t lo = 0, hi = n;
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		uint8_t e[RUNTIME_FUNCTION_SIZE];
		uint64_t va = m->base + m->exception_rva + mid * RUNTIME_FUNCTION_SIZE;
		if (xlat_read(d->kernel, va, e, sizeof e, NULL) != sizeof e)
			return false;
		uint32_t begin = (uint32_t)le_bytes(e, 4), end = (uint32_t)le_bytes(e + 4, 4);
		if (rva < begin) {
			hi = mid;
		} else if (rva >= end) {
			lo = mid + 1;
		} else {
			out->begin = begin;
			out->end = end;
			out->unwind_info = (uint32_t)le_bytes(e + 8, 4);
			return true;
		}
	}
	return false;
}

static bool read_kernel_u64(void *ctx, uint64_t va, uint64_t *v)
{
	struct dump *d = ctx;
	uint8_t b[8];
	if (xlat_read(d->kernel, va, b, sizeof b, NULL) != sizeof b)
		return false;
	*v = le_bytes(b, 8);
	return true;
}

/* The UNWIND_INFO at rva of m, its codes and any chained entry, into buf
 * (4 + 2 * 256 + 12 bytes); returns its length, 0 when it is not there. */
static size_t read_unwind_info(struct dump *d, const struct module *m, uint32_t rva, uint8_t *buf)
{
	if (rva >= m->size || m->size - rva < UNWIND_INFO_HEADER ||
	    xlat_read(d->kernel, m->base + rva, buf, UNWIND_INFO_HEADER, NULL) != UNWIND_INFO_HEADER)
		return 0;
	size_t len = UNWIND_INFO_HEADER + 2u * ((buf[2] + 1u) & ~1u);
	if ((buf[0] >> 3) & UNW_FLAG_CHAININFO)
		len += RUNTIME_FUNCTION_SIZE;
	if (len > m->size - rva ||
	    xlat_read(d->kernel, m->base + rva + UNWIND_INFO_HEADER, buf + UNWIND_INFO_HEADER,
		      len - UNWIND_INFO_HEADER, NULL) != len - UNWIND_INFO_HEADER)
		return 0;
	return len;
}

struct walker {
	struct dump *d;
	const struct module_list *ml;
	char note[UNWIND_NOTE_MAX];
};

/* One frame: finds the function holding c->rip and undoes its prologue,
 * leaving the caller's rip and rsp in c. Returns false with w->note set. */
static bool unwind_step(struct walker *w, struct unwind_context *c, size_t *module,
			uint32_t *function)
{
	bool interrupted = c->machine_frame;   /* the rip of an interrupt, not a return */
	uint64_t pc = interrupted ? c->rip : c->rip - 1;
	const struct module *m = modules_find(w->ml, pc);
	if (!m) {
		snprintf(w->note, sizeof w->note, "0x%llx is outside every loaded module",
			 (unsigned long long)c->rip);
		return false;
	}
	*module = (size_t)(m - w->ml->items);
	struct runtime_function rf;
	if (!m->exception_size || !unwind_find_function(w->d, m, (uint32_t)(pc - m->base), &rf)) {
		snprintf(w->note, sizeof w->note, "no RUNTIME_FUNCTION of %.40s covers %.40s+0x%llx",
			 m->name, m->name, (unsigned long long)(c->rip - m->base));
		return false;
	}
	uint64_t pc_offset = c->rip - m->base - rf.begin;
	c->machine_frame = false;
	for (unsigned depth = 0;; depth++) {
		uint8_t info[UNWIND_INFO_HEADER + 2 * 256 + RUNTIME_FUNCTION_SIZE];
		size_t len = depth < UNWIND_MAX_CHAIN ? read_unwind_info(w->d, m, rf.unwind_info, info) : 0;
		bool chained = false;
		char why[UNWIND_NOTE_MAX];
		if (!len)
			snprintf(why, sizeof why, "%s", depth < UNWIND_MAX_CHAIN ?
				 "it is not in the dump or not in the image" : "the chain is longer than 32");
		if (!len || !unwind_apply_info(info, len, pc_offset, c, read_kernel_u64, w->d, &chained,
					       &rf, why)) {
			snprintf(w->note, sizeof w->note, "UNWIND_INFO at %.32s+0x%x for %.32s+0x%llx: %.96s",
				 m->name, rf.unwind_info, m->name,
				 (unsigned long long)(c->rip - m->base), why);
			return false;
		}
		if (!chained)
			break;
		pc_offset = UINT64_MAX;   /* the primary's whole prologue has run */
	}
	*function = rf.begin;
	if (!c->machine_frame) {
		uint64_t *rsp = &c->reg[UNWIND_REG_RSP];
		if (!read_kernel_u64(w->d, *rsp, &c->rip)) {
			snprintf(w->note, sizeof w->note, "the return slot at 0x%llx is not in the dump",
				 (unsigned long long)*rsp);
			return false;
		}
		*rsp += 8;
	}
	return true;
}

/* The walk from one saved-context layout. -1 only when out of memory. */
static int walk_from(struct walker *w, const struct thread *t, const struct switch_frame *sf,
		     struct unwind_result *r)
{
	memset(r, 0, sizeof *r);
	r->method = method_x64;
	r->start = sf->name;
	size_t cap = 0;
	uint64_t top = t->initial_stack > t->stack_limit && t->initial_stack <= t->stack_base
		       ? t->initial_stack : t->stack_base;
	struct unwind_context c = { 0 };
	c.reg[UNWIND_REG_RSP] = t->kernel_stack + sf->size;
	c.known = 1u << UNWIND_REG_RSP;
	w->note[0] = 0;
	if (!read_kernel_u64(w->d, t->kernel_stack + sf->return_offset, &c.rip)) {
		snprintf(r->note, sizeof r->note, "the saved return address at 0x%llx is not in the dump",
			 (unsigned long long)(t->kernel_stack + sf->return_offset));
		return 0;
	}
	uint64_t rbp;
	if (sf->has_rbp && read_kernel_u64(w->d, t->kernel_stack + sf->rbp_offset, &rbp)) {
		c.reg[UNWIND_REG_RBP] = rbp;
		c.known |= 1u << UNWIND_REG_RBP;
	}
	for (;;) {
		uint64_t sp = c.reg[UNWIND_REG_RSP];
		if (sp >= top) {
			r->complete = true;
			break;
		}
		if (r->count == UNWIND_MAX_FRAMES) {
			snprintf(r->note, sizeof r->note, "stopped after %u frames", UNWIND_MAX_FRAMES);
			break;
		}
		struct unwind_frame f = { .sp = sp, .rip = c.rip };
		if (!unwind_step(w, &c, &f.module, &f.function)) {
			snprintf(r->note, sizeof r->note, "frame %zu: %.170s", r->count, w->note);
			break;
		}
		uint64_t caller_sp = c.reg[UNWIND_REG_RSP];
		if (caller_sp <= sp || caller_sp > t->stack_base) {
			snprintf(r->note, sizeof r->note, "frame %zu at 0x%llx: the caller's stack pointer "
				 "0x%llx is not between it and the stack base", r->count,
				 (unsigned long long)sp, (unsigned long long)caller_sp);
			break;
		}
		f.return_address = c.rip;
		f.size = caller_sp - sp;
		f.function_known = true;
		if (unwind_push_frame(r, &cap, &f) < 0)
			return -1;
		if (!c.rip) {
			r->complete = true;
			break;
		}
	}
	return 0;
}

int unwind_thread(struct dump *d, const struct module_list *ml, const struct thread *t,
		  struct unwind_result *out, struct kdx_error *err)
{
	memset(out, 0, sizeof *out);
	if (!d->kernel || !t->sp_in_stack)
		return kdx_fail(err, "kf: thread 0x%x: the saved stack pointer 0x%llx is not inside its "
				"stack [0x%llx, 0x%llx]", t->tid, (unsigned long long)t->kernel_stack,
				(unsigned long long)t->stack_limit, (unsigned long long)t->stack_base);
	if (d->machine != MACHINE_X64) {
		if (unwind_ebp_chain(ml, t, unwind_read_kernel_u32, d, out) < 0)
			return kdx_fail(err, "kf: out of memory for the frames of thread 0x%x", t->tid);
		return 0;
	}
	struct walker w = { .d = d, .ml = ml };
	for (size_t i = 0; i < sizeof switch_frames / sizeof switch_frames[0]; i++) {
		struct unwind_result r;
		if (walk_from(&w, t, &switch_frames[i], &r) < 0) {
			unwind_result_free(&r);
			unwind_result_free(out);
			return kdx_fail(err, "kf: out of memory for the frames of thread 0x%x", t->tid);
		}
		unwind_keep_furthest(out, &r, i == 0);
	}
	return 0;
}

void unwind_result_free(struct unwind_result *r)
{
	free(r->frames);
	r->frames = NULL;
	r->count = 0;
}
