/*-------------------------------------------------------------------------
 *
 * planted_overrun.c
 *		  The positive control of tests/valgrind/run.sh: a deliberate palloc
 *		  overrun, built into the test-only copy of zendesk_fdw.so only.
 *
 * zd_valgrind_planted_overrun(n) pallocs n bytes and writes n + 1.  Under
 * valgrind, with a server built with USE_VALGRIND, the write past the chunk
 * must be reported: that is what shows the harness sees palloc overruns in
 * the extension's own code, not only malloc ones.  The function is declared
 * by run.sh in the control's session; the extension's SQL knows nothing of
 * it and the installed extension never contains it.
 *
 * IDENTIFICATION
 *		  tests/valgrind/planted_overrun.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"

PG_FUNCTION_INFO_V1(zd_valgrind_planted_overrun);

Datum
zd_valgrind_planted_overrun(PG_FUNCTION_ARGS)
{
	int32		n = PG_GETARG_INT32(0);
	char	   *chunk = palloc(n);

	memset(chunk, 'x', n + 1);
	PG_RETURN_INT32(chunk[n - 1]);
}
