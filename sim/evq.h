/*
 * evq.h - the future-event list: a binary min-heap ordered by
 * (time, kind, seq). seq is the push counter, so events at the same time
 * and of the same kind pop first-in first-out; kind gives a fixed priority
 * at equal times (Vidur orders by time, then type, then id).
 *
 * A binary heap costs O(log n) per push and pop. A calendar queue would
 * make both O(1) on average, but the engine holds only pending arrivals
 * here (steps are sequential), so n stays small and the heap is simpler.
 *
 * Ownership: evq_new() returns a queue to free with evq_free(). Payloads
 * are plain 64-bit values; the queue keeps no pointers.
 */
#ifndef CAPSIM_SIM_EVQ_H
#define CAPSIM_SIM_EVQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct evq;

struct evq_event {
    double time_s;
    uint32_t kind;
    uint64_t seq;      /* set by evq_push */
    uint64_t payload;
};

/* Life cycle */
struct evq *evq_new(size_t capacity_hint);
void evq_free(struct evq *q);

/* Changes */
void evq_push(struct evq *q, double time_s, uint32_t kind, uint64_t payload);
/* Pop the first event into *out; false if empty. */
bool evq_pop(struct evq *q, struct evq_event *out);

/* Queries */
size_t evq_size(const struct evq *q);
/* The first event without removing it; NULL if empty. */
const struct evq_event *evq_peek(const struct evq *q);

#endif /* CAPSIM_SIM_EVQ_H */
