#include "plots/plot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static bool gnuplot_on_path(void)
{
    const char *path = getenv("PATH");
    if (!path)
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

static void write_script(FILE *f, const struct plot_spec *s, const char *picture)
{
    bool svg = picture && strlen(picture) > 4 && strcmp(picture + strlen(picture) - 4, ".svg") == 0;
    if (picture) {
        fprintf(f, "set terminal %s size 900,540 font 'sans,11'\n",
                svg ? "svg enhanced background rgb 'white'" : "pngcairo enhanced");
        fprintf(f, "set output '%s'\n", picture);
    }
    fprintf(f, "set title '%s'\nset xlabel '%s'\nset ylabel '%s'\nset grid\nset key outside bottom center horizontal\n",
            s->title, s->xlabel, s->ylabel);
    if (s->logy)
        fprintf(f, "set logscale y\n");
    fprintf(f, "$data << EOD\n");
    for (size_t i = 0; i < s->n; i++) {
        if (s->bars)
            fprintf(f, "\"%s\"", s->categories ? s->categories[i] : "?");
        else
            fprintf(f, "%.6g", s->x[i]);
        for (size_t k = 0; k < s->n_series; k++)
            fprintf(f, " %.6g", s->series[k].y[i]);
        fputc('\n', f);
    }
    fprintf(f, "EOD\n");
    if (s->bars) {
        fprintf(f, "set style data histogram\nset style histogram cluster gap 1\n"
                   "set style fill solid 0.8 border -1\nset boxwidth 0.9\n");
        fprintf(f, "plot ");
        for (size_t k = 0; k < s->n_series; k++)
            fprintf(f, "%s$data using %zu:xtic(1) title '%s'", k ? ", " : "", k + 2, s->series[k].name);
    } else {
        fprintf(f, "plot ");
        for (size_t k = 0; k < s->n_series; k++)
            fprintf(f, "%s$data using 1:%zu with %s lw 2 title '%s'", k ? ", " : "", k + 2,
                    s->n > 40 ? "lines" : "linespoints",
                    s->series[k].name);
    }
    fprintf(f, "\n");
}

int plot_lines(const struct plot_spec *s, const char *picture, const char *script,
               struct cs_err *err)
{
    if (script) {
        FILE *f = fopen(script, "w");
        if (!f)
            return cs_err_set(err, CS_EIO, "cannot write '%s'", script);
        write_script(f, s, picture);
        if (fclose(f))
            return cs_err_set(err, CS_EIO, "cannot write '%s'", script);
    }
    if (!picture)
        return CS_OK;
    if (!gnuplot_on_path()) {
        char fallback[1024];
        snprintf(fallback, sizeof fallback, "%s.gp", picture);
        if (!script) {
            FILE *f = fopen(fallback, "w");
            if (f) {
                write_script(f, s, picture);
                fclose(f);
            }
        }
        return cs_err_set(err, CS_EMISSING,
                          "gnuplot not found in PATH (install gnuplot-nox, then run 'gnuplot %s')",
                          script ? script : fallback);
    }
    FILE *g = popen("gnuplot", "w");
    if (!g)
        return cs_err_set(err, CS_EMISSING, "cannot start gnuplot");
    write_script(g, s, picture);
    int st = pclose(g);
    if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        return cs_err_set(err, CS_EIO, "gnuplot failed to draw '%s'", picture);
    return CS_OK;
}
