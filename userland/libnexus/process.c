/*
 * The process calls: exec, exit, yield, the clock, halt and the kernel's
 * statistics tables.
 */
#include "libnexus.h"

int exec(const char *path, int argc, char *const argv[])
{
    struct exec_request req = {
        .path = (uint64_t)(uintptr_t)path,
        .argv = (uint64_t)(uintptr_t)argv,
        .argc = (uint32_t)argc,
        ._pad = 0,
    };
    /* On success the kernel replaces us inside this call. */
    return nexus_call(CMD_SYS_EXEC, (uint64_t)(uintptr_t)&req, NULL);
}

void exit(int status)
{
    /* The status travels sign-extended: exit(-1) is arg 0xffff...ffff. */
    nexus_call(CMD_SYS_EXIT, (uint64_t)(int64_t)status, NULL);
    /* Unreachable unless the kernel refused to end us: stop on a trap
     * (ebreak) rather than return into a caller that is not expecting it. */
    for (;;)
        __builtin_trap();
}

int yield(void)
{
    return nexus_call(CMD_SYS_YIELD, 0, NULL);
}

uint64_t uptime_us(void)
{
    int64_t us = 0;
    if (nexus_call(CMD_SYS_UPTIME, 0, &us) < 0)
        return 0;
    return (uint64_t)us;
}

int halt(void)
{
    return nexus_call(CMD_SYS_HALT, 0, NULL);
}

int sys_stats(int which)
{
    return nexus_call(CMD_SYS_STATS, (uint64_t)(uint32_t)which, NULL);
}
