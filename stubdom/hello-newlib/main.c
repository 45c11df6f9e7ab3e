/* hello-newlib: stubdom/hello written against the C library (newlib +
 * lib/libc) instead of the kernel API, printing the same lines. It is the
 * yardstick for what linking newlib costs in image size (make prints both). */
#include <stdio.h>

#include <minios/kernel.h>

int main(int argc, char **argv)
{
    printf("Hello from stubos!\n");
    printf("Xen version: %s\n", kernel_xen_version());
    printf("Memory: %lu KiB\n", (unsigned long)(boot_info.ram_bytes >> 10));
    printf("Command line: \"%s\"\n", boot_info.cmdline);
    for (int i = 1; i < argc; i++)
        printf("argv[%d]: \"%s\"\n", i, argv[i]);
    unsigned long long ns = kernel_boot_ns(), cpu = kernel_boot_cpu_ns();
    printf("Boot: kernel entry to main in %llu us, %llu us of it running\n", ns / 1000, cpu / 1000);
    return 0;
}
