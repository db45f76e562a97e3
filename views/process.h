/* Pieces the process, thread, stack and session panes share. */
#ifndef KDX_VIEWS_PROCESS_H
#define KDX_VIEWS_PROCESS_H

#include "core/nt/process.h"
#include "views/doc/doc.h"

/* A ring that broke: its note as a danger field under key. */
void add_ring_note(struct dnode *parent, const char *key, const struct ring_result *r);
/* FILETIME (100 ns since 1601, doc/structures.md §1) as "2021-03-04 05:06:07 UTC". */
void filetime_text(uint64_t filetime, char *buf, size_t size);
/* A duration in ms as WinDbg's !runaway prints it: "0 days 0:01:23.456". */
void runaway_text(uint64_t ms, char *buf, size_t size);
/* The DTB cell: the value, linked to the PTE pane for that address space
 * (at the PEB, or the EPROCESS when there is no user space). */
struct dnode *add_dtb(struct dnode *parent, const struct process *p);
/* Name, PID, parent, DTB, session and thread count of p as fields. */
void add_process_fields(struct dnode *parent, const struct process *p);
/* A field the dump's layout lacks (struct process.unknown): no value. */
struct dnode *add_unknown(struct dnode *parent, const char *key);
/* One line naming the fields of a process list the layout lacks, linking
 * to the checks (info -v); JSON null when it lacks none. */
void add_unknown_note(struct dnode *parent, const struct dump *d, unsigned unknown);
enum role stack_risk_role(enum stack_risk r);
/* A thread row's link: its frames, as WinDbg's `.thread` then `kf`; the kf
 * pane's ethread opens the stack page by page. */
struct dnode *link_thread_frames(struct dnode *row, const struct thread *t);
/* The TUI's line saying so, above a table of such rows. */
void add_thread_keys(struct dnode *parent);
const char *guard_text(enum guard_state g);

#endif
