/*
 * plot.h - pictures through a gnuplot pipe (popen "gnuplot"): PNG
 * (pngcairo), SVG or PDF (pdfcairo) chosen by the output name's extension;
 * any other extension is a usage error. Every plot is one gnuplot script
 * with its data inline, so the picture can be redrawn or restyled from the
 * script alone. Titles name model, precision and hardware; axis labels
 * carry units (the callers' part).
 *
 *  - picture only:   the script goes down the pipe; pclose() status checked.
 *  - script given:   the script (and its data) is written to that file,
 *                    and the picture drawn too if one was asked for.
 *  - no gnuplot:     the data is written next to the picture (PICTURE.dat)
 *                    and the call fails with CS_EMISSING and the message
 *                    "gnuplot not found in PATH (install gnuplot-nox, or
 *                    use --plot-script FILE)".
 *
 * Ownership: nothing is kept; series data is borrowed for the call.
 */
#ifndef CAPSIM_PLOTS_PLOT_H
#define CAPSIM_PLOTS_PLOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "common/err.h"

enum plot_style { PLOT_LINESPOINTS, PLOT_LINES, PLOT_STEPS, PLOT_STYLE_COUNT };

struct plot_series {
    const char *name;
    const double *x;        /* NULL: the spec's x */
    const double *y;
    size_t n;               /* 0: the spec's n */
    bool y2;                /* against the right-hand axis */
    enum plot_style style;
};

struct plot_spec {
    const char *title, *xlabel, *ylabel;
    const char *y2label;           /* NULL: no right-hand axis */
    const double *x;
    size_t n;
    const struct plot_series *series;
    size_t n_series;
    bool bars;                     /* clustered bars over categories[0..n) */
    bool bar_panels;               /* bars: one panel per series, each on its own
                                      scale, its name the panel's title, values
                                      printed on the bars */
    const char *const *categories; /* bar labels (bars only) */
    bool logx, logy;
    const double *hlines;          /* dashed limit lines at these y (left axis) */
    const char *const *hline_labels;
    size_t n_hlines;
};

/* Draw to `picture` (NULL: none) and/or write the script to `script`.
 * A picture name not ending in .png, .svg or .pdf is CS_EUSAGE. */
int plot_draw(const struct plot_spec *s, const char *picture, const char *script,
              struct cs_err *err);

/* CS_EUSAGE unless picture (NULL: none) ends in .png, .svg or .pdf; a
 * command checks before it simulates. */
int plot_check_name(const char *picture, struct cs_err *err);

/* The script for s (terminal and output set when picture is non-NULL). */
void plot_write_script(FILE *f, const struct plot_spec *s, const char *picture);

/* True if an executable gnuplot is on PATH. */
bool plot_have_gnuplot(void);

#endif /* CAPSIM_PLOTS_PLOT_H */
