/*
 * Console output and input through ION.
 *
 * Output: bytes travel in pool packets. CMD_ION_ALLOC lends us a packet (its
 * buffer is at SysTable.packet_pool + index * packet_size, in our ION
 * window); we copy up to packet_size bytes into it; CMD_CON_WRITE with
 * arg = len << 32 | index queues it for the kernel's console fiber, which
 * prints it and returns it to the pool: after a successful CMD_CON_WRITE the
 * packet is no longer ours. A CMD_CON_WRITE that fails queued nothing, so the
 * packet is still ours and we free it.
 *
 * A long write goes out in packet_size chunks; the next chunk's
 * CMD_ION_ALLOC rides in the same ecall as the current chunk's
 * CMD_CON_WRITE. When the pool is empty (ION_ENOMEM from CMD_ION_ALLOC) or
 * the output ring is full (ION_ENOMEM from CMD_CON_WRITE), the console fiber
 * has not caught up yet: we yield to it and try again, for up to
 * CONSOLE_PATIENCE_US (time, not a count of tries: how many yields the
 * console needs depends on the kernel's scheduler, not on us).
 *
 * Input: the UART interrupt pushes bytes on SysTable.input_ring; we are its
 * consumer. CMD_CON_READ blocks until the ring has bytes; then we pop them.
 */
#include "libnexus.h"

#include "ion/ring.h"

/* How long to wait for the console fiber to give packets back. */
#define CONSOLE_PATIENCE_US 5000000

static uint8_t *packet_buffer(int64_t index)
{
    const struct SysTable *st = nexus_systable();
    if (index < 0 || (uint64_t)index >= st->packet_count)
        return NULL;
    return (uint8_t *)(uintptr_t)(st->packet_pool + (uint64_t)index * st->packet_size);
}

static uint64_t write_arg(int64_t index, uint32_t len)
{
    return (uint64_t)len << 32 | (uint32_t)index;
}

/* The console fiber has not caught up: let it run. Returns 0 once it has
 * made us wait CONSOLE_PATIENCE_US (*since: when the wait began, 0 at first). */
static int wait_for_console(uint64_t *since)
{
    uint64_t now = uptime_us();
    if (*since == 0)
        *since = now;
    else if (now - *since > CONSOLE_PATIENCE_US)
        return 0;
    yield();
    return 1;
}

static int alloc_packet(int64_t *index)
{
    uint64_t since = 0;
    for (;;) {
        int status = nexus_call(CMD_ION_ALLOC, 0, index);
        if (status != ION_ENOMEM || !wait_for_console(&since))
            return status;
    }
}

static int send_packet(int64_t index, uint32_t len)
{
    uint64_t since = 0;
    for (;;) {
        int status = nexus_call(CMD_CON_WRITE, write_arg(index, len), NULL);
        if (status != ION_ENOMEM || !wait_for_console(&since))
            return status;
    }
}

static void release_packet(int64_t index)
{
    nexus_call(CMD_ION_FREE, (uint64_t)index, NULL);
}

int64_t write(int fd, const void *buf, size_t len)
{
    if (fd != STDOUT_FILENO && fd != STDERR_FILENO)
        return ION_EBADF;
    if (len == 0)
        return 0;

    const uint8_t *src = buf;
    uint32_t packet_size = nexus_systable()->packet_size;
    size_t done = 0;
    int64_t index;
    int status = alloc_packet(&index);

    while (status == ION_OK) {
        uint8_t *dst = packet_buffer(index);
        if (!dst) {
            status = ION_EARG;   /* the kernel lent us a packet outside the pool */
            break;
        }
        uint32_t n = len - done < packet_size ? (uint32_t)(len - done) : packet_size;
        memcpy(dst, src + done, n);
        int more = done + n < len;

        /* This chunk's write and, if needed, the next chunk's packet: one ecall. */
        uint64_t write_seq = nexus_submit(CMD_CON_WRITE, write_arg(index, n));
        uint64_t alloc_seq = more ? nexus_submit(CMD_ION_ALLOC, 0) : 0;
        int write_status = nexus_wait(write_seq, NULL);
        int64_t next = -1;
        int alloc_status = more ? nexus_wait(alloc_seq, &next) : ION_OK;

        if (write_status == ION_ENOMEM)
            write_status = send_packet(index, n);
        if (write_status != ION_OK) {
            release_packet(index);
            if (more && alloc_status == ION_OK)
                release_packet(next);
            status = write_status;
            break;
        }
        done += n;
        if (!more)
            break;
        if (alloc_status == ION_ENOMEM)
            alloc_status = alloc_packet(&next);
        index = next;
        status = alloc_status;
    }
    /* Like POSIX: a partial write reports what went out. */
    return done > 0 ? (int64_t)done : status;
}

int64_t read_console(void *buf, size_t len)
{
    struct ion_ring *input = &((struct ion_input_ring *)(uintptr_t)nexus_systable()->input_ring)->ring;
    uint8_t *dst = buf;
    if (len == 0)
        return 0;
    for (;;) {
        size_t n = 0;
        while (n < len && ion_ring_pop(input, dst + n) == 0)
            n++;
        if (n > 0)
            return (int64_t)n;
        /* Nothing there: sleep in the kernel until a byte arrives. */
        int64_t available;
        int status = nexus_call(CMD_CON_READ, 0, &available);
        if (status < 0)
            return status;
    }
}
