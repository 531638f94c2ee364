/*
 * coverage.c - the arena's runs sorted by kernel path and architecture
 * kind, as `capsim validate --coverage` prints them.
 */
#include "calibrate/coverage.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "calibrate/validate.h"
#include "common/strutil.h"
#include "common/xalloc.h"
#include "sim/cost.h"

static const char *const arch_names[] = {
    [ARCH_DENSE] = "dense FFN",
    [ARCH_MOE] = "MoE experts",
    [ARCH_HYBRID_RECURRENT] = "recurrent layers (GDN, Mamba-2, short conv)",
    [ARCH_SLIDING_WINDOW] = "sliding-window attention",
    [ARCH_MLA] = "MLA (latent attention)",
    [ARCH_SPEC_MTP] = "speculative decoding, MTP",
    [ARCH_SPEC_DFLASH] = "speculative decoding, DFlash",
};
_Static_assert(CS_ARRAY_LEN(arch_names) == ARCH_COUNT, "arch_names out of step");

const char *coverage_arch_name(enum arch_kind k)
{
    return (unsigned)k < ARCH_COUNT ? arch_names[k] : "?";
}

/* Runs per row, as a comma list that stops at a few names. */
struct row_runs {
    size_t n;
    char names[1024];
};

static void add_run(struct row_runs *r, const char *id)
{
    size_t len = strlen(r->names);
    if (r->n < 8)
        snprintf(r->names + len, sizeof r->names - len, "%s%s", r->n ? ", " : "", id);
    else if (r->n == 8)
        snprintf(r->names + len, sizeof r->names - len, ", ...");
    r->n++;
}

static void arch_kinds(const struct deploy *d, const struct arena_run *r, bool kinds[ARCH_COUNT])
{
    const struct model_work *w = &d->work;
    memset(kinds, 0, ARCH_COUNT * sizeof kinds[0]);
    kinds[w->n_moe_layers ? ARCH_MOE : ARCH_DENSE] = true;
    kinds[ARCH_HYBRID_RECURRENT] = w->state_bytes_per_seq > 0;
    kinds[ARCH_SLIDING_WINDOW] = w->swa_window > 0;
    kinds[ARCH_MLA] = w->mla_ctx_flops_per_token > 0;
    if (r->num_speculative_tokens > 0) {
        kinds[ARCH_SPEC_MTP] = w->drafter_passes > 0 && w->drafter_tokens == 1;
        kinds[ARCH_SPEC_DFLASH] = w->drafter_passes > 0 && w->drafter_tokens > 1;
    }
}

int coverage_print(const struct arena *a, const struct profile *p, FILE *f, struct cs_err *err)
{
    struct row_runs lin[KPATH_COUNT], exp[KPATH_COUNT], arch[ARCH_COUNT];
    memset(lin, 0, sizeof lin);
    memset(exp, 0, sizeof exp);
    memset(arch, 0, sizeof arch);
    for (size_t i = 0; i < a->n_runs; i++) {
        struct deploy *d;
        int rc = validate_run_deploy(a, i, p, NAN, &d, err);
        if (rc)
            return rc;
        add_run(&lin[d->paths.linear.path], a->runs[i].id);
        if (d->paths.has_experts)
            add_run(&exp[d->paths.experts.path], a->runs[i].id);
        bool kinds[ARCH_COUNT];
        arch_kinds(d, &a->runs[i], kinds);
        for (int k = 0; k < ARCH_COUNT; k++)
            if (kinds[k])
                add_run(&arch[k], a->runs[i].id);
        deploy_free(d);
    }
    fprintf(f, "capsim validate --coverage: %s, %zu runs, profile %s\n\n", a->dir, a->n_runs, p->name);
    fprintf(f, "%-15s %7s %7s  %s\n", "kernel path", "linears", "experts", "runs");
    for (int k = 0; k < KPATH_COUNT; k++) {
        enum prof_key keys[2];
        size_t nk = cost_path_keys((enum kernel_path)k, keys);
        fprintf(f, "%-15s %7zu %7zu  ", kpath_name((enum kernel_path)k), lin[k].n, exp[k].n);
        if (lin[k].n || exp[k].n) {
            fprintf(f, "%s%s%s\n", lin[k].names, lin[k].n && exp[k].n ? "; " : "", exp[k].names);
            continue;
        }
        fputs("none: priced from", f);
        for (size_t j = 0; j < nk; j++)
            fprintf(f, "%s %s", j ? "," : "", profile_key_name(keys[j]));
        fputs(" alone\n", f);
    }
    fprintf(f, "\n%-45s %4s  %s\n", "architecture kind", "runs", "");
    for (int k = 0; k < ARCH_COUNT; k++)
        fprintf(f, "%-45s %4zu  %s\n", arch_names[k], arch[k].n, arch[k].n ? arch[k].names : "none: structure from source, never measured");
    fputs("\npriors (no calibration data constrains them):\n", f);
    size_t n_priors = 0;
    for (int k = 0; k < PROF_COUNT; k++)
        if (strncmp(p->source[k], "prior:", 6) == 0) {
            fprintf(f, "  %-26s %.4g  %s\n", profile_key_name((enum prof_key)k), p->v[k], p->source[k] + 7);
            n_priors++;
        }
    if (!n_priors)
        fputs("  none\n", f);
    return CS_OK;
}
