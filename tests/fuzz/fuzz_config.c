/* libFuzzer: config.json text -> model_parse and the work model. */
#include "fuzz_common.h"
#include "model/model.h"

static void fuzz_one(const char *text, const char *path)
{
    (void)path;
    struct model *m;
    struct cs_err err;
    if (model_parse("fuzz.json", text, &m, &err) == CS_OK) {
        struct model_work w;
        model_work_init(m, DTYPE_NVFP4, NULL, KV_DTYPE_FP8, &w, &err);
        model_free(m);
    }
}
