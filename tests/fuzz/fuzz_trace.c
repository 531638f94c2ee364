/* libFuzzer: a trace CSV -> workload_trace_load. */
#include "fuzz_common.h"
#include "client/workload.h"

static void fuzz_one(const char *text, const char *path)
{
    (void)text;
    struct workload_req *r;
    size_t n;
    struct cs_err err;
    if (workload_trace_load(path, &r, &n, &err) == CS_OK)
        free(r);
}
