/* Fuzz target: the CSV loader. The first byte picks the options (header mode, label
 * column, delimiter) so one corpus covers every combination; the rest is the file. */
#include "mcdl/data.h"
#include "mcdl/tensor.h"
#include "tests/fuzz/fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    mcdl_csv_opts o = {0};
    o.header = (int)(data[0] & 3) - 1; /* -1, 0, 1 (2 reads as 1 too) */
    if (o.header > 1) o.header = 1;
    o.label_column = (int)((data[0] >> 2) & 7) - 1; /* -1 (last), 0 (none), 1..6 */
    o.delimiter = (data[0] & 0x20) ? ';' : 0;
    char path[64];
    int fd = fuzz_memfd_path(data + 1, size - 1, path, sizeof path);
    if (fd < 0) return 0;
    mcdl_tensor *x = NULL, *y = NULL;
    bool want_y = o.label_column != 0;
    if (mcdl_csv_load(path, &o, &x, want_y ? &y : NULL) == MCDL_OK) {
        mcdl_tensor_destroy(x);
        mcdl_tensor_destroy(y);
    }
    close(fd);
    return 0;
}
