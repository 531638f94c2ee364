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
};

void basis_of(const struct deploy *d, struct basis *out);
/* Three lines: "Checkpoint: ...", "Kernels: ...", "Basis: ...". */
void basis_print(FILE *f, const struct basis *b);
/* Adds "checkpoint", "kernels" and "priors" to obj. */
int basis_add_json(struct cJSON *obj, const struct basis *b, struct cs_err *err);

#endif /* CAPSIM_REPORT_BASIS_H */
