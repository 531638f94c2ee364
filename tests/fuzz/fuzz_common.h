/*
 * fuzz_common.h - what every libFuzzer harness shares: GSL's aborting
 * error handler turned off, and the input handed over as NUL-terminated
 * text or as a temporary file (for readers that take a path). Include
 * once per harness; each harness defines fuzz_one(text, path).
 */
#ifndef CAPSIM_TESTS_FUZZ_COMMON_H
#define CAPSIM_TESTS_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "common/err.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
static void fuzz_one(const char *text, const char *path);

static char fuzz_path[64];

/* The input file outlives every run; without this each smoke run leaves
 * one per harness in /tmp. */
static void fuzz_remove_input(void)
{
    unlink(fuzz_path);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    gsl_set_error_handler_off();
    snprintf(fuzz_path, sizeof fuzz_path, "/tmp/capsim-fuzz-%d", (int)getpid());
    atexit(fuzz_remove_input);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    FILE *f = fopen(fuzz_path, "wb");
    if (f) {
        fwrite(data, 1, size, f);
        fclose(f);
    }
    fuzz_one(text, fuzz_path);
    free(text);
    return 0;
}

#endif
