#include "drivers/virtio_gpu.h"

#include "core/console.h"
#include "drivers/virtio_mmio.h"
#include "lib/string.h"
#include "mm/mm.h"

#define RESOURCE_ID 1
#define SCANOUT 0
#define DEFAULT_WIDTH 640
#define DEFAULT_HEIGHT 480
/* A request QEMU does not answer within this is a dead device, not a slow one. */
#define TIMEOUT_US 1000000

static struct virtio_dev dev;
static struct gpu_display display;
static int alive;

/* Requests and responses live here, not on the stack: after a timeout the
 * device may still write the response, and must find memory that is ours. */
static union {
    struct virtio_gpu_ctrl_hdr hdr;
    struct virtio_gpu_resource_create_2d create;
    struct virtio_gpu_resource_attach_backing attach;
    struct virtio_gpu_set_scanout scanout;
    struct virtio_gpu_transfer_to_host_2d transfer;
    struct virtio_gpu_resource_flush flush;
} req;
static union {
    struct virtio_gpu_ctrl_hdr hdr;
    struct virtio_gpu_resp_display_info info;
} resp;

const char *virtio_gpu_resp_name(uint32_t type)
{
    switch (type) {
    case VIRTIO_GPU_RESP_OK_NODATA: return "ok";
    case VIRTIO_GPU_RESP_OK_DISPLAY_INFO: return "ok (display info)";
    case VIRTIO_GPU_RESP_ERR_UNSPEC: return "unspecified error";
    case VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY: return "out of memory";
    case VIRTIO_GPU_RESP_ERR_INVALID_SCANOUT_ID: return "invalid scanout id";
    case VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID: return "invalid resource id";
    case VIRTIO_GPU_RESP_ERR_INVALID_CONTEXT_ID: return "invalid context id";
    case VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER: return "invalid parameter";
    default: return "unknown response";
    }
}

/* Sends `req` (len bytes, header filled with `type`) and checks the answer
 * is `expect`. On anything else the device is given up: `alive` drops
 * before the report, so the console mirror does not call back into us. */
static int command(const char *name, uint32_t type, uint32_t len, uint32_t resp_len,
                   uint32_t expect)
{
    req.hdr = (struct virtio_gpu_ctrl_hdr){.type = type};
    memset(&resp, 0, resp_len);
    int n = virtio_mmio_submit(&dev, &req, len, &resp, resp_len, TIMEOUT_US);
    if (n < 0) {
        alive = 0;
        kprintf("[retina] %s: no answer within %d ms; display off\n", name, TIMEOUT_US / 1000);
        return -1;
    }
    if ((uint32_t)n < sizeof resp.hdr || resp.hdr.type != expect) {
        alive = 0;
        kprintf("[retina] %s: %s (0x%x); display off\n", name,
                virtio_gpu_resp_name(resp.hdr.type), resp.hdr.type);
        return -1;
    }
    return 0;
}

int virtio_gpu_init(struct gpu_display *out)
{
    int slot = virtio_mmio_find(VIRTIO_DEV_GPU);
    if (slot < 0) {
        kprintf("[retina] no display\n");
        return -1;
    }
    const char *error;
    if (virtio_mmio_init(&dev, slot, &error) != 0) {
        kprintf("[retina] virtio-gpu at slot %d: %s; no display\n", slot, error);
        return -1;
    }
    alive = 1;

    if (command("GET_DISPLAY_INFO", VIRTIO_GPU_CMD_GET_DISPLAY_INFO, sizeof req.hdr,
                sizeof resp.info, VIRTIO_GPU_RESP_OK_DISPLAY_INFO) != 0)
        return -1;
    /* 640x480 whatever the display prefers (QEMU says 1280x800): an 80x30
     * console, and a quarter of the bytes to copy on every flush. A smaller
     * enabled scanout 0 gets its own size. */
    uint32_t width = DEFAULT_WIDTH, height = DEFAULT_HEIGHT;
    if (resp.info.pmodes[SCANOUT].enabled && resp.info.pmodes[SCANOUT].r.width >= 8 &&
        resp.info.pmodes[SCANOUT].r.height >= 16) {
        if (resp.info.pmodes[SCANOUT].r.width < width)
            width = resp.info.pmodes[SCANOUT].r.width;
        if (resp.info.pmodes[SCANOUT].r.height < height)
            height = resp.info.pmodes[SCANOUT].r.height;
    }

    uint64_t bytes = (uint64_t)width * height * 4;
    uint64_t pages = (bytes + 4095) / 4096;
    uint32_t *pixels = page_alloc_run(pages);  /* zeroed: black */
    if (!pixels) {
        alive = 0;
        kprintf("[retina] no %lu contiguous pages for a %ux%u framebuffer; no display\n",
                (unsigned long)pages, width, height);
        return -1;
    }

    req.create = (struct virtio_gpu_resource_create_2d){
        .resource_id = RESOURCE_ID, .format = VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM,
        .width = width, .height = height};
    if (command("RESOURCE_CREATE_2D", VIRTIO_GPU_CMD_RESOURCE_CREATE_2D, sizeof req.create,
                sizeof resp.hdr, VIRTIO_GPU_RESP_OK_NODATA) != 0)
        goto bad;
    req.attach = (struct virtio_gpu_resource_attach_backing){
        .resource_id = RESOURCE_ID, .nr_entries = 1,
        .entry = {.addr = (uint64_t)pixels, .length = (uint32_t)bytes}};
    if (command("RESOURCE_ATTACH_BACKING", VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING,
                sizeof req.attach, sizeof resp.hdr, VIRTIO_GPU_RESP_OK_NODATA) != 0)
        goto bad;
    req.scanout = (struct virtio_gpu_set_scanout){
        .r = {0, 0, width, height}, .scanout_id = SCANOUT, .resource_id = RESOURCE_ID};
    if (command("SET_SCANOUT", VIRTIO_GPU_CMD_SET_SCANOUT, sizeof req.scanout,
                sizeof resp.hdr, VIRTIO_GPU_RESP_OK_NODATA) != 0)
        goto bad;

    display = (struct gpu_display){pixels, width, height, slot};
    if (virtio_gpu_flush(0, height) != 0)
        goto bad;
    *out = display;
    return 0;

bad:
    /* The host may still hold the backing: leak it rather than hand the
     * pages out again while the device could read them. */
    return -1;
}

int virtio_gpu_flush(uint32_t y, uint32_t h)
{
    if (!alive)
        return -1;
    if (y >= display.height)
        return 0;
    if (h > display.height - y)
        h = display.height - y;
    struct virtio_gpu_rect r = {0, y, display.width, h};
    req.transfer = (struct virtio_gpu_transfer_to_host_2d){
        .r = r, .offset = (uint64_t)y * display.width * 4, .resource_id = RESOURCE_ID};
    if (command("TRANSFER_TO_HOST_2D", VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D, sizeof req.transfer,
                sizeof resp.hdr, VIRTIO_GPU_RESP_OK_NODATA) != 0)
        return -1;
    req.flush = (struct virtio_gpu_resource_flush){.r = r, .resource_id = RESOURCE_ID};
    return command("RESOURCE_FLUSH", VIRTIO_GPU_CMD_RESOURCE_FLUSH, sizeof req.flush,
                   sizeof resp.hdr, VIRTIO_GPU_RESP_OK_NODATA);
}
