#include "drivers/virtio_mmio.h"

#include "core/timer.h"
#include "mm/mm.h"

#define PAGE 4096UL

static inline volatile uint32_t *reg(const struct virtio_dev *dev, uint32_t off)
{
    return (volatile uint32_t *)(dev->base + off);
}

static uint32_t slot_read(int slot, uint32_t off)
{
    return *(volatile uint32_t *)(VIRTIO_MMIO_BASE + VIRTIO_MMIO_STRIDE * slot + off);
}

/* The device reads our rings from memory: order our stores before the
 * notification, and its stores before our reads of the used ring. */
static inline void fence(void)
{
    __asm__ volatile("fence iorw, iorw" ::: "memory");
}

int virtio_mmio_find(uint32_t device_id)
{
    for (int i = 0; i < VIRTIO_MMIO_SLOTS; i++) {
        uint32_t version = slot_read(i, VIRTIO_MMIO_VERSION);
        /* Device id 0 is an empty slot: QEMU answers for all eight. */
        if (slot_read(i, VIRTIO_MMIO_MAGIC) == VIRTIO_MAGIC && (version == 1 || version == 2) &&
            slot_read(i, VIRTIO_MMIO_DEVICE_ID) == device_id)
            return i;
    }
    return -1;
}

static int fail(struct virtio_dev *dev, const char *reason, const char **error)
{
    *reg(dev, VIRTIO_MMIO_STATUS) |= VIRTIO_STATUS_FAILED;
    *error = reason;
    return -1;
}

int virtio_mmio_init(struct virtio_dev *dev, int slot, const char **error)
{
    dev->base = VIRTIO_MMIO_BASE + VIRTIO_MMIO_STRIDE * slot;
    dev->slot = slot;
    dev->version = *reg(dev, VIRTIO_MMIO_VERSION);

    /* The handshake of spec 3.1.1: reset, ACKNOWLEDGE, DRIVER, features,
     * (FEATURES_OK on a modern device), queues, DRIVER_OK. */
    *reg(dev, VIRTIO_MMIO_STATUS) = 0;
    *reg(dev, VIRTIO_MMIO_STATUS) = VIRTIO_STATUS_ACKNOWLEDGE;
    *reg(dev, VIRTIO_MMIO_STATUS) |= VIRTIO_STATUS_DRIVER;

    /* No optional features; a modern device must be told we are modern too. */
    *reg(dev, VIRTIO_MMIO_DRIVER_FEAT_SEL) = 0;
    *reg(dev, VIRTIO_MMIO_DRIVER_FEATURES) = 0;
    *reg(dev, VIRTIO_MMIO_DRIVER_FEAT_SEL) = 1;
    *reg(dev, VIRTIO_MMIO_DRIVER_FEATURES) =
        dev->version == 2 ? 1u << (VIRTIO_F_VERSION_1 - 32) : 0;
    if (dev->version == 2) {
        *reg(dev, VIRTIO_MMIO_STATUS) |= VIRTIO_STATUS_FEATURES_OK;
        if (!(*reg(dev, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK))
            return fail(dev, "device refused our features", error);
    } else {
        *reg(dev, VIRTIO_MMIO_GUEST_PAGE_SIZE) = PAGE;
    }

    *reg(dev, VIRTIO_MMIO_QUEUE_SEL) = 0;
    uint32_t max = *reg(dev, VIRTIO_MMIO_QUEUE_NUM_MAX);
    if (max < VIRTQ_SIZE)
        return fail(dev, "queue 0 too small", error);
    if (dev->version == 2 && *reg(dev, VIRTIO_MMIO_QUEUE_READY))
        return fail(dev, "queue 0 already in use", error);

    uint8_t *pages = page_alloc_run(VIRTQ_PAGES);  /* zeroed */
    if (!pages)
        return fail(dev, "no memory for the virtqueue", error);
    dev->desc = (struct virtq_desc *)pages;
    dev->avail = (struct virtq_avail *)(pages + VIRTQ_SIZE * sizeof(struct virtq_desc));
    dev->used = (volatile struct virtq_used *)(pages + PAGE);
    dev->last_used = 0;
    dev->avail_idx = 0;

    *reg(dev, VIRTIO_MMIO_QUEUE_NUM) = VIRTQ_SIZE;
    if (dev->version == 2) {
        uint64_t d = (uint64_t)dev->desc, a = (uint64_t)dev->avail, u = (uint64_t)dev->used;
        *reg(dev, VIRTIO_MMIO_QUEUE_DESC_LOW) = (uint32_t)d;
        *reg(dev, VIRTIO_MMIO_QUEUE_DESC_HIGH) = (uint32_t)(d >> 32);
        *reg(dev, VIRTIO_MMIO_QUEUE_AVAIL_LOW) = (uint32_t)a;
        *reg(dev, VIRTIO_MMIO_QUEUE_AVAIL_HIGH) = (uint32_t)(a >> 32);
        *reg(dev, VIRTIO_MMIO_QUEUE_USED_LOW) = (uint32_t)u;
        *reg(dev, VIRTIO_MMIO_QUEUE_USED_HIGH) = (uint32_t)(u >> 32);
        *reg(dev, VIRTIO_MMIO_QUEUE_READY) = 1;
    } else {
        /* Legacy: one area, the used ring at the next QueueAlign boundary. */
        *reg(dev, VIRTIO_MMIO_QUEUE_ALIGN) = PAGE;
        *reg(dev, VIRTIO_MMIO_QUEUE_PFN) = (uint32_t)((uint64_t)pages / PAGE);
    }
    fence();
    *reg(dev, VIRTIO_MMIO_STATUS) |= VIRTIO_STATUS_DRIVER_OK;
    if (*reg(dev, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET)
        return fail(dev, "device needs a reset after set-up", error);
    return 0;
}

int virtio_mmio_submit(struct virtio_dev *dev, const void *req, uint32_t req_len,
                       void *resp, uint32_t resp_len, uint64_t timeout_us)
{
    /* One request at a time: descriptors 0 (request) and 1 (response). */
    dev->desc[0] = (struct virtq_desc){(uint64_t)req, req_len, VIRTQ_DESC_F_NEXT, 1};
    dev->desc[1] = (struct virtq_desc){(uint64_t)resp, resp_len, VIRTQ_DESC_F_WRITE, 0};
    dev->avail->ring[dev->avail_idx % VIRTQ_SIZE] = 0;
    fence();
    dev->avail->idx = ++dev->avail_idx;
    fence();
    *reg(dev, VIRTIO_MMIO_QUEUE_NOTIFY) = 0;

    uint64_t deadline = uptime_us() + timeout_us;
    while (dev->used->idx == dev->last_used) {
        if (uptime_us() > deadline)
            return -1;
    }
    fence();
    uint32_t written = dev->used->ring[dev->last_used % VIRTQ_SIZE].len;
    dev->last_used++;
    /* We poll; acknowledge anyway so the interrupt line does not stay up. */
    *reg(dev, VIRTIO_MMIO_INTERRUPT_ACK) = *reg(dev, VIRTIO_MMIO_INTERRUPT_STATUS);
    return (int)written;
}
