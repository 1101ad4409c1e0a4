/*
 * virtio-mmio (virtio spec 1.1, section 4.2): the transport of QEMU virt's
 * eight device slots at 0x10001000 + 0x1000 * i. Both register layouts are
 * handled: version 1 (legacy, QEMU 7.2's default: one queue area given as a
 * page number) and version 2 (modern: the three queue parts given apart).
 * One split virtqueue per device, driven synchronously: submit a request
 * and its response buffer, then poll the used ring with a time limit.
 */
#ifndef RUMPK_DRIVERS_VIRTIO_MMIO_H
#define RUMPK_DRIVERS_VIRTIO_MMIO_H

#include <stdint.h>

#define VIRTIO_MMIO_BASE   0x10001000UL
#define VIRTIO_MMIO_STRIDE 0x1000UL
#define VIRTIO_MMIO_SLOTS  8

#define VIRTIO_MAGIC       0x74726976u  /* "virt" little-endian */
#define VIRTIO_DEV_GPU     16

/* Registers (byte offsets). L: legacy (version 1) only; M: modern only. */
#define VIRTIO_MMIO_MAGIC            0x000
#define VIRTIO_MMIO_VERSION          0x004
#define VIRTIO_MMIO_DEVICE_ID        0x008
#define VIRTIO_MMIO_VENDOR_ID        0x00c
#define VIRTIO_MMIO_DEVICE_FEATURES  0x010
#define VIRTIO_MMIO_DEVICE_FEAT_SEL  0x014
#define VIRTIO_MMIO_DRIVER_FEATURES  0x020
#define VIRTIO_MMIO_DRIVER_FEAT_SEL  0x024
#define VIRTIO_MMIO_GUEST_PAGE_SIZE  0x028  /* L */
#define VIRTIO_MMIO_QUEUE_SEL        0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX    0x034
#define VIRTIO_MMIO_QUEUE_NUM        0x038
#define VIRTIO_MMIO_QUEUE_ALIGN      0x03c  /* L */
#define VIRTIO_MMIO_QUEUE_PFN        0x040  /* L */
#define VIRTIO_MMIO_QUEUE_READY      0x044  /* M */
#define VIRTIO_MMIO_QUEUE_NOTIFY     0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS 0x060
#define VIRTIO_MMIO_INTERRUPT_ACK    0x064
#define VIRTIO_MMIO_STATUS           0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW   0x080  /* M */
#define VIRTIO_MMIO_QUEUE_DESC_HIGH  0x084  /* M */
#define VIRTIO_MMIO_QUEUE_AVAIL_LOW  0x090  /* M */
#define VIRTIO_MMIO_QUEUE_AVAIL_HIGH 0x094  /* M */
#define VIRTIO_MMIO_QUEUE_USED_LOW   0x0a0  /* M */
#define VIRTIO_MMIO_QUEUE_USED_HIGH  0x0a4  /* M */
#define VIRTIO_MMIO_CONFIG           0x100

/* Device status bits (spec 2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE 1u
#define VIRTIO_STATUS_DRIVER      2u
#define VIRTIO_STATUS_DRIVER_OK   4u
#define VIRTIO_STATUS_FEATURES_OK 8u
#define VIRTIO_STATUS_NEEDS_RESET 64u
#define VIRTIO_STATUS_FAILED      128u

#define VIRTIO_F_VERSION_1 32  /* feature bit: a modern device */

/* The split virtqueue (spec 2.6). */
#define VIRTQ_DESC_F_NEXT  1u
#define VIRTQ_DESC_F_WRITE 2u   /* the device writes this buffer */

struct virtq_desc {
    uint64_t addr;   /* physical */
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};
_Static_assert(sizeof(struct virtq_desc) == 16, "virtq_desc is 16 bytes");

/* Small on purpose: one request in flight, two descriptors each. */
#define VIRTQ_SIZE 16

struct virtq_avail {
    uint16_t flags;
    uint16_t idx;
    uint16_t ring[VIRTQ_SIZE];
    uint16_t used_event;
};
_Static_assert(sizeof(struct virtq_avail) == 6 + 2 * VIRTQ_SIZE, "virtq_avail layout");

struct virtq_used_elem {
    uint32_t id;
    uint32_t len;
};

struct virtq_used {
    uint16_t flags;
    uint16_t idx;
    struct virtq_used_elem ring[VIRTQ_SIZE];
    uint16_t avail_event;
};
_Static_assert(sizeof(struct virtq_used) == 8 + 8 * VIRTQ_SIZE, "virtq_used layout");

/* Legacy layout: descriptors and avail ring in page 0, the used ring at the
 * next QueueAlign boundary (page 1). Modern uses the same pages. */
#define VIRTQ_PAGES 2

struct virtio_dev {
    uintptr_t base;         /* the slot's registers */
    int slot;
    uint32_t version;       /* 1 legacy, 2 modern */
    struct virtq_desc *desc;
    struct virtq_avail *avail;
    volatile struct virtq_used *used;
    uint16_t last_used;     /* used->idx we have consumed up to */
    uint16_t avail_idx;     /* our copy of avail->idx */
};

/* The first slot holding a device of `device_id`, or -1. */
int virtio_mmio_find(uint32_t device_id);

/* Resets the device in `slot`, negotiates no optional features, sets up
 * queue 0 and sets DRIVER_OK. Returns 0, or -1 with *error set to a reason. */
int virtio_mmio_init(struct virtio_dev *dev, int slot, const char **error);

/* Puts `req` (read by the device) and `resp` (written by it) on queue 0 as
 * one chain, notifies, and polls the used ring for at most `timeout_us`.
 * Returns the bytes the device wrote, or -1 on a timeout. */
int virtio_mmio_submit(struct virtio_dev *dev, const void *req, uint32_t req_len,
                       void *resp, uint32_t resp_len, uint64_t timeout_us);

#endif
