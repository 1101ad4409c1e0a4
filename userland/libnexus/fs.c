/*
 * Files: the initrd, read-only, through the CMD_FS_* commands. Arguments
 * that do not fit one u64 travel as the address of an argument block
 * (abi/user.h) in our own memory; the kernel reads it, and writes results
 * through the output pointers it holds.
 */
#include "libnexus.h"

static uint64_t addr(const void *p)
{
    return (uint64_t)(uintptr_t)p;
}

int open(const char *path)
{
    int64_t handle;
    int status = nexus_call(CMD_FS_OPEN, addr(path), &handle);
    return status < 0 ? status : (int)handle;
}

int64_t read(int handle, void *buf, size_t len)
{
    struct fs_io io = {
        .handle = handle,
        .len = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len,
        .buf = addr(buf),
    };
    int64_t n;
    int status = nexus_call(CMD_FS_READ, addr(&io), &n);
    return status < 0 ? status : n;
}

int close(int handle)
{
    /* Through uint32_t: a negative handle must not sign-extend into a
     * different 64-bit argument than the 32-bit handle it is. */
    return nexus_call(CMD_FS_CLOSE, (uint32_t)handle, NULL);
}

int64_t seek(int handle, int64_t offset, int whence)
{
    struct fs_seek s = { .handle = handle, .whence = whence, .offset = offset };
    int64_t pos;
    int status = nexus_call(CMD_FS_SEEK, addr(&s), &pos);
    return status < 0 ? status : pos;
}

int stat(const char *path, struct fs_stat *out)
{
    struct fs_stat_request req = { .path = addr(path), .out = addr(out) };
    return nexus_call(CMD_FS_STAT, addr(&req), NULL);
}

int readdir(const char *path, uint32_t index, struct fs_dirent *out)
{
    struct fs_readdir_request req = { .path = addr(path), .out = addr(out), .index = index };
    int64_t filled;
    int status = nexus_call(CMD_FS_READDIR, addr(&req), &filled);
    return status < 0 ? status : (int)filled;
}
