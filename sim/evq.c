#include "sim/evq.h"

#include <stdlib.h>

#include "common/xalloc.h"

struct evq {
    struct evq_event *e;
    size_t n, cap;
    uint64_t next_seq;
};

struct evq *evq_new(size_t capacity_hint)
{
    struct evq *q = xcalloc(1, sizeof *q);
    xgrow((void **)&q->e, &q->cap, capacity_hint ? capacity_hint : 16, sizeof *q->e);
    return q;
}

void evq_free(struct evq *q)
{
    if (!q)
        return;
    free(q->e);
    free(q);
}

static bool before(const struct evq_event *a, const struct evq_event *b)
{
    if (a->time_s != b->time_s)
        return a->time_s < b->time_s;
    if (a->kind != b->kind)
        return a->kind < b->kind;
    return a->seq < b->seq;
}

void evq_push(struct evq *q, double time_s, uint32_t kind, uint64_t payload)
{
    xgrow((void **)&q->e, &q->cap, q->n + 1, sizeof *q->e);
    struct evq_event ev = { time_s, kind, q->next_seq++, payload };
    size_t i = q->n++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!before(&ev, &q->e[parent]))
            break;
        q->e[i] = q->e[parent];
        i = parent;
    }
    q->e[i] = ev;
}

bool evq_pop(struct evq *q, struct evq_event *out)
{
    if (q->n == 0)
        return false;
    *out = q->e[0];
    struct evq_event last = q->e[--q->n];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        const struct evq_event *best = &last;
        if (l < q->n && before(&q->e[l], best)) {
            m = l;
            best = &q->e[l];
        }
        if (r < q->n && before(&q->e[r], best))
            m = r;
        if (m == i)
            break;
        q->e[i] = q->e[m];
        i = m;
    }
    if (q->n)
        q->e[i] = last;
    return true;
}

size_t evq_size(const struct evq *q)
{
    return q->n;
}

const struct evq_event *evq_peek(const struct evq *q)
{
    return q->n ? &q->e[0] : NULL;
}
