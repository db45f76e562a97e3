/* libFuzzer: theme files, the config file and colour names. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tui/config.h"
#include "tui/theme.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	struct theme t;
	struct theme_warnings w = { .count = 0 };
	theme_init_plain(&t, "fuzz");
	theme_parse(&t, text, "fuzz.theme", &w);
	struct kdx_config c = { .mouse = false };
	config_parse(&c, text, "config", &w);
	struct color col;
	if (theme_parse_color(text, &col))
		for (int n = 8; n <= 256; n *= 2)
			theme_terminal_color(col, n);
	free(text);
	return 0;
}
