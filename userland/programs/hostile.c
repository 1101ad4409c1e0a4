/*
 * Calls every command with arguments a kernel must refuse: pointers into the
 * kernel, NULL, unmapped user addresses, blocks that straddle the end of a
 * mapping or of user space, output buffers the program may not write (its
 * own .text, .rodata, ProcInfo, the SysTable), strings without a NUL in
 * reach, huge lengths, forged or stale handles, bad packet indexes, unknown
 * kinds, and malformed packets (_pad set, tags forged, replayed or made with
 * the wrong key).
 *
 * Each case must come back with a negative status, not a crash (the kernel
 * must neither fault on a user pointer nor kill the program for asking).
 * One line per case, `hostile: NAME -> status N`, then `hostile: all N
 * refused` (exit 0) or `hostile: K accepted` (exit 1). A packet case that is
 * wrongly accepted can garble later output: the console then prints and
 * frees a packet someone else holds.
 *
 * No case may succeed harmfully if the kernel gets it wrong: exec cases
 * that should fail name /bin/returner (if one is wrongly accepted, returner
 * runs and exits with 7 instead of this summary), and CMD_SYS_EXIT and
 * CMD_SYS_HALT are not called at all.
 */
#include "libnexus.h"

#include "ion/provenance.h"

#define KERNEL_TEXT    0x80200000ul       /* the kernel's first page */
#define ION_PHYS       ION_REGION_PHYS    /* the ION region as the kernel sees it */
#define UNMAPPED_USER  0x120000000ul      /* user space, nothing mapped there */
#define STACK_TOP_8    (USER_STACK_TOP - 8)   /* 8 mapped bytes, then the guard gap */
#define USER_END_8     (USER_END - 8)     /* 8 guard bytes, then the ION window */

static int cases, accepted;

static void report(const char *name, int status)
{
    cases++;
    if (status >= 0)
        accepted++;
    printf("hostile: %s -> status %d\n", name, status);
}

static int call(uint32_t kind, uint64_t arg)
{
    int64_t result;
    return nexus_call(kind, arg, &result);
}

static uint64_t a(const void *p)
{
    return (uint64_t)(uintptr_t)p;
}

/* ---- memory the cases point at ------------------------------------------ */

static char no_nul[USER_PATH_MAX + 44];      /* no NUL anywhere: filled with 'a' */
static char long_arg[USER_ARG_MAX + 72];     /* a NUL, but past USER_ARG_MAX */
static const char rodata_buf[64] = "read-only";
static char scratch[64];

/* The last 16 bytes of the stack, right below the guard gap: the kernel put
 * argv there. They are borrowed for a path with no NUL before the gap (and
 * the first 8 bytes of blocks that straddle it), then given back. */
static char *const stack_top_16 = (char *)(USER_STACK_TOP - 16);
static char saved_top[16];

static void borrow_stack_top(void)
{
    memcpy(saved_top, stack_top_16, 16);
    memset(stack_top_16, 'b', 16);
}

static void return_stack_top(void)
{
    memcpy(stack_top_16, saved_top, 16);
}

/* Writes the first 8 bytes of a block that straddles USER_STACK_TOP. */
static void put_head_at_stack_top(const void *head8)
{
    memcpy((void *)STACK_TOP_8, head8, 8);
}

/* ---- the packet itself -------------------------------------------------- */

static void packets(void)
{
    const struct ProcInfo *pi = nexus_procinfo();
    static const uint8_t zero_key[16];
    CmdPacket p;
    uint64_t seq;

    p = (CmdPacket){ .kind = CMD_NOP };
    seq = nexus_stamp(&p);
    p._pad = 1;                       /* the tag does not cover _pad */
    nexus_push(&p);
    report("packet._pad=1", nexus_wait(seq, NULL));

    p = (CmdPacket){ .kind = CMD_NOP };
    seq = nexus_stamp(&p);
    p.id ^= 1;
    nexus_push(&p);
    report("packet.tag_bit_flipped", nexus_wait(seq, NULL));

    p = (CmdPacket){ .kind = CMD_NOP };
    seq = nexus_stamp(&p);
    p.id = 0;
    nexus_push(&p);
    report("packet.tag=0", nexus_wait(seq, NULL));

    p = (CmdPacket){ .kind = CMD_NOP };
    seq = nexus_stamp(&p);
    p.kind = CMD_SYS_UPTIME;          /* changed after stamping */
    nexus_push(&p);
    report("packet.kind_changed", nexus_wait(seq, NULL));

    p = (CmdPacket){ .kind = CMD_NOP, .arg = 1 };
    seq = nexus_stamp(&p);
    p.arg = 2;
    nexus_push(&p);
    report("packet.arg_changed", nexus_wait(seq, NULL));

    /* A packet that was accepted once, pushed again: its tag is for the
     * number it used, the kernel now expects the next one. */
    p = (CmdPacket){ .kind = CMD_NOP };
    seq = nexus_stamp(&p);
    nexus_push(&p);
    nexus_wait(seq, NULL);
    CmdPacket spare = { .kind = CMD_NOP };
    seq = nexus_stamp(&spare);        /* the number the replay is checked against */
    nexus_push(&p);
    report("packet.replayed", nexus_wait(seq, NULL));

    p = (CmdPacket){ .kind = CMD_NOP };
    seq = nexus_stamp(&p);
    provenance_stamp(&p, pi->key, pi->sender + 1, seq);
    nexus_push(&p);
    report("packet.other_sender", nexus_wait(seq, NULL));

    p = (CmdPacket){ .kind = CMD_NOP };
    seq = nexus_stamp(&p);
    provenance_stamp(&p, zero_key, pi->sender, seq);
    nexus_push(&p);
    report("packet.zero_key", nexus_wait(seq, NULL));

    static const uint32_t kinds[] = { 0x999, 0x206, 0x306, 0x406, 0x1000, 0xffffffff };
    for (unsigned i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        char name[32];
        snprintf(name, sizeof name, "kind=0x%x", kinds[i]);
        report(name, call(kinds[i], 0));
    }
}

/* ---- the packet pool and the console ------------------------------------ */

/* Several commands in one ecall: nothing runs between them (no printf, which
 * would borrow a packet, and no console fiber, which would give one back),
 * so a case about one packet index is about that packet alone. */
#define BATCH_MAX 4
static void batch(int n, const uint32_t kinds[], const uint64_t args[], int status[])
{
    uint64_t seq[BATCH_MAX];
    for (int i = 0; i < n; i++)
        seq[i] = nexus_submit(kinds[i], args[i]);
    for (int i = 0; i < n; i++)
        status[i] = nexus_wait(seq[i], NULL);
}

static void pool(void)
{
    uint64_t packet_size = nexus_systable()->packet_size;
    int64_t index;
    int st[BATCH_MAX];

    report("ion_free.index=9999", call(CMD_ION_FREE, 9999));
    report("ion_free.index=0xffffffff", call(CMD_ION_FREE, 0xffffffffull));
    report("ion_free.index=-1", call(CMD_ION_FREE, UINT64_MAX));
    report("con_write.index=9999", call(CMD_CON_WRITE, 5ull << 32 | 9999));
    report("con_write.index=0xffffffff", call(CMD_CON_WRITE, 5ull << 32 | 0xffffffffull));

    /* A packet given back, then freed and written again. */
    if (nexus_call(CMD_ION_ALLOC, 0, &index) == ION_OK) {
        uint64_t i = (uint64_t)index;
        batch(3, (const uint32_t[]){ CMD_ION_FREE, CMD_ION_FREE, CMD_CON_WRITE },
              (const uint64_t[]){ i, i, 5ull << 32 | i }, st);
        report("ion_free.double_free", st[1]);
        report("con_write.freed_packet", st[2]);
    }

    /* Our packet, with arguments out of range; then given back. A kernel
     * that truncates arg to 32 bits frees it in the first case. */
    if (nexus_call(CMD_ION_ALLOC, 0, &index) == ION_OK) {
        uint64_t i = (uint64_t)index;
        batch(4, (const uint32_t[]){ CMD_ION_FREE, CMD_CON_WRITE, CMD_CON_WRITE, CMD_ION_FREE },
              (const uint64_t[]){ 1ull << 32 | i, (packet_size + 1) << 32 | i,
                                  0xffffffffull << 32 | i, i },
              st);
        report("ion_free.high_bits", st[0]);
        report("con_write.len=packet_size+1", st[1]);
        report("con_write.len=0xffffffff", st[2]);
    }

    /* A packet handed to the console is no longer ours: writing it again or
     * freeing it would let the console fiber print and free it twice, after
     * someone else got it. (Empty writes: nothing shows.) */
    if (nexus_call(CMD_ION_ALLOC, 0, &index) == ION_OK) {
        uint64_t i = (uint64_t)index;
        batch(3, (const uint32_t[]){ CMD_CON_WRITE, CMD_CON_WRITE, CMD_ION_FREE },
              (const uint64_t[]){ i, i, i }, st);
        if (st[0] == ION_OK) {
            report("con_write.queued_packet", st[1]);
            report("ion_free.queued_packet", st[2]);
        } else {
            call(CMD_ION_FREE, i);
        }
    }

    /* Take every packet: the last CMD_ION_ALLOC must say the pool is empty.
     * Nothing may be printed until they are all back. */
    static int64_t held[1024];
    int n = 0, status = ION_OK;
    while (n < 1024 && (status = nexus_call(CMD_ION_ALLOC, 0, &held[n])) == ION_OK)
        n++;
    for (int i = 0; i < n; i++)
        call(CMD_ION_FREE, (uint64_t)held[i]);
    report("ion_alloc.pool_exhausted", status);
}

/* ---- files -------------------------------------------------------------- */

static void fs_open_cases(void)
{
    report("fs_open.path=NULL", call(CMD_FS_OPEN, 0));
    report("fs_open.path=kernel", call(CMD_FS_OPEN, KERNEL_TEXT));
    report("fs_open.path=ion_phys", call(CMD_FS_OPEN, ION_PHYS));
    report("fs_open.path=unmapped", call(CMD_FS_OPEN, UNMAPPED_USER));
    report("fs_open.path=systable", call(CMD_FS_OPEN, SYSTABLE_ADDR));
    report("fs_open.path=no_nul", call(CMD_FS_OPEN, a(no_nul)));
    borrow_stack_top();
    report("fs_open.path=runs_past_stack_top", call(CMD_FS_OPEN, a(stack_top_16)));
    return_stack_top();
    report("fs_open.path=straddles_user_end", call(CMD_FS_OPEN, USER_END - 1));
    report("fs_open.missing", call(CMD_FS_OPEN, a("/no/such/file")));
}

static void fs_read_cases(int h)
{
    struct fs_io io;
#define READ_CASE(name, ...)                                        \
    do {                                                            \
        io = (struct fs_io){ __VA_ARGS__ };                         \
        report("fs_read." name, call(CMD_FS_READ, a(&io)));         \
    } while (0)

    report("fs_read.arg=NULL", call(CMD_FS_READ, 0));
    report("fs_read.arg=kernel", call(CMD_FS_READ, KERNEL_TEXT));
    report("fs_read.arg=unmapped", call(CMD_FS_READ, UNMAPPED_USER));
    borrow_stack_top();
    io = (struct fs_io){ .handle = h, .len = 16 };
    put_head_at_stack_top(&io);
    report("fs_read.arg=straddles_stack_top", call(CMD_FS_READ, STACK_TOP_8));
    return_stack_top();
    report("fs_read.arg=straddles_user_end", call(CMD_FS_READ, USER_END_8));

    READ_CASE("buf=NULL", .handle = h, .len = 16, .buf = 0);
    READ_CASE("buf=kernel", .handle = h, .len = 16, .buf = KERNEL_TEXT);
    READ_CASE("buf=ion_phys", .handle = h, .len = 16, .buf = ION_PHYS);
    READ_CASE("buf=unmapped", .handle = h, .len = 16, .buf = UNMAPPED_USER);
    READ_CASE("buf=text", .handle = h, .len = 16, .buf = (uint64_t)(uintptr_t)fs_read_cases);
    READ_CASE("buf=rodata", .handle = h, .len = 16, .buf = a(rodata_buf));
    READ_CASE("buf=procinfo", .handle = h, .len = 16, .buf = PROCINFO_ADDR);
    READ_CASE("buf=systable", .handle = h, .len = 16, .buf = SYSTABLE_ADDR);
    READ_CASE("buf=straddles_stack_top", .handle = h, .len = 16, .buf = STACK_TOP_8);
    READ_CASE("len=0xffffffff", .handle = h, .len = 0xffffffffu, .buf = a(scratch));
    READ_CASE("handle=-1", .handle = -1, .len = 16, .buf = a(scratch));
    READ_CASE("handle=0", .handle = 0, .len = 16, .buf = a(scratch));
    READ_CASE("handle=0x7fffffff", .handle = 0x7fffffff, .len = 16, .buf = a(scratch));
    /* Handles are generation << 8 | slot (kernel/fs/vfs.h). */
    READ_CASE("handle=forged_generation", .handle = h + 0x100, .len = 16, .buf = a(scratch));
    READ_CASE("handle=other_slot", .handle = h ^ 1, .len = 16, .buf = a(scratch));
    int h2 = open("/etc/motd");
    if (h2 > 0) {
        close(h2);
        READ_CASE("handle=closed", .handle = h2, .len = 16, .buf = a(scratch));
    }
#undef READ_CASE
}

static void fs_close_cases(int h)
{
    report("fs_close.handle=0", call(CMD_FS_CLOSE, 0));
    report("fs_close.handle=0xffffffff", call(CMD_FS_CLOSE, 0xffffffffull));
    report("fs_close.handle=-1", call(CMD_FS_CLOSE, UINT64_MAX));
    report("fs_close.handle=0x7fffffff", call(CMD_FS_CLOSE, 0x7fffffff));
    /* A kernel that truncates arg to 32 bits closes h here. */
    report("fs_close.high_bits", call(CMD_FS_CLOSE, 1ull << 32 | (uint32_t)h));
    int h2 = open("/etc/motd");
    if (h2 > 0) {
        close(h2);
        report("fs_close.double_close", call(CMD_FS_CLOSE, (uint32_t)h2));
    }
}

static void fs_seek_cases(int h)
{
    struct fs_seek s;
#define SEEK_CASE(name, ...)                                        \
    do {                                                            \
        s = (struct fs_seek){ __VA_ARGS__ };                        \
        report("fs_seek." name, call(CMD_FS_SEEK, a(&s)));          \
    } while (0)

    report("fs_seek.arg=NULL", call(CMD_FS_SEEK, 0));
    report("fs_seek.arg=kernel", call(CMD_FS_SEEK, KERNEL_TEXT));
    report("fs_seek.arg=straddles_user_end", call(CMD_FS_SEEK, USER_END_8));
    SEEK_CASE("whence=3", .handle = h, .whence = 3, .offset = 0);
    SEEK_CASE("whence=-1", .handle = h, .whence = -1, .offset = 0);
    SEEK_CASE("offset=-1", .handle = h, .whence = FS_SEEK_SET, .offset = -1);
    SEEK_CASE("offset=INT64_MIN", .handle = h, .whence = FS_SEEK_CUR, .offset = INT64_MIN);
    SEEK_CASE("handle=-1", .handle = -1, .whence = FS_SEEK_SET, .offset = 0);
    SEEK_CASE("handle=forged_generation", .handle = h + 0x100, .whence = FS_SEEK_SET, .offset = 0);
#undef SEEK_CASE
}

static void fs_stat_cases(void)
{
    static struct fs_stat out;
    struct fs_stat_request req;
#define STAT_CASE(name, ...)                                        \
    do {                                                            \
        req = (struct fs_stat_request){ __VA_ARGS__ };              \
        report("fs_stat." name, call(CMD_FS_STAT, a(&req)));        \
    } while (0)

    report("fs_stat.arg=NULL", call(CMD_FS_STAT, 0));
    report("fs_stat.arg=kernel", call(CMD_FS_STAT, KERNEL_TEXT));
    report("fs_stat.arg=unmapped", call(CMD_FS_STAT, UNMAPPED_USER));
    report("fs_stat.arg=straddles_user_end", call(CMD_FS_STAT, USER_END_8));
    STAT_CASE("path=NULL", .path = 0, .out = a(&out));
    STAT_CASE("path=kernel", .path = KERNEL_TEXT, .out = a(&out));
    STAT_CASE("path=no_nul", .path = a(no_nul), .out = a(&out));
    STAT_CASE("out=NULL", .path = a("/etc/motd"), .out = 0);
    STAT_CASE("out=kernel", .path = a("/etc/motd"), .out = KERNEL_TEXT);
    STAT_CASE("out=ion_phys", .path = a("/etc/motd"), .out = ION_PHYS);
    STAT_CASE("out=text", .path = a("/etc/motd"), .out = (uint64_t)(uintptr_t)fs_stat_cases);
    STAT_CASE("out=rodata", .path = a("/etc/motd"), .out = a(rodata_buf));
    STAT_CASE("out=procinfo", .path = a("/etc/motd"), .out = PROCINFO_ADDR);
    STAT_CASE("out=systable", .path = a("/etc/motd"), .out = SYSTABLE_ADDR);
    STAT_CASE("out=straddles_stack_top", .path = a("/etc/motd"), .out = STACK_TOP_8);
    STAT_CASE("missing", .path = a("/no/such/file"), .out = a(&out));
#undef STAT_CASE
}

static void fs_readdir_cases(void)
{
    static struct fs_dirent out;
    struct fs_readdir_request req;
#define READDIR_CASE(name, ...)                                     \
    do {                                                            \
        req = (struct fs_readdir_request){ __VA_ARGS__ };           \
        report("fs_readdir." name, call(CMD_FS_READDIR, a(&req)));  \
    } while (0)

    report("fs_readdir.arg=NULL", call(CMD_FS_READDIR, 0));
    report("fs_readdir.arg=kernel", call(CMD_FS_READDIR, KERNEL_TEXT));
    report("fs_readdir.arg=straddles_user_end", call(CMD_FS_READDIR, USER_END_8));
    READDIR_CASE("path=NULL", .path = 0, .out = a(&out));
    READDIR_CASE("path=kernel", .path = KERNEL_TEXT, .out = a(&out));
    READDIR_CASE("path=no_nul", .path = a(no_nul), .out = a(&out));
    READDIR_CASE("out=NULL", .path = a("/"), .out = 0);
    READDIR_CASE("out=kernel", .path = a("/"), .out = KERNEL_TEXT);
    READDIR_CASE("out=text", .path = a("/"), .out = (uint64_t)(uintptr_t)fs_readdir_cases);
    READDIR_CASE("out=procinfo", .path = a("/"), .out = PROCINFO_ADDR);
    /* 272 bytes from 8 below the top of the stack: mostly in the guard gap. */
    READDIR_CASE("out=straddles_stack_top", .path = a("/"), .out = STACK_TOP_8);
    READDIR_CASE("missing", .path = a("/no/such/dir"), .out = a(&out));
    READDIR_CASE("of_a_file", .path = a("/etc/motd"), .out = a(&out));
#undef READDIR_CASE
}

/* ---- exec: every case must fail, or returner runs instead ----------------- */

static void exec_cases(void)
{
    static char returner[] = "/bin/returner";
    static char x[] = "x";
    char *argv_ok[] = { returner, NULL };
    char *argv_17[USER_ARGS_MAX + 2];
    for (int i = 0; i <= USER_ARGS_MAX; i++)
        argv_17[i] = x;
    argv_17[USER_ARGS_MAX + 1] = NULL;
    char *argv_null1[] = { returner, NULL, NULL };
    char *argv_kernel1[] = { returner, (char *)KERNEL_TEXT, NULL };
    char *argv_long1[] = { returner, long_arg, NULL };
    char *argv_no_nul1[] = { returner, no_nul, NULL };
    struct exec_request req;
#define EXEC_CASE(name, ...)                                        \
    do {                                                            \
        req = (struct exec_request){ __VA_ARGS__ };                 \
        report("exec." name, call(CMD_SYS_EXEC, a(&req)));          \
    } while (0)

    report("exec.arg=NULL", call(CMD_SYS_EXEC, 0));
    report("exec.arg=kernel", call(CMD_SYS_EXEC, KERNEL_TEXT));
    report("exec.arg=unmapped", call(CMD_SYS_EXEC, UNMAPPED_USER));
    report("exec.arg=straddles_user_end", call(CMD_SYS_EXEC, USER_END_8));
    borrow_stack_top();
    uint64_t head = a(returner);     /* the path field; argv and argc in the gap */
    put_head_at_stack_top(&head);
    report("exec.arg=straddles_stack_top", call(CMD_SYS_EXEC, STACK_TOP_8));
    return_stack_top();

    EXEC_CASE("path=NULL", .path = 0, .argv = a(argv_ok), .argc = 1);
    EXEC_CASE("path=kernel", .path = KERNEL_TEXT, .argv = a(argv_ok), .argc = 1);
    EXEC_CASE("path=no_nul", .path = a(no_nul), .argv = a(argv_ok), .argc = 1);
    borrow_stack_top();
    EXEC_CASE("path=runs_past_stack_top", .path = a(stack_top_16), .argv = a(argv_ok), .argc = 1);
    return_stack_top();
    EXEC_CASE("argv=NULL", .path = a(returner), .argv = 0, .argc = 1);
    EXEC_CASE("argv=kernel", .path = a(returner), .argv = KERNEL_TEXT, .argc = 1);
    EXEC_CASE("argv=unmapped", .path = a(returner), .argv = UNMAPPED_USER, .argc = 1);
    EXEC_CASE("argc=17", .path = a(returner), .argv = a(argv_17), .argc = USER_ARGS_MAX + 1);
    EXEC_CASE("argc=0xffffffff", .path = a(returner), .argv = a(argv_ok), .argc = 0xffffffffu);
    EXEC_CASE("argv[1]=NULL", .path = a(returner), .argv = a(argv_null1), .argc = 2);
    EXEC_CASE("argv[1]=kernel", .path = a(returner), .argv = a(argv_kernel1), .argc = 2);
    EXEC_CASE("argv[1]=too_long", .path = a(returner), .argv = a(argv_long1), .argc = 2);
    EXEC_CASE("argv[1]=no_nul", .path = a(returner), .argv = a(argv_no_nul1), .argc = 2);
    /* Refusals the kernel announces with `exec: PATH: REASON`. */
    EXEC_CASE("missing", .path = a("/no/such/program"), .argv = a(argv_ok), .argc = 1);
    EXEC_CASE("not_elf", .path = a("/etc/motd"), .argv = a(argv_ok), .argc = 1);
    EXEC_CASE("directory", .path = a("/bin"), .argv = a(argv_ok), .argc = 1);
#undef EXEC_CASE
}

/* ---- the rest ------------------------------------------------------------ */

static void sys_cases(void)
{
    report("sys_stats.which=3", call(CMD_SYS_STATS, 3));
    report("sys_stats.which=0xffffffff", call(CMD_SYS_STATS, 0xffffffffull));
    report("sys_stats.which=-1", call(CMD_SYS_STATS, UINT64_MAX));
    report("sys_stats.which=kernel", call(CMD_SYS_STATS, KERNEL_TEXT));
    /* Last: CMD_CON_READ's arg must be 0. A kernel that ignores it blocks
     * here until a key is pressed. */
    report("con_read.arg=kernel", call(CMD_CON_READ, KERNEL_TEXT));
}

int main(void)
{
    memset(no_nul, 'a', sizeof no_nul);
    memset(long_arg, 'c', sizeof long_arg - 1);

    packets();
    pool();
    fs_open_cases();
    int h = open("/etc/motd");
    if (h < 0)
        printf("hostile: cannot open /etc/motd (%s): the handle cases use -1\n", nexus_strerror(h));
    fs_read_cases(h);
    fs_seek_cases(h);
    fs_close_cases(h);
    if (h > 0)
        close(h);
    fs_stat_cases();
    fs_readdir_cases();
    exec_cases();
    sys_cases();

    if (accepted == 0) {
        printf("hostile: all %d refused\n", cases);
        return 0;
    }
    printf("hostile: %d accepted\n", accepted);
    return 1;
}
