/*
 * plot.c - gnuplot scripts with inline data, piped or written.
 */
#include "plots/plot.h"

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

static bool is_svg(const char *picture)
{
    size_t n = picture ? strlen(picture) : 0;
    return n > 4 && strcmp(picture + n - 4, ".svg") == 0;
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
    if (picture) {
        /* noenhanced: metric names have underscores, not subscripts */
        fprintf(f, "set terminal %s size 960,540 noenhanced font 'sans,11'\n",
                is_svg(picture) ? "svg dynamic background rgb 'white'" : "pngcairo");
        fprintf(f, "set output ");
        quoted(f, picture);
        fputc('\n', f);
    }
    write_data(f, s, true);
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
    if (!s->logy && !s->bars)
        fprintf(f, "set yrange [0:*]\n");
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
    if (s->hline > 0) {
        fprintf(f, ", \\\n     %.6g with lines dt 2 lw 2 lc rgb 'red' title ", s->hline);
        quoted(f, s->hline_label ? s->hline_label : "limit");
    }
    fprintf(f, "\n");
    if (picture)
        fprintf(f, "unset output\n");
}

int plot_draw(const struct plot_spec *s, const char *picture, const char *script,
              struct cs_err *err)
{
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
