#include "scenarios/capacity.h"

static int eval(capacity_pred pred, void *ud, int64_t load, bool *pass,
                struct capacity_curve *c, struct cs_err *err)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->load[i] == load) {
            *pass = c->pass[i];
            return CS_OK;
        }
    double v = 0;
    int rc = pred(load, ud, pass, &v, err);
    if (rc)
        return rc;
    if (c->n < CAPACITY_MAX_POINTS) {
        /* keep the curve sorted by load for plotting */
        size_t i = c->n++;
        while (i > 0 && c->load[i - 1] > load) {
            c->load[i] = c->load[i - 1];
            c->value[i] = c->value[i - 1];
            c->pass[i] = c->pass[i - 1];
            i--;
        }
        c->load[i] = load;
        c->value[i] = v;
        c->pass[i] = *pass;
    }
    return CS_OK;
}

int capacity_search(capacity_pred pred, void *ud, int64_t start, int64_t max_load,
                    int64_t *best, struct capacity_curve *c, struct cs_err *err)
{
    c->n = 0;
    if (start < 1)
        start = 1;
    if (start > max_load)
        start = max_load;
    bool pass;
    int rc;
    int64_t lo = 0, hi = 0; /* lo passes (0 = none known), hi fails (0 = none known) */
    if ((rc = eval(pred, ud, start, &pass, c, err)))
        return rc;
    if (pass) {
        lo = start;
        for (int64_t x = start * 2; x <= max_load; x *= 2) {
            if ((rc = eval(pred, ud, x, &pass, c, err)))
                return rc;
            if (!pass) {
                hi = x;
                break;
            }
            lo = x;
        }
        if (!hi) {
            if (lo < max_load) {
                if ((rc = eval(pred, ud, max_load, &pass, c, err)))
                    return rc;
                if (pass) {
                    *best = max_load;
                    return CS_OK;
                }
                hi = max_load;
            } else {
                *best = lo;
                return CS_OK;
            }
        }
    } else {
        hi = start;
        for (int64_t x = start / 2; x >= 1; x /= 2) {
            if ((rc = eval(pred, ud, x, &pass, c, err)))
                return rc;
            if (pass) {
                lo = x;
                break;
            }
            hi = x;
        }
        if (!lo) {
            *best = 0;
            return CS_OK;
        }
    }
    while (hi - lo > 1) {
        int64_t mid = lo + (hi - lo) / 2;
        if ((rc = eval(pred, ud, mid, &pass, c, err)))
            return rc;
        if (pass)
            lo = mid;
        else
            hi = mid;
    }
    *best = lo;
    return CS_OK;
}
