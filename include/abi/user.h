/*
 * The user-mode side of the ABI: where things are in a user program's
 * address space (Sv39), what the kernel hands a new program, and the
 * argument blocks of the commands that need more than one u64.
 *
 * User address space (one program at a time runs in it):
 *
 *   0x1_0000_0000  USER_BASE: the program's PT_LOAD segments (linked here)
 *   ...            the program's heap grows up after its last segment
 *   0x1_3FFE_0000  the user stack (64 KiB), up to USER_STACK_TOP 0x1_3FFF_0000
 *   0x1_4000_0000  USER_END = ION_USER_BASE: the ION window (SysTable first)
 *   0x1_4010_0000  PROCINFO_ADDR: this program's struct ProcInfo (read-only)
 *
 * Everything below 0x1_0000_0000 is the kernel's (identity-mapped RAM and
 * devices, no U bit): a user pointer there is refused, never followed.
 */
#ifndef RUMPK_ABI_USER_H
#define RUMPK_ABI_USER_H

#include <stddef.h>
#include <stdint.h>

#define USER_BASE        0x100000000UL
#define USER_END         0x140000000UL
#define USER_STACK_TOP   0x13fff0000UL  /* a guard gap of 64 KiB above it */
#define USER_STACK_SIZE  0x10000UL
#define ION_USER_BASE    0x140000000UL  /* the ION region as user programs see it */
#define PROCINFO_ADDR    0x140100000UL

#define USER_PATH_MAX    256
#define USER_ARGS_MAX    16             /* argv entries exec accepts */
#define USER_ARG_MAX     128            /* bytes per argument, NUL included */

#define PROCINFO_MAGIC   0x4f464e4950504f52ULL  /* "ROPPINFO" */

/* What a program gets from the kernel besides argc/argv (in a0/a1). */
struct ProcInfo {
    uint64_t magic;            /* PROCINFO_MAGIC */
    uint64_t sender;           /* this program's sender id for provenance tags */
    uint8_t key[16];           /* its provenance key: provenance_sender_key(boot, sender) */
    uint64_t pid;              /* the same as sender: one id per exec */
    char path[USER_PATH_MAX];  /* the program's own path, normalized, with a leading '/' */
};
_Static_assert(offsetof(struct ProcInfo, magic) == 0, "ProcInfo.magic at 0");
_Static_assert(offsetof(struct ProcInfo, sender) == 8, "ProcInfo.sender at 8");
_Static_assert(offsetof(struct ProcInfo, key) == 16, "ProcInfo.key at 16");
_Static_assert(offsetof(struct ProcInfo, pid) == 32, "ProcInfo.pid at 32");
_Static_assert(offsetof(struct ProcInfo, path) == 40, "ProcInfo.path at 40");
_Static_assert(sizeof(struct ProcInfo) == 296, "ProcInfo size");

/* CMD_SYS_EXEC's argument: replace the calling program with `path`. */
struct exec_request {
    uint64_t path;             /* const char *, NUL-terminated */
    uint64_t argv;             /* const char *const *, argc entries */
    uint32_t argc;
    uint32_t _pad;
};
_Static_assert(sizeof(struct exec_request) == 24, "exec_request size");
_Static_assert(offsetof(struct exec_request, argc) == 16, "exec_request.argc at 16");

/* CMD_FS_READ's argument. */
struct fs_io {
    int32_t handle;
    uint32_t len;
    uint64_t buf;              /* user buffer of len bytes */
};
_Static_assert(sizeof(struct fs_io) == 16, "fs_io size");

/* CMD_FS_SEEK's argument; the result is the new offset. */
#define FS_SEEK_SET 0
#define FS_SEEK_CUR 1
#define FS_SEEK_END 2
struct fs_seek {
    int32_t handle;
    int32_t whence;
    int64_t offset;
};
_Static_assert(sizeof(struct fs_seek) == 16, "fs_seek size");

#define FS_TYPE_FILE 0
#define FS_TYPE_DIR  1

struct fs_stat {
    uint64_t size;
    uint32_t type;             /* FS_TYPE_* */
    uint32_t mode;
};
_Static_assert(sizeof(struct fs_stat) == 16, "fs_stat size");

/* CMD_FS_STAT's argument. */
struct fs_stat_request {
    uint64_t path;             /* const char * */
    uint64_t out;              /* struct fs_stat * */
};

struct fs_dirent {
    char name[USER_PATH_MAX];  /* the child's own name */
    uint64_t size;
    uint32_t type;             /* FS_TYPE_* */
    uint32_t _pad;
};
_Static_assert(sizeof(struct fs_dirent) == 272, "fs_dirent size");

/* CMD_FS_READDIR's argument: the index-th child of `path`; result 1 when
 * *out was filled, 0 past the last child. */
struct fs_readdir_request {
    uint64_t path;             /* const char * */
    uint64_t out;              /* struct fs_dirent * */
    uint32_t index;
    uint32_t _pad;
};
_Static_assert(sizeof(struct fs_readdir_request) == 24, "fs_readdir_request size");

/* CMD_SYS_STATS's argument: which table the kernel prints on the console. */
#define SYS_STATS_FIBERS 0         /* ps */
#define SYS_STATS_ION    1         /* ion */
#define SYS_STATS_MEMORY 2         /* mem */

#endif
