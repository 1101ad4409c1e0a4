/*
 * trap_cause_name and trap_describe (kernel/core/trap_describe.c) against
 * the supervisor scause table of the privileged spec.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "core/trap_describe.h"

#define IRQ (1UL << 63)

struct trap_case {
    int line;
    uint64_t scause, stval;
    const char *name;   /* trap_cause_name */
    const char *text;   /* trap_describe */
};

static const struct trap_case cases[] = {
    /* Faults: stval is the faulting address. */
    { __LINE__, 0, 0x80200002, "instruction address misaligned",
      "instruction address misaligned at 0x80200002" },
    { __LINE__, 1, 0x0, "instruction access fault", "instruction access fault at 0x0" },
    { __LINE__, 4, 0x1001, "load address misaligned", "load address misaligned at 0x1001" },
    { __LINE__, 5, 0xdeadbeef, "load access fault", "load access fault at 0xdeadbeef" },
    { __LINE__, 6, 0x2003, "store address misaligned", "store address misaligned at 0x2003" },
    { __LINE__, 7, 0x10000000, "store access fault", "store access fault at 0x10000000" },
    { __LINE__, 12, 0xffffffc000000000, "instruction page fault",
      "instruction page fault at 0xffffffc000000000" },
    { __LINE__, 13, 0, "load page fault", "load page fault at 0x0" },
    { __LINE__, 15, UINT64_MAX, "store page fault", "store page fault at 0xffffffffffffffff" },
    /* Illegal instruction: stval is the encoding, eight hex digits. */
    { __LINE__, 2, 0, "illegal instruction", "illegal instruction (encoding 0x00000000)" },
    { __LINE__, 2, 0x10500073, "illegal instruction",
      "illegal instruction (encoding 0x10500073)" },
    { __LINE__, 2, 0xc0001073, "illegal instruction",
      "illegal instruction (encoding 0xc0001073)" },
    /* Exceptions whose stval carries nothing worth printing. */
    { __LINE__, 3, 0x80200000, "breakpoint", "breakpoint" },
    { __LINE__, 8, 0x1234, "environment call from U-mode", "environment call from U-mode" },
    { __LINE__, 9, 0, "environment call from S-mode", "environment call from S-mode" },
    /* Interrupts: never an address. */
    { __LINE__, IRQ | 1, 0x42, "supervisor software interrupt", "supervisor software interrupt" },
    { __LINE__, IRQ | 5, 0, "supervisor timer interrupt", "supervisor timer interrupt" },
    { __LINE__, IRQ | 9, 0, "supervisor external interrupt", "supervisor external interrupt" },
    /* Reserved exception codes show their number; 11 (ecall from M-mode)
     * cannot reach S-mode. */
    { __LINE__, 10, 0x1000, "reserved cause", "reserved cause 10" },
    { __LINE__, 11, 0, "reserved cause", "reserved cause 11" },
    { __LINE__, 14, 0x1000, "reserved cause", "reserved cause 14" },
    { __LINE__, 16, 0, "reserved cause", "reserved cause 16" },
    { __LINE__, 24, 0, "reserved cause", "reserved cause 24" },
    { __LINE__, 63, 0, "reserved cause", "reserved cause 63" },
    { __LINE__, UINT64_MAX >> 1, 0, "reserved cause", "reserved cause 9223372036854775807" },
    /* Interrupt codes without a name here (3, 7, 11 are M-mode's): the
     * number is not shown, as bit 63 would make it unreadable. */
    { __LINE__, IRQ | 0, 0, "reserved cause", "reserved cause" },
    { __LINE__, IRQ | 3, 0, "reserved cause", "reserved cause" },
    { __LINE__, IRQ | 7, 0, "reserved cause", "reserved cause" },
    { __LINE__, IRQ | 11, 0, "reserved cause", "reserved cause" },
    { __LINE__, IRQ | 13, 0, "reserved cause", "reserved cause" },
    { __LINE__, UINT64_MAX, 0, "reserved cause", "reserved cause" },
};

static void test_table(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct trap_case *c = &cases[i];
        char buf[96];
        int n = trap_describe(buf, sizeof buf, c->scause, c->stval);
        check_str_at(__FILE__, c->line, "trap_cause_name", trap_cause_name(c->scause), c->name);
        check_str_at(__FILE__, c->line, "trap_describe", buf, c->text);
        check_eq_i64_at(__FILE__, c->line, "length", n, (int64_t)strlen(c->text));
    }
}

/* Like snprintf: truncated, NUL-terminated, full length returned. */
static void test_truncation(void)
{
    char buf[10];
    CHECK_EQ_I64(trap_describe(buf, sizeof buf, 13, 0x1234), 25);  /* "load page fault at 0x1234" */
    CHECK_STR(buf, "load page");
    CHECK_EQ_I64(trap_describe(NULL, 0, IRQ | 5, 0), 26);  /* "supervisor timer interrupt" */
}

int main(void)
{
    test_table();
    test_truncation();
    return check_summary("test_trap_describe");
}
