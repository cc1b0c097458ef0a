/* Unit tests for the capped byte buffer and the errno table. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "aws/awserr.h"
#include "aws/buf.h"
#include "check.h"

static void test_buf_cap(void)
{
	struct buf b;
	char *s;

	buf_init(&b, 8);
	CHECK_INT(buf_puts(&b, "abcd"), 0);
	CHECK_INT(buf_printf(&b, "%d", 123), 0);
	CHECK_STR(b.data, "abcd123");
	CHECK_INT(buf_puts(&b, "xy"), -EFBIG);
	CHECK_INT(b.len, 7);
	CHECK_INT(buf_putc(&b, 'z'), 0);
	CHECK_INT(buf_putc(&b, 'z'), -EFBIG);
	s = buf_steal(&b);
	CHECK_STR(s, "abcd123z");
	CHECK(b.data == NULL && b.len == 0);
	free(s);
	buf_reset(&b);
	buf_cleanup(&b);
	buf_cleanup(NULL);
}

static void test_errno_table(void)
{
	static const struct {
		const char *code;
		const char *message;
		long status;
		int want;
	} cases[] = {
		{"MalformedPolicyDocument", "Syntax errors in policy.", 400, -EINVAL},
		{"AccessDenied", "not authorized", 403, -EACCES},
		{"ExpiredToken", "expired", 403, -EKEYEXPIRED},
		{"InvalidClientTokenId", "bad", 403, -EKEYEXPIRED},
		{"SignatureDoesNotMatch", "bad", 403, -EKEYEXPIRED},
		{"NoSuchEntity", "no role", 404, -ENOENT},
		{"LimitExceeded", "Cannot exceed quota for PolicySize: 6144", 409, -EFBIG},
		{"LimitExceeded", "Cannot exceed quota for ACLSizePerRole: 2048", 409, -EFBIG},
		{"LimitExceeded", "Cannot exceed quota for PolicyVersionsPerPolicy: 5", 409,
		 -EDQUOT},
		{"LimitExceeded", "Cannot exceed quota for PolicyPerRole: 10", 409, -EDQUOT},
		{"UnmodifiableEntity", "AWS managed", 400, -EPERM},
		{"Throttling", "Rate exceeded", 400, -EAGAIN},
		{"ServiceFailure", "oops", 500, -EIO},
		{"ConnectionError", "refused", 0, -EIO},
		{"SomethingNew", "", 403, -EACCES},
		{"SomethingNew", "", 404, -ENOENT},
		{"SomethingNew", "", 400, -EINVAL},
		{"SomethingNew", "", 503, -EIO},
	};
	struct aws_error e;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		aws_error_clear(&e);
		e.http_status = cases[i].status;
		aws_error_set(&e, cases[i].code, "%s", cases[i].message);
		CHECK_INT(aws_error_errno(&e), cases[i].want);
	}
	CHECK(aws_code_is_throttling("Throttling"));
	CHECK(aws_code_is_throttling("TooManyRequestsException"));
	CHECK(!aws_code_is_throttling("ConcurrentModification"));
	CHECK(!aws_code_is_throttling("AccessDenied"));
	CHECK(aws_code_is_expired_token("ExpiredToken"));
	CHECK(!aws_code_is_expired_token("AccessDenied"));
}

int main(void)
{
	test_buf_cap();
	test_errno_table();
	return check_done("test_buf");
}
