#include "cli/scenario_opts.h"

#include <stdio.h>
#include <string.h>

int scenario_opts_slos(const char *cmd, const struct opt_strings *text, struct slo *slos,
                       size_t *n, struct cs_err *err)
{
    if (text->n > SLO_MAX)
        return cs_err_set(err, CS_EUSAGE, "%s: --slo: at most %d (got %zu)", cmd, SLO_MAX,
                          text->n);
    char where[64];
    snprintf(where, sizeof where, "%s: --slo", cmd);
    for (size_t i = 0; i < text->n; i++) {
        int rc = slo_parse(text->v[i], &slos[i], where, err);
        if (rc)
            return rc;
    }
    *n = text->n;
    return CS_OK;
}

int scenario_opts_load(const char *cmd, const struct scenario_flags *f, const char *positional,
                       struct scenario *s, struct cs_err *err)
{
    struct slo slos[SLO_MAX];
    size_t n = 0;
    int rc = scenario_opts_slos(cmd, &f->slo, slos, &n, err);
    if (rc)
        return rc;
    const char *name = positional ? positional : f->scenario ? f->scenario : "office-25";
    if ((rc = scenario_load(name, s, err)))
        return rc;
    if (n) { /* the command line's SLOs replace the scenario's */
        for (size_t k = 0; k < s->n_tasks; k++)
            s->tasks[k].n_slos = 0;
        memcpy(s->slos, slos, n * sizeof *slos);
        s->n_slos = n;
    }
    if (f->seed >= 0)
        s->seed = f->seed;
    return CS_OK;
}
