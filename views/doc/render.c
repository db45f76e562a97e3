#include "views/doc/render.h"

#include <inttypes.h>
#include <stdlib.h>

#include "views/doc/lines.h"

void render_text(FILE *out, const struct doc *d)
{
	struct layout l;
	doc_layout(d, 0, &l);
	for (size_t i = 0; i < l.count; i++) {
		char *t = line_text(&l.lines[i]);
		/* Trailing padding is for screens, not for files. */
		size_t n = 0;
		for (size_t k = 0; t[k]; k++)
			if (t[k] != ' ')
				n = k + 1;
		t[n] = 0;
		fprintf(out, "%s\n", t);
		free(t);
	}
	layout_free(&l);
}

void render_json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
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
	case DN_TEXT: fputs("null", out); break;
	case DN_OBJECT:
	case DN_ARRAY: {
		bool obj = n->kind == DN_OBJECT;
		fputc(obj ? '{' : '[', out);
		bool first = true;
		for (size_t i = 0; i < n->nkids; i++) {
			const struct dnode *k = n->kids[i];
			if (k->kind == DN_TEXT)
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
