/*
 * plot.h - pictures through a gnuplot pipe: PNG (pngcairo) or SVG chosen
 * by the output name's extension. With --plot-script the gnuplot script,
 * data inline, is written instead; without gnuplot the script is written
 * next to the requested picture and one line says how to draw it.
 *
 * Ownership: nothing is kept; series data is borrowed for the call.
 */
#ifndef CAPSIM_PLOTS_PLOT_H
#define CAPSIM_PLOTS_PLOT_H

#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"

struct plot_series {
    const char *name;
    const double *y;
};

struct plot_spec {
    const char *title, *xlabel, *ylabel;
    const double *x;
    size_t n;
    const struct plot_series *series;
    size_t n_series;
    bool bars;                 /* clustered bars over categories x = 0..n-1 */
    const char *const *categories; /* bar labels (bars only) */
    bool logy;
};

/* Draw to `picture` (NULL: none) and/or write the script to `script`. */
int plot_lines(const struct plot_spec *s, const char *picture, const char *script,
               struct cs_err *err);

#endif /* CAPSIM_PLOTS_PLOT_H */
