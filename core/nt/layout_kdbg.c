#include "core/nt/layout_kdbg.h"

#include <stdio.h>
#include <string.h>

#include "core/nt/kdbg.h"
#include "core/nt/layout_calib.h"
#include "core/nt/profile.h"

/* A KDBG field (its name in wdbgexts.h's KDDEBUGGER_DATA64) that holds a
 * layout field's value. */
struct kdbg_fact {
	unsigned kdbg, size;
	const char *kdbg_name, *table, *field;
};

static const struct kdbg_fact kdbg_facts[] = {
	{ KDBG_OFFSET_KTHREAD_TEB, 2, "OffsetKThreadTeb", "kthread", "teb" },
	{ KDBG_OFFSET_KTHREAD_KERNEL_STACK, 2, "OffsetKThreadKernelStack", "kthread", "kernel_stack" },
	{ KDBG_OFFSET_KTHREAD_INITIAL_STACK, 2, "OffsetKThreadInitialStack", "kthread", "initial_stack" },
	{ KDBG_OFFSET_KTHREAD_APC_PROCESS, 2, "OffsetKThreadApcProcess", "kthread", "apc_state_process" },
	{ KDBG_OFFSET_KTHREAD_STATE, 2, "OffsetKThreadState", "kthread", "state" },
	{ KDBG_SIZE_EPROCESS, 2, "SizeEProcess", "eprocess", "size" },
	{ KDBG_OFFSET_EPROCESS_PEB, 2, "OffsetEprocessPeb", "eprocess", "peb" },
	{ KDBG_OFFSET_EPROCESS_PARENT_CID, 2, "OffsetEprocessParentCID", "eprocess",
	  "inherited_from_unique_process_id" },
	{ KDBG_OFFSET_EPROCESS_DIRECTORY_TABLE_BASE, 2, "OffsetEprocessDirectoryTableBase", "eprocess",
	  "directory_table_base" },
	{ KDBG_SIZE_PRCB, 2, "SizePrcb", "kpcr", "prcb_size" },
	{ KDBG_OFFSET_PRCB_CURRENT_THREAD, 2, "OffsetPrcbCurrentThread", "kpcr", "prcb_current_thread" },
	{ KDBG_OFFSET_PRCB_NUMBER, 2, "OffsetPrcbNumber", "kpcr", "prcb_number" },
	{ KDBG_SIZE_ETHREAD, 2, "SizeEThread", "ethread", "size" },
	{ KDBG_OFFSET_KTHREAD_STACK_LIMIT, 4, "OffsetKThreadStackLimit", "kthread", "stack_limit" },
	{ KDBG_OFFSET_KTHREAD_STACK_BASE, 4, "OffsetKThreadStackBase", "kthread", "stack_base" },
	{ KDBG_OFFSET_PRCB_DPC_STACK, 2, "OffsetPrcbDpcStack", "kpcr", "prcb_dpc_stack" },
};
#define NFACTS (sizeof kdbg_facts / sizeof kdbg_facts[0])

/* The KDBG's value of each fact; 0 where the block does not hold it (too
 * short, or left zero: no structure has a field at 0 that these name). */
static void kdbg_values(const struct dump *d, uint16_t *v)
{
	for (size_t i = 0; i < NFACTS; i++) {
		uint64_t x = 0;
		if (!dump_kdbg_field(d, kdbg_facts[i].kdbg, kdbg_facts[i].size, &x) || x >= PROF_ABSENT)
			x = 0;
		v[i] = (uint16_t)x;
	}
}

static unsigned agreements(const struct profile *p, const uint16_t *v, unsigned *checked)
{
	unsigned n = 0;
	*checked = 0;
	for (size_t i = 0; i < NFACTS; i++) {
		if (!v[i])
			continue;
		const struct layout_field *f = layout_field_named(kdbg_facts[i].table, kdbg_facts[i].field);
		(*checked)++;
		n += layout_field_value(p, f) == v[i];
	}
	return n;
}

void dump_layout_resolve(struct dump *d)
{
	uint16_t v[NFACTS];
	kdbg_values(d, v);
	const struct profile *best = NULL, *first = NULL;
	unsigned best_agreed = 0, checked = 0;
	for (const struct profile *const *p = kdx_profiles; *p; p++) {
		if (!d->has_build || !profile_serves(*p, d->machine, d->paging, d->build))
			continue;
		if (d->revision && *p != profile_for_revision(d->machine, d->paging, d->build, d->revision))
			continue;
		unsigned agreed = agreements(*p, v, &checked);
		if (!first)
			first = *p;
		if (!best || agreed > best_agreed) {
			best = *p;
			best_agreed = agreed;
		}
	}
	/* A build no column serves starts from the nearest build's column;
	 * calibration then finds what moved (core/nt/layout_calib.h). */
	bool nearest = !best && d->has_build &&
		       (best = profile_nearest(d->machine, d->paging, d->build)) != NULL;
	if (nearest)
		best_agreed = agreements(best, v, &checked);
	dump_layout_init(&d->layout, best);
	if (!best)
		return;
	struct dump_layout *l = &d->layout;
	l->nearest = nearest;
	l->kdbg_checked = checked;
	l->kdbg_agreed = best_agreed;
	l->passed_over = best != first ? first : NULL;
	if (nearest)
		kdx_warn(&d->warnings, "build %u: no layout table serves it; kdx starts from %s (%s), the "
			 "nearest build, and finds the process, thread, KPCR and loaded-module fields "
			 "from the dump's own structures (info -v lists the checks)", d->build, best->name, best->taken_from);
	for (size_t i = 0; i < NFACTS; i++) {
		const struct kdbg_fact *k = &kdbg_facts[i];
		const struct layout_field *f = layout_field_named(k->table, k->field);
		uint16_t table = layout_field_value(l->profile, f);
		struct kdx_error err;
		if (v[i] && nearest) {
			/* another build's column: the KDBG's offsets are this build's */
			if (dump_layout_set(l, f, v[i], LAYOUT_FROM_KDBG, &err) == 0)
				l->kdbg_patched += table != v[i];
			continue;
		}
		if (!v[i] || table == v[i])
			continue;
		if (dump_layout_set(l, f, v[i], LAYOUT_FROM_KDBG, &err) < 0) {
			kdx_warn(&d->warnings, "layout %s: %s.%s is 0x%x in the table but 0x%x in the KDBG's "
				 "%s, which kdx cannot use (%s): %s figures may be wrong", best->name, k->table,
				 k->field, table, v[i], k->kdbg_name, err.msg, k->table);
			continue;
		}
		l->kdbg_patched++;
		kdx_warn(&d->warnings, "layout %s: %s.%s is 0x%x in the table but 0x%x in the KDBG's %s: "
			 "kdx uses the KDBG's; other %s fields may have moved too", best->name, k->table,
			 k->field, table, v[i], k->kdbg_name, k->table);
	}
	dump_layout_calibrate(d);
}
