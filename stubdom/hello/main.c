/* hello: the smallest useful stub domain. It reports what it learned about
 * its domain from Xen, then powers off. */
#include <minios/console.h>
#include <minios/kernel.h>
#include <minios/time.h>

int main(int argc, char **argv)
{
    printk("Hello from stubos!\n");
    printk("Xen version: %s\n", kernel_xen_version());
    printk("Memory: %lu KiB\n", (unsigned long)(boot_info.ram_bytes >> 10));
    printk("Command line: \"%s\"\n", boot_info.cmdline);
    for (int i = 1; i < argc; i++)
        printk("argv[%d]: \"%s\"\n", i, argv[i]);
    uint64_t ns = kernel_boot_ns(), cpu = kernel_boot_cpu_ns();
    printk("Boot: kernel entry to main in %lu us, %lu us of it running\n",
           (unsigned long)(ns / 1000), (unsigned long)(cpu / 1000));
    return 0;
}
