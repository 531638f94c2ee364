/*
 * field_validate.h - predict every field case (calibrate/field.h) with its
 * source's own server flags and client shape, through the same simulated
 * clients as the arena (vllm bench serve's for a kept-full or burst load,
 * one request on an idle server for simple tok/s figures), and report the
 * error per metric group, overall and per source. Cases capsim cannot
 * express are listed with the reason, never dropped silently.
 *
 * Ownership: field_validate_run() returns a result you free with
 * field_validation_free(); it borrows the set, which must outlive it.
 */
#ifndef CAPSIM_CALIBRATE_FIELD_VALIDATE_H
#define CAPSIM_CALIBRATE_FIELD_VALIDATE_H

#include <stdbool.h>
#include <stdio.h>

#include "calibrate/field.h"
#include "profile/profile.h"

/* The metric groups of the field table. A decode or ITL/TPOT figure of a
 * run with speculative decoding goes to FG_SPEC: the acceptance length is
 * an input there, so it is a different question. */
enum field_group {
    FG_DECODE_USER, FG_DECODE_TOTAL, FG_PREFILL, FG_TTFT, FG_ITL_TPOT, FG_E2E, FG_SPEC, FG_COUNT
};
const char *field_group_name(enum field_group g);
/* The group of figure m of case c; FG_COUNT for kernel figures. */
enum field_group field_metric_group(const struct field_source *s, const struct field_case *c,
                                    enum field_metric m);

struct field_validation {
    const struct field_set *set;
    /* per source, per case: predictions (NaN where not predicted) and why
     * a case was not simulated ("" if it was) */
    double (**pred)[FM_COUNT];
    char (**why)[160];
};

/* only_source: predict that source id only (NULL = all). */
int field_validate_run(const struct field_set *set, const struct profile *p, const char *only_source,
                       struct field_validation **out, struct cs_err *err);
void field_validation_free(struct field_validation *v);

/* Signed errors 100 (predicted / measured - 1) of group g, over one source
 * (index) or all (FIELD_ALL), with rates' signs flipped so that + always
 * means capsim says slower (longer times, lower rates); their absolute
 * values are the APEs. Returns how many; out sized by the caller
 * (field_figure_count()). */
#define FIELD_ALL ((size_t)-1)
size_t field_group_errors(const struct field_validation *v, enum field_group g, size_t source, double *out);
size_t field_figure_count(const struct field_set *set);

/* Cases and figures simulated, and cases left out with their reasons. */
void field_print_unsupported(const struct field_validation *v, FILE *f);
/* Median and p90 absolute percentage error and median signed error per
 * group; ends with the summary line (sources, cases, figures). */
void field_print_table(const struct field_validation *v, FILE *f);
/* Per source: median absolute and median signed error per group. */
void field_print_by_source(const struct field_validation *v, FILE *f);
/* One JSON line per simulated case: source, case, line, predicted, measured. */
int field_write_jsonl(const struct field_validation *v, FILE *f, struct cs_err *err);

#endif /* CAPSIM_CALIBRATE_FIELD_VALIDATE_H */
