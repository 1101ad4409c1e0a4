#include "user/syscall.h"

#include "abi/user.h"
#include "core/bench.h"
#include "core/console.h"
#include "core/fiber.h"
#include "core/monitor.h"
#include "drivers/framebuffer.h"
#include "drivers/power.h"
#include "fs/tarfs.h"
#include "ion/ion.h"
#include "ion/ring.h"
#include "lib/string.h"
#include "mm/mm.h"
#include "user/process.h"

/* Copies a user path in, or fails with ION_EARG. */
static int path_in(uint64_t user_ptr, char path[USER_PATH_MAX])
{
    return copy_string_from_user(current_process->pagetable, path, user_ptr, USER_PATH_MAX) < 0
               ? ION_EARG
               : ION_OK;
}

static int fs_open(uint64_t arg, int64_t *result)
{
    char path[USER_PATH_MAX];
    if (path_in(arg, path) != ION_OK)
        return ION_EARG;
    int32_t h = vfs_open(&current_process->files, &rootfs, path);
    if (h < 0)
        return h;
    *result = h;
    return ION_OK;
}

static int fs_read(uint64_t arg, int64_t *result)
{
    struct fs_io io;
    if (copy_from_user(current_process->pagetable, &io, arg, sizeof io) != 0 ||
        user_range_ok(current_process->pagetable, io.buf, io.len, PTE_W) != 0)
        return ION_EARG;
    /* Read through a kernel bounce buffer, one page at a time, so that a bad
     * user buffer is found before any byte of it is written. */
    static uint8_t bounce[4096];
    uint64_t done = 0;
    while (done < io.len) {
        uint32_t chunk = io.len - done < sizeof bounce ? io.len - (uint32_t)done : sizeof bounce;
        int64_t n = vfs_read(&current_process->files, io.handle, bounce, chunk);
        if (n < 0)
            return (int)n;
        if (n == 0)
            break;
        if (copy_to_user(current_process->pagetable, io.buf + done, bounce, (size_t)n) != 0) {
            vfs_seek(&current_process->files, io.handle, -n, VFS_SEEK_CUR);
            return ION_EARG;
        }
        done += (uint64_t)n;
        if ((uint64_t)n < chunk)
            break;
    }
    *result = (int64_t)done;
    return ION_OK;
}

static int fs_seek(uint64_t arg, int64_t *result)
{
    struct fs_seek s;
    if (copy_from_user(current_process->pagetable, &s, arg, sizeof s) != 0)
        return ION_EARG;
    int64_t off = vfs_seek(&current_process->files, s.handle, s.offset, s.whence);
    if (off < 0)
        return (int)off;
    *result = off;
    return ION_OK;
}

static int fs_stat(uint64_t arg)
{
    struct fs_stat_request req;
    char path[USER_PATH_MAX];
    if (copy_from_user(current_process->pagetable, &req, arg, sizeof req) != 0 ||
        path_in(req.path, path) != ION_OK)
        return ION_EARG;
    struct vfs_stat st;
    int r = vfs_stat(&rootfs, path, &st);
    if (r < 0)
        return r;
    struct fs_stat out = { st.size, st.type == TAR_DIR ? FS_TYPE_DIR : FS_TYPE_FILE, st.mode };
    return copy_to_user(current_process->pagetable, req.out, &out, sizeof out) ? ION_EARG : ION_OK;
}

static int fs_readdir(uint64_t arg, int64_t *result)
{
    struct fs_readdir_request req;
    char path[USER_PATH_MAX];
    if (copy_from_user(current_process->pagetable, &req, arg, sizeof req) != 0 ||
        req._pad != 0 || path_in(req.path, path) != ION_OK)
        return ION_EARG;
    struct vfs_dirent d;
    int r = vfs_readdir(&rootfs, path, req.index, &d);
    if (r < 0)
        return r;
    *result = r;
    if (r == 0)
        return ION_OK;
    struct fs_dirent out;
    memset(&out, 0, sizeof out);
    memcpy(out.name, d.name, sizeof out.name);
    out.size = d.size;
    out.type = d.type == TAR_DIR ? FS_TYPE_DIR : FS_TYPE_FILE;
    return copy_to_user(current_process->pagetable, req.out, &out, sizeof out) ? ION_EARG : ION_OK;
}

static int sys_exec(uint64_t arg)
{
    struct exec_request req;
    static char path[USER_PATH_MAX];
    static char args[USER_ARGS_MAX][USER_ARG_MAX];
    static char *argv[USER_ARGS_MAX];
    pte_t *pt = current_process->pagetable;
    bench_exec_begin();
    if (copy_from_user(pt, &req, arg, sizeof req) != 0 || path_in(req.path, path) != ION_OK ||
        req.argc > USER_ARGS_MAX || req._pad != 0)
        return ION_EARG;
    for (uint32_t i = 0; i < req.argc; i++) {
        uint64_t ptr;
        if (copy_from_user(pt, &ptr, req.argv + i * sizeof ptr, sizeof ptr) != 0 ||
            copy_string_from_user(pt, args[i], ptr, USER_ARG_MAX) < 0)
            return ION_EARG;
        argv[i] = args[i];
    }
    struct process *next;
    int r = process_load(path, req.argc, argv, &next);
    if (r != 0)
        return r;  /* refused: the caller goes on, the kernel has said why */
    subject_replace(next);  /* does not return */
}

/* CMD_CON_READ: wait until the input ring has bytes; the program pops them. */
static int con_read(int64_t *result)
{
    uint32_t n;
    while ((n = ion_ring_used(&ion.input->ring)) == 0) {
        user_poll_interrupt();
        console_wait_input();
        user_poll_interrupt();
    }
    *result = n;
    return ION_OK;
}

/* The CMD_FB_* commands: a program draws text cells on the framebuffer. */
static int fb_command(const CmdPacket *p, int64_t *result)
{
    int cols, rows;
    if (fb_cells(&cols, &rows) != 0)
        return ION_ENOENT;
    switch (p->kind) {
    case CMD_FB_INFO:
        if (p->arg != 0)
            return ION_EARG;
        *result = (int64_t)retina_display.width << 16 | retina_display.height;
        return ION_OK;
    case CMD_FB_GLYPH: {
        uint64_t a = p->arg;
        if (a & 0xff000000ff000000ull)  /* the unused bytes 3 and 7 */
            return ION_EARG;
        int r = fb_draw_cell((int)(a & 0xff), (int)(a >> 8 & 0xff), (char)(a >> 16 & 0xff),
                             (uint32_t)(a >> 32));
        return r == 0 ? ION_OK : r == -1 ? ION_ENOENT : ION_EARG;
    }
    case CMD_FB_FLUSH:
        if (p->arg != 0)
            return ION_EARG;
        return fb_flush_cells() == 0 ? ION_OK : ION_ENOENT;
    default: /* CMD_FB_RELEASE */
        if (p->arg != 0)
            return ION_EARG;
        return fb_release() == 0 ? ION_OK : ION_ENOENT;
    }
}

int user_command(const CmdPacket *p, int64_t *result)
{
    if (!current_process)
        return ION_EKIND;  /* a kernel client has no files or life to manage */
    switch (p->kind) {
    case CMD_CON_READ:
        return p->arg != 0 ? ION_EARG : con_read(result);
    case CMD_CON_POLL:
        if (p->arg != 0)
            return ION_EARG;
        *result = ion_ring_used(&ion.input->ring);
        return ION_OK;
    case CMD_FS_OPEN:
        return fs_open(p->arg, result);
    case CMD_FS_READ:
        return fs_read(p->arg, result);
    case CMD_FS_CLOSE:
        return p->arg > INT32_MAX ? ION_EBADF
                                  : vfs_close(&current_process->files, (int32_t)p->arg);
    case CMD_FS_STAT:
        return fs_stat(p->arg);
    case CMD_FS_READDIR:
        return fs_readdir(p->arg, result);
    case CMD_FS_SEEK:
        return fs_seek(p->arg, result);
    case CMD_SYS_EXEC:
        return sys_exec(p->arg);
    case CMD_SYS_EXIT:
        user_finish(USER_EXITED, (long)(int32_t)p->arg);
    case CMD_SYS_HALT:
        ion_console_sync();
        kprintf("[rumpk] halt: powering off\n");
        power_off();
    case CMD_FB_INFO:
    case CMD_FB_GLYPH:
    case CMD_FB_FLUSH:
    case CMD_FB_RELEASE:
        return fb_command(p, result);
    case CMD_SYS_STATS:
        ion_console_sync();  /* the table goes after what the program printed */
        switch (p->arg) {
        case SYS_STATS_FIBERS: fiber_print_table(); return ION_OK;
        case SYS_STATS_ION: ion_print_stats(); return ION_OK;
        case SYS_STATS_MEMORY: mm_print_stats(); return ION_OK;
        default: return ION_EARG;
        }
    default:
        return ION_EKIND;
    }
}
