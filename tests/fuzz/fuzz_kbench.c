/* libFuzzer: capsim-kbench JSON lines -> kb_read_file. */
#include "fuzz_common.h"
#include "kernels/host/kbench.h"

static void fuzz_one(const char *text, const char *path)
{
    (void)text;
    struct kb_record *r;
    size_t n;
    struct cs_err err;
    if (kb_read_file(path, &r, &n, &err) == CS_OK)
        free(r);
}
