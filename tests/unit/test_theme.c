/* Theme files, colours and the user's config, without a terminal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <math.h>

#include "tui/config.h"
#include "tui/theme.h"

static void test_colour_forms(void **state)
{
	(void)state;
	struct color c;
	assert_true(theme_parse_color("default", &c));
	assert_int_equal(c.kind, COLOR_DEFAULT);
	assert_true(theme_parse_color("red", &c));
	assert_int_equal(c.kind, COLOR_INDEX);
	assert_int_equal(c.index, 1);
	assert_true(theme_parse_color("bright-white", &c));
	assert_int_equal(c.index, 15);
	assert_true(theme_parse_color("grey", &c));
	assert_int_equal(c.index, 8);
	assert_true(theme_parse_color("color0", &c));
	assert_int_equal(c.index, 0);
	assert_true(theme_parse_color("color255", &c));
	assert_int_equal(c.index, 255);
	assert_true(theme_parse_color("#1a2B3c", &c));
	assert_int_equal(c.kind, COLOR_RGB);
	assert_int_equal(c.rgb, 0x1a2b3c);
	assert_false(theme_parse_color("color256", &c));
	assert_false(theme_parse_color("color", &c));
	assert_false(theme_parse_color("color12x", &c));
	assert_false(theme_parse_color("#12345", &c));
	assert_false(theme_parse_color("#1234567", &c));
	assert_false(theme_parse_color("#12345g", &c));
	assert_false(theme_parse_color("purple", &c));
}

static void test_parse_lines(void **state)
{
	(void)state;
	struct theme t;
	theme_init_plain(&t, "x");
	struct theme_warnings w = { .count = 0 };
	theme_parse(&t,
		    "# a comment\n"
		    "\n"
		    "color address yellow default bold underline  # trailing comment\n"
		    "color status  #ffffff #000080 reverse\n"
		    "   color zero color240 color16 dim italic blink standout\n",
		    "t.theme", &w);
	assert_int_equal(w.count, 0);
	const struct style *a = &t.roles[ROLE_ADDRESS];
	assert_true(a->set);
	assert_int_equal(a->fg.kind, COLOR_INDEX);
	assert_int_equal(a->fg.index, 3);
	assert_int_equal(a->bg.kind, COLOR_DEFAULT);
	assert_int_equal(a->attrs, ATTR_BOLD | ATTR_UNDERLINE);
	const struct style *s = &t.roles[ROLE_STATUS];
	assert_int_equal(s->fg.kind, COLOR_RGB);
	assert_int_equal(s->fg.rgb, 0xffffff);
	assert_int_equal(s->bg.rgb, 0x000080);
	assert_int_equal(s->attrs, ATTR_REVERSE);
	const struct style *z = &t.roles[ROLE_ZERO];
	assert_int_equal(z->fg.index, 240);
	assert_int_equal(z->bg.index, 16);
	assert_int_equal(z->attrs, ATTR_DIM | ATTR_ITALIC | ATTR_BLINK | ATTR_STANDOUT);
	/* Roles the text leaves out stay as they were. */
	assert_false(t.roles[ROLE_VALUE].set);
}

/* A bad line is reported with file and line; every other line applies. */
static void test_errors_keep_the_rest(void **state)
{
	(void)state;
	struct theme t;
	theme_init_plain(&t, "x");
	struct theme_warnings w = { .count = 0 };
	theme_parse(&t,
		    "color address red default\n"
		    "color no-such-role red default\n"
		    "color value purple default\n"
		    "color zero red #00000g\n"
		    "colour title red default\n"
		    "color header red\n"
		    "color muted blue default sparkly bold\n"
		    "color ok green default\n",
		    "my.theme", &w);
	assert_int_equal(w.count, 6);
	assert_string_equal(w.items[0], "my.theme:2: unknown role 'no-such-role'");
	assert_string_equal(w.items[1], "my.theme:3: unknown colour 'purple'");
	assert_string_equal(w.items[2], "my.theme:4: unknown colour '#00000g'");
	assert_string_equal(w.items[3],
			    "my.theme:5: unknown keyword 'colour' (expected 'color ROLE FG BG [ATTR...]')");
	assert_string_equal(w.items[4], "my.theme:6: 'color' needs a role, a foreground and a background");
	assert_string_equal(w.items[5], "my.theme:7: unknown attribute 'sparkly'");
	assert_int_equal(t.roles[ROLE_ADDRESS].fg.index, 1);
	assert_int_equal(t.roles[ROLE_OK].fg.index, 2);
	assert_false(t.roles[ROLE_VALUE].set);
	assert_false(t.roles[ROLE_ZERO].set);
	/* An unknown attribute drops only itself. */
	assert_int_equal(t.roles[ROLE_MUTED].fg.index, 4);
	assert_int_equal(t.roles[ROLE_MUTED].attrs, ATTR_BOLD);
}

static void test_warnings_are_bounded(void **state)
{
	(void)state;
	struct theme t;
	theme_init_plain(&t, "x");
	struct theme_warnings w = { .count = 0 };
	char text[4096] = "";
	for (int i = 0; i < 40; i++)
		strcat(text, "bogus\n");
	theme_parse(&t, text, "f", &w);
	assert_int_equal(w.count, THEME_MAX_WARNINGS);
	assert_int_equal(w.dropped, 40 - THEME_MAX_WARNINGS);
	assert_string_equal(w.items[31], "f:32: unknown keyword 'bogus' (expected 'color ROLE FG BG [ATTR...]')");
}

static void test_nearest_colour(void **state)
{
	(void)state;
	struct color c;
	theme_parse_color("#ff0000", &c);
	assert_int_equal(theme_terminal_color(c, 256), 196);
	assert_int_equal(theme_terminal_color(c, 16), 9);
	assert_int_equal(theme_terminal_color(c, 8), 1);
	theme_parse_color("#000080", &c);
	assert_int_equal(theme_terminal_color(c, 8), 4);
	theme_parse_color("#808080", &c);
	assert_int_equal(theme_terminal_color(c, 256), 244);
	assert_int_equal(theme_terminal_color(c, 16), 8);
	/* Indexes the terminal has are kept; others map through the palette. */
	theme_parse_color("color9", &c);
	assert_int_equal(theme_terminal_color(c, 256), 9);
	assert_int_equal(theme_terminal_color(c, 16), 9);
	assert_int_equal(theme_terminal_color(c, 8), 1);
	theme_parse_color("color226", &c);             /* #ffff00 */
	assert_int_equal(theme_terminal_color(c, 16), 11);
	assert_int_equal(theme_terminal_color(c, 8), 3);
	theme_parse_color("color232", &c);             /* #080808 */
	assert_int_equal(theme_terminal_color(c, 8), 0);
	theme_parse_color("default", &c);
	assert_int_equal(theme_terminal_color(c, 256), -1);
	theme_parse_color("red", &c);
	assert_int_equal(theme_terminal_color(c, 0), -1);
	assert_int_equal(theme_terminal_color(c, 88), 1);
}

static void test_config(void **state)
{
	(void)state;
	struct kdx_config c = { .theme = "" };
	struct theme_warnings w = { .count = 0 };
	config_parse(&c,
		     "# my settings\n"
		     "set theme = windbg-black\n"
		     "set mouse=on   # wheel scrolls\n"
		     "set colour = red\n"
		     "theme windbg\n"
		     "set mouse = sometimes\n",
		     "config", &w);
	assert_string_equal(c.theme, "windbg-black");
	assert_true(c.mouse);
	assert_int_equal(w.count, 3);
	assert_string_equal(w.items[0], "config:4: unknown setting 'colour' (known: theme, mouse)");
	assert_string_equal(w.items[1], "config:5: expected 'set NAME = VALUE'");
	assert_string_equal(w.items[2], "config:6: 'mouse' is on or off, not 'sometimes'");
}

/* Every shipped theme parses without a warning, and the default sets every
 * role, so no theme can leave a role unstyled. */
static void test_shipped_themes(void **state)
{
	(void)state;
	static const char *const names[] = {
		"default", "light", "windbg-black", "high-contrast", "16color", "mono",
	};
	setenv("XDG_CONFIG_HOME", "/nonexistent-kdx-test", 1);
	struct theme_list l;
	theme_list_find(&l);
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		int at = theme_list_index(&l, names[i]);
		assert_true(at >= 0);
		assert_int_equal(l.items[at].origin, THEME_SOURCE_TREE);
		struct theme t;
		struct theme_warnings w = { .count = 0 };
		assert_true(theme_load(&t, names[i], &w));
		if (w.count)
			fail_msg("%s: %s", names[i], w.items[0]);
		assert_string_equal(t.name, names[i]);
		for (int r = 0; r < ROLE_COUNT; r++)
			if (!t.roles[r].set)
				fail_msg("%s leaves role %s unset", names[i], role_name((enum role)r));
	}
	/* 16color uses only the 16 standard colours and the default. */
	struct theme t;
	struct theme_warnings w = { .count = 0 };
	theme_load(&t, "16color", &w);
	for (int r = 0; r < ROLE_COUNT; r++) {
		const struct style *s = &t.roles[r];
		assert_true(s->fg.kind == COLOR_DEFAULT || (s->fg.kind == COLOR_INDEX && s->fg.index < 16));
		assert_true(s->bg.kind == COLOR_DEFAULT || (s->bg.kind == COLOR_INDEX && s->bg.index < 16));
	}
	/* mono uses no colour at all. */
	theme_load(&t, "mono", &w);
	for (int r = 0; r < ROLE_COUNT; r++) {
		assert_int_equal(t.roles[r].fg.kind, COLOR_DEFAULT);
		assert_int_equal(t.roles[r].bg.kind, COLOR_DEFAULT);
	}
	theme_list_free(&l);
}

/* WCAG 2's relative luminance of an sRGB colour. */
static double luminance(uint32_t rgb)
{
	double l = 0;
	static const double weight[3] = { 0.2126, 0.7152, 0.0722 };
	for (int i = 0; i < 3; i++) {
		double c = (double)(rgb >> (16 - 8 * i) & 0xff) / 255;
		l += weight[i] * (c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4));
	}
	return l;
}

/* The colour a 256-colour terminal shows for c, where the theme fixes it:
 * #rrggbb and color16-255 become one of xterm's cube and grey ramp, the same
 * on every such terminal. The 16 standard colours and the default are the
 * user's palette. */
static bool fixed_rgb(struct color c, uint32_t *rgb)
{
	int i = theme_terminal_color(c, 256);
	if (i < 16)
		return false;
	*rgb = theme_xterm_rgb((unsigned)i);
	return true;
}

/* Every role of every shipped theme whose colours the theme fixes reads
 * against its own background: 4.5:1 for text (WCAG 2 AA), 3:1 for the
 * roles meant to recede (zeros, unused, empty, muted) and for borders
 * (WCAG's floor for non-text). A default background counts as black: only
 * the default theme, made for dark terminals, leaves it to the terminal
 * with fixed foregrounds. README's Themes section says so. */
static void test_contrast(void **state)
{
	(void)state;
	static const char *const names[] = {
		"default", "light", "windbg-black", "high-contrast", "16color", "mono",
	};
	static const enum role receding[] = {
		ROLE_BORDER, ROLE_ZERO, ROLE_MUTED, ROLE_REGION_UNUSED, ROLE_PTE_EMPTY,
		ROLE_POOL_FREE, ROLE_VA_SIGN, ROLE_HEX_ZERO,
	};
	setenv("XDG_CONFIG_HOME", "/nonexistent-kdx-test", 1);
	int under = 0;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		struct theme t;
		struct theme_warnings w = { .count = 0 };
		assert_true(theme_load(&t, names[i], &w));
		int checked = 0;
		for (int r = 0; r < ROLE_COUNT; r++) {
			uint32_t fg, bg = 0x000000;
			if (!fixed_rgb(t.roles[r].fg, &fg) ||
			    (t.roles[r].bg.kind != COLOR_DEFAULT && !fixed_rgb(t.roles[r].bg, &bg)))
				continue;
			double a = luminance(fg) + 0.05, b = luminance(bg) + 0.05;
			double ratio = a > b ? a / b : b / a, floor = 4.5;
			for (size_t k = 0; k < sizeof receding / sizeof receding[0]; k++)
				if (receding[k] == (enum role)r)
					floor = 3.0;
			checked++;
			if (ratio < floor) {
				print_error("%s %s #%06x on #%06x: %.2f:1, under %.1f:1\n", names[i],
					    role_name((enum role)r), fg, bg, ratio, floor);
				under++;
			}
		}
		/* The themes of fixed colours are checked whole. */
		if (i < 3 && checked != ROLE_COUNT)
			fail_msg("%s: %d of %d roles have fixed colours", names[i], checked, ROLE_COUNT);
	}
	if (under)
		fail_msg("%d roles under their contrast floor", under);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* A user theme shadows a shipped one of the same name, falls back to the
 * default for roles it leaves out, and its bad lines are warned about. */
static void test_user_theme(void **state)
{
	(void)state;
	char dir[] = "/tmp/kdx-theme-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[256];
	snprintf(path, sizeof path, "%s/kdx", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof path, "%s/kdx/themes", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof path, "%s/kdx/themes/light.theme", dir);
	write_file(path, "color address color33 default\ncolor nonsense red default\n");
	setenv("XDG_CONFIG_HOME", dir, 1);

	struct theme_list l;
	theme_list_find(&l);
	int at = theme_list_index(&l, "light");
	assert_true(at >= 0);
	assert_int_equal(l.items[at].origin, THEME_USER);
	assert_string_equal(l.items[at].path, path);
	assert_int_equal(l.items[theme_list_index(&l, "mono")].origin, THEME_SOURCE_TREE);
	theme_list_free(&l);

	struct theme t, def;
	struct theme_warnings w = { .count = 0 }, dw = { .count = 0 };
	assert_true(theme_load(&t, "light", &w));
	assert_true(theme_load(&def, "default", &dw));
	assert_int_equal(w.count, 1);
	char expect[320];
	snprintf(expect, sizeof expect, "%s:2: unknown role 'nonsense'", path);
	assert_string_equal(w.items[0], expect);
	assert_int_equal(t.roles[ROLE_ADDRESS].fg.index, 33);
	assert_memory_equal(&t.roles[ROLE_VALUE], &def.roles[ROLE_VALUE], sizeof def.roles[0]);

	/* An unknown theme is the default, with a warning. */
	w.count = 0;
	assert_false(theme_load(&t, "no-such-theme", &w));
	assert_int_equal(w.count, 1);
	assert_string_equal(w.items[0], "theme 'no-such-theme' not found; using 'default' "
					"(kdx --list-themes lists them)");
	assert_string_equal(t.name, "default");

	snprintf(path, sizeof path, "%s/kdx/config", dir);
	write_file(path, "set theme = light\n");
	struct kdx_config c;
	config_load(&c, &w);
	assert_string_equal(c.theme, "light");
	unlink(path);
	snprintf(path, sizeof path, "%s/kdx/themes/light.theme", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/kdx/themes", dir);
	rmdir(path);
	snprintf(path, sizeof path, "%s/kdx", dir);
	rmdir(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_colour_forms),
		cmocka_unit_test(test_parse_lines),
		cmocka_unit_test(test_errors_keep_the_rest),
		cmocka_unit_test(test_warnings_are_bounded),
		cmocka_unit_test(test_nearest_colour),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_shipped_themes),
		cmocka_unit_test(test_contrast),
		cmocka_unit_test(test_user_theme),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
