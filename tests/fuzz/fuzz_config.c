/* libFuzzer: config.json text -> model_parse (and the work model). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "model/model.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    gsl_set_error_handler_off();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    struct model *m;
    struct cs_err err;
    if (model_parse("fuzz.json", text, &m, &err) == CS_OK) {
        struct model_work w;
        model_work_init(m, DTYPE_NVFP4, KPATH_COUNT, KV_DTYPE_FP8, &w, &err);
        model_free(m);
    }
    free(text);
    return 0;
}
