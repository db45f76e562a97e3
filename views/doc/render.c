#include "views/doc/render.h"

#include <inttypes.h>
#include <stdlib.h>

#include "views/doc/lines.h"

/* Trailing padding is for screens, not for files. */
static void put_line(FILE *out, const char *indent, const char *t)
{
	size_t n = 0;
	for (size_t k = 0; t[k]; k++)
		if (t[k] != ' ')
			n = k + 1;
	fputs(indent, out);
	fwrite(t, 1, n, out);
	fputc('\n', out);
}

/* A DN_LINES block, line by line into one reused buffer. */
static void stream_block(FILE *out, const struct line *ln)
{
	const struct dnode *k = ln->table;
	char *indent = line_text(ln);
	struct line_sink sink = { 0 };
	for (size_t i = 0; i < k->nlines; i++) {
		sink.len = 0;
		k->lines->line(k->lines_priv, i, &sink);
		put_line(out, indent, sink.buf ? sink.buf : "");
	}
	free(sink.buf);
	free(indent);
}

void render_text(FILE *out, const struct doc *d)
{
	struct layout l;
	doc_layout_stream(d, &l);
	for (size_t i = 0; i < l.count; i++) {
		if (l.lines[i].kind == LINE_BLOCK) {
			stream_block(out, &l.lines[i]);
			continue;
		}
		char *t = line_text(&l.lines[i]);
		put_line(out, "", t);
		free(t);
	}
	layout_free(&l);
}

void render_json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		/* Runs that need no escape go out whole (a memory dump's hex is 2 MiB). */
		size_t run = 0;
		while (p[run] >= 0x20 && p[run] != 0x7f && p[run] != '"' && p[run] != '\\')
			run++;
		if (run) {
			fwrite(p, 1, run, out);
			p += run - 1;
			continue;
		}
		switch (*p) {
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\n': fputs("\\n", out); break;
		case '\t': fputs("\\t", out); break;
		case '\r': fputs("\\r", out); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(out, "\\u%04x", *p);
			else
				fputc(*p, out);
		}
	}
	fputc('"', out);
}

void render_json_value(FILE *out, const struct dnode *n)
{
	switch (n->kind) {
	case DN_NULL: fputs("null", out); break;
	case DN_BOOL: fputs(n->v.b ? "true" : "false", out); break;
	case DN_INT: fprintf(out, "%" PRId64, n->v.i); break;
	case DN_UINT: fprintf(out, "%" PRIu64, n->v.u); break;
	/* 64-bit values travel as strings: JSON numbers lose precision past 2^53. */
	case DN_HEX: fprintf(out, "\"0x%" PRIx64 "\"", n->v.u); break;
	case DN_STR: render_json_string(out, n->v.s); break;
	case DN_TEXT: case DN_LINES: fputs("null", out); break;
	case DN_OBJECT:
	case DN_ARRAY: {
		bool obj = n->kind == DN_OBJECT;
		fputc(obj ? '{' : '[', out);
		bool first = true;
		for (size_t i = 0; i < n->nkids; i++) {
			const struct dnode *k = n->kids[i];
			if (k->kind == DN_TEXT || k->kind == DN_LINES || k->flags & DN_SHOWN_ONLY)
				continue;
			if (!first)
				fputs(", ", out);
			first = false;
			if (obj) {
				render_json_string(out, k->key ? k->key : "");
				fputs(": ", out);
			}
			render_json_value(out, k);
		}
		fputc(obj ? '}' : ']', out);
		break;
	}
	}
}
