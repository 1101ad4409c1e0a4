#include "core/monitor.h"

#include "core/boot.h"
#include "core/console.h"
#include "core/fiber.h"
#include "ion/ion.h"
#include "core/selftest.h"
#include "core/timer.h"
#include "drivers/power.h"
#include "lib/string.h"
#include "mm/mm.h"

#define LINE_MAX 128

/* Reads one line with echo and backspace; returns its length. */
static int read_line(char *buf, int size)
{
    int len = 0;
    for (;;) {
        int c = console_getc();
        if (c == '\r' || c == '\n') {
            console_putc('\n');
            console_flush();
            buf[len] = '\0';
            return len;
        }
        if (c == 0x7f || c == '\b') {
            if (len > 0) {
                len--;
                console_puts("\b \b");
            }
        } else if (c >= ' ' && c < 0x7f && len < size - 1) {
            buf[len++] = (char)c;
            console_putc((char)c);
            console_flush();
        }
    }
}

static void cmd_help(const char *arg);
static void cmd_mem(const char *arg)
{
    (void)arg;
    mm_print_stats();
}

static void cmd_uptime(const char *arg)
{
    (void)arg;
    uint64_t us = uptime_us();
    kprintf("up %lu.%03lu s, %lu timer ticks\n", (unsigned long)(us / 1000000),
            (unsigned long)(us / 1000 % 1000), (unsigned long)timer_ticks);
}

static void cmd_bootargs(const char *arg)
{
    (void)arg;
    kprintf("bootargs: \"%s\"\n", boot_info.bootargs);
}

static void cmd_selftest(const char *arg)
{
    selftest_run(*arg ? arg : "list");
}

static void cmd_halt(const char *arg)
{
    (void)arg;
    kprintf("[rumpk] halt: powering off\n");
    power_off();
}

static void cmd_ion(const char *arg)
{
    (void)arg;
    ion_print_stats();
}

static void cmd_ps(const char *arg)
{
    (void)arg;
    fiber_print_table();
}

struct command {
    const char *name;
    void (*run)(const char *arg);
    const char *help;
};

static const struct command commands[] = {
    { "help", cmd_help, "this list" },
    { "mem", cmd_mem, "page pool statistics" },
    { "uptime", cmd_uptime, "time since boot" },
    { "ps", cmd_ps, "the fibers and their metrics" },
    { "ion", cmd_ion, "ring and packet-pool statistics" },
    { "bootargs", cmd_bootargs, "the kernel command line" },
    { "selftest", cmd_selftest, "selftest NAME: run a self test (no NAME: list them)" },
    { "halt", cmd_halt, "power off (QEMU exits 0)" },
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void cmd_help(const char *arg)
{
    (void)arg;
    for (unsigned i = 0; i < N_COMMANDS; i++)
        kprintf("  %-10s %s\n", commands[i].name, commands[i].help);
}

static void dispatch(char *line)
{
    while (*line == ' ')
        line++;
    if (!*line)
        return;
    char *arg = line;
    while (*arg && *arg != ' ')
        arg++;
    if (*arg)
        *arg++ = '\0';
    while (*arg == ' ')
        arg++;
    for (unsigned i = 0; i < N_COMMANDS; i++) {
        if (strcmp(commands[i].name, line) == 0) {
            commands[i].run(arg);
            return;
        }
    }
    kprintf("%s: unknown command (try help)\n", line);
}

void monitor_run(void *arg)
{
    (void)arg;
    while (selftest_active)
        fiber_yield();
    char line[LINE_MAX];
    for (;;) {
        console_puts("rumpk> ");
        read_line(line, sizeof line);
        dispatch(line);
    }
}
