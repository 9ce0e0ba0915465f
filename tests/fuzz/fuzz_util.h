/* Shared helpers for the fuzz targets: hand libFuzzer's bytes to path-based loaders
 * through an anonymous in-memory file (memfd), so no temp files pile up in a long run. */
#ifndef MCDL_FUZZ_UTIL_H
#define MCDL_FUZZ_UTIL_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

/* Writes data to a fresh memfd and puts "/proc/self/fd/N" into path; returns the fd
 * (close it when done) or -1 when the memfd cannot be made (the input is then skipped). */
static inline int fuzz_memfd_path(const uint8_t *data, size_t size, char *path, size_t n) {
    int fd = memfd_create("mcdl_fuzz", 0);
    if (fd < 0) return -1;
    size_t off = 0;
    while (off < size) {
        ssize_t w = write(fd, data + off, size - off);
        if (w <= 0) {
            close(fd);
            return -1;
        }
        off += (size_t)w;
    }
    snprintf(path, n, "/proc/self/fd/%d", fd);
    return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
