/* Calibration: the process, thread, KPCR/KPRCB and loaded-module fields
 * of a layout found, or confirmed, from invariants of the dump's own
 * structures (MemProcFS finds offsets this way): the System process has
 * PID 4, the name "System" and the header's DTB; ActiveProcessLinks is a
 * ring through PsActiveProcessHead whose every Flink->Blink points back; a
 * thread's DISPATCHER_HEADER.Type is 6 and its ThreadListEntry leads back
 * to its process; InitialStack > KernelStack > StackLimit;
 * Cid.UniqueProcess is the owner's PID; a KPCR's Self points at itself; a
 * module's DllBase maps a PE image of its SizeOfImage; a page table's
 * MMPFN.PteAddress is the VA of the entry that maps it; sessions have
 * distinct SessionIds, one 0; and so on
 * (doc/layouts.md, "Calibration").
 *
 * On a build a column serves, the checks test the column: a field that
 * fails them and one other offset passes is replaced (and said so). On a
 * build no column serves (d->layout.nearest) the nearest build's column is
 * the starting point: every EPROCESS, KTHREAD, ETHREAD, KPCR and
 * LDR_DATA_TABLE_ENTRY field is then either the KDBG's, or calibrated, or
 * unknown, never assumed.
 *
 * Bounded: the first CALIB_PROCESSES processes and CALIB_THREADS threads
 * of each, CALIB_CPUS processors, CALIB_MODULES modules, the
 * CALIB_TABLES page tables that map what those read, a few hundred
 * candidate offsets per field, whatever the dump's size. */
#ifndef KDX_LAYOUT_CALIB_H
#define KDX_LAYOUT_CALIB_H

#include "core/dump.h"

#define CALIB_PROCESSES 12u
#define CALIB_THREADS 8u
#define CALIB_CPUS 8u
#define CALIB_MODULES 16u
#define CALIB_TABLES 16u

/* Runs the checks on d->layout (after the KDBG's offsets are applied) and
 * calibrates what fails them; records the checks in d->layout. */
void dump_layout_calibrate(struct dump *d);

#endif
