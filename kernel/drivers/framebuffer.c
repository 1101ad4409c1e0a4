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

/* The display: exported, not static, so the debugger finds it by name. GDB's
 * `fb` command reads it (width, height and the pixels pointer) to show or
 * save the frame the guest drew. Zero until fb_init has found a GPU. */
struct gpu_display retina_display;

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

/* Set while a program has the screen (fb_draw_cell): the console keeps its
 * text grid up to date but stops drawing it, until fb_release. The program's
 * changed cell rows [taken_lo, taken_hi) go out on fb_flush_cells. */
static int taken;
static int taken_lo, taken_hi;

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
    uint32_t *line = retina_display.pixels + (uint64_t)row * CELL_H * retina_display.width;
    for (int col = 0; col < cols; col++) {
        const uint8_t *glyph = font8x8[grid[row][col] - FONT_FIRST];
        int cursor = row == cur_y && col == cur_x;
        for (int y = 0; y < CELL_H; y++) {
            uint8_t bits = glyph[y / 2];
            if (cursor && y >= CELL_H - 2)
                bits = 0xff;
            uint32_t *p = line + (uint64_t)y * retina_display.width + col * CELL_W;
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
    if (state != ON || busy || taken || dirty_lo >= dirty_hi)
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
    if (virtio_gpu_init(&retina_display) != 0)
        return;
    int w = (int)(retina_display.width / CELL_W), h = (int)(retina_display.height / CELL_H);
    cols = w < MAX_COLS ? w : MAX_COLS;
    rows = h < MAX_ROWS ? h : MAX_ROWS;
    memset(grid, ' ', sizeof grid);
    dirty_lo = 0;
    dirty_hi = rows;
    state = ON;
    for (int i = 0; i < early_len; i++)
        fb_putc(early[i]);
    kprintf("[retina] %ux%u framebuffer at 0x%lx (virtio-gpu at slot %d)\n",
            retina_display.width, retina_display.height, (unsigned long)retina_display.pixels,
            retina_display.slot);
}

int fb_cells(int *out_cols, int *out_rows)
{
    if (state != ON)
        return -1;
    *out_cols = cols;
    *out_rows = rows;
    return 0;
}

int fb_draw_cell(int col, int row, char c, uint32_t rgb)
{
    if (state != ON)
        return -1;
    if (col < 0 || col >= cols || row < 0 || row >= rows || c < FONT_FIRST || c > FONT_LAST ||
        rgb > 0xffffffu)
        return -2;
    if (busy)
        return 0;  /* cannot happen from a system call; skip rather than re-enter */
    busy = 1;
    if (!taken) {
        /* Taking the screen: the program starts from a black frame. */
        memset(retina_display.pixels, 0,
               (size_t)retina_display.width * retina_display.height * sizeof(uint32_t));
        taken = 1;
        taken_lo = 0;
        taken_hi = rows;
    }
    const uint8_t *glyph = font8x8[c - FONT_FIRST];
    uint32_t *cell = retina_display.pixels +
                     (uint64_t)row * CELL_H * retina_display.width + (uint64_t)col * CELL_W;
    for (int y = 0; y < CELL_H; y++) {
        uint8_t bits = glyph[y / 2];
        uint32_t *p = cell + (uint64_t)y * retina_display.width;
        for (int x = 0; x < CELL_W; x++)
            p[x] = bits & (0x80 >> x) ? rgb : BG;
    }
    if (row < taken_lo)
        taken_lo = row;
    if (row + 1 > taken_hi)
        taken_hi = row + 1;
    busy = 0;
    return 0;
}

int fb_flush_cells(void)
{
    if (state != ON)
        return -1;
    if (busy || !taken || taken_lo >= taken_hi)
        return 0;
    busy = 1;
    int lo = taken_lo, hi = taken_hi;
    taken_lo = rows;
    taken_hi = 0;
    if (virtio_gpu_flush((uint32_t)lo * CELL_H, (uint32_t)(hi - lo) * CELL_H) != 0)
        state = OFF;
    busy = 0;
    return state == ON ? 0 : -1;
}

int fb_taken(void)
{
    return state == ON && taken;
}

int fb_release(void)
{
    if (state != ON)
        return -1;
    if (busy)
        return 0;
    /* A black frame, then every text row drawn again from the grid. */
    memset(retina_display.pixels, 0,
           (size_t)retina_display.width * retina_display.height * sizeof(uint32_t));
    taken = 0;
    dirty_lo = 0;
    dirty_hi = rows;
    fb_flush();
    return state == ON ? 0 : -1;
}
