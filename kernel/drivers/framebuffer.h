/*
 * Retina's text console: the kernel console mirrored on the VirtIO GPU's
 * framebuffer, 8x16 character cells (640x480: 80 columns, 30 rows), with
 * scrolling and an underline cursor. Best effort: it never blocks for long
 * (one bounded wait per device request) and never panics; without a display
 * every call returns at once.
 */
#ifndef RUMPK_DRIVERS_FRAMEBUFFER_H
#define RUMPK_DRIVERS_FRAMEBUFFER_H

#include <stdint.h>

#include "drivers/virtio_gpu.h"

/* The display (pixels, width, height; all zero without one). Global so that
 * GDB's `fb` command can find it by name and read the frame. */
extern struct gpu_display retina_display;

/* Probes for the GPU; on success prints the "[retina] WxH framebuffer" line,
 * shows what the console printed so far, and mirrors it from then on. */
void fb_init(void);

/* One console character: printable ASCII, '\n', '\r', '\b', '\t'; ANSI
 * escape sequences are skipped. Drawn on the next fb_flush. */
void fb_putc(char c);

/* Draws the changed rows and sends them to the host. Does nothing while a
 * program has the screen (fb_draw_cell). */
void fb_flush(void);

/* ---- a program's screen (CMD_FB_*, kernel/user/syscall.c) -----------------
 * The first fb_draw_cell takes the screen from the console and blacks it
 * out: from then on the console only updates its text grid, and the program
 * draws 8x16 cells on the same cols x rows grid, until fb_release gives the
 * screen back (user_finish does it for a program that ends holding it). Each
 * call returns 0, -1 without a display (or after the device failed), -2 for
 * an argument out of range. */

/* The cell grid: *cols x *rows (80x30 on 640x480). */
int fb_cells(int *cols, int *rows);

/* Character c (printable ASCII) in colour rgb (0xRRGGBB) on black, at cell
 * (col, row); shown on the next fb_flush_cells. */
int fb_draw_cell(int col, int row, char c, uint32_t rgb);

/* Sends the cell rows changed since the last call to the host. */
int fb_flush_cells(void);

/* Does a program have the screen? */
int fb_taken(void);

/* Gives the screen back: a black frame, the console's text redrawn. */
int fb_release(void);

#endif
