/*
 * Copying and wiping credential values. A copy is all or nothing: on ENOMEM
 * nothing is left allocated and dst is untouched. Secrets are copied into
 * locked memory (secret.h) and wiped when freed.
 */
#include "aws/aws_creds.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "aws/buf.h"
#include "aws/secret.h"

void aws_creds_cleanup(struct aws_creds *c)
{
	if (!c)
		return;
	buf_str_wipe_free(c->access_key_id);
	buf_str_wipe_free(c->secret_access_key);
	buf_str_wipe_free(c->session_token);
	memset(c, 0, sizeof(*c));
}

int aws_creds_copy(struct aws_creds *dst, const struct aws_creds *src)
{
	struct aws_creds c = {0};

	c.access_key_id = src->access_key_id ? strdup(src->access_key_id) : NULL;
	c.secret_access_key = src->secret_access_key ? secret_strdup(src->secret_access_key) : NULL;
	c.session_token = src->session_token ? secret_strdup(src->session_token) : NULL;
	if ((src->access_key_id && !c.access_key_id) ||
	    (src->secret_access_key && !c.secret_access_key) ||
	    (src->session_token && !c.session_token)) {
		aws_creds_cleanup(&c);
		return -ENOMEM;
	}
	c.expiration = src->expiration;
	memcpy(c.source, src->source, sizeof(c.source));
	*dst = c;
	return 0;
}
