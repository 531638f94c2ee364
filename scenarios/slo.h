/*
 * slo.h - service-level objectives in vLLM's metric names:
 * "p95_ttft_ms<=5000", "p99_tpot_ms<100", "mean_e2el_ms<=60000".
 */
#ifndef CAPSIM_SCENARIOS_SLO_H
#define CAPSIM_SCENARIOS_SLO_H

#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"

#define SLO_MAX 4

enum slo_metric { SLO_TTFT, SLO_TPOT, SLO_ITL, SLO_E2EL };

struct slo {
    enum slo_metric metric;
    double percentile;        /* 0 = mean */
    double limit_ms;
    bool strict;              /* "<" rather than "<=" */
    char text[48];            /* as written, normalised */
};

/* Parse "p95_ttft_ms<=5000"; `where` names the source in messages. */
int slo_parse(const char *s, struct slo *out, const char *where, struct cs_err *err);
bool slo_met(const struct slo *s, double value_ms);
const char *slo_metric_name(enum slo_metric m);
/* "p95 TTFT", "mean TPOT": the measured quantity, for tables. */
void slo_label(const struct slo *s, char *buf, size_t n);

#endif /* CAPSIM_SCENARIOS_SLO_H */
