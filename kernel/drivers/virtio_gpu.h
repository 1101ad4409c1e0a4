/*
 * Retina's display: a VirtIO GPU (virtio spec 1.1, section 5.7) driven in 2D
 * mode. One host resource the size of scanout 0, backed by one contiguous
 * run of our pages (the framebuffer); drawing is plain stores into those
 * pages, then TRANSFER_TO_HOST_2D and RESOURCE_FLUSH for the changed rows.
 */
#ifndef RUMPK_DRIVERS_VIRTIO_GPU_H
#define RUMPK_DRIVERS_VIRTIO_GPU_H

#include <stddef.h>
#include <stdint.h>

/* ---- the wire format (little-endian, as the device reads it) ------------ */
#define VIRTIO_GPU_CMD_GET_DISPLAY_INFO        0x0100u
#define VIRTIO_GPU_CMD_RESOURCE_CREATE_2D      0x0101u
#define VIRTIO_GPU_CMD_SET_SCANOUT             0x0103u
#define VIRTIO_GPU_CMD_RESOURCE_FLUSH          0x0104u
#define VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D     0x0105u
#define VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING 0x0106u

#define VIRTIO_GPU_RESP_OK_NODATA              0x1100u
#define VIRTIO_GPU_RESP_OK_DISPLAY_INFO        0x1101u
#define VIRTIO_GPU_RESP_ERR_UNSPEC             0x1200u
#define VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY      0x1201u
#define VIRTIO_GPU_RESP_ERR_INVALID_SCANOUT_ID 0x1202u
#define VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID 0x1203u
#define VIRTIO_GPU_RESP_ERR_INVALID_CONTEXT_ID 0x1204u
#define VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER  0x1205u

/* Bytes B, G, R, X in memory: a pixel is the u32 0x00RRGGBB. */
#define VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM 2u

#define VIRTIO_GPU_MAX_SCANOUTS 16

struct virtio_gpu_ctrl_hdr {
    uint32_t type;
    uint32_t flags;
    uint64_t fence_id;
    uint32_t ctx_id;
    uint8_t ring_idx;
    uint8_t padding[3];
};

struct virtio_gpu_rect {
    uint32_t x, y, width, height;
};

struct virtio_gpu_resp_display_info {
    struct virtio_gpu_ctrl_hdr hdr;
    struct {
        struct virtio_gpu_rect r;
        uint32_t enabled;
        uint32_t flags;
    } pmodes[VIRTIO_GPU_MAX_SCANOUTS];
};

struct virtio_gpu_resource_create_2d {
    struct virtio_gpu_ctrl_hdr hdr;
    uint32_t resource_id;
    uint32_t format;
    uint32_t width;
    uint32_t height;
};

struct virtio_gpu_mem_entry {
    uint64_t addr;
    uint32_t length;
    uint32_t padding;
};

/* With its one memory entry: the backing is one contiguous run. */
struct virtio_gpu_resource_attach_backing {
    struct virtio_gpu_ctrl_hdr hdr;
    uint32_t resource_id;
    uint32_t nr_entries;
    struct virtio_gpu_mem_entry entry;
};

struct virtio_gpu_set_scanout {
    struct virtio_gpu_ctrl_hdr hdr;
    struct virtio_gpu_rect r;
    uint32_t scanout_id;
    uint32_t resource_id;
};

struct virtio_gpu_transfer_to_host_2d {
    struct virtio_gpu_ctrl_hdr hdr;
    struct virtio_gpu_rect r;
    uint64_t offset;        /* into the backing, of the rect's first pixel */
    uint32_t resource_id;
    uint32_t padding;
};

struct virtio_gpu_resource_flush {
    struct virtio_gpu_ctrl_hdr hdr;
    struct virtio_gpu_rect r;
    uint32_t resource_id;
    uint32_t padding;
};

_Static_assert(sizeof(struct virtio_gpu_ctrl_hdr) == 24, "ctrl_hdr is 24 bytes");
_Static_assert(sizeof(struct virtio_gpu_resp_display_info) == 24 + 16 * 24, "display_info");
_Static_assert(sizeof(struct virtio_gpu_resource_create_2d) == 40, "resource_create_2d");
_Static_assert(sizeof(struct virtio_gpu_resource_attach_backing) == 48, "attach_backing");
_Static_assert(offsetof(struct virtio_gpu_resource_attach_backing, entry) == 32, "mem_entry at 32");
_Static_assert(sizeof(struct virtio_gpu_set_scanout) == 48, "set_scanout");
_Static_assert(sizeof(struct virtio_gpu_transfer_to_host_2d) == 56, "transfer_to_host_2d");
_Static_assert(offsetof(struct virtio_gpu_transfer_to_host_2d, offset) == 40, "t2d.offset at 40");
_Static_assert(sizeof(struct virtio_gpu_resource_flush) == 48, "resource_flush");

/* ---- the driver --------------------------------------------------------- */
struct gpu_display {
    uint32_t *pixels;       /* width * height pixels, 0x00RRGGBB, row after row */
    uint32_t width;
    uint32_t height;
    int slot;               /* the virtio-mmio slot of the device */
};

/* Finds the GPU and sets up scanout 0 on a black framebuffer. Returns 0, or
 * -1 after printing why ("[retina] no display" when there is no device, the
 * failing command and the device's error in words otherwise). */
int virtio_gpu_init(struct gpu_display *out);

/* Sends rows [y, y + h) to the host and shows them. Returns 0, or -1 once
 * the device has failed (reported once; later calls do nothing). */
int virtio_gpu_flush(uint32_t y, uint32_t h);

/* The device's response type in words ("out of memory"). */
const char *virtio_gpu_resp_name(uint32_t type);

#endif
