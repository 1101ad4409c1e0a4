#include "drivers/framebuffer.h"

#include <stdint.h>

#include "core/console.h"
#include "drivers/font.h"
#include "drivers/virtio_gpu.h"
#include "lib/string.h"

#define CELL_W 8
#define CELL_H 16               /* each font row drawn twice */
#define MAX_COLS 160
#define MAX_ROWS 64
#define FG 0x00c0c0c0u          /* light grey on black */
#define BG 0x00000000u
#define EARLY_SIZE 2048

/* EARLY: no probe yet, output is kept to be shown once the display is up.
 * ON: mirroring. OFF: no display, or it failed; every call returns at once. */
static enum { EARLY, ON, OFF } state = EARLY;
static struct gpu_display gpu;

/* The screen as text; the pixels are redrawn from it, row by changed row,
 * so a scroll moves 80x30 bytes instead of a whole frame of pixels. */
static char grid[MAX_ROWS][MAX_COLS];
static int cols, rows;
static int cur_x, cur_y;
static int dirty_lo, dirty_hi;  /* text rows [lo, hi) changed since the last flush */
static int esc;                 /* 0, 1 after ESC, 2 inside ESC [ ... */
/* Set while we draw or talk to the device: a kprintf from an interrupt (or
 * from the GPU driver reporting an error) then skips the mirror instead of
 * re-entering it. */
static int busy;

static char early[EARLY_SIZE];
static int early_len;

static void mark(int row)
{
    if (row < dirty_lo)
        dirty_lo = row;
    if (row + 1 > dirty_hi)
        dirty_hi = row + 1;
}

static void newline(void)
{
    cur_x = 0;
    if (cur_y + 1 < rows) {
        mark(cur_y);
        cur_y++;
        mark(cur_y);
        return;
    }
    memmove(grid[0], grid[1], (size_t)(rows - 1) * MAX_COLS);
    memset(grid[rows - 1], ' ', MAX_COLS);
    dirty_lo = 0;
    dirty_hi = rows;
}

static void put(char c)
{
    if (esc == 1) {
        esc = c == '[' ? 2 : 0;
        return;
    }
    if (esc == 2) {
        if (c >= 0x40 && c <= 0x7e)
            esc = 0;  /* the final byte of a control sequence */
        return;
    }
    mark(cur_y);  /* the cursor's row: its underline moves */
    switch (c) {
    case '\x1b': esc = 1; return;
    case '\n': newline(); return;
    case '\r': cur_x = 0; return;
    case '\b': if (cur_x > 0) cur_x--; return;
    case '\t': cur_x = (cur_x + 8) & ~7; break;
    default:
        if (c < FONT_FIRST || c > FONT_LAST)
            return;
        grid[cur_y][cur_x++] = c;
    }
    if (cur_x >= cols)
        newline();
}

static void draw_row(int row)
{
    uint32_t *line = gpu.pixels + (uint64_t)row * CELL_H * gpu.width;
    for (int col = 0; col < cols; col++) {
        const uint8_t *glyph = font8x8[grid[row][col] - FONT_FIRST];
        int cursor = row == cur_y && col == cur_x;
        for (int y = 0; y < CELL_H; y++) {
            uint8_t bits = glyph[y / 2];
            if (cursor && y >= CELL_H - 2)
                bits = 0xff;
            uint32_t *p = line + (uint64_t)y * gpu.width + col * CELL_W;
            for (int x = 0; x < CELL_W; x++)
                p[x] = bits & (0x80 >> x) ? FG : BG;
        }
    }
}

void fb_putc(char c)
{
    if (state == EARLY) {
        if (early_len < EARLY_SIZE)
            early[early_len++] = c;
        return;
    }
    if (state != ON || busy)
        return;
    busy = 1;
    put(c);
    busy = 0;
}

void fb_flush(void)
{
    if (state != ON || busy || dirty_lo >= dirty_hi)
        return;
    busy = 1;
    for (int row = dirty_lo; row < dirty_hi; row++)
        draw_row(row);
    int lo = dirty_lo, hi = dirty_hi;
    dirty_lo = rows;
    dirty_hi = 0;
    if (virtio_gpu_flush((uint32_t)lo * CELL_H, (uint32_t)(hi - lo) * CELL_H) != 0)
        state = OFF;  /* the driver has said why */
    busy = 0;
}

void fb_init(void)
{
    /* The probe's own messages must not land in the early buffer twice. */
    state = OFF;
    if (virtio_gpu_init(&gpu) != 0)
        return;
    cols = (int)(gpu.width / CELL_W) < MAX_COLS ? (int)(gpu.width / CELL_W) : MAX_COLS;
    rows = (int)(gpu.height / CELL_H) < MAX_ROWS ? (int)(gpu.height / CELL_H) : MAX_ROWS;
    memset(grid, ' ', sizeof grid);
    dirty_lo = 0;
    dirty_hi = rows;
    state = ON;
    for (int i = 0; i < early_len; i++)
        fb_putc(early[i]);
    kprintf("[retina] %ux%u framebuffer at 0x%lx (virtio-gpu at slot %d)\n", gpu.width,
            gpu.height, (unsigned long)gpu.pixels, gpu.slot);
}
