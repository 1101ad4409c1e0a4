/*
 * The commands NipBox runs itself. Each returns 0 on success, non-zero on
 * failure (no $? yet: the value is for the reader).
 */
#include "builtins.h"

#include "launch.h"
#include "libnexus.h"

static int cmd_help(int argc, char **argv);

/* ---- files ---------------------------------------------------------------- */

static void print_entry(const char *name, uint64_t size, uint32_t type)
{
    if (type == FS_TYPE_DIR)
        printf("%8s  %s/\n", "-", name);
    else
        printf("%8lu  %s\n", (unsigned long)size, name);
}

static int ls_one(const char *path, int with_header)
{
    struct fs_stat st;
    int status = stat(path, &st);
    if (status < 0) {
        printf("ls: %s: %s\n", path, nexus_strerror(status));
        return 1;
    }
    if (st.type != FS_TYPE_DIR) {
        print_entry(path, st.size, st.type);
        return 0;
    }
    if (with_header)
        printf("%s:\n", path);
    for (uint32_t i = 0;; i++) {
        struct fs_dirent d;
        status = readdir(path, i, &d);
        if (status < 0) {
            printf("ls: %s: %s\n", path, nexus_strerror(status));
            return 1;
        }
        if (status == 0)
            return 0;
        d.name[sizeof d.name - 1] = '\0';
        print_entry(d.name, d.size, d.type);
    }
}

static int cmd_ls(int argc, char **argv)
{
    if (argc < 2)
        return ls_one("/", 0);
    int failed = 0;
    for (int i = 1; i < argc; i++)
        failed |= ls_one(argv[i], argc > 2);
    return failed;
}

int cat_file(const char *who, const char *path, int quiet)
{
    static char buf[4 * ION_PACKET_SIZE];
    int handle = open(path);
    if (handle < 0) {
        if (!quiet)
            printf("%s: %s: %s\n", who, path, nexus_strerror(handle));
        return handle;
    }
    int status = 0;
    for (;;) {
        int64_t n = read(handle, buf, sizeof buf);
        if (n < 0) {
            status = (int)n;
            if (!quiet)
                printf("%s: %s: %s\n", who, path, nexus_strerror(status));
            break;
        }
        if (n == 0)
            break;
        write(STDOUT_FILENO, buf, (size_t)n);
    }
    close(handle);
    return status;
}

static int cmd_cat(int argc, char **argv)
{
    if (argc < 2) {
        printf("usage: cat FILE...\n");
        return 1;
    }
    int failed = 0;
    for (int i = 1; i < argc; i++)
        failed |= cat_file("cat", argv[i], 0) != 0;
    return failed;
}

/* ---- programs ------------------------------------------------------------- */

static int cmd_echo(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        printf("%s%s", argv[i], i + 1 < argc ? " " : "");
    printf("\n");
    return 0;
}

static int cmd_exec(int argc, char **argv)
{
    if (argc < 2) {
        printf("usage: exec PATH [ARGS...]\n");
        return 1;
    }
    return launch(argc - 1, argv + 1, 1) != 0;
}

/* ---- the kernel's tables -------------------------------------------------- */

static int stats(const char *name, int which)
{
    int status = sys_stats(which);
    if (status < 0)
        printf("%s: %s\n", name, nexus_strerror(status));
    return status < 0;
}

static int cmd_ps(int argc, char **argv)
{
    (void)argc;
    return stats(argv[0], SYS_STATS_FIBERS);
}

static int cmd_ion(int argc, char **argv)
{
    (void)argc;
    return stats(argv[0], SYS_STATS_ION);
}

static int cmd_mem(int argc, char **argv)
{
    (void)argc;
    return stats(argv[0], SYS_STATS_MEMORY);
}

static int cmd_uptime(int argc, char **argv)
{
    (void)argc, (void)argv;
    uint64_t us = uptime_us();
    printf("up %lu.%03lu s\n", (unsigned long)(us / 1000000), (unsigned long)(us / 1000 % 1000));
    return 0;
}

/* ---- the machine and the shell -------------------------------------------- */

static int cmd_halt(int argc, char **argv)
{
    (void)argc, (void)argv;
    int status = halt();
    printf("halt: %s\n", nexus_strerror(status));
    return 1;
}

static int cmd_exit(int argc, char **argv)
{
    exit(argc > 1 ? atoi(argv[1]) : 0);
}

static const struct builtin builtins[] = {
    { "help",   "help",                "this list",                                  cmd_help },
    { "ls",     "ls [DIR...]",         "list a directory (default /)",               cmd_ls },
    { "cat",    "cat FILE...",         "print files",                                cmd_cat },
    { "echo",   "echo ARGS...",        "print the arguments",                        cmd_echo },
    { "exec",   "exec PATH [ARGS...]", "run a program in place of the shell",        cmd_exec },
    { "ps",     "ps",                  "the kernel's fibers",                        cmd_ps },
    { "ion",    "ion",                 "ION rings and packet pool",                  cmd_ion },
    { "mem",    "mem",                 "page statistics",                            cmd_mem },
    { "uptime", "uptime",              "time since boot",                            cmd_uptime },
    { "matrix", "matrix",              "green rain on the framebuffer until a key",  cmd_matrix },
    { "halt",   "halt",                "power off",                                  cmd_halt },
    { "exit",   "exit [N]",            "end the shell (the kernel starts a new one)", cmd_exit },
};

#define BUILTIN_COUNT (int)(sizeof builtins / sizeof builtins[0])

const struct builtin *builtin_find(const char *name)
{
    for (int i = 0; i < BUILTIN_COUNT; i++)
        if (strcmp(builtins[i].name, name) == 0)
            return &builtins[i];
    return NULL;
}

static int cmd_help(int argc, char **argv)
{
    (void)argc, (void)argv;
    printf("NipBox commands:\n");
    for (int i = 0; i < BUILTIN_COUNT; i++)
        printf("  %-20s %s\n", builtins[i].usage, builtins[i].summary);
    printf("  %-20s %s\n", "PROGRAM [ARGS...]", "run /bin/PROGRAM, or a path: /bin/hello, bin/hello");
    printf("  Quotes group words: echo \"a  b\"\n");

    /* What there is to run. */
    struct fs_dirent d;
    int shown = 0;
    for (uint32_t i = 0; readdir("/bin", i, &d) == 1; i++) {
        if (d.type != FS_TYPE_FILE)
            continue;
        d.name[sizeof d.name - 1] = '\0';
        printf("%s%s", shown++ ? " " : "Programs in /bin: ", d.name);
    }
    if (shown)
        printf("\n");
    return 0;
}
