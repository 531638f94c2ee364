/* Future-event list: ties pop by kind, then in push order (FIFO). */
#include "cs_test.h"

#include "sim/evq.h"

static void test_ties_pop_by_kind_then_fifo(void **state)
{
    (void)state;
    struct evq *q = evq_new(2);
    /* Hand-worked order: t=1 kind 0 (payloads 2, 4 in push order), t=1 kind 1
     * (payloads 1, 3), then t=2 (payload 5); t=0.5 first of all (payload 6). */
    evq_push(q, 1.0, 1, 1);
    evq_push(q, 1.0, 0, 2);
    evq_push(q, 1.0, 1, 3);
    evq_push(q, 1.0, 0, 4);
    evq_push(q, 2.0, 0, 5);
    evq_push(q, 0.5, 1, 6);
    assert_int_equal(evq_size(q), 6);
    const uint64_t want[] = {6, 2, 4, 1, 3, 5};
    struct evq_event e;
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        assert_true(evq_pop(q, &e));
        assert_int_equal(e.payload, want[i]);
    }
    assert_false(evq_pop(q, &e));
    evq_free(q);
}

static void test_many_equal_events_stay_fifo(void **state)
{
    (void)state;
    struct evq *q = evq_new(1);
    for (uint64_t i = 0; i < 1000; i++)
        evq_push(q, 3.0, 0, i);
    struct evq_event e;
    for (uint64_t i = 0; i < 1000; i++) {
        assert_true(evq_pop(q, &e));
        assert_int_equal(e.payload, i);
    }
    evq_free(q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ties_pop_by_kind_then_fifo),
        cmocka_unit_test(test_many_equal_events_stay_fifo),
    };
    return cmocka_run_group_tests_name("evq", tests, NULL, NULL);
}
