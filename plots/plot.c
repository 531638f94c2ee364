/*
 * plot.c - gnuplot scripts with inline data, piped or written.
 */
#include "plots/plot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *const style_names[] = { "linespoints", "lines", "steps" };
_Static_assert(CS_ARRAY_LEN(style_names) == PLOT_STYLE_COUNT, "one gnuplot style per plot_style");

bool plot_have_gnuplot(void)
{
    const char *path = getenv("PATH");
    if (!path || !*path)
        return false;
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *save = NULL, *d = strtok_r(buf, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        char f[4200];
        snprintf(f, sizeof f, "%s/gnuplot", d);
        if (access(f, X_OK) == 0)
            return true;
    }
    return false;
}

/* A gnuplot single-quoted string: a quote is written twice. */
static void quoted(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; s && *s; s++) {
        if (*s == '\'')
            fputc('\'', f);
        fputc(*s, f);
    }
    fputc('\'', f);
}

enum plot_format { PLOT_PNG, PLOT_SVG, PLOT_PDF, PLOT_UNKNOWN };

static enum plot_format format_of(const char *picture)
{
    size_t n = picture ? strlen(picture) : 0;
    const char *ext = n > 4 ? picture + n - 4 : "";
    return strcmp(ext, ".png") == 0   ? PLOT_PNG
           : strcmp(ext, ".svg") == 0 ? PLOT_SVG
           : strcmp(ext, ".pdf") == 0 ? PLOT_PDF
                                      : PLOT_UNKNOWN;
}

static void terminal(FILE *f, const char *picture, bool big)
{
    /* noenhanced: metric names have underscores, not subscripts */
    switch (format_of(picture)) {
    case PLOT_SVG:
        fprintf(f, "set terminal svg size %s dynamic background rgb 'white' noenhanced "
                   "font 'sans,11'\n", big ? "1280,760" : "960,540");
        break;
    case PLOT_PDF: /* pdfcairo measures in inches */
        fprintf(f, "set terminal pdfcairo size %s noenhanced font 'sans,9'\n",
                big ? "13.3in,7.9in" : "10in,5.6in");
        break;
    default:
        fprintf(f, "set terminal pngcairo size %s noenhanced font 'sans,11'\n",
                big ? "1280,760" : "960,540");
        break;
    }
    fprintf(f, "set output ");
    quoted(f, picture);
    fputc('\n', f);
}

/* A y range that holds every point and every limit line, so a limit
 * below (or above) all the data is drawn where it is, not on the frame. */
static void y_range(FILE *f, const struct plot_spec *s)
{
    double lo = INFINITY, hi = -INFINITY;
    for (size_t k = 0; k < s->n_series; k++) {
        const struct plot_series *p = &s->series[k];
        if (p->y2)
            continue;
        size_t n = p->n ? p->n : s->n;
        for (size_t i = 0; i < n; i++)
            if (isfinite(p->y[i]) && (!s->logy || p->y[i] > 0)) {
                lo = fmin(lo, p->y[i]);
                hi = fmax(hi, p->y[i]);
            }
    }
    for (size_t j = 0; j < s->n_hlines; j++) {
        lo = fmin(lo, s->hlines[j]);
        hi = fmax(hi, s->hlines[j]);
    }
    if (!(hi >= lo)) {
        fprintf(f, s->logy ? "" : "set yrange [0:*]\n");
        return;
    }
    if (s->logy)
        fprintf(f, "set yrange [%.6g:%.6g]\n", lo / 1.5, hi * 1.5);
    else
        fprintf(f, "set yrange [0:%.6g]\n", hi > 0 ? hi * 1.1 : 1);
}

static void bar_panels(FILE *f, const struct plot_spec *s)
{
    size_t cols = s->n_series <= 3 ? s->n_series : 3;
    size_t rows = (s->n_series + cols - 1) / cols;
    fprintf(f, "set multiplot layout %zu,%zu title ", rows, cols);
    quoted(f, s->title);
    fprintf(f, "\nset style data histogram\nset style histogram cluster gap 1\n"
               "set style fill solid 0.8 border -1\nset boxwidth 0.8\nset grid ytics\n"
               "unset key\nset xlabel ");
    quoted(f, s->xlabel);
    fprintf(f, "\nunset ylabel\n");
    for (size_t k = 0; k < s->n_series; k++) {
        double hi = 0;
        for (size_t i = 0; i < s->n; i++)
            hi = fmax(hi, s->series[k].y[i]);
        fprintf(f, "set title ");
        quoted(f, s->series[k].name);
        /* room above the tallest bar for its value */
        fprintf(f, "\nset yrange [0:%.6g]\n", hi > 0 ? hi * 1.2 : 1);
        fprintf(f, "plot $bars using %zu:xtic(1) lc %zu, "
                   "$bars using ($0):%zu:($%zu >= 10000 ? sprintf('%%.0f', $%zu) : sprintf('%%.4g', $%zu)) "
                   "with labels offset 0,0.7\n",
                   k + 2, k + 1, k + 2, k + 2, k + 2, k + 2);
    }
    fprintf(f, "unset multiplot\n");
}

static void write_data(FILE *f, const struct plot_spec *s, bool inline_blocks)
{
    if (s->bars) {
        fprintf(f, inline_blocks ? "$bars << EOD\n" : "# category");
        if (!inline_blocks) {
            for (size_t k = 0; k < s->n_series; k++)
                fprintf(f, " \"%s\"", s->series[k].name);
            fputc('\n', f);
        }
        for (size_t i = 0; i < s->n; i++) {
            fprintf(f, "\"%s\"", s->categories ? s->categories[i] : "?");
            for (size_t k = 0; k < s->n_series; k++)
                fprintf(f, " %.6g", s->series[k].y[i]);
            fputc('\n', f);
        }
        if (inline_blocks)
            fprintf(f, "EOD\n");
        return;
    }
    for (size_t k = 0; k < s->n_series; k++) {
        const struct plot_series *p = &s->series[k];
        const double *x = p->x ? p->x : s->x;
        size_t n = p->n ? p->n : s->n;
        if (inline_blocks)
            fprintf(f, "$d%zu << EOD\n", k);
        else
            fprintf(f, "%s# %s\n", k ? "\n\n" : "", p->name);
        for (size_t i = 0; i < n; i++)
            fprintf(f, "%.6g %.6g\n", x[i], p->y[i]);
        if (inline_blocks)
            fprintf(f, "EOD\n");
    }
}

void plot_write_script(FILE *f, const struct plot_spec *s, const char *picture)
{
    bool panels = s->bars && s->bar_panels;
    if (picture)
        terminal(f, picture, panels);
    write_data(f, s, true);
    if (panels) {
        bar_panels(f, s);
        if (picture)
            fprintf(f, "unset output\n");
        return;
    }
    fprintf(f, "set title ");
    quoted(f, s->title);
    fprintf(f, "\nset xlabel ");
    quoted(f, s->xlabel);
    fprintf(f, "\nset ylabel ");
    quoted(f, s->ylabel);
    fprintf(f, "\nset grid\nset key outside bottom center horizontal\n");
    if (s->logx)
        fprintf(f, "set logscale x\n");
    if (s->logy)
        fprintf(f, "set logscale y\n");
    if (s->y2label) {
        fprintf(f, "set y2label ");
        quoted(f, s->y2label);
        fprintf(f, "\nset y2tics\nset ytics nomirror\nset y2range [0:*]\n");
    }
    if (!s->bars)
        y_range(f, s);
    if (s->bars) {
        fprintf(f, "set style data histogram\nset style histogram cluster gap 1\n"
                   "set style fill solid 0.8 border -1\nset boxwidth 0.9\nset yrange [0:*]\nplot ");
        for (size_t k = 0; k < s->n_series; k++) {
            fprintf(f, "%s$bars using %zu:xtic(1) title ", k ? ", \\\n     " : "", k + 2);
            quoted(f, s->series[k].name);
        }
    } else {
        fprintf(f, "plot ");
        for (size_t k = 0; k < s->n_series; k++) {
            const struct plot_series *p = &s->series[k];
            fprintf(f, "%s$d%zu using 1:2 with %s lw 2%s title ", k ? ", \\\n     " : "", k,
                    style_names[p->style], p->y2 ? " axes x1y2" : "");
            quoted(f, p->name);
        }
    }
    for (size_t j = 0; j < s->n_hlines; j++) {
        fprintf(f, ", \\\n     %.6g with lines dt 2 lw 2 lc rgb '%s' title ", s->hlines[j],
                j == 0 ? "red" : "dark-red");
        quoted(f, s->hline_labels && s->hline_labels[j] ? s->hline_labels[j] : "limit");
    }
    fprintf(f, "\n");
    if (picture)
        fprintf(f, "unset output\n");
}

int plot_check_name(const char *picture, struct cs_err *err)
{
    if (picture && format_of(picture) == PLOT_UNKNOWN)
        return cs_err_set(err, CS_EUSAGE, "--plot: name a .png, .svg or .pdf file (got '%s')",
                          picture);
    return CS_OK;
}

int plot_draw(const struct plot_spec *s, const char *picture, const char *script,
              struct cs_err *err)
{
    int rc = plot_check_name(picture, err);
    if (rc)
        return rc;
    if (script) {
        FILE *f = fopen(script, "w");
        if (!f)
            return cs_err_set(err, CS_EIO, "cannot write '%s'", script);
        plot_write_script(f, s, picture);
        if (fclose(f))
            return cs_err_set(err, CS_EIO, "cannot write '%s'", script);
    }
    if (!picture)
        return CS_OK;
    if (!plot_have_gnuplot()) {
        char dat[1024];
        snprintf(dat, sizeof dat, "%s.dat", picture);
        FILE *f = fopen(dat, "w");
        if (f) {
            write_data(f, s, false);
            if (fclose(f))
                return cs_err_set(err, CS_EIO, "cannot write '%s'", dat);
        }
        return cs_err_set(err, CS_EMISSING,
                          "gnuplot not found in PATH (install gnuplot-nox, or use --plot-script FILE)");
    }
    fflush(NULL); /* the child must not repeat our buffered output */
    FILE *g = popen("gnuplot", "w");
    if (!g)
        return cs_err_set(err, CS_EMISSING, "cannot start gnuplot");
    plot_write_script(g, s, picture);
    int st = pclose(g);
    if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        return cs_err_set(err, CS_EIO, "gnuplot could not draw '%s' (exit status %d)", picture,
                          st == -1 ? -1 : WIFEXITED(st) ? WEXITSTATUS(st) : 128);
    return CS_OK;
}
