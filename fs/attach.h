/*
 * When a new file in attached/ closed empty attaches its policy (touch, `: >`):
 * at the close of its last descriptor. FUSE tells a filesystem of every close
 * (FLUSH) but not which is the last, so a flush attaches only when the closing
 * process holds no other descriptor of the file (read from /proc/PID/fd, whose
 * links name the file without asking this filesystem): touch and a shell's
 * redirection both dup2 the file onto another descriptor and close the first,
 * and `cat doc > attached/X.json` then writes through that other one, which
 * must be a document written, not an attach by name. A created file that no
 * flush attached is attached at its RELEASE (its outcome then reaches the log
 * and .iamfs/errors only).
 */
#ifndef IAMFS_FS_ATTACH_H
#define IAMFS_FS_ATTACH_H

#include <stdbool.h>
#include <sys/types.h>

#include "fs/fs.h"

/* o was made by CREATE in attached/ and nothing was written to it yet. */
bool attach_empty(struct fs *fs, struct fs_open *o);
/* attach_empty(o), and the process of thread tid, now closing a descriptor of it,
 * holds no other one: this flush attaches. Dispatch thread. */
bool attach_flush_now(struct fs *fs, struct fs_open *o, pid_t tid);

#endif
