#include "tui/batch.h"

#include <stdlib.h>
#include <string.h>

#include "views/command.h"
#include "views/doc/render.h"

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n'))
		s[--n] = 0;
	return s;
}

/* The next command of a ';' list (copy, then NULL), trimmed, empty ones
 * skipped; NULL at the end. */
static const char *next_command(char *copy, char **save)
{
	for (char *part = strtok_r(copy, ";", save); part; part = strtok_r(NULL, ";", save)) {
		const char *cmd = trim(part);
		if (*cmd)
			return cmd;
	}
	return NULL;
}

/* A command's JSON object up to its result or error. */
static void json_command(FILE *out, int count, const char *cmd)
{
	fputs(count ? ",\n" : "\n", out);
	fputs("{\"command\": ", out);
	render_json_string(out, cmd);
}

static void json_error(FILE *out, const char *msg)
{
	fputs(", \"error\": ", out);
	render_json_string(out, msg);
}

int batch_refused(const char *commands, int json, const char *msg, const struct doc *header,
		  FILE *out, FILE *err)
{
	fprintf(err, "kdx: %s\n", msg);
	if (!json) {
		if (header)
			render_text(out, header);
		return 2;
	}
	char *copy = strdup(commands);
	int count = 0;
	fputc('[', out);
	char *save = NULL;
	for (const char *cmd = copy ? next_command(copy, &save) : NULL; cmd;
	     cmd = next_command(NULL, &save)) {
		json_command(out, count++, cmd);
		json_error(out, msg);
		if (header) {
			fputs(", \"header\": ", out);
			render_json_value(out, header->root);
		}
		fputc('}', out);
	}
	fputs(count ? "\n]\n" : "]\n", out);
	free(copy);
	return 2;
}

int batch_run(struct dump *d, const char *commands, int json, bool verbose, FILE *out, FILE *err)
{
	char *copy = strdup(commands);
	if (!copy) {
		fprintf(err, "kdx: out of memory\n");
		return 1;
	}
	int status = 0, count = 0;
	if (json)
		fputc('[', out);
	char *save = NULL;
	for (const char *cmd = next_command(copy, &save); cmd; cmd = next_command(NULL, &save)) {
		if (verbose && strcmp(cmd, "info") == 0)
			cmd = "info -v";
		struct doc doc;
		struct kdx_error e = { .msg = "" };
		int r = command_run(d, cmd, &doc, &e);
		if (json) {
			json_command(out, count, cmd);
			if (r < 0) {
				json_error(out, e.msg);
			} else {
				fputs(", \"result\": ", out);
				render_json_value(out, doc.root);
			}
			fputc('}', out);
		} else if (r == 0) {
			if (count)
				fputc('\n', out);
			render_text(out, &doc);
		}
		if (r < 0) {
			fprintf(err, "kdx: %s\n", e.msg);
			status = 1;
		}
		count++;
		doc_free(&doc);
	}
	if (json)
		fputs(count ? "\n]\n" : "]\n", out);
	free(copy);
	return status;
}
