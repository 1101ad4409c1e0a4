/* The framebuffer console's bitmap font (font8x8.c): printable ASCII only. */
#ifndef RUMPK_DRIVERS_FONT_H
#define RUMPK_DRIVERS_FONT_H

#include <stdint.h>

#define FONT_FIRST 32   /* ' ' */
#define FONT_LAST 126   /* '~' */
#define FONT_ROWS 8     /* rows per glyph; bit 7 of a row is its leftmost pixel */

extern const uint8_t font8x8[FONT_LAST - FONT_FIRST + 1][FONT_ROWS];

#endif
