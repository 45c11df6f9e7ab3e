/* Guest side of the xenstore benchmark: sequential writes then reads of one
 * node in our own home, timed with the guest clock. */
#include <minios/console.h>
#include <minios/time.h>
#include <minios/mm.h>
#include <minios/xenbus.h>

#define COUNT 1000

int main(void)
{
    uint64_t t0 = monotonic_ns();
    for (int i = 0; i < COUNT; i++)
        if (xenbus_write(XBT_NIL, "data/bench", "benchmark-value") < 0)
            return 1;
    uint64_t t1 = monotonic_ns();
    for (int i = 0; i < COUNT; i++) {
        char *v;
        if (xenbus_read(XBT_NIL, "data/bench", &v) < 0)
            return 1;
        kfree(v);
    }
    uint64_t t2 = monotonic_ns();
    printk("BENCH xs_write_ops_per_s %lu\n", (unsigned long)(COUNT * NSEC_PER_SEC / (t1 - t0)));
    printk("BENCH xs_read_ops_per_s %lu\n", (unsigned long)(COUNT * NSEC_PER_SEC / (t2 - t1)));
    return 0;
}
