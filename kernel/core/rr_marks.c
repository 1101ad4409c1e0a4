#include "core/rr_marks.h"

#include "arch/riscv64/csr.h"

struct rr_mark rr_marks[RR_MARKS];
uint64_t rr_mark_count;
int rr_marks_on;

void rr_mark(enum rr_mark_what what, uint32_t pid, uint64_t arg, uint64_t detail)
{
    if (!rr_marks_on)
        return;
    struct rr_mark *m = &rr_marks[rr_mark_count % RR_MARKS];
    m->icount = read_instret();
    m->what = what;
    m->pid = pid;
    m->arg = arg;
    m->detail = detail;
    rr_mark_count++;
}
