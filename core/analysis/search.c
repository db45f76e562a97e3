/* Memory search (search.h). Pages of the searched space are matched in
 * chunks while they are contiguous; each chunk is matched from where the
 * last one stopped, with the bytes a match may still need carried over:
 * n-1 bytes for a literal, and for a regex the start of PCRE2's partial
 * match (PCRE2_PARTIAL_HARD) plus the pattern's lookbehind. So a match
 * across a contiguous page boundary is found once, and never across a
 * hole. A chunk is matched where it lies in the dump's mapping while its
 * pages follow each other there too (most of a full dump); only pages that
 * do not, and the carry before them, are copied into the chunk buffer. */
#include "core/analysis/search.h"

#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 0
#include <pcre2.h>

#include "core/xlat/layout.h"
#include "core/xlat/pte.h"
#include "core/xlat/walk.h"

#define CHUNK_BYTES (64u * 1024u)

enum engine { ENGINE_LITERAL, ENGINE_PCRE2_8, ENGINE_PCRE2_16 };

struct search_pattern {
	enum search_kind kind;
	enum engine engine;
	char text[512];
	/* literal engine */
	uint8_t *needle;
	size_t nlen;
	unsigned align;
	/* PCRE2 engines */
	pcre2_code_8 *re8;
	pcre2_code_16 *re16;
	bool jit;
	bool every_address;            /* a literal through PCRE2: overlapping matches too */
	size_t lookbehind;             /* bytes */
};

static int utf16le(const char *text, uint8_t **out, size_t *len, struct kdx_error *err)
{
	size_t in = strlen(text), cap = in * 4 + 4;
	uint8_t *buf = malloc(cap);
	if (!buf)
		return kdx_fail(err, "s: out of memory");
	iconv_t cd = iconv_open("UTF-16LE", "UTF-8");
	if (cd == (iconv_t)-1) {
		free(buf);
		return kdx_fail(err, "s: no UTF-8 to UTF-16LE conversion: %s", strerror(errno));
	}
	char *ip = (char *)text, *op = (char *)buf;
	size_t il = in, ol = cap;
	size_t r = iconv(cd, &ip, &il, &op, &ol);
	iconv_close(cd);
	if (r == (size_t)-1) {
		free(buf);
		return kdx_fail(err, "s: \"%s\": offset %td: not UTF-8", text, ip - text);
	}
	*out = buf;
	*len = cap - ol;
	return 0;
}

static int join_words(int n, char **words, char *out, size_t size, struct kdx_error *err)
{
	size_t used = 0;
	out[0] = 0;
	for (int i = 0; i < n; i++) {
		int k = snprintf(out + used, size - used, "%s%s", i ? " " : "", words[i]);
		if (k < 0 || (size_t)k >= size - used)
			return kdx_fail(err, "s: pattern longer than %zu bytes", size - 1);
		used += (size_t)k;
	}
	return 0;
}

static int hex_digit(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* -b: "41 42 ?? 43"; literal without ??, else a PCRE2 pattern of \x{..}
 * and "." (DOTALL) into re (size bytes). */
static int parse_bytes(struct search_pattern *p, int n, char **words, char *re, size_t size,
		       bool *wild, struct kdx_error *err)
{
	p->needle = malloc((size_t)n ? (size_t)n : 1);
	if (!p->needle)
		return kdx_fail(err, "s: out of memory");
	*wild = false;
	size_t used = 0;
	for (int i = 0; i < n; i++) {
		const char *w = words[i];
		int hi = hex_digit(w[0]), lo = w[0] ? hex_digit(w[1]) : -1;
		bool any = strcmp(w, "??") == 0;
		if (!any && (strlen(w) > 2 || hi < 0 || (w[1] && lo < 0)))
			return kdx_fail(err, "s -b: \"%s\": expected a byte in hex or ??", w);
		uint8_t b = (uint8_t)(w[1] ? hi * 16 + lo : hi);
		*wild |= any;
		p->needle[p->nlen++] = b;
		int k = any ? snprintf(re + used, size - used, ".")
			    : snprintf(re + used, size - used, "\\x{%02x}", b);
		if (k < 0 || (size_t)k >= size - used)
			return kdx_fail(err, "s -b: too many bytes");
		used += (size_t)k;
	}
	if (!n)
		return kdx_fail(err, "s -b: no bytes to search for");
	return 0;
}

/* "/pattern/flags" or a bare pattern; PCRE2 options from the flags. */
static int parse_slashes(char *text, const char **pattern, uint32_t *options,
			 struct kdx_error *err)
{
	*options = 0;
	*pattern = text;
	size_t n = strlen(text);
	char *close = n > 1 && text[0] == '/' ? strrchr(text, '/') : NULL;
	if (!close || close == text)
		return 0;
	for (const char *f = close + 1; *f; f++) {
		switch (*f) {
		case 'i': *options |= PCRE2_CASELESS; break;
		case 'm': *options |= PCRE2_MULTILINE; break;
		case 's': *options |= PCRE2_DOTALL; break;
		case 'x': *options |= PCRE2_EXTENDED; break;
		default:
			return kdx_fail(err, "s -r: flag '%c': expected i, m, s or x", *f);
		}
	}
	*close = 0;
	*pattern = text + 1;
	return 0;
}

static int compile_error(int code, size_t offset, const char *pattern, struct kdx_error *err)
{
	PCRE2_UCHAR8 msg[160];
	pcre2_get_error_message_8(code, msg, sizeof msg);
	return kdx_fail(err, "s: /%s/: offset %zu: %s", pattern, offset, (char *)msg);
}

static int compile8(struct search_pattern *p, const char *pattern, uint32_t options,
		    struct kdx_error *err)
{
	int code;
	PCRE2_SIZE off;
	p->re8 = pcre2_compile_8((PCRE2_SPTR8)pattern, PCRE2_ZERO_TERMINATED, options, &code, &off,
				 NULL);
	if (!p->re8)
		return compile_error(code, off, pattern, err);
	p->jit = pcre2_jit_compile_8(p->re8, PCRE2_JIT_COMPLETE | PCRE2_JIT_PARTIAL_HARD) == 0;
	uint32_t lb = 0;
	pcre2_pattern_info_8(p->re8, PCRE2_INFO_MAXLOOKBEHIND, &lb);
	p->lookbehind = lb;
	p->engine = ENGINE_PCRE2_8;
	return 0;
}

/* -ru: the pattern as UTF-16 code units, matched as UTF-16 text that may
 * hold invalid code units (any memory does). */
static int compile16(struct search_pattern *p, const char *pattern, uint32_t options,
		     struct kdx_error *err)
{
	uint8_t *units;
	size_t len;
	if (utf16le(pattern, &units, &len, err) < 0)
		return -1;
	int code;
	PCRE2_SIZE off;
	p->re16 = pcre2_compile_16((PCRE2_SPTR16)units, len / 2,
				   options | PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &code, &off, NULL);
	free(units);
	if (!p->re16)
		return compile_error(code, off, pattern, err);
	p->jit = pcre2_jit_compile_16(p->re16, PCRE2_JIT_COMPLETE | PCRE2_JIT_PARTIAL_HARD) == 0;
	uint32_t lb = 0;
	pcre2_pattern_info_16(p->re16, PCRE2_INFO_MAXLOOKBEHIND, &lb);
	p->lookbehind = (size_t)lb * 2;
	p->engine = ENGINE_PCRE2_16;
	return 0;
}

/* Literal bytes go through PCRE2's JIT when the platform has one: over
 * dump pages it matched glibc's memmem on a long rare needle and beat it
 * 1.6x with many hits and 5x on a two-byte needle (bench/search.sh).
 * Without a JIT, memmem. Every address where the bytes match is a hit. */
static int literal_engine(struct search_pattern *p, struct kdx_error *err)
{
	char *re = malloc(p->nlen * 6 + 1);
	if (!re)
		return kdx_fail(err, "s: out of memory");
	for (size_t i = 0; i < p->nlen; i++)
		snprintf(re + 6 * i, 7, "\\x{%02x}", p->needle[i]);
	int r = compile8(p, re, 0, err);
	free(re);
	if (r == 0 && !p->jit) {
		pcre2_code_free_8(p->re8);
		p->re8 = NULL;
		p->engine = ENGINE_LITERAL;
	}
	p->every_address = true;
	return r;
}

int search_pattern_new(enum search_kind kind, int nwords, char **words,
		       struct search_pattern **out, struct kdx_error *err)
{
	*out = NULL;
	if (nwords < 1)
		return kdx_fail(err, "s: no pattern");
	struct search_pattern *p = calloc(1, sizeof *p);
	if (!p)
		return kdx_fail(err, "s: out of memory");
	p->kind = kind;
	p->align = 1;
	char joined[sizeof p->text];
	int r = join_words(nwords, words, joined, sizeof joined, err);
	switch (kind) {
	case SEARCH_ASCII:
		if (r == 0 && !*joined)
			r = kdx_fail(err, "s -a: empty text");
		if (r == 0 && !(p->needle = (uint8_t *)strdup(joined)))
			r = kdx_fail(err, "s: out of memory");
		p->nlen = strlen(joined);
		if (r == 0)
			r = literal_engine(p, err);
		snprintf(p->text, sizeof p->text, "\"%.500s\"", joined);
		break;
	case SEARCH_UTF16:
		if (r == 0 && !*joined)
			r = kdx_fail(err, "s -u: empty text");
		if (r == 0)
			r = utf16le(joined, &p->needle, &p->nlen, err);
		if (r == 0)
			r = literal_engine(p, err);
		snprintf(p->text, sizeof p->text, "\"%.500s\"", joined);
		break;
	case SEARCH_BYTES: {
		char re[4 * 1024];
		bool wild = false;
		if (r == 0)
			r = parse_bytes(p, nwords, words, re, sizeof re, &wild, err);
		if (r == 0)
			r = wild ? compile8(p, re, PCRE2_DOTALL, err) : literal_engine(p, err);
		snprintf(p->text, sizeof p->text, "%s", joined);
		break;
	}
	case SEARCH_DWORD:
	case SEARCH_QWORD: {
		unsigned size = kind == SEARCH_DWORD ? 4 : 8;
		char *end;
		errno = 0;
		unsigned long long v = nwords == 1 ? strtoull(words[0], &end, 0) : 0;
		if (r == 0 && (nwords != 1 || errno || *end || end == words[0] ||
			       (size == 4 && v > 0xffffffffull)))
			r = kdx_fail(err, "s -%c: \"%s\": expected one %u-byte value",
				     size == 4 ? 'd' : 'q', joined, size);
		if (r == 0 && !(p->needle = malloc(size)))
			r = kdx_fail(err, "s: out of memory");
		for (unsigned i = 0; r == 0 && i < size; i++)
			p->needle[i] = (uint8_t)(v >> (8 * i));
		p->nlen = size;
		p->align = size;
		snprintf(p->text, sizeof p->text, "%#llx", v);
		break;
	}
	case SEARCH_REGEX:
	case SEARCH_REGEX_UTF16: {
		snprintf(p->text, sizeof p->text, "%s", joined);
		const char *pattern;
		uint32_t options;
		if (r == 0)
			r = parse_slashes(joined, &pattern, &options, err);
		if (r == 0 && !*pattern)
			r = kdx_fail(err, "s -r: empty pattern");
		if (r == 0)
			r = kind == SEARCH_REGEX ? compile8(p, pattern, options, err)
						 : compile16(p, pattern, options, err);
		break;
	}
	}
	if (r < 0) {
		search_pattern_free(p);
		return -1;
	}
	*out = p;
	return 0;
}

void search_pattern_free(struct search_pattern *p)
{
	if (!p)
		return;
	free(p->needle);
	pcre2_code_free_8(p->re8);
	pcre2_code_free_16(p->re16);
	free(p);
}

bool search_pattern_memmem(struct search_pattern *p)
{
	if (!p->every_address || p->align > 1)
		return false;
	pcre2_code_free_8(p->re8);
	p->re8 = NULL;
	p->engine = ENGINE_LITERAL;
	return true;
}

const char *search_pattern_text(const struct search_pattern *p)
{
	return p->text;
}

const char *search_pattern_engine(const struct search_pattern *p)
{
	if (p->engine != ENGINE_LITERAL && p->every_address)
		return "PCRE2 JIT, literal";
	if (p->engine != ENGINE_LITERAL)
		return p->jit ? "PCRE2 JIT" : "PCRE2";
	return p->align > 1 ? "memmem, aligned" : "memmem";
}

/* ---- the scan ---- */

struct scan {
	struct dump *d;
	const struct search_pattern *p;
	const struct search_range *r;
	struct xlat *x;                /* virtual searches */
	search_hit_fn on_hit;
	void *ctx;
	struct search_result *out;
	size_t keep;                   /* hits kept at most */
	pcre2_match_data_8 *md8;
	pcre2_match_data_16 *md16;
	pcre2_match_context_8 *mc8;
	pcre2_match_context_16 *mc16;
	uint8_t *buf;                  /* the chunk buffer */
	const uint8_t *data;           /* the chunk: buf, or a span of the dump's mapping */
	bool direct;                   /* data is in the mapping */
	const uint8_t *tail;           /* the last page fed, where it is in the mapping (or NULL) */
	size_t tail_pos;               /* and where it starts in data */
	size_t len, from, cap;
	uint64_t buf_addr;             /* the address of data[0] */
	uint64_t next_addr;            /* after the last page fed, for holes */
	bool fed;
	uint64_t total;                /* bytes to search, for progress */
	bool stop;
	uint8_t scratch[KDX_PAGE_SIZE];
};

static void hit(struct scan *s, size_t at, size_t length)
{
	struct search_result *o = s->out;
	uint64_t addr = s->buf_addr + at;
	struct search_hit h = { .length = (uint32_t)length };
	if (s->r->space == SEARCH_PHYSICAL) {
		h.pa = addr;
		h.has_pa = true;
	} else {
		h.va = addr;
		h.has_va = true;
		h.has_pa = xlat_to_phys(s->x, addr, &h.pa) == XLAT_OK;
	}
	size_t n = s->len - at < SEARCH_PREVIEW ? s->len - at : SEARCH_PREVIEW;
	memcpy(h.preview, s->data + at, n);
	h.npreview = (uint8_t)n;
	o->total_hits++;
	if (o->count < s->keep) {
		/* doubling from 1024: growing by a fixed step copied the list
		 * quadratically (a fuzzed regex with a hit per byte timed out) */
		if (o->count == 0 || (o->count >= 1024 && (o->count & (o->count - 1)) == 0)) {
			size_t cap = o->count ? 2 * o->count : 1024;
			if (cap > s->keep)
				cap = s->keep;
			struct search_hit *g = realloc(o->hits, cap * sizeof *g);
			if (!g) {
				s->stop = true;
				snprintf(o->note, sizeof o->note, "out of memory after %zu hits", o->count);
				return;
			}
			o->hits = g;
		}
		o->hits[o->count++] = h;
	}
	if (s->on_hit)
		s->on_hit(s->ctx, &h, o->total_hits);
}

/* Matches buf[from, len); returns where the next chunk must start
 * searching (*resume) and the first byte it must keep (*keep). */
static void match_literal(struct scan *s, bool final, size_t *keep, size_t *resume)
{
	const struct search_pattern *p = s->p;
	size_t pos = s->from;
	while (pos + p->nlen <= s->len) {
		const uint8_t *f = memmem(s->data + pos, s->len - pos, p->needle, p->nlen);
		if (!f)
			break;
		size_t at = (size_t)(f - s->data);
		if ((s->buf_addr + at) % p->align == 0)
			hit(s, at, p->nlen);
		pos = at + 1;
	}
	size_t tail = s->len >= p->nlen - 1 ? s->len - (p->nlen - 1) : 0;
	*resume = final ? s->len : (tail > s->from ? tail : s->from);
	*keep = *resume;
}

static int pcre_match(struct scan *s, size_t start, uint32_t options, size_t *ms, size_t *me)
{
	const struct search_pattern *p = s->p;
	if (p->engine == ENGINE_PCRE2_8) {
		int rc = pcre2_match_8(p->re8, s->data, s->len, start, options, s->md8, s->mc8);
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer_8(s->md8);
		*ms = ov[0];
		*me = ov[1];
		return rc;
	}
	int rc = pcre2_match_16(p->re16, (PCRE2_SPTR16)(const void *)s->data, s->len / 2, start / 2,
				options, s->md16, s->mc16);
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer_16(s->md16);
	*ms = ov[0] * 2;
	*me = ov[1] * 2;
	return rc;
}

static void match_regex(struct scan *s, bool final, size_t *keep, size_t *resume)
{
	struct search_result *o = s->out;
	size_t lb = s->p->lookbehind, pos = s->from;
	unsigned step = s->p->engine == ENGINE_PCRE2_16 ? 2 : 1;
	*resume = s->len;
	while (pos < s->len && !s->stop) {
		size_t ms, me;
		int rc = pcre_match(s, pos, final ? 0 : PCRE2_PARTIAL_HARD, &ms, &me);
		if (rc >= 0) {
			if (me > ms)
				hit(s, ms, me - ms);
			pos = me > ms && !s->p->every_address ? me : ms + step;
			continue;
		}
		if (rc == PCRE2_ERROR_PARTIAL) {
			if (s->len - ms < SEARCH_CARRY_MAX) {
				*resume = ms;
				break;
			}
			/* A match longer than the carry: cut it at this chunk's end. */
			o->cut_matches++;
			final = true;
			continue;
		}
		if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
		    rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT) {
			o->limit_hit = true;
			if (++o->limit_chunks >= SEARCH_LIMIT_STOP) {
				o->stopped = true;
				s->stop = true;
			}
		} else if (rc != PCRE2_ERROR_NOMATCH && !o->note[0]) {
			PCRE2_UCHAR8 msg[120];
			pcre2_get_error_message_8(rc, msg, sizeof msg);
			snprintf(o->note, sizeof o->note, "PCRE2: %s", (char *)msg);
		}
		break;
	}
	if (final)
		*resume = s->len;
	*keep = *resume > lb ? *resume - lb : 0;
	*keep -= *keep % step;
}

static void progress(struct scan *s)
{
	char what[64];
	snprintf(what, sizeof what, "search: %llu MiB, %llu hits",
		 (unsigned long long)(s->out->scanned_bytes >> 20),
		 (unsigned long long)s->out->total_hits);
	if (!progress_update(s->d->progress, s->out->scanned_bytes, s->total, what)) {
		s->out->cancelled = true;
		s->stop = true;
	}
}

static void flush(struct scan *s, bool final)
{
	if (!s->len)
		return;
	size_t keep, resume;
	if (s->p->engine == ENGINE_LITERAL)
		match_literal(s, final, &keep, &resume);
	else
		match_regex(s, final, &keep, &resume);
	if (final) {
		s->len = s->from = 0;
	} else {
		if (!s->direct && s->tail && keep >= s->tail_pos) {
			/* What is kept lies in the last page: go on in the mapping. */
			s->data = s->tail + (keep - s->tail_pos);
			s->direct = true;
		} else if (s->direct) {
			s->data += keep;
		} else {
			memmove(s->buf, s->buf + keep, s->len - keep);
		}
		s->buf_addr += keep;
		s->len -= keep;
		s->from = resume - keep;
		s->tail_pos = s->tail_pos > keep ? s->tail_pos - keep : 0;
	}
	progress(s);
}

/* One present page at addr, clipped to the range; bytes that do not
 * follow the last ones end the run (a hole, or the next range). */
static void feed(struct scan *s, uint64_t addr, const uint8_t *page)
{
	bool mapped = page != s->scratch;
	size_t n = KDX_PAGE_SIZE;
	if (addr < s->r->start) {
		page += s->r->start - addr;
		n -= (size_t)(s->r->start - addr);
		addr = s->r->start;
	}
	if (addr + n - 1 > s->r->end)
		n = (size_t)(s->r->end - addr + 1);
	if (s->fed && addr != s->next_addr) {
		flush(s, true);
		s->out->hole_runs++;
	} else if (!s->fed && addr != s->r->start) {
		s->out->hole_runs++;
	}
	s->fed = true;
	s->next_addr = addr + n;
	if (!s->len) {
		s->buf_addr = addr;
		s->from = 0;
		s->data = mapped ? page : s->buf;
		s->direct = mapped;
	}
	/* A page that follows the copied one in the mapping: match what the
	 * buffer holds, so the rest can go on in the mapping. */
	if (!s->direct && mapped && s->tail && s->tail + (s->len - s->tail_pos) == page)
		flush(s, false);
	if (s->direct && s->data + s->len != page) {
		memcpy(s->buf, s->data, s->len);
		s->data = s->buf;
		s->direct = false;
	}
	if (!s->direct)
		memcpy(s->buf + s->len, page, n);
	s->tail = mapped ? page : NULL;
	s->tail_pos = s->len;
	s->len += n;
	s->out->scanned_bytes += n;
	if (s->len + KDX_PAGE_SIZE > s->cap)
		flush(s, false);
}

static int scan_virtual(struct scan *s, struct kdx_error *err)
{
	struct pte_context ctx;
	layout_pte_context(s->d, &ctx);
	struct region_walk *walks = NULL;
	size_t nwalks = 0;
	uint64_t start = s->r->start;
	int r = 0;
	/* A walk keeps LAYOUT_MAX_RANGES ranges; go on after the last one. */
	for (;;) {
		struct region_walk *g = realloc(walks, (nwalks + 1) * sizeof *g);
		if (!g) {
			r = kdx_fail(err, "s: out of memory");
			break;
		}
		walks = g;
		struct region_walk *w = &walks[nwalks];
		if (layout_walk(s->d->src, &ctx, s->r->dtb, start, s->r->end, s->d->progress,
				"search: walking page tables", w, err) < 0) {
			r = -1;
			break;
		}
		nwalks++;
		for (size_t i = 0; i < w->nranges; i++)
			s->total += w->ranges[i].pages * KDX_PAGE_SIZE;
		if (!w->ranges_truncated || !w->nranges || w->ranges[w->nranges - 1].end >= s->r->end)
			break;
		start = w->ranges[w->nranges - 1].end + 1;
	}
	if (r < 0 && strstr(err->msg, "cancelled")) {
		s->out->cancelled = true;
		r = 0;
	}
	for (size_t k = 0; r == 0 && k < nwalks && !s->stop; k++) {
		const struct region_walk *w = &walks[k];
		for (size_t i = 0; i < w->nranges && !s->stop; i++) {
			for (uint64_t va = w->ranges[i].start; !s->stop; va += KDX_PAGE_SIZE) {
				uint64_t pa;
				const uint8_t *page = NULL;
				if (xlat_to_phys(s->x, va, &pa) == XLAT_OK)
					page = source_page(s->d->src, pa >> KDX_PAGE_SHIFT, s->scratch);
				if (page)
					feed(s, va, page);
				if (va >= w->ranges[i].end - (KDX_PAGE_SIZE - 1))
					break;
			}
		}
	}
	for (size_t k = 0; k < nwalks; k++)
		region_walk_free(&walks[k]);
	free(walks);
	return r;
}

static void scan_physical(struct scan *s)
{
	struct source *src = s->d->src;
	for (size_t i = 0; i < src->nranges; i++) {
		uint64_t a = src->ranges[i].start, b = src->ranges[i].end;
		if (b > s->r->start && a <= s->r->end)
			s->total += (b < s->r->end + 1 ? b : s->r->end + 1) - (a > s->r->start ? a : s->r->start);
	}
	for (size_t i = 0; i < src->nranges && !s->stop; i++) {
		uint64_t a = src->ranges[i].start & ~(uint64_t)(KDX_PAGE_SIZE - 1);
		for (uint64_t pa = a; pa < src->ranges[i].end && !s->stop; pa += KDX_PAGE_SIZE) {
			if (pa + (KDX_PAGE_SIZE - 1) < s->r->start || pa > s->r->end)
				continue;
			const uint8_t *page = source_page(src, pa >> KDX_PAGE_SHIFT, s->scratch);
			if (page)
				feed(s, pa, page);
		}
	}
}

int search_run(struct dump *d, const struct search_pattern *p, const struct search_range *r,
	       size_t keep, search_hit_fn on_hit, void *ctx, struct search_result *out,
	       struct kdx_error *err)
{
	memset(out, 0, sizeof *out);
	out->range_bytes = r->end - r->start + 1;
	struct scan *s = calloc(1, sizeof *s);
	if (!s)
		return kdx_fail(err, "s: out of memory");
	*s = (struct scan){ .d = d, .p = p, .r = r, .on_hit = on_hit, .ctx = ctx, .out = out,
			    .keep = keep && keep < SEARCH_MAX_HITS ? keep : SEARCH_MAX_HITS,
			    .cap = SEARCH_CARRY_MAX + CHUNK_BYTES };
	s->buf = malloc(s->cap);
	int rc = s->buf ? 0 : kdx_fail(err, "s: out of memory");
	if (rc == 0 && p->engine == ENGINE_PCRE2_8) {
		s->md8 = pcre2_match_data_create_from_pattern_8(p->re8, NULL);
		s->mc8 = pcre2_match_context_create_8(NULL);
		if (!s->md8 || !s->mc8)
			rc = kdx_fail(err, "s: out of memory");
		else {
			pcre2_set_match_limit_8(s->mc8, SEARCH_MATCH_LIMIT);
			pcre2_set_depth_limit_8(s->mc8, SEARCH_DEPTH_LIMIT);
		}
	} else if (rc == 0 && p->engine == ENGINE_PCRE2_16) {
		s->md16 = pcre2_match_data_create_from_pattern_16(p->re16, NULL);
		s->mc16 = pcre2_match_context_create_16(NULL);
		if (!s->md16 || !s->mc16)
			rc = kdx_fail(err, "s: out of memory");
		else {
			pcre2_set_match_limit_16(s->mc16, SEARCH_MATCH_LIMIT);
			pcre2_set_depth_limit_16(s->mc16, SEARCH_DEPTH_LIMIT);
		}
	}
	bool owned = false;
	if (rc == 0 && r->space == SEARCH_VIRTUAL) {
		if (d->kernel && xlat_dtb(d->kernel) == r->dtb) {
			s->x = d->kernel;
		} else {
			s->x = xlat_new(d->src, d->paging, r->dtb, err);
			owned = true;
			if (!s->x)
				rc = -1;
		}
	}
	if (rc == 0) {
		if (r->space == SEARCH_VIRTUAL)
			rc = scan_virtual(s, err);
		else
			scan_physical(s);
	}
	if (rc == 0 && !s->stop)
		flush(s, true);
	if (rc == 0 && !s->stop && s->fed && s->next_addr - 1 < r->end)
		out->hole_runs++;
	if (rc == 0 && !s->fed && !out->cancelled)
		out->hole_runs = out->range_bytes ? 1 : 0;
	out->hole_bytes = out->cancelled || out->stopped ? 0 : out->range_bytes - out->scanned_bytes;
	if (owned)
		xlat_free(s->x);
	pcre2_match_data_free_8(s->md8);
	pcre2_match_context_free_8(s->mc8);
	pcre2_match_data_free_16(s->md16);
	pcre2_match_context_free_16(s->mc16);
	free(s->buf);
	free(s);
	if (rc < 0)
		search_result_free(out);
	return rc;
}

void search_result_free(struct search_result *r)
{
	free(r->hits);
	r->hits = NULL;
	r->count = 0;
}
