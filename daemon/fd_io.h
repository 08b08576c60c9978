/* SPDX-License-Identifier: GPL-2.0-only */
/* Whole reads and writes on a file descriptor, EINTR taken care of. */
#ifndef CXLNICD_FD_IO_H
#define CXLNICD_FD_IO_H

#include <stddef.h>
#include <sys/types.h>

/* All @len bytes of @buf: 0, or a negative errno. */
int fd_write_all(int fd, const void *buf, size_t len);
/* Up to @len bytes, until end of file: how many came, or a negative errno. */
ssize_t fd_read_all(int fd, void *buf, size_t len);

#endif
