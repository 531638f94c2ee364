/*
 * basis.h - what an answer rests on, printed beside every prediction:
 * the checkpoint priced (published, with its Hugging Face id, or
 * hypothetical, with what capsim assumes), the kernel each weight part
 * runs through and what chose it (model/kernel_path.c), and the profile
 * coefficients those kernels lean on that no calibration data constrains
 * (a profile marks them with a source starting "prior:").
 *
 * Ownership: struct basis is plain data; it outlives the deploy it was
 * made from (its strings are copies or static).
 */
#ifndef CAPSIM_REPORT_BASIS_H
#define CAPSIM_REPORT_BASIS_H

#include <stdbool.h>
#include <stdio.h>

#include "client/deploy.h"
#include "scenarios/slo.h"

struct cJSON;

#define BASIS_MAX_PRIORS 4

struct basis {
    char model[96];
    enum dtype precision;
    bool published;
    char hf_id[128];
    char note[200];
    struct model_paths paths;
    const char *priors[BASIS_MAX_PRIORS];  /* profile coefficient names */
    size_t n_priors;
    /* 80% band as measured / predicted, widened when n_priors > 0 */
    double band_lo[BAND_COUNT], band_hi[BAND_COUNT];
};

void basis_of(const struct deploy *d, struct basis *out);
/* The 80% band of predicted time v (profile_band(), widened when the
 * basis rests on priors). */
void basis_band(const struct basis *b, enum band_metric m, double v, double *lo, double *hi);
/* "2.5 s (2.1-3.0)"-style text of v ms with its band into buf. */
void basis_format_band(const struct basis *b, enum band_metric m, double v_ms, char *buf, size_t n);
/* Adds key (value), key_lo and key_hi to obj, fixed to `decimals`. */
void basis_add_band_json(struct cJSON *obj, const char *key, const struct basis *b, enum band_metric m,
                         double v, int decimals);

/* An answer's range from its band: measured = predicted x r meets a
 * limit T when predicted <= T / r, so each SLO limit is divided by the
 * band's high end (pessimistic) or low end (optimistic, `optimistic`).
 * TPOT and ITL objectives take the TPOT band, the others TTFT's. */
void basis_scale_slos(const struct basis *b, struct slo *slos, size_t n, bool optimistic);

/* Three lines: "Checkpoint: ...", "Kernels: ...", "Basis: ...". */
void basis_print(FILE *f, const struct basis *b);
/* Adds "checkpoint", "kernels" and "priors" to obj. */
int basis_add_json(struct cJSON *obj, const struct basis *b, struct cs_err *err);

#endif /* CAPSIM_REPORT_BASIS_H */
