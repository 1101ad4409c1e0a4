/*
 * libnexus: the runtime every user program links with. It is the
 * "membrane" between a program and the kernel: a system call is a CmdPacket
 * pushed on ION's command ring, stamped with the program's provenance tag,
 * followed by an `ecall`; the answer is a CmdCompletion on the completion
 * ring (docs/userland.md has the whole protocol). On top of that: console
 * and file I/O, the process calls, a small printf, string functions and a
 * heap.
 *
 * Conventions: functions that talk to the kernel return a status < 0 on
 * error (the ION_E* codes of abi/ion.h; nexus_strerror names them), and
 * their result (a byte count, a handle, an offset) otherwise.
 *
 * Freestanding: this header and the compiler's own <stddef.h>, <stdint.h>,
 * <stdarg.h> are all a program gets; there is no libc.
 */
#ifndef RUMPK_LIBNEXUS_H
#define RUMPK_LIBNEXUS_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "abi/ion.h"
#include "abi/systable.h"
#include "abi/user.h"

/* ---- where things are (gate.c) ------------------------------------------ */

/* The SysTable the kernel mapped at SYSTABLE_ADDR, and this program's
 * read-only ProcInfo at PROCINFO_ADDR (sender id and provenance key). */
const struct SysTable *nexus_systable(void);
const struct ProcInfo *nexus_procinfo(void);

/* ---- the membrane (membrane.c) ------------------------------------------ */

/* One command, start to finish: push, ecall, wait for its completion.
 * Returns the completion's status; *result (may be NULL) gets its result. */
int nexus_call(uint32_t kind, uint64_t arg, int64_t *result);

/* The same in steps, to batch several commands into one ecall:
 *   uint64_t a = nexus_submit(CMD_X, x), b = nexus_submit(CMD_Y, y);
 *   nexus_wait(a, &ra);      (one ecall runs both)
 *   nexus_wait(b, &rb);      (already answered)
 * Wait for the sequence numbers in the order they were submitted: nexus_wait
 * drops older completions nobody waits for. */
uint64_t nexus_submit(uint32_t kind, uint64_t arg);
int nexus_wait(uint64_t seq, int64_t *result);

/* Lower still, for tests that need a malformed packet (hostile.c):
 * nexus_stamp sets p->id for the next sequence number and returns it; the
 * stamped packet must be the next one nexus_push puts on the ring (the
 * kernel numbers packets in ring order, good or bad). nexus_push ecalls
 * while the ring is full. */
uint64_t nexus_stamp(CmdPacket *p);
void nexus_push(const CmdPacket *p);

/* The trap into the kernel (gate.c): it drains the command ring and answers. */
void nexus_ecall(void);

/* Not an ION code: the completion for this sequence number never came (a
 * later one did: the completion ring overflowed). */
#define NEXUS_ELOST (-100)

/* "no such file", "bad handle", ... for any status; "error -N" otherwise. */
const char *nexus_strerror(int status);

/* ---- console (console.c) ------------------------------------------------ */

#define STDOUT_FILENO 1
#define STDERR_FILENO 2

/* Writes len bytes to the console (fd 1 or 2; both go to the same place).
 * Returns len, or a status < 0 (ION_EBADF for another fd). */
int64_t write(int fd, const void *buf, size_t len);

/* Blocks until console input is there; then moves up to len bytes (at
 * least 1) into buf. Returns the bytes moved or a status < 0. */
int64_t read_console(void *buf, size_t len);

/* ---- the framebuffer and the key check (fb.c) ---------------------------
 * ION_ENOENT without a display. The first fb_glyph takes the screen from the
 * console; fb_release gives it back (so does the program's end). */

int fb_info(uint32_t *width, uint32_t *height);           /* in pixels */
/* Character c (ASCII 32..126) in colour 0xRRGGBB on black at text cell
 * (col, row) of the (width / FB_CELL_W) x (height / FB_CELL_H) grid; shown
 * on the next fb_flush. Out of range: ION_EARG. */
int fb_glyph(int col, int row, char c, uint32_t rgb);
int fb_flush(void);
int fb_release(void);
/* How many input bytes are waiting (read_console then returns at once). */
int64_t console_poll(void);

/* ---- formatted output (stdio.c; the engine is kernel/lib/format.c) ------
 * The conversions of kernel/lib/format.h (%d %i %u %o %x %X %p %s %c %%,
 * l/ll/z, flags, width, precision for %s). No floating point (user programs run
 * with the FPU off). */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);
int dprintf(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int vdprintf(int fd, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int puts(const char *s);          /* s and a newline */
int putchar(int c);

/* ---- files (fs.c): the initrd, read-only -------------------------------- */

int open(const char *path);                               /* a handle > 0 */
int64_t read(int handle, void *buf, size_t len);          /* bytes, 0 at the end */
int close(int handle);
int64_t seek(int handle, int64_t offset, int whence);     /* FS_SEEK_*; the new offset */
int stat(const char *path, struct fs_stat *out);
/* The index-th entry of directory `path`: 1 when *out was filled, 0 past
 * the last one. */
int readdir(const char *path, uint32_t index, struct fs_dirent *out);

/* ---- the process (process.c) -------------------------------------------- */

/* Replaces this program with `path` (argv: argc strings). Returns only on
 * failure, with the status (the kernel has printed `exec: PATH: REASON`). */
int exec(const char *path, int argc, char *const argv[]);
__attribute__((noreturn)) void exit(int status);
int yield(void);
uint64_t uptime_us(void);                 /* microseconds since boot */
int halt(void);                           /* returns only if refused */
int sys_stats(int which);                 /* SYS_STATS_*: the kernel prints the table */

/* ---- memory and strings (the kernel's kernel/lib/string.c + strings.c) -- */

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
char *strcpy(char *dst, const char *src);
char *strncpy(char *dst, const char *src, size_t n);
char *strcat(char *dst, const char *src);
/* Copies at most size - 1 bytes and always NUL-terminates (size > 0);
 * returns strlen(src), so a result >= size means it was cut. */
size_t strlcpy(char *dst, const char *src, size_t size);
/* Decimal, 0x hex or 0 octal with base 0; stops at the first non-digit. */
long strtol(const char *s, char **end, int base);
int atoi(const char *s);
int isdigit(int c);
int isspace(int c);

/* ---- the heap (malloc.c over arena.c): a static arena in .bss ----------- */

#define NEXUS_HEAP_SIZE (256 * 1024)

void *malloc(size_t n);
void free(void *p);
void *calloc(size_t count, size_t size);
void *realloc(void *p, size_t n);

#endif
