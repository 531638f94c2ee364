#include "scenarios/slo.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const names[] = { "ttft", "tpot", "itl", "e2el" };

const char *slo_metric_name(enum slo_metric m)
{
    return names[m];
}

int slo_parse(const char *s, struct slo *out, const char *where, struct cs_err *err)
{
    memset(out, 0, sizeof *out);
    const char *op = strchr(s, '<');
    if (!op)
        return cs_err_set(err, CS_EUSAGE,
                          "%s: SLO '%s' must look like p95_ttft_ms<=5000 (METRIC<=MS or METRIC<MS)",
                          where, s);
    char metric[32];
    size_t len = (size_t)(op - s);
    if (len == 0 || len >= sizeof metric)
        return cs_err_set(err, CS_EUSAGE, "%s: SLO '%s': missing metric before '<'", where, s);
    memcpy(metric, s, len);
    metric[len] = '\0';
    out->strict = op[1] != '=';
    const char *num = out->strict ? op + 1 : op + 2;
    char *end;
    out->limit_ms = strtod(num, &end);
    if (end == num || *end || !isfinite(out->limit_ms) || out->limit_ms <= 0)
        return cs_err_set(err, CS_EUSAGE, "%s: SLO '%s': the limit must be a positive number of ms",
                          where, s);
    /* METRIC = (mean|median|pNN)_(ttft|tpot|itl|e2el)_ms */
    char *us = strchr(metric, '_');
    if (!us || strcmp(us + strlen(us) - 3, "_ms") != 0)
        return cs_err_set(err, CS_EUSAGE,
                          "%s: SLO '%s': metric must be p<N>_|mean_|median_ then ttft|tpot|itl|e2el then _ms",
                          where, s);
    *us = '\0';
    char *kind = us + 1;
    kind[strlen(kind) - 3] = '\0';
    if (strcmp(metric, "mean") == 0)
        out->percentile = 0;
    else if (strcmp(metric, "median") == 0)
        out->percentile = 50;
    else if (metric[0] == 'p') {
        out->percentile = strtod(metric + 1, &end);
        if (*end || !(out->percentile > 0 && out->percentile < 100))
            return cs_err_set(err, CS_EUSAGE, "%s: SLO '%s': percentile must be in (0, 100)", where, s);
    } else
        return cs_err_set(err, CS_EUSAGE, "%s: SLO '%s': '%s' is not mean, median or p<N>", where, s,
                          metric);
    int found = -1;
    for (int i = 0; i < 4; i++)
        if (strcmp(kind, names[i]) == 0)
            found = i;
    if (found < 0)
        return cs_err_set(err, CS_EUSAGE, "%s: SLO '%s': '%s' is not ttft, tpot, itl or e2el", where, s,
                          kind);
    out->metric = (enum slo_metric)found;
    snprintf(out->text, sizeof out->text, "%s", s);
    return CS_OK;
}

bool slo_met(const struct slo *s, double v)
{
    return s->strict ? v < s->limit_ms : v <= s->limit_ms;
}

void slo_label(const struct slo *s, char *buf, size_t n)
{
    static const char *const upper[] = { "TTFT", "TPOT", "ITL", "E2EL" };
    if (s->percentile > 0)
        snprintf(buf, n, "p%g %s", s->percentile, upper[s->metric]);
    else
        snprintf(buf, n, "mean %s", upper[s->metric]);
}
