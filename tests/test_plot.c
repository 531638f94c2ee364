/*
 * test_plot.c - gnuplot scripts: terminal by extension, inline data,
 * quoting, the right-hand axis; without gnuplot the data file is written
 * and the message is the documented one; with gnuplot, real PNG, SVG and
 * PDF; limit lines inside the y range; bar panels.
 */
#include "cs_test.h"

#include <unistd.h>

#include "plots/plot.h"

static const double xs[3] = { 1, 2, 3 }, ya[3] = { 10, 20, 30 }, yb[3] = { 0.5, 0.25, 0.125 };

static struct plot_spec spec(struct plot_series *ser)
{
    ser[0] = (struct plot_series){ "it's a", NULL, ya, 0, false, PLOT_LINES };
    ser[1] = (struct plot_series){ "b", NULL, yb, 0, true, PLOT_LINESPOINTS };
    return (struct plot_spec){ .title = "T", .xlabel = "x", .ylabel = "y", .y2label = "y2",
                               .x = xs, .n = 3, .series = ser, .n_series = 2 };
}

static char *script_text(const struct plot_spec *s, const char *picture)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    plot_write_script(f, s, picture);
    fclose(f);
    return buf;
}

static void test_script_terminal_data_and_quoting(void **state)
{
    (void)state;
    struct plot_series ser[2];
    struct plot_spec s = spec(ser);
    char *t = script_text(&s, "out.png");
    assert_non_null(strstr(t, "set terminal pngcairo"));
    assert_non_null(strstr(t, "set output 'out.png'"));
    assert_non_null(strstr(t, "$d0 << EOD\n1 10\n2 20\n3 30\nEOD\n"));
    assert_non_null(strstr(t, "$d1 << EOD\n1 0.5\n2 0.25\n3 0.125\nEOD\n"));
    assert_non_null(strstr(t, "title 'it''s a'")); /* gnuplot's quote doubling */
    assert_non_null(strstr(t, "axes x1y2"));
    assert_non_null(strstr(t, "set y2label 'y2'"));
    free(t);
    t = script_text(&s, "out.svg");
    assert_non_null(strstr(t, "set terminal svg"));
    free(t);
    t = script_text(&s, NULL); /* --plot-script alone: no terminal chosen */
    assert_null(strstr(t, "set terminal"));
    free(t);
}

static void test_pdf_and_unknown_extensions(void **state)
{
    (void)state;
    struct plot_series ser[2];
    struct plot_spec s = spec(ser);
    char *t = script_text(&s, "out.pdf");
    assert_non_null(strstr(t, "set terminal pdfcairo"));
    free(t);
    struct cs_err err = { 0 };
    assert_int_equal(plot_check_name("out.jpg", &err), CS_EUSAGE);
    assert_string_equal(err.msg, "--plot: name a .png, .svg or .pdf file (got 'out.jpg')");
    assert_int_equal(plot_draw(&s, "out.pdf.png.x", NULL, &err), CS_EUSAGE);
    assert_int_equal(plot_check_name(NULL, &err), CS_OK);
}

/* A limit below every point is drawn where it is, not on the frame: the
 * y range reaches down to it. */
static void test_limit_lines_inside_the_y_range(void **state)
{
    (void)state;
    struct plot_series ser[2];
    struct plot_spec s = spec(ser);
    double lim[2] = { 2, 50 };
    const char *names[2] = { "p95_ttft_ms<=2", "p95_ttft_ms<=50" };
    s.hlines = lim, s.hline_labels = names, s.n_hlines = 2, s.logy = true;
    char *t = script_text(&s, NULL);
    assert_non_null(strstr(t, "set yrange [1.33333:75]")); /* 2/1.5 .. 50*1.5 */
    assert_non_null(strstr(t, "2 with lines dt 2"));
    assert_non_null(strstr(t, "title 'p95_ttft_ms<=50'"));
    free(t);
}

static void test_bar_panels_each_on_its_scale(void **state)
{
    (void)state;
    const char *cats[3] = { "bf16", "fp8", "nvfp4" };
    struct plot_series ser[2] = { { "weights (GiB; lower is better)", NULL, ya, 0, false, 0 },
                                  { "capacity (employees; higher is better)", NULL, yb, 0, false, 0 } };
    struct plot_spec s = { .title = "m on gb10", .xlabel = "precision", .ylabel = "", .n = 3,
                           .series = ser, .n_series = 2, .bars = true, .bar_panels = true,
                           .categories = cats };
    char *t = script_text(&s, "c.svg");
    assert_non_null(strstr(t, "set multiplot layout 1,2 title 'm on gb10'"));
    assert_non_null(strstr(t, "set title 'weights (GiB; lower is better)'\nset yrange [0:36]"));
    assert_non_null(strstr(t, "set title 'capacity (employees; higher is better)'\nset yrange [0:0.6]"));
    assert_non_null(strstr(t, "with labels"));
    assert_non_null(strstr(t, "unset multiplot"));
    free(t);
}

static void test_bars_use_categories(void **state)
{
    (void)state;
    const char *cats[3] = { "bf16", "fp8", "nvfp4" };
    struct plot_series ser[1] = { { "weights", NULL, ya, 0, false, PLOT_LINES } };
    struct plot_spec s = { .title = "B", .xlabel = "p", .ylabel = "%", .n = 3, .series = ser,
                           .n_series = 1, .bars = true, .categories = cats };
    char *t = script_text(&s, "b.png");
    assert_non_null(strstr(t, "$bars << EOD\n\"bf16\" 10\n\"fp8\" 20\n\"nvfp4\" 30\nEOD\n"));
    assert_non_null(strstr(t, "using 2:xtic(1)"));
    free(t);
}

static void test_without_gnuplot_data_is_written(void **state)
{
    (void)state;
    char dir[] = "/tmp/capsim-plot-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char pic[256], dat[300], gp[256];
    snprintf(pic, sizeof pic, "%s/p.png", dir);
    snprintf(dat, sizeof dat, "%s.dat", pic);
    snprintf(gp, sizeof gp, "%s/p.gp", dir);
    char *old = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
    setenv("PATH", dir, 1); /* an empty folder: no gnuplot */
    struct plot_series ser[2];
    struct plot_spec s = spec(ser);
    struct cs_err err = { 0 };
    assert_int_equal(plot_draw(&s, pic, NULL, &err), CS_EMISSING);
    assert_string_equal(err.msg,
                        "gnuplot not found in PATH (install gnuplot-nox, or use --plot-script FILE)");
    FILE *f = fopen(dat, "r");
    assert_non_null(f);
    char line[64];
    assert_non_null(fgets(line, sizeof line, f));
    assert_string_equal(line, "# it's a\n");
    assert_non_null(fgets(line, sizeof line, f));
    assert_string_equal(line, "1 10\n");
    fclose(f);
    /* the script alone needs no gnuplot */
    assert_int_equal(plot_draw(&s, NULL, gp, &err), CS_OK);
    assert_int_equal(access(gp, R_OK), 0);
    if (old) {
        setenv("PATH", old, 1);
        free(old);
    }
    unlink(dat);
    unlink(gp);
    rmdir(dir);
}

static void test_png_and_svg_when_gnuplot_is_there(void **state)
{
    (void)state;
    if (!plot_have_gnuplot())
        skip();
    char dir[] = "/tmp/capsim-plot-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char png[256], svg[256], pdf[256];
    snprintf(png, sizeof png, "%s/p.png", dir);
    snprintf(svg, sizeof svg, "%s/p.svg", dir);
    snprintf(pdf, sizeof pdf, "%s/p.pdf", dir);
    struct plot_series ser[2];
    struct plot_spec s = spec(ser);
    struct cs_err err = { 0 };
    assert_int_equal(plot_draw(&s, png, NULL, &err), CS_OK);
    assert_int_equal(plot_draw(&s, svg, NULL, &err), CS_OK);
    assert_int_equal(plot_draw(&s, pdf, NULL, &err), CS_OK);
    unsigned char magic[8] = { 0 };
    FILE *f = fopen(png, "rb");
    assert_non_null(f);
    assert_int_equal(fread(magic, 1, 8, f), 8);
    fclose(f);
    assert_memory_equal(magic, "\x89PNG\r\n\x1a\n", 8);
    char head[512] = { 0 };
    f = fopen(svg, "r");
    assert_non_null(f);
    assert_true(fread(head, 1, sizeof head - 1, f) > 0);
    fclose(f);
    assert_non_null(strstr(head, "<svg"));
    f = fopen(pdf, "rb");
    assert_non_null(f);
    assert_int_equal(fread(magic, 1, 5, f), 5);
    fclose(f);
    assert_memory_equal(magic, "%PDF-", 5);
    unlink(pdf);
    unlink(png);
    unlink(svg);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_script_terminal_data_and_quoting),
        cmocka_unit_test(test_bars_use_categories),
        cmocka_unit_test(test_pdf_and_unknown_extensions),
        cmocka_unit_test(test_limit_lines_inside_the_y_range),
        cmocka_unit_test(test_bar_panels_each_on_its_scale),
        cmocka_unit_test(test_without_gnuplot_data_is_written),
        cmocka_unit_test(test_png_and_svg_when_gnuplot_is_there),
    };
    return cmocka_run_group_tests_name("plot", tests, NULL, NULL);
}
