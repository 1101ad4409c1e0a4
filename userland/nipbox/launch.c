#include "launch.h"

#include "libnexus.h"

/* /bin/NAME into path when it is a file there. */
static int in_bin(const char *name, char *path, unsigned long size)
{
    struct fs_stat st;
    if ((unsigned long)snprintf(path, size, "/bin/%s", name) >= size)
        return 0;
    return stat(path, &st) == 0 && st.type == FS_TYPE_FILE;
}

/* The kernel's limits (abi/user.h), checked here so that a refusal is
 * explained instead of coming back as a bare "bad argument". */
static int args_fit(int argc, char **argv)
{
    if (argc > USER_ARGS_MAX) {
        printf("nipbox: too many arguments (a program gets at most %d)\n", USER_ARGS_MAX);
        return 0;
    }
    for (int i = 0; i < argc; i++) {
        if (strlen(argv[i]) >= USER_ARG_MAX) {
            printf("nipbox: argument %d is too long (at most %d bytes)\n", i, USER_ARG_MAX - 1);
            return 0;
        }
    }
    return 1;
}

int launch(int argc, char **argv, int explicit_exec)
{
    const char *name = argv[0];
    char path[USER_PATH_MAX];

    if (strchr(name, '/') || explicit_exec) {
        if (strlcpy(path, name, sizeof path) >= sizeof path) {
            printf("nipbox: %s: path too long\n", name);
            return ION_EARG;
        }
        /* exec NAME: /bin/NAME if there is one, else NAME as it is. */
        if (!strchr(name, '/') && !in_bin(name, path, sizeof path))
            strlcpy(path, name, sizeof path);
    } else if (!in_bin(name, path, sizeof path)) {
        printf("nipbox: %s: unknown command (try help)\n", name);
        return ION_ENOENT;
    }
    if (!args_fit(argc, argv))
        return ION_EARG;
    /* On success we are gone; on failure the kernel has said why. */
    return exec(path, argc, argv);
}
