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
	for (char *part = strtok_r(copy, ";", &save); part; part = strtok_r(NULL, ";", &save)) {
		const char *cmd = trim(part);
		if (!*cmd)
			continue;
		if (verbose && strcmp(cmd, "info") == 0)
			cmd = "info -v";
		struct doc doc;
		struct kdx_error e = { .msg = "" };
		int r = command_run(d, cmd, &doc, &e);
		if (json) {
			fputs(count ? ",\n" : "\n", out);
			fputs("{\"command\": ", out);
			render_json_string(out, cmd);
			if (r < 0) {
				fputs(", \"error\": ", out);
				render_json_string(out, e.msg);
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
