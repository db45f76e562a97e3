#include "core/nt/verifier.h"

#include <stdio.h>
#include <string.h>

#include "core/util/bytes.h"
#include "core/nt/kdbg.h"
#include "core/nt/profile.h"

/* The verifier flags (Microsoft's `verifier` command reference for bits
 * 0-11; the flag list `verifier /querysettings` prints on Windows 10 for
 * the rest). */
static const struct {
	uint32_t bit;
	const char *name;
} flag_names[] = {
	{ VERIFIER_SPECIAL_POOL, "special pool" },
	{ 0x00000002, "force IRQL checking" },
	{ 0x00000004, "low resources simulation" },
	{ 0x00000008, "pool tracking" },
	{ 0x00000010, "I/O verification" },
	{ 0x00000020, "deadlock detection" },
	{ 0x00000080, "DMA checking" },
	{ 0x00000100, "security checks" },
	{ 0x00000200, "force pending I/O requests" },
	{ 0x00000400, "IRP logging" },
	{ 0x00000800, "miscellaneous checks" },
	{ 0x00002000, "invariant MDL checking for stack" },
	{ 0x00004000, "invariant MDL checking for driver" },
	{ 0x00008000, "power framework delay fuzzing" },
	{ 0x00010000, "port/miniport interface checking" },
	{ 0x00020000, "DDI compliance checking" },
	{ 0x00040000, "systematic low resources simulation" },
	{ 0x00080000, "DDI compliance checking (additional)" },
	{ 0x00100000, "extended verifier flags (internal)" },
	{ 0x00200000, "NDIS/WIFI verification" },
	{ 0x00800000, "kernel synchronization delay fuzzing" },
	{ 0x01000000, "VM switch verification" },
	{ 0x02000000, "code integrity checks" },
};

size_t verifier_flag_names(uint32_t level, const char *names[VERIFIER_MAX_FLAGS],
			   char buf[VERIFIER_MAX_FLAGS][12])
{
	size_t n = 0;
	for (unsigned b = 0; b < 32; b++) {
		uint32_t bit = 1u << b;
		if (!(level & bit))
			continue;
		names[n] = NULL;
		for (size_t i = 0; i < sizeof flag_names / sizeof flag_names[0]; i++)
			if (flag_names[i].bit == bit)
				names[n] = flag_names[i].name;
		if (!names[n]) {
			snprintf(buf[n], sizeof buf[n], "0x%x", bit);
			names[n] = buf[n];
		}
		n++;
	}
	return n;
}

int verifier_read(struct dump *d, struct verifier_state *v, struct kdx_error *err)
{
	memset(v, 0, sizeof *v);
	struct prof_verifier_field fields[PROF_VERIFIER_MAX_FIELDS];
	size_t nfields = verifier_layout(d->layout.profile, fields);
	if (!nfields)
		return kdx_fail(err, "verifier: no _MM_DRIVER_VERIFIER_DATA layout for this build");
	if (!d->has_kdbg || !dump_kdbg_field(d, KDBG_MM_VERIFIER_DATA, 8, &v->data) || !v->data)
		return kdx_fail(err, "verifier: the KDBG has no MmVerifierData (+0x%x)",
				KDBG_MM_VERIFIER_DATA);
	size_t bytes = 0;
	for (size_t i = 0; i < nfields; i++)
		if ((size_t)fields[i].offset + fields[i].size > bytes)
			bytes = (size_t)fields[i].offset + fields[i].size;
	uint8_t buf[0x200];
	if (bytes > sizeof buf || xlat_read(d->kernel, v->data, buf, bytes, NULL) != bytes)
		return kdx_fail(err, "verifier: MmVerifierData at 0x%llx (0x%zx bytes) is not in the "
				"dump", (unsigned long long)v->data, bytes);
	v->level = (uint32_t)le_bytes(buf + fields[0].offset, fields[0].size);
	for (size_t i = 1; i < nfields && v->ncounters < VERIFIER_MAX_COUNTERS; i++)
		v->counters[v->ncounters++] = (struct verifier_counter){
			fields[i].name, le_bytes(buf + fields[i].offset, fields[i].size) };
	uint8_t tag[4];
	if (dump_kdbg_field(d, KDBG_MM_SPECIAL_POOL_TAG, 8, &v->tag_at) && v->tag_at &&
	    xlat_read(d->kernel, v->tag_at, tag, 4, NULL) == 4) {
		v->has_tag = true;
		v->special_pool_tag = (uint32_t)le_bytes(tag, 4);
	}
	return 0;
}
