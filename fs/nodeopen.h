/*
 * Policy files written without an OPEN round trip. A read-write mount runs in
 * the kernel's no-open mode (OPEN is answered ENOSYS once): a plain open(2) of
 * an existing file sends nothing, and its reads, writes, truncates, flushes and
 * fsyncs arrive with file handle 0. The edits of such opens therefore live on
 * the node, as a file's bytes do: one struct fs_open per node (by_node), made
 * at the first write or truncate from the document served (edit_open), linked
 * in fs->opens like any open, and dropped when a commit covered every edit it
 * holds, so a read after the close sees the document IAM has (or, after a
 * refused save, the one it kept). Files made by CREATE still get their own open.
 */
#ifndef IAMFS_FS_NODEOPEN_H
#define IAMFS_FS_NODEOPEN_H

#include "fs/fs.h"

/* The node open of policy node n (+1 ref, fs_open_put it), or NULL when no edit
 * of n is waiting. */
struct fs_open *nodeopen_find(struct fs *fs, const struct inode_node *n);
/* The node open of n, made when there is none (+1 ref, fs_open_put it): 0,
 * -EACCES (a file that cannot be saved), or edit_open's errors. Dispatch thread. */
int nodeopen_take(struct fs *fs, struct inode_node *n, struct fs_open **out);
/* write(2) of len bytes at off, and ftruncate(2) or an O_TRUNC open, by thread
 * tid into n's node open (made when there is none): as edit_write and
 * edit_truncate (edit.h), or -EACCES for a file that cannot be saved. */
int nodeopen_write(struct fs *fs, struct inode_node *n, pid_t tid, const char *p, size_t len,
		   off_t off);
int nodeopen_truncate(struct fs *fs, struct inode_node *n, pid_t tid, off_t size);
/* After a commit of o's edits up to seq: a node open holding no later edit is
 * unlinked and loses the reference its node held. Any thread. */
void nodeopen_settle(struct fs *fs, struct fs_open *o, unsigned long long seq);

#endif
