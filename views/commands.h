/* The command table, one entry per pane; each is defined in its view file. */
#ifndef KDX_COMMANDS_H
#define KDX_COMMANDS_H

#include "views/command.h"

extern const struct command cmd_help;
extern const struct command cmd_info;
/* For a dump that cannot be opened: what its header still states (info's
 * fields, from the header alone) as a new document in out (the caller
 * frees it); false, out untouched, when it states nothing (not a crash
 * dump, or its header is bad). */
bool info_header_doc(const char *path, struct doc *out);
extern const struct command cmd_vtop;
extern const struct command cmd_pte;
extern const struct command cmd_layout;
extern const struct command cmd_db, cmd_dd, cmd_dq;
extern const struct command cmd_phys_db, cmd_phys_dd, cmd_phys_dq;
extern const struct command cmd_vm, cmd_poolused, cmd_pool, cmd_poolfind;
extern const struct command cmd_lm, cmd_tagowner, cmd_poolrefs, cmd_pooldiff;
extern const struct command cmd_process, cmd_threads, cmd_stacks, cmd_stack;
extern const struct command cmd_kf, cmd_k, cmd_kb, cmd_kn, cmd_thread;
extern const struct command cmd_session, cmd_sprocess;
extern const struct command cmd_memusage, cmd_pfn;
extern const struct command cmd_s;
extern const struct command cmd_verifier;
extern const struct command cmd_dt;

#endif
