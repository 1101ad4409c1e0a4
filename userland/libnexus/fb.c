/*
 * The framebuffer and the console's key check: thin wrappers around
 * CMD_FB_* and CMD_CON_POLL (abi/ion.h, docs/retina.md).
 */
#include "libnexus.h"

int fb_info(uint32_t *width, uint32_t *height)
{
    int64_t wh = 0;
    int status = nexus_call(CMD_FB_INFO, 0, &wh);
    if (status < 0)
        return status;
    *width = (uint32_t)(wh >> 16 & 0xffff);
    *height = (uint32_t)(wh & 0xffff);
    return ION_OK;
}

int fb_glyph(int col, int row, char c, uint32_t rgb)
{
    if (col < 0 || col > 0xff || row < 0 || row > 0xff)
        return ION_EARG;  /* would not survive the packing */
    return nexus_call(CMD_FB_GLYPH, FB_GLYPH_ARG(col, row, c, rgb), NULL);
}

int fb_flush(void)
{
    return nexus_call(CMD_FB_FLUSH, 0, NULL);
}

int fb_release(void)
{
    return nexus_call(CMD_FB_RELEASE, 0, NULL);
}

int64_t console_poll(void)
{
    int64_t n = 0;
    int status = nexus_call(CMD_CON_POLL, 0, &n);
    return status < 0 ? status : n;
}
