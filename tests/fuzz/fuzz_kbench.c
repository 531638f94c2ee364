/* libFuzzer: a kbench file (written to a temporary file, as the reader takes a path). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "kernels/host/kbench.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    gsl_set_error_handler_off();
    snprintf(path, sizeof path, "/tmp/capsim-fuzz-kbench-%d", (int)getpid());
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    struct cs_err err;
    struct kb_record *r; size_t n; if (kb_read_file(path, &r, &n, &err) == CS_OK) free(r);
    return 0;
}
