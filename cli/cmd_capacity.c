/* Placeholder until the owning module lands; replaced, never shipped as done. */
#include <stdio.h>

#include "cli/commands.h"

int cmd_capacity(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "capsim: 'capacity' is not built yet\n");
    return 1;
}
