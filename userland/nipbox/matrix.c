/*
 * `matrix`: columns of green characters falling down the framebuffer until
 * a key is pressed. Everything goes through the command ring: CMD_FB_INFO
 * for the size, CMD_FB_GLYPH per cell, CMD_FB_FLUSH per frame, CMD_CON_POLL
 * for the key, CMD_FB_RELEASE to give the screen back to the console.
 */
#include "builtins.h"

#include "libnexus.h"

#define FRAME_US   50000        /* one frame every 50 ms */
#define MAX_COLS   160
#define HEAD       0xc8ffc8u    /* the falling character: almost white */
#define BRIGHT     0x00ff41u    /* just behind it */
#define DIM        0x00802au    /* the older half of the trail */

struct drop {
    int y;          /* the head's row; negative: still above the screen */
    int len;        /* trail length in rows */
    int every;      /* moves one row every `every` frames */
};

static uint32_t rng_state;

/* xorshift32 (Marsaglia): plenty for rain. */
static uint32_t rnd(void)
{
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return rng_state = x;
}

static int between(int lo, int hi)
{
    return lo + (int)(rnd() % (uint32_t)(hi - lo + 1));
}

static char glyph(void)
{
    return (char)between(33, 126);
}

static void new_drop(struct drop *d, int rows)
{
    d->y = -between(0, rows);
    d->len = between(rows / 4 + 2, rows * 2 / 3 + 2);
    d->every = between(1, 3);
}

/* Draws one cell if row y is on screen; keeps the first error in *status. */
static void cell(int *status, int col, int y, int rows, char c, uint32_t rgb)
{
    if (*status == ION_OK && y >= 0 && y < rows)
        *status = fb_glyph(col, y, c, rgb);
}

/* One column moves down a row: a new head, the old head turns green, the
 * middle of the trail dims, its end is erased. Returns the first error. */
static int step(struct drop *d, int col, int rows)
{
    int status = ION_OK;
    int y = ++d->y;
    cell(&status, col, y, rows, glyph(), HEAD);
    cell(&status, col, y - 1, rows, glyph(), BRIGHT);
    cell(&status, col, y - d->len / 2, rows, glyph(), DIM);
    cell(&status, col, y - d->len, rows, ' ', 0);
    if (y - d->len >= rows)
        new_drop(d, rows);
    return status;
}

/* Waits for the rest of the frame; 1 once a key is waiting. */
static int pace(uint64_t frame_start)
{
    for (;;) {
        int64_t waiting = console_poll();
        if (waiting != 0)
            return 1;  /* a key, or an error: stop either way */
        if (uptime_us() - frame_start >= FRAME_US)
            return 0;
        yield();
    }
}

int cmd_matrix(int argc, char **argv)
{
    (void)argc, (void)argv;
    uint32_t width, height;
    int status = fb_info(&width, &height);
    if (status == ION_ENOENT) {
        printf("matrix: no display (make run-gui, or QEMU's -device virtio-gpu-device)\n");
        return 1;
    }
    if (status < 0) {
        printf("matrix: %s\n", nexus_strerror(status));
        return 1;
    }
    int cols = (int)(width / FB_CELL_W), rows = (int)(height / FB_CELL_H);
    if (cols > MAX_COLS)
        cols = MAX_COLS;
    if (rows > 255)
        rows = 255;

    static struct drop drops[MAX_COLS];
    rng_state = (uint32_t)uptime_us() | 1;
    for (int c = 0; c < cols; c++)
        new_drop(&drops[c], rows);

    for (uint32_t frame = 0;; frame++) {
        uint64_t start = uptime_us();
        for (int c = 0; c < cols && status == ION_OK; c++)
            if (frame % (uint32_t)drops[c].every == 0)
                status = step(&drops[c], c, rows);
        if (status == ION_OK)
            status = fb_flush();
        if (status != ION_OK || pace(start))
            break;
    }

    /* Drop the key that stopped us; the shell must not see it. */
    char key[32];
    int64_t waiting = console_poll();
    if (waiting > 0)
        read_console(key, waiting < (int64_t)sizeof key ? (size_t)waiting : sizeof key);
    int released = fb_release();
    if (status != ION_OK || released != ION_OK) {
        printf("matrix: %s\n", nexus_strerror(status != ION_OK ? status : released));
        return 1;
    }
    return 0;
}
