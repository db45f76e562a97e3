/* Semantic roles: what a piece of text is, never what colour it has. The
 * theme maps each role to colours (a theme file line: `color ROLE FG BG`).
 * The X-macro keeps the enum and the names used in theme files in step. */
#ifndef KDX_ROLE_H
#define KDX_ROLE_H

#define KDX_ROLES(X) \
	/* chrome */ \
	X(NORMAL, "normal") X(TITLE, "title") X(TAB, "tab") X(TAB_ACTIVE, "tab-active") \
	X(STATUS, "status") X(SELECTION, "selection") X(BORDER, "border") \
	X(HEADER, "header") X(PROMPT, "prompt") X(MESSAGE, "message") X(ERROR, "error") \
	X(HELP_KEY, "help-key") X(PROGRESS, "progress") X(MATCH, "match") \
	/* data */ \
	X(LABEL, "label") X(ADDRESS, "address") X(VALUE, "value") X(ZERO, "zero") \
	X(CHANGED, "changed") X(MUTED, "muted") X(NAME, "name") X(LINK, "link") \
	/* states */ \
	X(OK, "ok") X(WARNING, "warning") X(DANGER, "danger") \
	/* memory regions */ \
	X(REGION_USER, "region-user") X(REGION_IMAGE, "region-image") \
	X(REGION_PAGE_TABLES, "region-page-tables") X(REGION_HYPERSPACE, "region-hyperspace") \
	X(REGION_CACHE, "region-cache") X(REGION_PAGED_POOL, "region-paged-pool") \
	X(REGION_NONPAGED_POOL, "region-nonpaged-pool") X(REGION_SYSTEM_PTES, "region-system-ptes") \
	X(REGION_SESSION, "region-session") X(REGION_PFN, "region-pfn") \
	X(REGION_HAL, "region-hal") X(REGION_UNUSED, "region-unused") \
	/* PTE states */ \
	X(PTE_VALID, "pte-valid") X(PTE_LARGE, "pte-large") X(PTE_TRANSITION, "pte-transition") \
	X(PTE_PAGEFILE, "pte-pagefile") X(PTE_PROTOTYPE, "pte-prototype") \
	X(PTE_DEMAND_ZERO, "pte-demand-zero") X(PTE_EMPTY, "pte-empty") \
	X(PTE_NOT_PRESENT, "pte-not-present") \
	/* pool types */ \
	X(POOL_NONPAGED, "pool-nonpaged") X(POOL_PAGED, "pool-paged") \
	X(POOL_SESSION, "pool-session") X(POOL_FREE, "pool-free") \
	/* stack risk */ \
	X(STACK_OK, "stack-ok") X(STACK_WARN, "stack-warn") X(STACK_DANGER, "stack-danger") \
	/* VA bit fields, one per paging level plus the byte offset */ \
	X(VA_SIGN, "va-sign") X(VA_L1, "va-level1") X(VA_L2, "va-level2") \
	X(VA_L3, "va-level3") X(VA_L4, "va-level4") X(VA_OFFSET, "va-offset") \
	/* hex byte classes */ \
	X(HEX_ZERO, "hex-zero") X(HEX_PRINTABLE, "hex-printable") \
	X(HEX_WHITESPACE, "hex-whitespace") X(HEX_OTHER, "hex-other") X(HEX_HOLE, "hex-hole")

enum role {
#define KDX_ROLE_ENUM(id, name) ROLE_##id,
	KDX_ROLES(KDX_ROLE_ENUM)
#undef KDX_ROLE_ENUM
	ROLE_COUNT
};

const char *role_name(enum role r);
/* -1 when name is not a role. */
int role_from_name(const char *name);

#endif
