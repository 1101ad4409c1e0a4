/*
 * Retina's text console: the kernel console mirrored on the VirtIO GPU's
 * framebuffer, 8x16 character cells (640x480: 80 columns, 30 rows), with
 * scrolling and an underline cursor. Best effort: it never blocks for long
 * (one bounded wait per device request) and never panics; without a display
 * every call returns at once.
 */
#ifndef RUMPK_DRIVERS_FRAMEBUFFER_H
#define RUMPK_DRIVERS_FRAMEBUFFER_H

/* Probes for the GPU; on success prints the "[retina] WxH framebuffer" line,
 * shows what the console printed so far, and mirrors it from then on. */
void fb_init(void);

/* One console character: printable ASCII, '\n', '\r', '\b', '\t'; ANSI
 * escape sequences are skipped. Drawn on the next fb_flush. */
void fb_putc(char c);

/* Draws the changed rows and sends them to the host. */
void fb_flush(void);

#endif
