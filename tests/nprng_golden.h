/*
 * nprng_golden.h - the numpy golden values (tests/data/nprng_golden.txt,
 * from scripts/gen_nprng_golden.py), loaded once per suite as cmocka group
 * setup/teardown and looked up by key and index. Shared by test_nprng.c
 * and test_workload.c; include after cs_test.h.
 */
#ifndef CAPSIM_TESTS_NPRNG_GOLDEN_H
#define CAPSIM_TESTS_NPRNG_GOLDEN_H

#define GOLDEN_PATH "tests/data/nprng_golden.txt"

struct golden_row {
    char key[64];
    int idx;
    char val[40];
};

static struct golden_row *g_rows;
static size_t g_n;

static int golden_setup(void **state)
{
    (void)state;
    FILE *f = fopen(GOLDEN_PATH, "r");
    if (!f)
        return -1;
    size_t cap = 1024;
    g_rows = malloc(cap * sizeof *g_rows);
    struct golden_row r;
    while (fscanf(f, "%63s %d %39s", r.key, &r.idx, r.val) == 3) {
        if (g_n == cap)
            g_rows = realloc(g_rows, (cap *= 2) * sizeof *g_rows);
        g_rows[g_n++] = r;
    }
    fclose(f);
    return g_n > 0 ? 0 : -1;
}

static int golden_teardown(void **state)
{
    (void)state;
    free(g_rows);
    return 0;
}

/* NULL if absent (the caller decides whether that is a failure). */
static inline const char *golden_find(const char *key, int idx)
{
    for (size_t i = 0; i < g_n; i++)
        if (g_rows[i].idx == idx && strcmp(g_rows[i].key, key) == 0)
            return g_rows[i].val;
    return NULL;
}

#endif /* CAPSIM_TESTS_NPRNG_GOLDEN_H */
